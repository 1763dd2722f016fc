#pragma once
// What the registry's files share: value checks, finding and creating runs by name, writing one
// value, and loading runs with everything stored about them. Each call runs inside the caller's
// transaction. Internal to src/registry/.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mlstrat/registry.hpp"
#include "registry/sqlite.hpp"

namespace mlstrat::registry::store {

/// Throws Error for an empty name or one holding a control character.
void check_name(const std::string& name, const char* what);
/// Throws Error unless `value` is finite (and a rate in [0, 1] for an error).
void check_value(const std::string& run, const std::string& split, const std::string& metric,
                 double value);
/// The rows as SQLite's integer; throws Error when they do not fit.
std::int64_t to_rows(std::uint64_t rows);

/// The id of the run called `name`, if any.
std::optional<std::int64_t> find_id(sqlite3* db, const std::string& path, const std::string& name);
/// The id of the run called `name`; throws Error naming the registry when there is none.
std::int64_t require_id(sqlite3* db, const std::string& path, const std::string& name);
/// The run's id, inserting it with `kind` and `status` when absent.
std::int64_t ensure_run(sqlite3* db, const std::string& path, const std::string& name,
                        const char* kind, Status status);

/// Sets one per-split value (the error included).
void set_value(sqlite3* db, const std::string& path, std::int64_t id, const std::string& split,
               const std::string& metric, double value);
void set_size(sqlite3* db, const std::string& path, std::int64_t id, const std::string& split,
              std::uint64_t rows);
void set_metric(sqlite3* db, const std::string& path, std::int64_t id, const std::string& name,
                double value);
void set_param(sqlite3* db, const std::string& path, std::int64_t id, const std::string& key,
               const nlohmann::json& value);
void set_tag(sqlite3* db, const std::string& path, std::int64_t id, const std::string& key,
             const std::string& value);

/// Runs with their values: every run when `ids` is null (deleted ones when asked), else the
/// given ids in their order.
std::vector<Run> load_runs(sqlite3* db, const std::string& path,
                           const std::vector<std::int64_t>* ids, bool include_deleted);

}  // namespace mlstrat::registry::store
