#pragma once
// The registry's thin layer over SQLite: a prepared statement with 1-based binds, one exec, and
// a transaction that rolls back unless committed. Internal to src/registry/.

#include <sqlite3.h>

#include <cstdint>
#include <string>

#include "mlstrat/support/error.hpp"

namespace mlstrat::registry::detail_sql {

[[noreturn]] inline void fail(sqlite3* db, const std::string& path, const std::string& what) {
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
    Statement& bind_null(int i) {
        check(sqlite3_bind_null(stmt_, i));
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
    bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
    /// Clears the binds' results so the statement runs again with new binds.
    void reset() {
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
    }

 private:
    void check(int rc) {
        if (rc != SQLITE_OK) fail(db_, path_, "cannot bind a value");
    }
    sqlite3* db_;
    const std::string& path_;
    sqlite3_stmt* stmt_ = nullptr;
};

inline void exec(sqlite3* db, const std::string& path, const char* sql) {
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

}  // namespace mlstrat::registry::detail_sql
