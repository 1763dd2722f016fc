// Opening a registry file: WAL, the busy timeout, and the schema migrated up to this build's
// version in one transaction (a file written by a newer mlstrat is refused).

#include <chrono>
#include <thread>

#include "mlstrat/registry.hpp"
#include "registry/sqlite.hpp"

namespace mlstrat::registry {

using detail_sql::exec;
using detail_sql::fail;
using detail_sql::Statement;
using detail_sql::Transaction;

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
    R"sql(
    ALTER TABLE runs ADD COLUMN finished  TEXT NOT NULL DEFAULT '';
    ALTER TABLE runs ADD COLUMN status    TEXT NOT NULL DEFAULT 'finished';
    ALTER TABLE runs ADD COLUMN folder    TEXT NOT NULL DEFAULT '';
    ALTER TABLE runs ADD COLUMN run_group TEXT NOT NULL DEFAULT '';
    CREATE INDEX runs_by_status ON runs (status, created);
    CREATE TABLE run_values (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        split  TEXT NOT NULL,
        metric TEXT NOT NULL,
        value  REAL NOT NULL,
        PRIMARY KEY (run_id, split, metric)
    ) WITHOUT ROWID;
    CREATE INDEX run_values_by_metric ON run_values (split, metric, value);
    INSERT INTO run_values (run_id, split, metric, value)
        SELECT run_id, split, 'error', error FROM run_errors;
    DROP TABLE run_errors;
    -- Version 1 kept a trained run's accuracy without its split (test when measured, else dev):
    -- it belongs to the split whose error it complements.
    INSERT OR IGNORE INTO run_values (run_id, split, metric, value)
        SELECT m.run_id, v.split, 'accuracy', m.value
        FROM run_metrics m JOIN run_values v
          ON v.run_id = m.run_id AND v.metric = 'error' AND abs(1.0 - v.value - m.value) < 1e-9
        WHERE m.name = 'accuracy';
    DELETE FROM run_metrics WHERE name = 'accuracy' AND run_id IN
        (SELECT run_id FROM run_values WHERE metric = 'accuracy');
    CREATE TABLE run_params (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        key    TEXT NOT NULL,
        value  TEXT NOT NULL,
        num    REAL,
        text   TEXT NOT NULL,
        PRIMARY KEY (run_id, key)
    ) WITHOUT ROWID;
    CREATE INDEX run_params_by_key ON run_params (key, num);
    CREATE TABLE run_tags (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        key    TEXT NOT NULL,
        value  TEXT NOT NULL,
        PRIMARY KEY (run_id, key)
    ) WITHOUT ROWID;
    CREATE TABLE run_steps (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        step   INTEGER NOT NULL,
        split  TEXT NOT NULL,
        metric TEXT NOT NULL,
        value  REAL NOT NULL,
        PRIMARY KEY (run_id, step, split, metric)
    ) WITHOUT ROWID;
    CREATE TABLE run_predictions (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        split  TEXT NOT NULL,
        path   TEXT NOT NULL,
        PRIMARY KEY (run_id, split)
    ) WITHOUT ROWID;
    )sql",
};
static_assert(std::size(kMigrations) == kSchemaVersion, "one migration per schema version");

}  // namespace

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

}  // namespace mlstrat::registry
