// Sharded evaluation: the shards of a file hold every record once, whatever the cut (quoted
// line feeds across a cut, more shards than records, CRLF, a BOM), so merged shards report
// byte for byte what one pass reports; mismatched or incomplete parts are refused.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "mlstrat/metrics.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/io.hpp"

namespace fs = std::filesystem;
using namespace mlstrat;
using namespace mlstrat::metrics;

namespace {

fs::path temp_dir(const std::string& name) {
    auto dir = fs::temp_directory_path() / ("mlstrat_shard_" + name);
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

/// A predictions file whose `note` column often holds quoted line feeds, quotes and commas, so
/// that many byte offsets fall inside a quoted field.
fs::path write_predictions(const fs::path& dir, int rows, const std::string& eol = "\n",
                           bool bom = false) {
    std::mt19937 rng(7);
    const std::vector<std::string> classes = {"cat", "dog", "bird", "\"quoted\" fish"};
    const std::vector<std::string> notes = {"plain", "\"two\nlines\"", "\"a, \"\"b\"\"\n\nc\"",
                                            "\"\n\"", ""};
    const std::vector<std::string> regions = {"US", "China", "India", "Other"};
    auto path = dir / "pred.csv";
    std::ofstream out(path, std::ios::binary);
    if (bom) out << "\xEF\xBB\xBF";
    out << "id,note,label,pred,region,weight" << eol;
    for (int i = 0; i < rows; ++i) {
        const std::string label = classes[rng() % 3];
        const std::string pred = rng() % 5 == 0 ? classes[rng() % 4] : label;
        out << i << "," << notes[rng() % notes.size()] << "," << io::quote_field(label) << ","
            << io::quote_field(pred) << "," << regions[rng() % 4] << "," << (rng() % 4) << eol;
        if (i % 37 == 0) out << eol;  // blank lines are skipped, wherever they fall
    }
    return path;
}

EvalOptions options() {
    EvalOptions o;
    o.slice_cols = {"region"};
    o.positive = "cat";
    o.class_weights = {{"dog", 10.0}};
    o.table.threads = 2;
    o.table.block_bytes = 4096;  // many blocks per shard
    return o;
}

std::vector<std::string> write_shards(const fs::path& path, const fs::path& dir, unsigned count,
                                      EvalOptions o = options()) {
    std::vector<std::string> parts;
    for (unsigned i = 0; i < count; ++i) {
        o.table.shard_index = i;
        o.table.shard_count = count;
        auto part = (dir / ("part" + std::to_string(i) + ".json")).string();
        io::write_file_atomically(part, count_shard(path.string(), o).to_json().dump());
        parts.push_back(part);
    }
    return parts;
}

std::string merged_report(const std::vector<std::string>& parts) {
    auto merged = merge_shards(parts);
    return make_report(merged.counts, merged.options, merged.file).to_json().dump();
}

}  // namespace

TEST(Shards, MergedShardsReportExactlyWhatOnePassReports) {
    auto dir = temp_dir("exact");
    auto path = write_predictions(dir, 3000);
    const std::string one_pass = evaluate(path.string(), options()).to_json().dump();
    for (unsigned count : {1u, 2u, 3u, 7u, 64u}) {
        SCOPED_TRACE(count);
        auto parts = write_shards(path, dir, count);
        EXPECT_EQ(merged_report(parts), one_pass);
    }
}

TEST(Shards, EveryRecordIsInExactlyOneShardWhateverTheCut) {
    // Cut after every byte offset of a small file: each cut lands on a record start, inside a
    // quoted field, inside a CRLF, or inside the header, and the shards still partition the rows.
    for (bool crlf : {false, true}) {
        auto dir = temp_dir(crlf ? "cut_crlf" : "cut_lf");
        auto path = write_predictions(dir, 12, crlf ? "\r\n" : "\n", /*bom=*/true);
        const auto size = fs::file_size(path);
        EvalOptions o = options();
        const auto rows = count_predictions(path.string(), o).rows;
        ASSERT_EQ(rows, 12u);
        for (unsigned count : {2u, 5u, static_cast<unsigned>(size)}) {
            std::uint64_t total = 0;
            for (unsigned i = 0; i < count; ++i) {
                o.table.shard_index = i;
                o.table.shard_count = count;
                total += count_shard(path.string(), o).counts.rows;
            }
            EXPECT_EQ(total, rows) << "count " << count << (crlf ? " crlf" : " lf");
        }
    }
}

TEST(Shards, MoreShardsThanRecordsGivesEmptyShardsThatStillMerge) {
    auto dir = temp_dir("many");
    auto path = write_predictions(dir, 3);
    const std::string one_pass = evaluate(path.string(), options()).to_json().dump();
    auto parts = write_shards(path, dir, 40);
    int empty = 0;
    for (const auto& part : parts) {
        auto j = nlohmann::json::parse(io::read_file(part));
        empty += j["counts"]["rows"].get<int>() == 0 ? 1 : 0;
    }
    EXPECT_GE(empty, 30);
    EXPECT_EQ(merged_report(parts), one_pass);
}

TEST(Shards, ErrorsNameTheFilesLineNotTheShards) {
    auto dir = temp_dir("line");
    auto path = dir / "pred.csv";
    std::ofstream(path) << "label,pred\n"
                        << std::string(2000, 'x').substr(0, 0) << [] {
                               std::string rows;
                               for (int i = 0; i < 500; ++i) rows += "a,b\n";
                               return rows + "a,b,c\n";  // line 502
                           }();
    EvalOptions o;
    o.table.shard_index = 3;
    o.table.shard_count = 4;
    try {
        count_shard(path.string(), o);
        FAIL() << "the ragged row was not reported";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("pred.csv:502:"), std::string::npos) << e.what();
    }
}

TEST(Shards, GzipHasOneShardOnly) {
    auto dir = temp_dir("gzip");
    auto path = write_predictions(dir, 50);
    ASSERT_EQ(std::system(("gzip -kf " + path.string()).c_str()), 0);
    const std::string gz = path.string() + ".gz";
    EvalOptions o = options();
    o.table.shard_count = 2;
    try {
        count_shard(gz, o);
        FAIL() << "a gzip'd file was cut";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("gzip'd file cannot be cut"), std::string::npos);
    }
    auto parts = write_shards(gz, dir, 1);
    EXPECT_EQ(merged_report(parts), evaluate(gz, options()).to_json().dump());
}

TEST(Shards, MismatchedOrIncompletePartsAreRefused) {
    auto dir = temp_dir("mismatch");
    auto path = write_predictions(dir, 200);
    auto parts = write_shards(path, dir, 3);
    auto expect_error = [](const std::vector<std::string>& given, const std::string& words) {
        try {
            merge_shards(given);
            ADD_FAILURE() << "merged: " << words;
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
        }
    };
    expect_error({parts[0], parts[2]}, "shard 1/3 is missing");
    expect_error({parts[0], parts[1], parts[1], parts[2]}, "is given twice");

    auto other_dir = temp_dir("mismatch_other");
    auto four = write_shards(path, other_dir, 4);
    expect_error({parts[0], parts[1], four[2]}, "a different number of shards");

    EvalOptions o = options();
    o.positive = "dog";
    auto other_options = write_shards(path, temp_dir("mismatch_options"), 3, o);
    expect_error({parts[0], parts[1], other_options[2]}, "other options");

    auto other_file = write_predictions(temp_dir("mismatch_file"), 201);
    auto other_parts = write_shards(other_file, temp_dir("mismatch_file_parts"), 3);
    expect_error({parts[0], parts[1], other_parts[2]}, "merge the shards of one file");

    std::ofstream(dir / "not_stats.json") << "{\"rows\": 3}";
    expect_error({(dir / "not_stats.json").string()}, "not a statistics file");
}

TEST(Shards, MergeCommandPrintsTheOnePassTextAndJson) {
    auto dir = temp_dir("cli");
    auto path = write_predictions(dir, 400);
    auto run = [&](const std::string& args, const std::string& out) {
        const std::string command =
            std::string(MLSTRAT_BINARY) + " eval " + args + " > " + (dir / out).string() + " 2>&1";
        EXPECT_EQ(std::system(command.c_str()), 0) << command << "\n"
                                                   << io::read_file((dir / out).string());
        return io::read_file((dir / out).string());
    };
    const std::string flags = " --slice-col region --weight-col weight --positive cat";
    std::string parts;
    for (int i = 0; i < 3; ++i) {
        const std::string part = (dir / ("p" + std::to_string(i) + ".json")).string();
        run(path.string() + flags + " --shard " + std::to_string(i) + "/3 --stats-out " + part,
            "shard.txt");
        parts += " " + part;
    }
    EXPECT_EQ(run("--merge" + parts, "merged.txt"), run(path.string() + flags, "one.txt"));
    EXPECT_EQ(run("--merge" + parts + " --json", "merged.json"),
              run(path.string() + flags + " --json", "one.json"));
}
