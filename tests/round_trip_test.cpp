// Writers read back by the command that consumes them, over random contents: `runs export`
// against what `runs list --json` shows, the error review page's export against `errors
// tally` (the page's own script, run by node), and the corrections CSV of the label review
// page against `labels apply`.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <random>

#include "analysis_helpers.hpp"
#include "mlstrat/analysis.hpp"
#include "mlstrat/registry.hpp"
#include "mlstrat/support/io.hpp"
#include "process_helpers.hpp"

namespace {

using mlstrat::test_util::run_mlstrat;
using nlohmann::json;

/// Every row of a CSV file, cells by column name.
std::vector<std::map<std::string, std::string>> read_rows(const std::string& path) {
    mlstrat::io::TableReader table(path);
    const auto header = table.header();
    std::vector<std::size_t> columns(header.size());
    for (std::size_t i = 0; i < columns.size(); ++i) columns[i] = i;
    std::vector<std::map<std::string, std::string>> rows;
    table.scan(
        columns,
        [&](unsigned, const mlstrat::io::RowBatch& b) {
            for (std::size_t r = 0; r < b.size(); ++r) {
                std::map<std::string, std::string> row;
                for (std::size_t c = 0; c < columns.size(); ++c) row[header[c]] = b.cell(r, c);
                rows.push_back(std::move(row));
            }
        },
        mlstrat::io::ScanOrder::File);
    return rows;
}

/// What `runs list --json` shows of `key` for one run (null when the run has none).
json shown(const json& run, const mlstrat::registry::Key& key) {
    using Kind = mlstrat::registry::Key::Kind;
    const auto at = [](const json& j, const std::string& k) {
        return j.contains(k) ? j.at(k) : json();
    };
    switch (key.kind) {
        case Kind::Field:
            return at(run, key.name);
        case Kind::SplitMetric:
            return at(at(run, "splits"), key.split).is_null()
                       ? json()
                       : at(run["splits"][key.split], key.name);
        case Kind::Metric:
            return at(run["metrics"], key.name);
        case Kind::Param:
            return at(run["params"], key.name);
        case Kind::Tag:
            return at(run["tags"], key.name);
    }
    return {};
}

TEST(RoundTrip, RunsExportHoldsWhatRunsListShows) {
    mlstrat::test_util::TempDir tmp;
    const std::string db = tmp.file("runs.db");
    // Texts CSV must quote (commas, quotes, line breaks, spaces at the ends) and numbers that
    // print long.
    const std::vector<std::string> texts = {"adam", "a, b", "say \"hi\"", "two\nlines", " padded ",
                                            "é ü",  "x=y",  "",           "1e5x"};
    const std::vector<std::string> numbers = {
        "0.1", "0.30000000000000004", "1e-300", "-0", "123456.789", "2.5e10", "7"};
    const std::vector<std::string> params = {
        "[32, 64]", "true", "12", "9007199254740993", "'quoted'", "{ depth = 3 }", "-1.5e-7"};
    std::mt19937 rng(2026);
    const auto pick = [&](const auto& v) { return v[rng() % v.size()]; };
    for (int r = 0; r < 8; ++r) {
        const std::string name = fmt::format("run-{}", r);
        std::vector<std::string> args = {"runs", "log", name, "--db", db};
        if (r % 3 == 0) args.insert(args.end(), {"--group", pick(texts) + "g"});
        for (int i = 0; i < 4; ++i) {
            static const char* const kMetrics[] = {"dev.error=0.{}", "test.accuracy={}",
                                                   "latency_ms={}", "train_dev.loss={}"};
            const std::string value = i == 0 ? std::to_string(rng() % 1000) : pick(numbers);
            if (rng() % 4 != 0)
                args.push_back("--metric"),
                    args.push_back(fmt::format(fmt::runtime(kMetrics[i]), value));
        }
        for (int i = 0; i < 3; ++i) {
            args.push_back("--param");
            args.push_back(
                fmt::format("p{}={}", rng() % 4, rng() % 2 ? pick(texts) : pick(params)));
            args.push_back("--tag");
            args.push_back(fmt::format("t{}={}", rng() % 3, pick(texts)));
        }
        const auto o = run_mlstrat(args, tmp.path());
        ASSERT_EQ(o.exit_code, 0) << fmt::format("{}", fmt::join(args, " ")) << "\n" << o.err;
    }
    const auto listed = run_mlstrat({"runs", "list", "--json", "--db", db}, tmp.path());
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    const json runs = json::parse(listed.out)["runs"];
    ASSERT_EQ(runs.size(), 8u);
    const std::string csv = tmp.file("export.csv");
    const auto exported =
        run_mlstrat({"runs", "export", "--csv", "--out", csv, "--db", db}, tmp.path());
    ASSERT_EQ(exported.exit_code, 0) << exported.err;

    const auto rows = read_rows(csv);
    ASSERT_EQ(rows.size(), runs.size());
    std::size_t cells = 0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const json& run = runs[i];
        EXPECT_EQ(rows[i].at("name"), run["name"]);
        for (const auto& [column, cell] : rows[i]) {
            SCOPED_TRACE(fmt::format("{} {}: '{}'", run["name"].get<std::string>(), column, cell));
            const json want = shown(run, mlstrat::registry::parse_key(column));
            if (want.is_null()) {
                EXPECT_EQ(cell, "");
            } else if (want.is_string()) {
                EXPECT_EQ(cell, want.get<std::string>());
            } else if (want.is_number_float()) {
                EXPECT_EQ(std::stod(cell), want.get<double>());
            } else {
                EXPECT_EQ(json::parse(cell), want);
            }
            ++cells;
        }
    }
    EXPECT_GT(cells, 8u * 10u);
}

TEST(RoundTrip, CorrectionsAsThePageExportsThemApplyExactly) {
    // Random data and random verdicts, written as the label page's Export writes them (index,
    // id, given, suggested, decision, label, comment; a field quoted when it holds a comma, a
    // quote or a line break), applied, and the output read back.
    mlstrat::test_util::TempDir tmp;
    const std::vector<std::string> labels = {"cat", "dog, big", "\"bird\"", "fish\nfinned", "é"};
    std::mt19937 rng(22);
    for (int round = 0; round < 20; ++round) {
        const bool by_id = round % 2 == 0;
        const std::size_t n = 1 + rng() % 30;
        std::vector<std::string> given(n);
        std::string data = "id,text,label\n";
        for (std::size_t i = 0; i < n; ++i) {
            given[i] = labels[rng() % labels.size()];
            data +=
                fmt::format("id{},{},{}\n", i, mlstrat::io::quote_field(fmt::format("row, {}", i)),
                            mlstrat::io::quote_field(given[i]));
        }
        std::vector<std::string> want = given;
        std::string corrections = "index,id,given,suggested,decision,label,comment\n";
        std::uint64_t changed = 0, corrected = 0;
        for (std::size_t i = 0; i < n; ++i) {
            if (rng() % 3 == 0) continue;
            static const char* const kDecisions[] = {"wrong", "right", "unsure"};
            const std::string decision = kDecisions[rng() % 3];
            const std::string fix = labels[rng() % labels.size()];
            const std::string label = decision == "wrong" ? fix : given[i];
            if (decision == "wrong" && fix != given[i]) {
                want[i] = fix;
                ++changed;
            }
            std::vector<std::string> fields = {
                std::to_string(i),  by_id ? fmt::format("id{}", i) : "",
                given[i],           fix,
                decision,           label,
                "a \"note\", maybe"};
            for (std::size_t f = 0; f < fields.size(); ++f) {
                if (f > 0) corrections += ',';
                corrections += mlstrat::io::quote_field(fields[f]);
            }
            corrections += "\n";
            ++corrected;
        }
        const std::string data_path = tmp.file("data.csv", data);
        const std::string fix_path = tmp.file("fix.csv", corrections);
        const std::string out = tmp.file("out.csv");
        const auto report = mlstrat::analysis::apply_corrections(data_path, fix_path, out, {});
        // Without a row there are no ids to match by.
        EXPECT_EQ(report.matched_by, by_id && corrected > 0 ? "id" : "index");
        EXPECT_EQ(report.changed, changed);
        const auto rows = read_rows(out);
        ASSERT_EQ(rows.size(), n);
        for (std::size_t i = 0; i < n; ++i) {
            EXPECT_EQ(rows[i].at("label"), want[i]) << "round " << round << " row " << i;
            EXPECT_EQ(rows[i].at("text"), fmt::format("row, {}", i));
        }
        std::filesystem::remove(out);
    }
}

TEST(RoundTrip, CorrectionsCopyAHeaderOnlyFileAsItStands) {
    // Found by fuzz/corrections_fuzz.cpp: a file that is only a header ending in a CR was read
    // with the CR in the last column's name (a row ending the file in a CR loses it), and
    // labels apply added a line feed, which made it a CRLF: read back, the name had changed.
    mlstrat::test_util::TempDir tmp;
    const std::string fix =
        tmp.file("fix.csv", "index,id,given,suggested,decision,label,comment\n");
    for (const std::string data : {"id,label\r", "id,label", "id,label\r\n", "id,label\n"}) {
        const std::string path = tmp.file("data.csv", data), out = tmp.file("out.csv");
        EXPECT_EQ(mlstrat::io::TableReader(path).header(),
                  (std::vector<std::string>{"id", "label"}));
        const auto report = mlstrat::analysis::apply_corrections(path, fix, out, {});
        EXPECT_EQ(report.rows, 0u);
        EXPECT_EQ(mlstrat::test_util::slurp(out), data);
        std::filesystem::remove(out);
    }
}

TEST(RoundTrip, ErrorsPageExportIsTalliedAsMarked) {
    // Random marks, comments and new tags stored as the page keeps them in the browser; the
    // page's script exports them (tests/review_export.js runs it under node), and errors tally
    // of the export counts exactly those marks.
    if (std::system("node --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "node is not installed";
    mlstrat::test_util::TempDir tmp;
    const std::vector<std::string> labels = {"cat", "dog, big", "say \"hi\"", "two\nlines", "é"};
    const std::vector<std::string> comments = {"", "blurry, maybe", "a \"quote\"", "line\nbreak",
                                               "x"};
    const std::vector<std::string> tags = {"blurry", "great cat", "filter"};
    std::mt19937 rng(18);
    for (int round = 0; round < 4; ++round) {
        const std::size_t n = 1 + rng() % 20;
        std::string sheet = "index,text,label,pred,blurry,great cat,filter,mislabeled,comments\n";
        std::vector<std::string> label(n), pred(n);
        json state = {{"extra", json::array({"new one"})}, {"cards", json::array()}};
        std::map<std::string, std::uint64_t> count;
        std::uint64_t mislabeled = 0;
        for (std::size_t i = 0; i < n; ++i) {
            label[i] = labels[rng() % labels.size()];
            do {
                pred[i] = labels[rng() % labels.size()];
            } while (pred[i] == label[i]);
            sheet += fmt::format(
                "{},{},{},{},,,,,\n", i * 3, mlstrat::io::quote_field(fmt::format("text, {}", i)),
                mlstrat::io::quote_field(label[i]), mlstrat::io::quote_field(pred[i]));
            json marks = json::object();
            for (const std::string tag : {"blurry", "great cat", "filter", "new one"}) {
                const bool on = rng() % 2 == 0;
                marks[tag] = on;
                count[tag] += on;
            }
            const bool m = rng() % 3 == 0;
            mislabeled += m;
            state["cards"].push_back(
                {{"t", marks}, {"m", m}, {"n", false}, {"c", comments[rng() % comments.size()]}});
        }
        const std::string sheet_path = tmp.file("sheet.csv", sheet);
        const std::string page = tmp.file("page.html");
        auto o = run_mlstrat({"errors", "review", sheet_path, "--out", page}, tmp.path());
        ASSERT_EQ(o.exit_code, 0) << o.err;
        const std::string state_path = tmp.file("state.json", state.dump());
        const std::string exported = tmp.file("exported.csv");
        const std::string command = fmt::format("node {}/tests/review_export.js {} {} > {}",
                                                MLSTRAT_SOURCE_DIR, page, state_path, exported);
        ASSERT_EQ(std::system(command.c_str()), 0) << command;

        const auto rows = read_rows(exported);
        ASSERT_EQ(rows.size(), n);
        for (std::size_t i = 0; i < n; ++i) {
            EXPECT_EQ(rows[i].at("label"), label[i]);
            EXPECT_EQ(rows[i].at("pred"), pred[i]);
            EXPECT_EQ(rows[i].at("text"), fmt::format("text, {}", i));
            EXPECT_EQ(rows[i].at("comments"), state["cards"][i]["c"].get<std::string>());
        }
        o = run_mlstrat({"errors", "tally", exported, "--error", "10%", "--json"}, tmp.path());
        ASSERT_EQ(o.exit_code, 0) << o.err;
        const json tally = json::parse(o.out);
        EXPECT_EQ(tally["reviewed"], n);
        ASSERT_EQ(tally["categories"].size(), 4u);
        for (const auto& c : tally["categories"]) {
            EXPECT_EQ(c["count"], count[c["tag"].get<std::string>()]) << c["tag"];
        }
        EXPECT_EQ(tally["mislabeled"]["count"], mislabeled);
    }
}

TEST(RoundTrip, LabelPageExportIsAppliedAsJudged) {
    // Random verdicts (wrong with a fix, right, unsure, none) and comments stored as the label
    // page keeps them; the page's script exports the corrections, and labels apply changes
    // exactly the labels judged wrong.
    if (std::system("node --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "node is not installed";
    mlstrat::test_util::TempDir tmp;
    const std::vector<std::string> classes = {"cat", "dog big", "\xc3\xa9-bird"};
    const std::vector<std::string> comments = {"", "blurry, maybe", "a \"quote\"", "line\nbreak"};
    std::mt19937 rng(17);
    std::string data = "id,label,p_cat,p_dog big,p_\xc3\xa9-bird\n";
    std::map<std::string, std::string> label_of;
    for (int i = 0; i < 90; ++i) {
        const std::size_t given = rng() % 3;
        // A tenth of the rows are confidently another class: the issues labels flags.
        const std::size_t likely = i % 10 == 3 ? (given + 1 + rng() % 2) % 3 : given;
        std::vector<double> p(3, 0.05);
        p[likely] = 0.9;
        const std::string id = fmt::format("id, {}", i);
        label_of[id] = classes[given];
        data += fmt::format("{},{},{},{},{}\n", mlstrat::io::quote_field(id), classes[given], p[0],
                            p[1], p[2]);
    }
    const std::string data_path = tmp.file("data.csv", data);
    const std::string page = tmp.file("labels.html");
    auto o =
        run_mlstrat({"labels", data_path, "--prob-cols", "p_*", "--id-col", "id", "--review", page},
                    tmp.path());
    ASSERT_EQ(o.exit_code, 0) << o.err;
    const std::string html = mlstrat::test_util::slurp(page);
    const auto open = html.find("id=\"review-data\">");
    ASSERT_NE(open, std::string::npos);
    const auto start = html.find('>', open) + 1;
    const json cards =
        json::parse(html.substr(start, html.find("</script>", start) - start))["cards"];
    ASSERT_GE(cards.size(), 5u);

    std::uint64_t changed_in_all = 0;
    for (int round = 0; round < 3; ++round) {
        json state = {{"extra", json::array()}, {"cards", json::array()}};
        std::map<std::string, std::string> want = label_of;
        std::uint64_t changed = 0, judged = 0;
        for (const auto& card : cards) {
            static const char* const kVerdicts[] = {"", "wrong", "right", "unsure"};
            const std::string v = kVerdicts[rng() % 4];
            const std::string fix = classes[rng() % 3];
            const std::string id = card["id"];
            if (v == "wrong" && fix != label_of.at(id)) {
                want[id] = fix;
                ++changed;
            }
            judged += !v.empty();
            state["cards"].push_back(
                {{"v", v}, {"fix", fix}, {"c", comments[rng() % comments.size()]}});
        }
        const std::string state_path = tmp.file("state.json", state.dump());
        const std::string corrections = tmp.file("corrections.csv");
        const std::string command = fmt::format("node {}/tests/review_export.js {} {} > {}",
                                                MLSTRAT_SOURCE_DIR, page, state_path, corrections);
        ASSERT_EQ(std::system(command.c_str()), 0) << command;
        ASSERT_EQ(read_rows(corrections).size(), judged);
        const std::string fixed = tmp.file("fixed.csv");
        o = run_mlstrat(
            {"labels", "apply", data_path, "--corrections", corrections, "--out", fixed, "--json"},
            tmp.path());
        if (judged == 0) continue;  // nothing to apply: an empty corrections file
        ASSERT_EQ(o.exit_code, 0) << o.err;
        EXPECT_EQ(json::parse(o.out)["changed"], changed);
        changed_in_all += changed;
        for (const auto& row : read_rows(fixed)) EXPECT_EQ(row.at("label"), want.at(row.at("id")));
        std::filesystem::remove(fixed);
    }
    EXPECT_GT(changed_in_all, 0u);
}

}  // namespace
