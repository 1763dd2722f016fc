// Sharded evaluation: each shard of a predictions file is counted on its own (on another
// machine, say) into a document that records what it counted; merging checks that the documents
// are every shard of one file, counted the same way, and adds their counts, which gives exactly
// the counts of one pass.

#include <filesystem>
#include <map>

#include "metrics/detail.hpp"
#include "mlstrat/metrics.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/io.hpp"

namespace mlstrat::metrics {

namespace {

constexpr const char* kFormat = "mlstrat-eval-shard";
constexpr int kVersion = 1;

nlohmann::json options_json(const EvalOptions& o) {
    nlohmann::json weights = nlohmann::json::array();
    for (const auto& [name, w] : o.class_weights) weights.push_back({name, w});
    return {{"label_col", o.label_col},
            {"pred_col", o.pred_col},
            {"slice_cols", o.slice_cols},
            {"weight_col", o.weight_col},
            {"class_weights", weights},
            {"positive", o.positive ? nlohmann::json(*o.positive) : nlohmann::json()},
            {"beta", o.beta},
            {"ci_level", o.ci_level}};
}

EvalOptions options_from_json(const nlohmann::json& j) {
    EvalOptions o;
    o.label_col = j.at("label_col").get<std::string>();
    o.pred_col = j.at("pred_col").get<std::string>();
    o.slice_cols = j.at("slice_cols").get<std::vector<std::string>>();
    o.weight_col = j.at("weight_col").get<std::string>();
    for (const auto& w : j.at("class_weights")) {
        o.class_weights.emplace_back(w.at(0).get<std::string>(), w.at(1).get<double>());
    }
    if (!j.at("positive").is_null()) o.positive = j.at("positive").get<std::string>();
    o.beta = j.at("beta").get<double>();
    o.ci_level = j.at("ci_level").get<double>();
    return o;
}

std::string shard_name(unsigned index, unsigned count) {
    return std::to_string(index) + "/" + std::to_string(count);
}

}  // namespace

nlohmann::json EvalShard::to_json() const {
    return {{"format", kFormat},
            {"version", kVersion},
            {"file", {{"name", file}, {"bytes", file_bytes}, {"header", header}}},
            {"shard", {{"index", index}, {"count", count}}},
            {"options", options_json(options)},
            {"counts", counts.to_json()}};
}

EvalShard EvalShard::from_json(const nlohmann::json& j, const std::string& source) {
    MLSTRAT_CHECK(j.is_object() && j.value("format", "") == kFormat, source,
                  ": not a statistics file of mlstrat eval --stats-out");
    MLSTRAT_CHECK(j.value("version", 0) == kVersion, source, ": statistics format version ",
                  j.value("version", 0), "; this mlstrat reads version ", kVersion);
    EvalShard s;
    try {
        const auto& file = j.at("file");
        s.file = file.at("name").get<std::string>();
        s.file_bytes = file.at("bytes").get<std::uint64_t>();
        s.header = file.at("header").get<std::vector<std::string>>();
        s.index = j.at("shard").at("index").get<unsigned>();
        s.count = j.at("shard").at("count").get<unsigned>();
        s.options = options_from_json(j.at("options"));
        s.counts = EvalCounts::from_json(j.at("counts"));
    } catch (const nlohmann::json::exception& e) {
        throw Error(source + ": a statistics file with a missing or wrong field (" + e.what() +
                    ")");
    } catch (const Error& e) {
        throw Error(source + ": " + e.what());
    }
    MLSTRAT_CHECK(s.count >= 1 && s.index < s.count, source, ": shard ",
                  shard_name(s.index, s.count), " is not a shard");
    MLSTRAT_CHECK(s.counts.slices.size() == s.options.slice_cols.size(), source,
                  ": the counts do not hold the slice columns the options name");
    return s;
}

EvalShard count_shard(const std::string& path, const EvalOptions& options) {
    EvalShard s;
    s.file = std::filesystem::path(path).filename().string();
    s.index = options.table.shard_index;
    s.count = options.table.shard_count;
    s.options = options;
    {
        io::TableOptions whole = options.table;  // the header alone: no need to find the cut
        whole.shard_index = 0;
        whole.shard_count = 1;
        s.header = io::TableReader(path, whole).header();
    }
    std::error_code ec;
    s.file_bytes = std::filesystem::file_size(path, ec);
    s.counts = count_rows(path, options);
    return s;
}

MergedShards merge_shards(const std::vector<std::string>& paths) {
    MLSTRAT_CHECK(!paths.empty(), "--merge needs the statistics files of every shard");
    std::map<unsigned, std::pair<std::string, EvalShard>> by_index;
    const EvalShard* first = nullptr;
    std::string first_path;
    for (const auto& path : paths) {
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(io::read_file(path));
        } catch (const nlohmann::json::parse_error& e) {
            throw Error(path + ": not JSON (" + e.what() + ")");
        }
        EvalShard s = EvalShard::from_json(j, path);
        if (first != nullptr) {
            MLSTRAT_CHECK(s.file == first->file && s.file_bytes == first->file_bytes &&
                              s.header == first->header,
                          path, ": a shard of ", s.file, " (", s.file_bytes, " bytes), but ",
                          first_path, " is a shard of ", first->file, " (", first->file_bytes,
                          " bytes); merge the shards of one file");
            MLSTRAT_CHECK(options_json(s.options) == options_json(first->options), path,
                          ": counted with other options than ", first_path, " (",
                          options_json(s.options).dump(), " against ",
                          options_json(first->options).dump(), ")");
            MLSTRAT_CHECK(s.count == first->count, path, ": shard ", shard_name(s.index, s.count),
                          ", but ", first_path, " is shard ",
                          shard_name(first->index, first->count),
                          "; the file was cut into a different number of shards");
        }
        auto [it, added] = by_index.try_emplace(s.index, path, std::move(s));
        MLSTRAT_CHECK(added, path, ": shard ",
                      shard_name(it->second.second.index, it->second.second.count),
                      " is given twice (also ", it->second.first, ")");
        if (first == nullptr) {
            first = &it->second.second;
            first_path = path;
        }
    }
    const unsigned count = first->count;
    std::string missing;
    unsigned missing_count = 0;
    for (unsigned i = 0; i < count; ++i) {
        if (by_index.count(i)) continue;
        missing += (missing.empty() ? "" : ", ") + shard_name(i, count);
        ++missing_count;
    }
    MLSTRAT_CHECK(missing.empty(), first->file, ": ", missing_count == 1 ? "shard " : "shards ",
                  missing, missing_count == 1 ? " is" : " are", " missing; --merge needs every ",
                  "shard of the file");

    MergedShards out;
    out.file = first->file;
    out.options = first->options;
    for (auto& [index, part] : by_index) {
        if (index == 0) {
            out.counts = std::move(part.second.counts);
        } else {
            out.counts.merge(part.second.counts);
        }
    }
    MLSTRAT_CHECK(out.counts.rows > 0, where(out.file, 2),
                  ": the file has a header but no data rows");
    return out;
}

}  // namespace mlstrat::metrics
