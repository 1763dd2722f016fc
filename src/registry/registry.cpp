// The run registry on SQLite. Every change is one IMMEDIATE transaction, so concurrent writers
// (a training job recording errors while `runs add` runs) queue on the busy timeout instead of
// failing; WAL lets readers go on while one of them writes.

#include "mlstrat/registry.hpp"

#include <sqlite3.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <limits>
#include <thread>
#include <unordered_map>
#include <utility>

#include "mlstrat/error.hpp"

namespace mlstrat::registry {

namespace {

constexpr int kBusyTimeoutMs = 30000;

// Migrations[i] takes a file from version i to version i + 1.
const char* const kMigrations[] = {
    R"sql(
    CREATE TABLE runs (
        id      INTEGER PRIMARY KEY AUTOINCREMENT,
        name    TEXT NOT NULL UNIQUE,
        created TEXT NOT NULL,
        kind    TEXT NOT NULL,
        config  TEXT NOT NULL DEFAULT '',
        notes   TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE run_errors (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        split  TEXT NOT NULL,
        error  REAL NOT NULL,
        PRIMARY KEY (run_id, split)
    );
    CREATE TABLE run_sizes (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        split  TEXT NOT NULL,
        rows   INTEGER NOT NULL,
        PRIMARY KEY (run_id, split)
    );
    CREATE TABLE run_metrics (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        name   TEXT NOT NULL,
        value  REAL NOT NULL,
        PRIMARY KEY (run_id, name)
    );
    CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    )sql",
};
static_assert(std::size(kMigrations) == kSchemaVersion, "one migration per schema version");

[[noreturn]] void fail(sqlite3* db, const std::string& path, const std::string& what) {
    throw Error(ErrorCode::Io,
                detail::concat(path, ": ", what, ": ",
                               db != nullptr ? sqlite3_errmsg(db) : "out of memory"));
}

// One prepared statement; binds are 1-based like SQLite's.
class Statement {
 public:
    Statement(sqlite3* db, const std::string& path, const char* sql) : db_(db), path_(path) {
        if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
            fail(db, path, "cannot prepare a query");
        }
    }
    ~Statement() { sqlite3_finalize(stmt_); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int i, const std::string& text) {
        check(sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()),
                                SQLITE_TRANSIENT));
        return *this;
    }
    Statement& bind(int i, double value) {
        check(sqlite3_bind_double(stmt_, i, value));
        return *this;
    }
    Statement& bind(int i, std::int64_t value) {
        check(sqlite3_bind_int64(stmt_, i, value));
        return *this;
    }

    /// True while there is a row to read.
    bool step() {
        int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        fail(db_, path_, "query failed");
    }
    void run() {
        while (step()) {
        }
    }

    std::string text(int col) const {
        const auto* p = sqlite3_column_text(stmt_, col);
        return p == nullptr
                   ? std::string()
                   : std::string(reinterpret_cast<const char*>(p),
                                 static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)));
    }
    double real(int col) const { return sqlite3_column_double(stmt_, col); }
    std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }

 private:
    void check(int rc) {
        if (rc != SQLITE_OK) fail(db_, path_, "cannot bind a value");
    }
    sqlite3* db_;
    const std::string& path_;
    sqlite3_stmt* stmt_ = nullptr;
};

void exec(sqlite3* db, const std::string& path, const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
        std::string text = message != nullptr ? message : "unknown failure";
        sqlite3_free(message);
        throw Error(ErrorCode::Io, detail::concat(path, ": ", text));
    }
}

// BEGIN IMMEDIATE takes the write lock up front, so two writers never deadlock upgrading a read
// lock; the busy timeout makes the second one wait. Rolls back unless committed.
class Transaction {
 public:
    Transaction(sqlite3* db, const std::string& path, bool write) : db_(db), path_(path) {
        exec(db_, path_, write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
    }
    ~Transaction() {
        if (!done_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit() {
        exec(db_, path_, "COMMIT");
        done_ = true;
    }

 private:
    sqlite3* db_;
    const std::string& path_;
    bool done_ = false;
};

void check_name(const std::string& name, const char* what) {
    MLSTRAT_CHECK(!name.empty(), what, " must not be empty");
    for (char c : name) {
        MLSTRAT_CHECK(static_cast<unsigned char>(c) >= 0x20, what, " '", name,
                      "' holds a control character");
    }
}

void check_error(const std::string& run, const std::string& split, double error) {
    MLSTRAT_CHECK(std::isfinite(error) && error >= 0.0 && error <= 1.0, "run '", run, "': the ",
                  split, " error ", error, " is not a rate in [0, 1]");
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

// The run's id, inserting it with kind "eval" when absent (inside the caller's transaction).
std::int64_t ensure_run(sqlite3* db, const std::string& path, const std::string& name) {
    Statement insert(db, path,
                     "INSERT INTO runs (name, created, kind) VALUES (?, ?, 'eval') "
                     "ON CONFLICT (name) DO NOTHING");
    insert.bind(1, name).bind(2, now_utc()).run();
    return *find_id(db, path, name);
}

void set_error(sqlite3* db, const std::string& path, std::int64_t id, const std::string& split,
               double error) {
    Statement q(db, path,
                "INSERT INTO run_errors (run_id, split, error) VALUES (?, ?, ?) "
                "ON CONFLICT (run_id, split) DO UPDATE SET error = excluded.error");
    q.bind(1, id).bind(2, split).bind(3, error).run();
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

// Loads runs (all of them, or the one named) with their values; oldest first.
std::vector<Run> load_runs(sqlite3* db, const std::string& path, const std::string* only) {
    std::vector<Run> out;
    std::unordered_map<std::int64_t, std::size_t> index;
    {
        Statement q(db, path,
                    only != nullptr
                        ? "SELECT id, name, created, kind, config, notes FROM runs WHERE name = ?"
                        : "SELECT id, name, created, kind, config, notes FROM runs "
                          "ORDER BY created, id");
        if (only != nullptr) q.bind(1, *only);
        while (q.step()) {
            Run run;
            run.name = q.text(1);
            run.created = q.text(2);
            run.kind = q.text(3);
            run.config = q.text(4);
            run.notes = q.text(5);
            index.emplace(q.integer(0), out.size());
            out.push_back(std::move(run));
        }
    }
    if (out.empty()) return out;
    const char* const queries[] = {"SELECT run_id, split, error FROM run_errors",
                                   "SELECT run_id, split, rows FROM run_sizes",
                                   "SELECT run_id, name, value FROM run_metrics"};
    for (int table = 0; table < 3; ++table) {
        std::string sql = queries[table];
        if (only != nullptr) sql += " WHERE run_id = ?";
        Statement q(db, path, sql.c_str());
        if (only != nullptr) q.bind(1, index.begin()->first);
        while (q.step()) {
            auto it = index.find(q.integer(0));
            if (it == index.end()) continue;
            Run& run = out[it->second];
            if (table == 0) run.errors[q.text(1)] = q.real(2);
            if (table == 1) run.sizes[q.text(1)] = static_cast<std::uint64_t>(q.integer(2));
            if (table == 2) run.metrics[q.text(1)] = q.real(2);
        }
    }
    return out;
}

}  // namespace

nlohmann::json Run::to_json() const {
    nlohmann::json j;
    j["name"] = name;
    j["created"] = created;
    j["kind"] = kind;
    j["errors"] = nlohmann::json::object();
    for (const auto& [split, e] : errors) j["errors"][split] = e;
    j["sizes"] = nlohmann::json::object();
    for (const auto& [split, n] : sizes) j["sizes"][split] = n;
    j["metrics"] = nlohmann::json::object();
    for (const auto& [metric, v] : metrics) j["metrics"][metric] = v;
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

void Registry::Closer::operator()(sqlite3* db) const { sqlite3_close_v2(db); }

Registry::Registry(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}
Registry::Registry(Registry&& other) noexcept = default;
Registry& Registry::operator=(Registry&& other) noexcept = default;
Registry::~Registry() = default;

Registry Registry::open(const std::string& path) {
    MLSTRAT_CHECK(!path.empty(), "--db: the registry path is empty");
    sqlite3* raw = nullptr;
    int rc =
        sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    Registry registry(path, raw);  // owns raw from here, even on failure
    if (rc != SQLITE_OK) fail(raw, path, "cannot open the run registry");
    sqlite3* db = raw;
    sqlite3_busy_timeout(db, kBusyTimeoutMs);
    sqlite3_extended_result_codes(db, 1);

    // Switching to WAL needs a moment of exclusive access; when another process holds the file
    // the busy handler is not consulted, so retry for as long as the busy timeout allows.
    for (int attempt = 0;; ++attempt) {
        char* message = nullptr;
        rc = sqlite3_exec(db, "PRAGMA journal_mode = WAL", nullptr, nullptr, &message);
        sqlite3_free(message);
        if (rc == SQLITE_OK) break;
        if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED) {
            fail(db, path, "is not a usable run registry");
        }
        if (attempt * 10 > kBusyTimeoutMs) fail(db, path, "stayed locked");
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    exec(db, path, "PRAGMA foreign_keys = ON");
    exec(db, path, "PRAGMA synchronous = NORMAL");

    Transaction tx(db, path, true);
    exec(db, path, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    int version = 0;
    {
        Statement q(db, path, "SELECT MAX(version) FROM schema_version");
        if (q.step()) version = static_cast<int>(q.integer(0));
    }
    if (version > kSchemaVersion) {
        throw Error(ErrorCode::Io,
                    detail::concat(path, ": the run registry has schema version ", version,
                                   ", newer than this mlstrat understands (", kSchemaVersion,
                                   "); upgrade mlstrat"));
    }
    if (version < kSchemaVersion) {
        for (int v = version; v < kSchemaVersion; ++v) exec(db, path, kMigrations[v]);
        exec(db, path, "DELETE FROM schema_version");
        Statement q(db, path, "INSERT INTO schema_version (version) VALUES (?)");
        q.bind(1, std::int64_t{kSchemaVersion}).run();
    }
    tx.commit();
    return registry;
}

int Registry::schema_version() const {
    Statement q(db_.get(), path_, "SELECT MAX(version) FROM schema_version");
    return q.step() ? static_cast<int>(q.integer(0)) : 0;
}

void Registry::add_run(const Run& run, bool replace) {
    check_name(run.name, "run name");
    for (const auto& [split, e] : run.errors) {
        check_name(split, "split name");
        check_error(run.name, split, e);
    }
    for (const auto& [split, n] : run.sizes) {
        check_name(split, "split name");
        to_rows(n);
    }
    for (const auto& [metric, v] : run.metrics) {
        check_name(metric, "metric name");
        MLSTRAT_CHECK(std::isfinite(v), "run '", run.name, "': metric ", metric, " = ", v,
                      " is not a finite number");
    }
    sqlite3* db = db_.get();
    Transaction tx(db, path_, true);
    const std::string created = run.created.empty() ? now_utc() : run.created;
    const std::string kind = run.kind.empty() ? "manual" : run.kind;
    std::int64_t id = 0;
    if (auto existing = find_id(db, path_, run.name)) {
        MLSTRAT_CHECK(replace, "run '", run.name, "' already exists in ", path_,
                      " (pick another name, or replace it)");
        id = *existing;
        Statement update(
            db, path_, "UPDATE runs SET created = ?, kind = ?, config = ?, notes = ? WHERE id = ?");
        update.bind(1, created).bind(2, kind).bind(3, run.config).bind(4, run.notes).bind(5, id);
        update.run();
        for (const char* sql :
             {"DELETE FROM run_errors WHERE run_id = ?", "DELETE FROM run_sizes WHERE run_id = ?",
              "DELETE FROM run_metrics WHERE run_id = ?"}) {
            Statement del(db, path_, sql);
            del.bind(1, id).run();
        }
    } else {
        Statement insert(
            db, path_,
            "INSERT INTO runs (name, created, kind, config, notes) VALUES (?, ?, ?, ?, ?)");
        insert.bind(1, run.name).bind(2, created).bind(3, kind).bind(4, run.config);
        insert.bind(5, run.notes).run();
        id = sqlite3_last_insert_rowid(db);
    }
    for (const auto& [split, e] : run.errors) set_error(db, path_, id, split, e);
    for (const auto& [split, n] : run.sizes) set_size(db, path_, id, split, n);
    for (const auto& [metric, v] : run.metrics) set_metric(db, path_, id, metric, v);
    tx.commit();
}

void Registry::record_error(const std::string& run, const std::string& split, double error,
                            std::uint64_t rows) {
    check_name(run, "run name");
    check_name(split, "split name");
    check_error(run, split, error);
    sqlite3* db = db_.get();
    Transaction tx(db, path_, true);
    std::int64_t id = ensure_run(db, path_, run);
    set_error(db, path_, id, split, error);
    set_size(db, path_, id, split, rows);
    tx.commit();
}

void Registry::record_metric(const std::string& run, const std::string& name, double value) {
    check_name(run, "run name");
    check_name(name, "metric name");
    MLSTRAT_CHECK(std::isfinite(value), "run '", run, "': metric ", name, " = ", value,
                  " is not a finite number");
    sqlite3* db = db_.get();
    Transaction tx(db, path_, true);
    std::int64_t id = ensure_run(db, path_, run);
    set_metric(db, path_, id, name, value);
    tx.commit();
}

std::optional<Run> Registry::find_run(const std::string& name) const {
    Transaction tx(db_.get(), path_, false);
    auto found = load_runs(db_.get(), path_, &name);
    tx.commit();
    if (found.empty()) return std::nullopt;
    return std::move(found.front());
}

std::vector<Run> Registry::runs() const {
    Transaction tx(db_.get(), path_, false);
    auto all = load_runs(db_.get(), path_, nullptr);
    tx.commit();
    return all;
}

bool Registry::remove_run(const std::string& name) {
    Transaction tx(db_.get(), path_, true);
    Statement q(db_.get(), path_, "DELETE FROM runs WHERE name = ?");
    q.bind(1, name).run();
    bool removed = sqlite3_changes(db_.get()) > 0;
    tx.commit();
    return removed;
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
