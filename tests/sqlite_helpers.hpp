#pragma once
// What a test asks of a registry file directly through SQLite.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

/// `PRAGMA integrity_check` of the SQLite file `db`, its rows joined: "ok" when the file is sound.
inline std::string integrity_check(const std::string& db) {
    sqlite3* handle = nullptr;
    EXPECT_EQ(sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(handle, "PRAGMA integrity_check", -1, &stmt, nullptr), SQLITE_OK);
    std::string verdict;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        verdict += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    sqlite3_close(handle);
    return verdict;
}
