// The run registry as a table: a run's value of a key, the default and full column sets, CSV.

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "mlstrat/registry.hpp"
#include "mlstrat/support/io.hpp"

namespace mlstrat::registry {

namespace {

// The splits in the chain's order, then any others by name.
std::vector<std::string> split_order(const std::set<std::string>& splits) {
    std::vector<std::string> out;
    for (const char* s : {"train", "train_dev", "dev", "test"}) {
        if (splits.count(s) != 0) out.emplace_back(s);
    }
    for (const auto& s : splits) {
        if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
    }
    return out;
}

Key make_key(Key::Kind kind, std::string name, std::string split = "") {
    Key k;
    k.kind = kind;
    k.name = std::move(name);
    k.split = std::move(split);
    return k;
}

std::string cell_text(const nlohmann::json& v) {
    if (v.is_null()) return "";
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_float()) return fmt::format("{:.17g}", v.get<double>());
    return v.dump();
}

}  // namespace

nlohmann::json value_of(const Run& run, const Key& key) {
    switch (key.kind) {
        case Key::Kind::Field:
            if (key.name == "name") return run.name;
            if (key.name == "kind") return run.kind;
            if (key.name == "status") return status_name(run.status);
            if (key.name == "group") return run.group;
            if (key.name == "created") return run.created;
            if (key.name == "finished") return run.finished;
            if (key.name == "folder") return run.folder;
            return nullptr;
        case Key::Kind::SplitMetric:
            if (auto v = run.split_value(key.split, key.name)) return *v;
            return nullptr;
        case Key::Kind::Metric: {
            auto it = run.metrics.find(key.name);
            return it == run.metrics.end() ? nlohmann::json() : nlohmann::json(it->second);
        }
        case Key::Kind::Param: {
            auto it = run.params.find(key.name);
            return it == run.params.end() ? nlohmann::json() : it->second;
        }
        case Key::Kind::Tag: {
            auto it = run.tags.find(key.name);
            return it == run.tags.end() ? nlohmann::json() : nlohmann::json(it->second);
        }
    }
    return nullptr;
}

std::vector<Key> default_columns(const std::vector<Run>& runs) {
    std::set<std::string> splits, metrics;
    for (const auto& r : runs) {
        for (const auto& [s, e] : r.errors) splits.insert(s);
        for (const auto& [m, v] : r.metrics) metrics.insert(m);
    }
    std::vector<Key> out = {make_key(Key::Kind::Field, "name"),
                            make_key(Key::Kind::Field, "status"),
                            make_key(Key::Kind::Field, "kind")};
    for (const auto& s : split_order(splits))
        out.push_back(make_key(Key::Kind::SplitMetric, "error", s));
    for (const auto& m : metrics) out.push_back(make_key(Key::Kind::Metric, m));
    return out;
}

std::vector<Key> all_columns(const std::vector<Run>& runs) {
    std::set<std::string> splits;
    std::set<std::pair<std::string, std::string>> values;
    std::set<std::string> metrics, params, tags;
    for (const auto& r : runs) {
        for (const auto& [s, e] : r.errors) splits.insert(s);
        for (const auto& [s, m] : r.split_metrics) {
            splits.insert(s);
            for (const auto& [name, v] : m) values.insert({s, name});
        }
        for (const auto& [s, e] : r.errors) values.insert({s, "error"});
        for (const auto& [m, v] : r.metrics) metrics.insert(m);
        for (const auto& [k, v] : r.params) params.insert(k);
        for (const auto& [k, v] : r.tags) tags.insert(k);
    }
    std::vector<Key> out;
    for (const char* f : {"name", "status", "kind", "group", "created", "finished", "folder"}) {
        out.push_back(make_key(Key::Kind::Field, f));
    }
    for (const auto& s : split_order(splits)) {
        for (const auto& [split, name] : values) {
            if (split == s) out.push_back(make_key(Key::Kind::SplitMetric, name, s));
        }
    }
    for (const auto& m : metrics) out.push_back(make_key(Key::Kind::Metric, m));
    for (const auto& p : params) out.push_back(make_key(Key::Kind::Param, p));
    for (const auto& t : tags) out.push_back(make_key(Key::Kind::Tag, t));
    return out;
}

std::string runs_csv(const std::vector<Run>& runs, const std::vector<Key>& columns) {
    std::string out;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        out += (i == 0 ? "" : ",") + io::quote_field(columns[i].text());
    }
    out += "\n";
    for (const auto& run : runs) {
        for (std::size_t i = 0; i < columns.size(); ++i) {
            out += (i == 0 ? "" : ",") + io::quote_field(cell_text(value_of(run, columns[i])));
        }
        out += "\n";
    }
    return out;
}

}  // namespace mlstrat::registry
