// Rows in and out of the registry's tables, inside the caller's transaction.

#include "registry/store.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <limits>
#include <unordered_map>

namespace mlstrat::registry::store {

using detail_sql::Statement;

void check_name(const std::string& name, const char* what) {
    MLSTRAT_CHECK(!name.empty(), what, " must not be empty");
    for (char c : name) {
        MLSTRAT_CHECK(static_cast<unsigned char>(c) >= 0x20, what, " '", name,
                      "' holds a control character");
    }
}

void check_value(const std::string& run, const std::string& split, const std::string& metric,
                 double value) {
    if (metric == "error") {
        MLSTRAT_CHECK(std::isfinite(value) && value >= 0.0 && value <= 1.0, "run '", run, "': the ",
                      split, " error ", value, " is not a rate in [0, 1]");
    }
    MLSTRAT_CHECK(std::isfinite(value), "run '", run, "': ", split, split.empty() ? "" : ".",
                  metric, " = ", value, " is not a finite number");
}

std::int64_t to_rows(std::uint64_t rows) {
    MLSTRAT_CHECK(rows <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()),
                  "a size of ", rows, " rows is too large to store");
    return static_cast<std::int64_t>(rows);
}

std::optional<std::int64_t> find_id(sqlite3* db, const std::string& path, const std::string& name) {
    Statement q(db, path, "SELECT id FROM runs WHERE name = ?");
    q.bind(1, name);
    if (!q.step()) return std::nullopt;
    return q.integer(0);
}

std::int64_t require_id(sqlite3* db, const std::string& path, const std::string& name) {
    auto id = find_id(db, path, name);
    MLSTRAT_CHECK(id.has_value(), path, ": no run is called '", name,
                  "' (mlstrat runs list shows the runs)");
    return *id;
}

std::int64_t ensure_run(sqlite3* db, const std::string& path, const std::string& name,
                        const char* kind, Status status) {
    Statement insert(db, path,
                     "INSERT INTO runs (name, created, kind, status) VALUES (?, ?, ?, ?) "
                     "ON CONFLICT (name) DO NOTHING");
    insert.bind(1, name).bind(2, now_utc()).bind(3, std::string(kind));
    insert.bind(4, std::string(status_name(status))).run();
    return *find_id(db, path, name);
}

void set_value(sqlite3* db, const std::string& path, std::int64_t id, const std::string& split,
               const std::string& metric, double value) {
    Statement q(db, path,
                "INSERT INTO run_values (run_id, split, metric, value) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (run_id, split, metric) DO UPDATE SET value = excluded.value");
    q.bind(1, id).bind(2, split).bind(3, metric).bind(4, value).run();
}

void set_size(sqlite3* db, const std::string& path, std::int64_t id, const std::string& split,
              std::uint64_t rows) {
    Statement q(db, path,
                "INSERT INTO run_sizes (run_id, split, rows) VALUES (?, ?, ?) "
                "ON CONFLICT (run_id, split) DO UPDATE SET rows = excluded.rows");
    q.bind(1, id).bind(2, split).bind(3, to_rows(rows)).run();
}

void set_metric(sqlite3* db, const std::string& path, std::int64_t id, const std::string& name,
                double value) {
    Statement q(db, path,
                "INSERT INTO run_metrics (run_id, name, value) VALUES (?, ?, ?) "
                "ON CONFLICT (run_id, name) DO UPDATE SET value = excluded.value");
    q.bind(1, id).bind(2, name).bind(3, value).run();
}

void set_param(sqlite3* db, const std::string& path, std::int64_t id, const std::string& key,
               const nlohmann::json& value) {
    // `num` lets --where compare numbers, `text` compares and globs words.
    Statement q(db, path,
                "INSERT INTO run_params (run_id, key, value, num, text) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value, "
                "num = excluded.num, text = excluded.text");
    q.bind(1, id).bind(2, key).bind(3, value.dump());
    if (value.is_number()) {
        q.bind(4, value.get<double>());
    } else {
        q.bind_null(4);
    }
    q.bind(5, value.is_string() ? value.get<std::string>() : value.dump()).run();
}

void set_tag(sqlite3* db, const std::string& path, std::int64_t id, const std::string& key,
             const std::string& value) {
    Statement q(db, path,
                "INSERT INTO run_tags (run_id, key, value) VALUES (?, ?, ?) "
                "ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value");
    q.bind(1, id).bind(2, key).bind(3, value).run();
}

std::vector<Run> load_runs(sqlite3* db, const std::string& path,
                           const std::vector<std::int64_t>* ids, bool include_deleted) {
    std::string id_list;
    if (ids != nullptr) {
        nlohmann::json list = *ids;
        id_list = list.dump();
    }
    // Every table is read once; `filter` keeps the ids asked for.
    const std::string filter =
        ids != nullptr ? " WHERE run_id IN (SELECT value FROM json_each(?1))" : "";
    std::vector<Run> out;
    std::unordered_map<std::int64_t, std::size_t> index;
    {
        std::string sql =
            "SELECT id, name, created, finished, kind, status, folder, run_group, config, notes "
            "FROM runs";
        if (ids != nullptr) {
            sql += " WHERE id IN (SELECT value FROM json_each(?1))";
        } else if (!include_deleted) {
            sql += " WHERE status != 'deleted' ORDER BY created, id";
        } else {
            sql += " ORDER BY created, id";
        }
        Statement q(db, path, sql.c_str());
        if (ids != nullptr) q.bind(1, id_list);
        while (q.step()) {
            Run run;
            run.name = q.text(1);
            run.created = q.text(2);
            run.finished = q.text(3);
            run.kind = q.text(4);
            run.status = parse_status(q.text(5));
            run.folder = q.text(6);
            run.group = q.text(7);
            run.config = q.text(8);
            run.notes = q.text(9);
            index.emplace(q.integer(0), out.size());
            out.push_back(std::move(run));
        }
    }
    if (out.empty()) return out;
    auto each = [&](const char* select, auto&& apply) {
        const std::string sql = select + filter;
        Statement q(db, path, sql.c_str());
        if (ids != nullptr) q.bind(1, id_list);
        while (q.step()) {
            auto it = index.find(q.integer(0));
            if (it != index.end()) apply(out[it->second], q);
        }
    };
    each("SELECT run_id, split, metric, value FROM run_values", [](Run& r, Statement& q) {
        if (q.text(2) == "error") {
            r.errors[q.text(1)] = q.real(3);
        } else {
            r.split_metrics[q.text(1)][q.text(2)] = q.real(3);
        }
    });
    each("SELECT run_id, split, rows FROM run_sizes", [](Run& r, Statement& q) {
        r.sizes[q.text(1)] = static_cast<std::uint64_t>(q.integer(2));
    });
    each("SELECT run_id, name, value FROM run_metrics",
         [](Run& r, Statement& q) { r.metrics[q.text(1)] = q.real(2); });
    each("SELECT run_id, key, value FROM run_params", [](Run& r, Statement& q) {
        r.params[q.text(1)] = nlohmann::json::parse(q.text(2), nullptr, false);
    });
    each("SELECT run_id, key, value FROM run_tags",
         [](Run& r, Statement& q) { r.tags[q.text(1)] = q.text(2); });
    each("SELECT run_id, split, path FROM run_predictions",
         [](Run& r, Statement& q) { r.predictions[q.text(1)] = q.text(2); });
    if (ids != nullptr) {
        // The caller's order (a query's sort), not the table's.
        std::vector<Run> ordered;
        for (std::int64_t id : *ids) {
            auto it = index.find(id);
            if (it != index.end()) ordered.push_back(out[it->second]);
        }
        return ordered;
    }
    return out;
}

}  // namespace mlstrat::registry::store

namespace mlstrat::registry {

std::optional<double> Run::split_value(const std::string& split, const std::string& metric) const {
    if (metric == "error") {
        auto it = errors.find(split);
        if (it != errors.end()) return it->second;
        return std::nullopt;
    }
    auto s = split_metrics.find(split);
    if (s == split_metrics.end()) return std::nullopt;
    auto m = s->second.find(metric);
    if (m == s->second.end()) return std::nullopt;
    return m->second;
}

nlohmann::json Run::to_json() const {
    nlohmann::json j;
    j["name"] = name;
    j["created"] = created;
    j["finished"] = finished;
    j["kind"] = kind;
    j["status"] = status_name(status);
    j["folder"] = folder;
    j["group"] = group;
    j["errors"] = nlohmann::json::object();
    for (const auto& [split, e] : errors) j["errors"][split] = e;
    j["sizes"] = nlohmann::json::object();
    for (const auto& [split, n] : sizes) j["sizes"][split] = n;
    // Every per-split metric, the error included: {"dev": {"error": 0.1, "accuracy": 0.9}}.
    j["splits"] = nlohmann::json::object();
    for (const auto& [split, e] : errors) j["splits"][split]["error"] = e;
    for (const auto& [split, values] : split_metrics) {
        for (const auto& [metric, v] : values) j["splits"][split][metric] = v;
    }
    j["metrics"] = nlohmann::json::object();
    for (const auto& [metric, v] : metrics) j["metrics"][metric] = v;
    j["params"] = nlohmann::json::object();
    for (const auto& [key, v] : params) j["params"][key] = v;
    j["tags"] = nlohmann::json::object();
    for (const auto& [key, v] : tags) j["tags"][key] = v;
    j["predictions"] = nlohmann::json::object();
    for (const auto& [split, p] : predictions) j["predictions"][split] = p;
    j["config"] = config;
    j["notes"] = notes;
    return j;
}

std::string now_utc() {
    std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

}  // namespace mlstrat::registry
