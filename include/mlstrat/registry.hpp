#pragma once
/// The run registry: an embedded SQLite file (default ./mlstrat.db) that keeps every experiment —
/// every metric per split, sizes, typed parameters, per-step curves, tags, status, group, the
/// prediction files — and the project's settings (human levels, the optimizing metric,
/// satisficing limits), so that `diagnose`, `select` and `runs compare` work from what was
/// measured. Safe with several writers at once (WAL, busy timeout, one transaction per change);
/// the schema carries a version and is migrated on open.
///
///     auto registry = Registry::open("mlstrat.db");
///     registry.record_error("resnet-l2", "dev", 0.10, 2500);
///     registry.log("resnet-l2", parse_log({"dev.accuracy=0.9"}, {"optim.lr=0.001"}, {}, 3));
///     std::vector<Run> best = registry.query(parse_query({"param.optim.lr>=1e-3"}, "dev.error",
///     20));

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mlstrat/support/columns.hpp"
#include "mlstrat/support/stats.hpp"

struct sqlite3;

namespace mlstrat::metrics {
struct EvalReport;
}

namespace mlstrat::registry {

/// The file every command uses when --db is not given.
inline constexpr const char* kDefaultPath = "mlstrat.db";

/// The schema version this build writes; older files are migrated up to it on open.
inline constexpr int kSchemaVersion = 2;

/// Project settings `project set` writes and `diagnose` / `select` read: "human.NAME" holds a
/// human level (a rate such as "0.005"), "human_goal" the NAME the product aims at, "objective"
/// "maximize COL" or "minimize COL", "require" the satisficing limits joined by "; ".
inline constexpr const char* kHumanPrefix = "human.";
inline constexpr const char* kHumanGoal = "human_goal";
inline constexpr const char* kObjective = "objective";
inline constexpr const char* kRequire = "require";
/// Setting counting the times the test set was read to choose (`--on test`).
inline constexpr const char* kTestPeeks = "test_peeks";

/// The split a metric named without one means: choose on dev (course 1.1.2).
inline constexpr const char* kChooseSplit = "dev";

/// The course's reason, said whenever the test set is read to choose.
inline constexpr const char* kTestPeekReason =
    "choosing on the test set makes its error an optimistic estimate: choose with the dev set "
    "and keep the test set for an unbiased estimate of the chosen system (course 1.1.2)";

/// Metrics measured per split (what `mlstrat eval` computes); a bare name means its dev value.
inline constexpr const char* kSplitMetrics[] = {
    "error",    "accuracy",    "weighted_error", "macro_precision", "macro_recall", "macro_f1",
    "micro_f1", "weighted_f1", "precision",      "recall",          "f1",           "loss"};

/// Where a run stands.
enum class Status { Running, Finished, Failed, Deleted };

/// "running", "finished", "failed" or "deleted".
const char* status_name(Status status);

/// The Status called `text`; throws Error for any other word.
Status parse_status(std::string_view text);

/// One experiment: a trained model, a manual entry, a logged training loop, or an evaluation.
struct Run {
    /// Unique in the registry.
    std::string name;
    /// ISO-8601 UTC ("2026-11-25T20:30:00Z"); add_run fills it when empty.
    std::string created;
    /// When it finished or failed; empty while running.
    std::string finished;
    /// "train", "manual", "eval", "tune", "log"...
    std::string kind;
    /// Running while logged, finished or failed when done, deleted after `runs rm`.
    Status status = Status::Finished;
    /// The run's folder (runs/NAME for `mlstrat train`); empty when it has none.
    std::string folder;
    /// Runs of one configuration with different seeds share a group.
    std::string group;
    /// Split -> error: train, train_dev, dev, test (also train_target, human_target...).
    std::map<std::string, double> errors;
    /// Split -> rows the error was measured on.
    std::map<std::string, std::uint64_t> sizes;
    /// Split -> metric -> value for every per-split metric but the error (accuracy, macro_f1...).
    std::map<std::string, std::map<std::string, double>> split_metrics;
    /// Numbers that belong to no split: latency_ms, examples_per_second, seconds...
    std::map<std::string, double> metrics;
    /// Typed parameters by flattened key ("optim.lr" -> 0.001, "model.widths" -> [32, 64]).
    std::map<std::string, nlohmann::json> params;
    /// Free labels: owner, dataset, purpose...
    std::map<std::string, std::string> tags;
    /// Split -> predictions file attached with `runs predictions`.
    std::map<std::string, std::string> predictions;
    /// E.g. the TOML of a training run.
    std::string config;
    /// Free text.
    std::string notes;

    /// The value of a per-split metric (the error included); nullopt when not measured.
    std::optional<double> split_value(const std::string& split, const std::string& metric) const;
    /// {name, created, finished, kind, status, folder, group, errors, sizes, splits, metrics,
    /// params, tags, predictions, config, notes}.
    nlohmann::json to_json() const;
};

/// One point of a training curve.
struct Step {
    /// The step or epoch.
    std::int64_t step = 0;
    /// The split measured (empty for a split-free number such as lr).
    std::string split;
    /// The metric's name (error, loss...).
    std::string metric;
    /// Its value at this step.
    double value = 0.0;
};

/// A metric value as `runs log --metric` gives it: "dev.error=0.21" (split dev) or
/// "latency_ms=5" (no split).
struct MetricValue {
    /// The split (empty for a split-free number).
    std::string split;
    /// The metric's name.
    std::string metric;
    /// Its value.
    double value = 0.0;
};

/// What one `runs log` call adds to a run; nothing in it removes what is stored.
struct LogEntry {
    /// The step the metrics belong to; without one they are the run's current values only.
    std::optional<std::int64_t> step;
    /// Metrics to set (and to add to the curve when `step` is given).
    std::vector<MetricValue> metrics;
    /// Typed parameters to set.
    std::map<std::string, nlohmann::json> params;
    /// Tags to set.
    std::map<std::string, std::string> tags;
};

/// A column of the run table, as `--where`, `--sort` and `--columns` name it.
struct Key {
    /// Which part of a run the key names.
    enum class Kind { Field, SplitMetric, Metric, Param, Tag };
    /// The part named.
    Kind kind = Kind::Field;
    /// The split of a SplitMetric.
    std::string split;
    /// The field, metric, parameter or tag name.
    std::string name;
    /// False when a SplitMetric was named bare and took the split it chooses on.
    bool split_given = true;
    /// The key as written in full ("dev.error", "param.optim.lr", "tag.owner", "status").
    std::string text() const;
};

/// Parses a key: name, kind, status, group, created, finished, folder; SPLIT.METRIC; a bare
/// per-split metric (`error` is `dev.error`, or `test.error` with on = "test"); param.K; tag.K;
/// else a split-free metric. Throws Error for an empty or malformed key. Pure.
Key parse_key(std::string_view text, std::string_view on = kChooseSplit);

/// One `--where` condition.
struct Condition {
    /// The comparison: < <= = != >= > and ~ (glob).
    enum class Op { Less, LessEqual, Equal, NotEqual, GreaterEqual, Greater, Glob };
    /// The left-hand side.
    Key key;
    /// The comparison used.
    Op op = Op::Equal;
    /// The right-hand side as written.
    std::string value;
    /// The right-hand side as a number ("5%" is 0.05), when it is one.
    std::optional<double> number;
};

/// Parses "KEY OP VALUE" with OP one of < <= = != >= > ~ (a glob: * any text, ? one character,
/// [abc] one of them). Throws Error
/// naming the expression when it is malformed. Pure.
Condition parse_condition(std::string_view text, std::string_view on = kChooseSplit);

/// Parses "SPLIT.METRIC=NUMBER" or "METRIC=NUMBER" (no split); throws Error when malformed or
/// not finite. Pure.
MetricValue parse_metric_value(std::string_view text);

/// Parses "KEY=VALUE" into a typed parameter: an integer, a number, true/false, a TOML/JSON
/// array ("[32, 64]"), else the text. Throws Error for an empty key. Pure.
std::pair<std::string, nlohmann::json> parse_param(std::string_view text);

/// A metric named as a keyword argument: "dev_error" is dev.error (the longest per-split metric
/// the name ends with, after '_'), "dev.error" and "lr" as parse_key reads them. Throws Error for
/// a per-split metric without its split, a key that is no metric, or a value that is not finite.
/// Pure.
MetricValue keyword_metric(std::string_view keyword, double value);

/// Every `runs log` flag parsed into one entry (--metric, --param, --tag K=V, --step). Pure.
LogEntry parse_log(const std::vector<std::string>& metrics, const std::vector<std::string>& params,
                   const std::vector<std::string>& tags, std::optional<std::int64_t> step);

/// A TOML config flattened into typed keys ("[optim] lr = 0.001" -> "optim.lr": 0.001).
/// Throws Error(Config) naming `source` and the line for invalid TOML.
std::map<std::string, nlohmann::json> flatten_config(std::string_view toml,
                                                     const std::string& source);

/// A query of the run table.
struct Query {
    /// Conditions that must all hold.
    std::vector<Condition> where;
    /// The key to sort by; oldest first without one.
    std::optional<Key> sort;
    /// Highest first (`--sort -KEY`).
    bool descending = false;
    /// At most this many runs; 0 for all.
    std::size_t limit = 0;
    /// Deleted runs are left out unless asked for (or a condition names status).
    bool include_deleted = false;
};

/// A query from `runs list` flags: conditions, "KEY" or "-KEY" (descending) to sort by, limit.
/// Pure.
Query parse_query(const std::vector<std::string>& where, std::string_view sort, std::size_t limit,
                  std::string_view on = kChooseSplit);

/// The value of `key` in `run` (a number, text, or a parameter's JSON); null when it has none.
nlohmann::json value_of(const Run& run, const Key& key);

/// The columns `runs list` shows when none are asked for: name, status, kind, the errors of the
/// splits any run has (train, train_dev, dev, test first), then the split-free metrics.
std::vector<Key> default_columns(const std::vector<Run>& runs);

/// Every key any of the runs has, for `runs export`: fields, per-split metrics, metrics, params,
/// tags.
std::vector<Key> all_columns(const std::vector<Run>& runs);

/// The runs as CSV, one row per run, one column per key (header: the keys' text).
std::string runs_csv(const std::vector<Run>& runs, const std::vector<Key>& columns);

/// Every metric `mlstrat eval` computes for one split, by name (error, accuracy, macro_f1...).
std::map<std::string, double> split_metrics_of(const metrics::EvalReport& report);

/// Writes a run's predictions file for one split (id, label, pred, p_CLASS per class: the
/// columns `mlstrat train` writes and `runs compare` pairs by id), atomically. An integral label
/// is a class index, another label a class name; pred is the most probable class (the first of
/// equals); probability (i, c) is the float32 or float64 at probs + i * row_stride + c *
/// class_stride bytes. Throws Error naming the argument for different lengths, an empty or
/// repeated id, a label that is no class, or a value that is not a probability.
void write_predictions(const std::string& path, const columns::Column& ids,
                       const columns::Column& labels, const std::vector<std::string>& classes,
                       const void* probs, columns::Kind kind, std::ptrdiff_t row_stride,
                       std::ptrdiff_t class_stride);

/// McNemar's exact test on paired predictions: the two-sided p-value that two models are
/// equally often right where exactly one of them is (`only_a_right` vs `only_b_right`). Pure.
double mcnemar_p(std::uint64_t only_a_right, std::uint64_t only_b_right);

/// Two runs' predictions on the same examples, counted in pairs.
struct PairedTest {
    /// Counts of the pairs by who is right.
    std::uint64_t examples = 0, both_right = 0, only_a_right = 0, only_b_right = 0, both_wrong = 0;
    /// Each run's error on the paired examples.
    double error_a = 0.0, error_b = 0.0;
    /// error_a - error_b: positive when B makes fewer errors.
    double difference = 0.0;
    /// Agresti-Min interval for the difference at `level`.
    stats::Interval interval;
    /// McNemar's exact two-sided p-value.
    double p_value = 1.0;
    /// The interval's confidence level.
    double level = 0.95;
    /// p_value < 1 - level.
    bool significant = false;
    /// {examples, both_right, only_a_right, only_b_right, both_wrong, error_a, error_b,
    /// difference, interval, p_value, level, significant}.
    nlohmann::json to_json() const;
};

/// The paired test from the four counts. Pure.
PairedTest paired_test(std::uint64_t both_right, std::uint64_t only_a_right,
                       std::uint64_t only_b_right, std::uint64_t both_wrong, double level = 0.95);

/// The verdict in words: "B is better by 0.80% (0.30% to 1.30%; ...)" or "a tie within noise:
/// ... mlstrat eval --min-test-size".
std::string verdict(const std::string& a, const std::string& b, const PairedTest& test);

/// The paired test of two prediction files (id, label, pred) matched by id; throws Error saying
/// how many ids match when the files do not cover the same examples.
PairedTest compare_predictions(const std::string& file_a, const std::string& file_b,
                               double level = 0.95);

/// A parameter whose value differs between two runs (null where one has none).
struct ParamDiff {
    /// The flattened parameter key.
    std::string key;
    /// Its value in A and in B.
    nlohmann::json a, b;
};

/// One metric of two runs side by side (null where one has none).
struct MetricPair {
    /// The metric's key (dev.error, latency_ms).
    std::string key;
    /// Its value in A and in B.
    nlohmann::json a, b;
};

/// What `runs compare A B` reports.
struct Comparison {
    /// The runs' names and the split paired.
    std::string a, b, split;
    /// Parameters whose values differ.
    std::vector<ParamDiff> params;
    /// Every metric either run has.
    std::vector<MetricPair> metrics;
    /// When both runs kept predictions for the split.
    std::optional<PairedTest> paired;
    /// The answer in words.
    std::string verdict;
    /// {a, b, split, params, metrics, paired, verdict}.
    nlohmann::json to_json() const;
};

/// Compares two runs on one split: differing parameters, every metric, and the paired test
/// on their attached predictions when both have them.
Comparison compare_runs(const Run& a, const Run& b, const std::string& split = kChooseSplit,
                        double level = 0.95);

/// One number over the runs of a seed group.
struct SeedSummary {
    /// Runs with a value.
    std::size_t n = 0;
    /// Their mean.
    double mean = 0.0;
    /// Sample standard deviation (0 with one seed).
    double sd = 0.0;
    /// Student-t interval of the mean; none with one seed.
    std::optional<stats::Interval> interval;
    /// {n, mean, sd, interval}.
    nlohmann::json to_json() const;
};

/// Mean, spread and t interval of one number measured with several seeds. Pure.
SeedSummary summarize_seeds(const std::vector<double>& values, double level = 0.95);

/// Welch's interval for mean(a) - mean(b) of two seed groups' numbers: what `runs list
/// --group-by group` and `mlstrat transfer` judge a difference with. Throws Error when a side has
/// fewer than two seeds.
stats::Interval welch_difference(const SeedSummary& a, const SeedSummary& b, double level = 0.95);

/// A seed group: its runs, and every numeric key summarised across them.
struct GroupSummary {
    /// The group's name.
    std::string group;
    /// Its runs, in the order given.
    std::vector<std::string> runs;
    /// Key text -> summary, for the keys some member has.
    std::map<std::string, SeedSummary> values;
    /// {group, runs, values {key: summary}}.
    nlohmann::json to_json() const;
};

/// The runs that have a group, grouped, with `keys` summarised per group (groups by name). Pure.
std::vector<GroupSummary> summarize_groups(const std::vector<Run>& runs,
                                           const std::vector<Key>& keys, double level = 0.95);

/// One run standing for each seed group (named after the group, kind "group", its members'
/// status when they share one, else running): every error, per-split metric and other number
/// is the mean over the members that have it, sizes and parameters those all members share.
/// Runs without a group stay as they are; the groups follow them, by name. What a choice over
/// groups ranks. Pure.
std::vector<Run> group_means(const std::vector<Run>& runs);

/// The verdict on two groups' mean `key` (an error: lower is better) by Welch's interval for
/// the difference; a tie when it holds 0. Throws Error when a group has fewer than two seeds.
std::string group_verdict(const std::string& a, const std::string& b, const std::string& key,
                          const SeedSummary& sa, const SeedSummary& sb, double level = 0.95);

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

    /// Adds a run; throws Error when its name is taken and !replace, or a value is invalid. With
    /// replace, the given values overwrite the stored ones and the others stay.
    void add_run(const Run& run, bool replace = false);
    /// Sets the error (and rows) of one split of a run, creating the run (kind "eval") if absent.
    void record_error(const std::string& run, const std::string& split, double error,
                      std::uint64_t rows);
    /// Sets per-split metrics of a run (error, accuracy, macro_f1...), creating it if absent.
    void record_split_metrics(const std::string& run, const std::string& split,
                              const std::map<std::string, double>& values,
                              std::optional<std::uint64_t> rows = std::nullopt);
    /// Sets one other number of a run, creating the run (kind "eval") if absent.
    void record_metric(const std::string& run, const std::string& name, double value);

    /// Adds one logged step: creates the run (kind "log", status running) when absent, else
    /// appends; never removes what is stored.
    void log(const std::string& run, const LogEntry& entry);
    /// Sets typed parameters of an existing run (other keys stay).
    void set_params(const std::string& run, const std::map<std::string, nlohmann::json>& params);
    /// Sets tags of an existing run (other tags stay).
    void set_tags(const std::string& run, const std::map<std::string, std::string>& tags);
    /// Puts an existing run in a seed group ("" takes it out).
    void set_group(const std::string& run, const std::string& group);
    /// Sets an existing run's folder.
    void set_folder(const std::string& run, const std::string& folder);
    /// Sets an existing run's status; Finished and Failed stamp the finished time.
    void set_status(const std::string& run, Status status);
    /// Attaches a predictions file (id, label, pred columns) for one split of an existing run.
    void attach_predictions(const std::string& run, const std::string& split,
                            const std::string& path);
    /// The run's per-step metrics, by step then split then metric.
    std::vector<Step> steps(const std::string& run) const;

    /// The run called `name` (deleted ones too), if any.
    std::optional<Run> find_run(const std::string& name) const;
    /// Every run that is not deleted, oldest first.
    std::vector<Run> runs() const;
    /// The runs a query selects; throws Error for a key no run has (naming what exists).
    std::vector<Run> query(const Query& query) const;
    /// Marks a run deleted (restore brings it back); false when there is none of that name.
    bool remove_run(const std::string& name);
    /// Brings a deleted run back as finished; false when no deleted run has that name.
    bool restore_run(const std::string& name);
    /// Removes every deleted run for good; how many.
    std::size_t purge();

    /// Counts one use of the test set to choose; the new count.
    std::int64_t record_test_peek();
    /// Times the test set was used to choose in this project.
    std::int64_t test_peeks() const;

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
