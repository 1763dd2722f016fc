// The run registry on SQLite. Every change is one IMMEDIATE transaction, so concurrent writers
// (a training job logging steps while `runs add` runs) queue on the busy timeout instead of
// failing; WAL lets readers go on while one of them writes.

#include "mlstrat/registry.hpp"

#include <utility>

#include "mlstrat/support/error.hpp"
#include "registry/store.hpp"

namespace mlstrat::registry {

using detail_sql::Statement;
using detail_sql::Transaction;
using namespace store;

namespace {

void check_run(const Run& run) {
    check_name(run.name, "run name");
    for (const auto& [split, e] : run.errors) {
        check_name(split, "split name");
        check_value(run.name, split, "error", e);
    }
    for (const auto& [split, values] : run.split_metrics) {
        check_name(split, "split name");
        for (const auto& [metric, v] : values) {
            check_name(metric, "metric name");
            check_value(run.name, split, metric, v);
        }
    }
    for (const auto& [split, n] : run.sizes) {
        check_name(split, "split name");
        to_rows(n);
    }
    for (const auto& [metric, v] : run.metrics) {
        check_name(metric, "metric name");
        check_value(run.name, "", metric, v);
    }
    for (const auto& [key, v] : run.params) check_name(key, "parameter name");
    for (const auto& [key, v] : run.tags) check_name(key, "tag name");
}

void update_field(sqlite3* db, const std::string& path, const std::string& run, const char* sql,
                  const std::string& value) {
    Statement q(db, path, sql);
    q.bind(1, value).bind(2, require_id(db, path, run)).run();
}

}  // namespace

void Registry::add_run(const Run& run, bool replace) {
    check_run(run);
    sqlite3* db = db_.get();
    Transaction tx(db, path_, true);
    const std::string created = run.created.empty() ? now_utc() : run.created;
    const std::string kind = run.kind.empty() ? "manual" : run.kind;
    const std::string finished =
        run.finished.empty() && run.status != Status::Running ? created : run.finished;
    std::int64_t id = 0;
    if (auto existing = find_id(db, path_, run.name)) {
        MLSTRAT_CHECK(replace, "run '", run.name, "' already exists in ", path_,
                      " (pick another name, or replace it)");
        // Replacing overwrites the values given and keeps the others: a re-run that measured
        // fewer splits does not lose what was stored.
        id = *existing;
        Statement update(db, path_,
                         "UPDATE runs SET created = ?, kind = ?, config = ?, notes = ?, "
                         "status = ?, finished = ?, folder = CASE WHEN ? = '' THEN folder ELSE ? "
                         "END, run_group = CASE WHEN ? = '' THEN run_group ELSE ? END "
                         "WHERE id = ?");
        update.bind(1, created).bind(2, kind).bind(3, run.config).bind(4, run.notes);
        update.bind(5, std::string(status_name(run.status))).bind(6, finished);
        update.bind(7, run.folder).bind(8, run.folder).bind(9, run.group).bind(10, run.group);
        update.bind(11, id).run();
    } else {
        Statement insert(db, path_,
                         "INSERT INTO runs (name, created, kind, config, notes, status, finished, "
                         "folder, run_group) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
        insert.bind(1, run.name).bind(2, created).bind(3, kind).bind(4, run.config);
        insert.bind(5, run.notes).bind(6, std::string(status_name(run.status)));
        insert.bind(7, finished).bind(8, run.folder).bind(9, run.group).run();
        id = sqlite3_last_insert_rowid(db);
    }
    for (const auto& [split, e] : run.errors) set_value(db, path_, id, split, "error", e);
    for (const auto& [split, values] : run.split_metrics) {
        for (const auto& [metric, v] : values) set_value(db, path_, id, split, metric, v);
    }
    for (const auto& [split, n] : run.sizes) set_size(db, path_, id, split, n);
    for (const auto& [metric, v] : run.metrics) set_metric(db, path_, id, metric, v);
    for (const auto& [key, v] : run.params) set_param(db, path_, id, key, v);
    for (const auto& [key, v] : run.tags) set_tag(db, path_, id, key, v);
    tx.commit();
    for (const auto& [split, file] : run.predictions) attach_predictions(run.name, split, file);
}

void Registry::record_error(const std::string& run, const std::string& split, double error,
                            std::uint64_t rows) {
    record_split_metrics(run, split, {{"error", error}}, rows);
}

void Registry::record_split_metrics(const std::string& run, const std::string& split,
                                    const std::map<std::string, double>& values,
                                    std::optional<std::uint64_t> rows) {
    check_name(run, "run name");
    check_name(split, "split name");
    for (const auto& [metric, v] : values) {
        check_name(metric, "metric name");
        check_value(run, split, metric, v);
    }
    sqlite3* db = db_.get();
    Transaction tx(db, path_, true);
    std::int64_t id = ensure_run(db, path_, run, "eval", Status::Finished);
    for (const auto& [metric, v] : values) set_value(db, path_, id, split, metric, v);
    if (rows) set_size(db, path_, id, split, *rows);
    tx.commit();
}

void Registry::record_metric(const std::string& run, const std::string& name, double value) {
    check_name(run, "run name");
    check_name(name, "metric name");
    check_value(run, "", name, value);
    sqlite3* db = db_.get();
    Transaction tx(db, path_, true);
    std::int64_t id = ensure_run(db, path_, run, "eval", Status::Finished);
    set_metric(db, path_, id, name, value);
    tx.commit();
}

void Registry::log(const std::string& run, const LogEntry& entry) {
    check_name(run, "run name");
    for (const auto& m : entry.metrics) check_value(run, m.split, m.metric, m.value);
    sqlite3* db = db_.get();
    Transaction tx(db, path_, true);
    std::int64_t id = ensure_run(db, path_, run, "log", Status::Running);
    for (const auto& m : entry.metrics) {
        // The latest value is the run's current one; with a step it also joins the curve.
        if (m.split.empty()) {
            set_metric(db, path_, id, m.metric, m.value);
        } else {
            set_value(db, path_, id, m.split, m.metric, m.value);
        }
        if (entry.step) {
            Statement q(db, path_,
                        "INSERT INTO run_steps (run_id, step, split, metric, value) "
                        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id, step, split, metric) "
                        "DO UPDATE SET value = excluded.value");
            q.bind(1, id).bind(2, *entry.step).bind(3, m.split).bind(4, m.metric);
            q.bind(5, m.value).run();
        }
    }
    for (const auto& [key, v] : entry.params) set_param(db, path_, id, key, v);
    for (const auto& [key, v] : entry.tags) set_tag(db, path_, id, key, v);
    tx.commit();
}

void Registry::set_params(const std::string& run,
                          const std::map<std::string, nlohmann::json>& params) {
    for (const auto& [key, v] : params) check_name(key, "parameter name");
    Transaction tx(db_.get(), path_, true);
    const std::int64_t id = require_id(db_.get(), path_, run);
    for (const auto& [key, v] : params) set_param(db_.get(), path_, id, key, v);
    tx.commit();
}

void Registry::set_tags(const std::string& run, const std::map<std::string, std::string>& tags) {
    for (const auto& [key, v] : tags) check_name(key, "tag name");
    Transaction tx(db_.get(), path_, true);
    const std::int64_t id = require_id(db_.get(), path_, run);
    for (const auto& [key, v] : tags) set_tag(db_.get(), path_, id, key, v);
    tx.commit();
}

void Registry::set_group(const std::string& run, const std::string& group) {
    Transaction tx(db_.get(), path_, true);
    update_field(db_.get(), path_, run, "UPDATE runs SET run_group = ? WHERE id = ?", group);
    tx.commit();
}

void Registry::set_folder(const std::string& run, const std::string& folder) {
    Transaction tx(db_.get(), path_, true);
    update_field(db_.get(), path_, run, "UPDATE runs SET folder = ? WHERE id = ?", folder);
    tx.commit();
}

void Registry::set_status(const std::string& run, Status status) {
    Transaction tx(db_.get(), path_, true);
    update_field(db_.get(), path_, run, "UPDATE runs SET status = ? WHERE id = ?",
                 status_name(status));
    if (status == Status::Finished || status == Status::Failed) {
        update_field(db_.get(), path_, run, "UPDATE runs SET finished = ? WHERE id = ?", now_utc());
    }
    tx.commit();
}

void Registry::attach_predictions(const std::string& run, const std::string& split,
                                  const std::string& path) {
    check_name(split, "split name");
    check_name(path, "predictions file");
    Transaction tx(db_.get(), path_, true);
    Statement q(db_.get(), path_,
                "INSERT INTO run_predictions (run_id, split, path) VALUES (?, ?, ?) "
                "ON CONFLICT (run_id, split) DO UPDATE SET path = excluded.path");
    q.bind(1, require_id(db_.get(), path_, run)).bind(2, split).bind(3, path).run();
    tx.commit();
}

std::vector<Step> Registry::steps(const std::string& run) const {
    Transaction tx(db_.get(), path_, false);
    Statement q(db_.get(), path_,
                "SELECT step, split, metric, value FROM run_steps WHERE run_id = ? "
                "ORDER BY step, split, metric");
    q.bind(1, require_id(db_.get(), path_, run));
    std::vector<Step> out;
    while (q.step()) out.push_back({q.integer(0), q.text(1), q.text(2), q.real(3)});
    tx.commit();
    return out;
}

std::optional<Run> Registry::find_run(const std::string& name) const {
    Transaction tx(db_.get(), path_, false);
    auto id = find_id(db_.get(), path_, name);
    std::vector<Run> found;
    if (id) {
        std::vector<std::int64_t> ids = {*id};
        found = load_runs(db_.get(), path_, &ids, true);
    }
    tx.commit();
    if (found.empty()) return std::nullopt;
    return std::move(found.front());
}

std::vector<Run> Registry::runs() const {
    Transaction tx(db_.get(), path_, false);
    auto all = load_runs(db_.get(), path_, nullptr, false);
    tx.commit();
    return all;
}

bool Registry::remove_run(const std::string& name) {
    Transaction tx(db_.get(), path_, true);
    Statement q(db_.get(), path_,
                "UPDATE runs SET status = 'deleted' WHERE name = ? AND status != 'deleted'");
    q.bind(1, name).run();
    bool removed = sqlite3_changes(db_.get()) > 0;
    tx.commit();
    return removed;
}

bool Registry::restore_run(const std::string& name) {
    Transaction tx(db_.get(), path_, true);
    Statement q(db_.get(), path_,
                "UPDATE runs SET status = 'finished' WHERE name = ? AND status = 'deleted'");
    q.bind(1, name).run();
    bool restored = sqlite3_changes(db_.get()) > 0;
    tx.commit();
    return restored;
}

std::size_t Registry::purge() {
    Transaction tx(db_.get(), path_, true);
    Statement q(db_.get(), path_, "DELETE FROM runs WHERE status = 'deleted'");
    q.run();
    const auto purged = static_cast<std::size_t>(sqlite3_changes(db_.get()));
    tx.commit();
    return purged;
}

std::int64_t Registry::record_test_peek() {
    Transaction tx(db_.get(), path_, true);
    Statement q(db_.get(), path_,
                "INSERT INTO settings (key, value) VALUES (?, '1') ON CONFLICT (key) DO UPDATE "
                "SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)");
    q.bind(1, std::string(kTestPeeks)).run();
    tx.commit();
    return test_peeks();
}

std::int64_t Registry::test_peeks() const {
    auto stored = setting(kTestPeeks);
    return stored ? std::stoll(*stored) : 0;
}

void Registry::set_setting(const std::string& key, const std::string& value) {
    check_name(key, "setting name");
    Transaction tx(db_.get(), path_, true);
    Statement q(db_.get(), path_,
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    q.bind(1, key).bind(2, value).run();
    tx.commit();
}

bool Registry::remove_setting(const std::string& key) {
    Transaction tx(db_.get(), path_, true);
    Statement q(db_.get(), path_, "DELETE FROM settings WHERE key = ?");
    q.bind(1, key).run();
    bool removed = sqlite3_changes(db_.get()) > 0;
    tx.commit();
    return removed;
}

std::optional<std::string> Registry::setting(const std::string& key) const {
    Statement q(db_.get(), path_, "SELECT value FROM settings WHERE key = ?");
    q.bind(1, key);
    if (!q.step()) return std::nullopt;
    return q.text(0);
}

std::map<std::string, std::string> Registry::settings() const {
    std::map<std::string, std::string> out;
    Statement q(db_.get(), path_, "SELECT key, value FROM settings");
    while (q.step()) out[q.text(0)] = q.text(1);
    return out;
}

}  // namespace mlstrat::registry
