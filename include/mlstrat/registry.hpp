#pragma once
/// The run registry: an embedded SQLite file (default ./mlstrat.db) that keeps every experiment —
/// its errors per split, sizes, other numbers, config and notes — and the project's settings
/// (human levels, the optimizing metric, satisficing limits), so that `diagnose` and `select`
/// work from what was measured. Safe with several writers at once (WAL, busy timeout, one
/// transaction per change); the schema carries a version and is migrated on open.
///
///     auto registry = Registry::open("mlstrat.db");
///     registry.record_error("resnet-l2", "dev", 0.10, 2500);
///     std::optional<Run> run = registry.find_run("resnet-l2");

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace mlstrat::registry {

/// The file every command uses when --db is not given.
inline constexpr const char* kDefaultPath = "mlstrat.db";

/// The schema version this build writes; older files are migrated up to it on open.
inline constexpr int kSchemaVersion = 1;

/// Project settings `project set` writes and `diagnose` / `select` read: "human.NAME" holds a
/// human level (a rate such as "0.005"), "human_goal" the NAME the product aims at, "objective"
/// "maximize COL" or "minimize COL", "require" the satisficing limits joined by "; ".
inline constexpr const char* kHumanPrefix = "human.";
inline constexpr const char* kHumanGoal = "human_goal";
inline constexpr const char* kObjective = "objective";
inline constexpr const char* kRequire = "require";

/// One experiment: a trained model, a manual entry, or an evaluation.
struct Run {
    std::string name;
    /// ISO-8601 UTC ("2026-11-25T20:30:00Z"); add_run fills it when empty.
    std::string created;
    /// "train", "manual", "eval", "tune"...
    std::string kind;
    /// Split -> error: train, train_dev, dev, test (also train_target, human_target...).
    std::map<std::string, double> errors;
    /// Split -> rows the error was measured on.
    std::map<std::string, std::uint64_t> sizes;
    /// Other numbers: accuracy, latency_ms, examples_per_second, seconds...
    std::map<std::string, double> metrics;
    /// E.g. the TOML of a training run.
    std::string config;
    std::string notes;

    /// {name, created, kind, errors, sizes, metrics, config, notes}.
    nlohmann::json to_json() const;
};

/// The current time as ISO-8601 UTC with seconds ("2026-11-25T20:30:00Z").
std::string now_utc();

/// A handle on one registry file. Movable, not copyable; every method is one transaction.
class Registry {
 public:
    /// Opens (creating when absent) and migrates the file; throws Error(Io) if it is unusable
    /// or was written by a newer mlstrat.
    static Registry open(const std::string& path);

    Registry(Registry&& other) noexcept;
    Registry& operator=(Registry&& other) noexcept;
    Registry(const Registry&) = delete;
    Registry& operator=(const Registry&) = delete;
    ~Registry();

    /// Adds a run; throws Error when its name is taken and !replace, or a value is invalid.
    void add_run(const Run& run, bool replace = false);
    /// Sets the error (and rows) of one split of a run, creating the run (kind "eval") if absent.
    void record_error(const std::string& run, const std::string& split, double error,
                      std::uint64_t rows);
    /// Sets one other number of a run, creating the run (kind "eval") if absent.
    void record_metric(const std::string& run, const std::string& name, double value);
    /// The run called `name`, if any.
    std::optional<Run> find_run(const std::string& name) const;
    /// Every run, oldest first.
    std::vector<Run> runs() const;
    /// Removes a run; false when there was none of that name.
    bool remove_run(const std::string& name);

    /// Sets a project setting (human levels, optimizing metric, satisficing limits).
    void set_setting(const std::string& key, const std::string& value);
    /// Removes a project setting; false when it was not set.
    bool remove_setting(const std::string& key);
    /// The value of a project setting, if set.
    std::optional<std::string> setting(const std::string& key) const;
    /// Every project setting, by key.
    std::map<std::string, std::string> settings() const;

    /// The schema version of the open file.
    int schema_version() const;
    /// The path as given to open().
    const std::string& path() const { return path_; }

 private:
    struct Closer {
        void operator()(sqlite3* db) const;
    };
    Registry(std::string path, sqlite3* db);

    std::string path_;
    std::unique_ptr<sqlite3, Closer> db_;
};

}  // namespace mlstrat::registry
