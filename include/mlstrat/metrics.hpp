#pragma once
/// The single-number metric (course 1.1.2): accuracy and error with intervals, per-class
/// precision, recall, F1 and F-beta, their averages, the confusion matrix, the weighted error
/// (the notes' weight of 10 for the class that must never get through), and the error of each
/// slice with the unweighted average over slices ("average error over four regions").
///
///     EvalOptions options;
///     options.slice_cols = {"region"};
///     EvalReport report = evaluate("dev_pred.csv", options);
///     std::cout << report.error << "\n";

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "mlstrat/support/columns.hpp"
#include "mlstrat/support/io.hpp"
#include "mlstrat/support/stats.hpp"

namespace mlstrat::metrics {

/// What `evaluate` reads and how.
struct EvalOptions {
    std::string label_col = "label";
    std::string pred_col = "pred";
    /// Columns whose values define slices (regions, devices...): error per value.
    std::vector<std::string> slice_cols;
    /// Column of per-row weights (finite, >= 0); empty for none.
    std::string weight_col;
    /// Weights by true class (CLASS, W); classes not listed weigh 1. Excludes weight_col.
    std::vector<std::pair<std::string, double>> class_weights;
    /// When set, binary precision/recall/F1 for this class.
    std::optional<std::string> positive;
    /// The beta of F-beta (1 gives F1).
    double beta = 1.0;
    /// Confidence level of every interval.
    double ci_level = 0.95;
    io::TableOptions table;
};

/// Mergeable counts behind every metric: a pass over a file (or a shard of it) produces one,
/// and two merged give exactly the counts of one pass over both.
struct EvalCounts {
    std::uint64_t rows = 0;
    /// Class names: every label and every prediction seen, in first-seen order.
    std::vector<std::string> classes;
    /// counts[true * classes.size() + pred].
    std::vector<std::uint64_t> counts;
    /// Sums of weights: all rows, misclassified rows, squared weights (for the effective size).
    bool weighted = false;
    double weight_sum = 0.0;
    double weight_error_sum = 0.0;
    double weight_square_sum = 0.0;
    /// One per slice column.
    struct Slice {
        std::string column;
        std::vector<std::string> values;
        std::vector<std::uint64_t> rows;
        std::vector<std::uint64_t> errors;
    };
    std::vector<Slice> slices;

    /// Adds `other` (same slice columns, in the same order) into this.
    void merge(const EvalCounts& other);
    /// Serialises for `--stats-out`; from_json reverses it.
    nlohmann::json to_json() const;
    static EvalCounts from_json(const nlohmann::json& j);
};

/// Precision, recall and F-scores of one class.
struct ClassMetrics {
    std::string name;
    double precision = 0.0;
    double recall = 0.0;
    double f1 = 0.0;
    double fbeta = 0.0;
    std::uint64_t support = 0;    // rows whose label is this class
    std::uint64_t predicted = 0;  // rows predicted as this class
};

/// An average of per-class precision, recall and F-scores.
struct Average {
    double precision = 0.0;
    double recall = 0.0;
    double f1 = 0.0;
    double fbeta = 0.0;
};

/// The error of one value of a slice column.
struct SliceValue {
    std::string value;
    std::uint64_t rows = 0;
    std::uint64_t errors = 0;
    double error = 0.0;
    stats::Interval error_ci;
};

/// Errors of every value of one slice column, their unweighted average and the worst value.
struct SliceColumn {
    std::string column;
    std::vector<SliceValue> values;  // sorted by value
    double average_error = 0.0;      // unweighted mean over values
    std::size_t worst = 0;           // index into values
};

/// Binary metrics for the class given with --positive.
struct BinaryMetrics {
    std::string positive;
    std::uint64_t tp = 0, fp = 0, fn = 0, tn = 0;
    double precision = 0.0;
    double recall = 0.0;
    double f1 = 0.0;
    double fbeta = 0.0;
};

/// Everything `mlstrat eval` reports.
struct EvalReport {
    std::uint64_t rows = 0;
    double accuracy = 0.0;
    double error = 0.0;
    stats::Interval error_ci;
    std::optional<double> weighted_error;
    std::optional<stats::Interval> weighted_error_ci;  // Wilson at the effective sample size
    std::vector<ClassMetrics> classes;                 // sorted (numerically when all are numbers)
    Average macro, micro, weighted;
    /// confusion[true][pred], indexed like `classes`.
    std::vector<std::vector<std::uint64_t>> confusion;
    std::vector<SliceColumn> slices;
    std::optional<BinaryMetrics> binary;
    double beta = 1.0;
    double ci_level = 0.95;
    std::vector<std::string> warnings;

    /// The JSON document of `mlstrat eval --json`.
    nlohmann::json to_json() const;
};

/// Reads a predictions file in one parallel streaming pass and returns its counts. Throws Error
/// with FILE:LINE for a missing column, an empty label or prediction, a bad weight, a ragged
/// row, broken quoting, corrupt gzip, or a file with no data rows.
EvalCounts count_predictions(const std::string& path, const EvalOptions& options);

/// The counts of one shard of a predictions file (options.table.shard_index of shard_count), with
/// what shards must agree on to be merged: the file, the options, the number of shards.
struct EvalShard {
    std::string file;              // the file's name, without its folder
    std::uint64_t file_bytes = 0;  // its size on disk
    std::vector<std::string> header;
    unsigned index = 0;
    unsigned count = 1;
    EvalOptions options;  // what was counted and how it is reported
    EvalCounts counts;

    /// The document `mlstrat eval --stats-out` writes; from_json reverses it and throws Error
    /// naming `source` when the document is not one.
    nlohmann::json to_json() const;
    static EvalShard from_json(const nlohmann::json& j, const std::string& source);
};

/// Counts one shard of a predictions file in one pass (a shard may hold no rows).
EvalShard count_shard(const std::string& path, const EvalOptions& options);

/// The shards of one file merged, with the options they were counted with.
struct MergedShards {
    std::string file;
    EvalOptions options;
    EvalCounts counts;
};

/// Reads the `--stats-out` documents at `paths` and merges them into the counts of one pass over
/// the whole file. Throws Error naming the part when the parts come from different files or
/// options, when a shard is missing or given twice, or when the file had no data rows.
MergedShards merge_shards(const std::vector<std::string>& paths);

/// Turns counts into the report; `source` names the input in error messages.
EvalReport make_report(const EvalCounts& counts, const EvalOptions& options,
                       const std::string& source = "input");

/// count_predictions then make_report.
EvalReport evaluate(const std::string& path, const EvalOptions& options);

/// The counts of in-memory columns, equal to count_predictions on a file of the same rows
/// (labels compared by their text: 3, 2.5, True, cat). Slices are named by their columns'
/// names; `weights` may be null; options.class_weights apply, the file options do not.
/// `threads` 0 uses every core (a small input uses one). Throws Error naming the column and
/// row ("y_true[12] is empty; ...").
EvalCounts count_columns(const columns::Column& y_true, const columns::Column& y_pred,
                         const std::vector<columns::Column>& slices, const columns::Column* weights,
                         const EvalOptions& options, unsigned threads = 0);

/// count_columns then make_report.
EvalReport evaluate_columns(const columns::Column& y_true, const columns::Column& y_pred,
                            const std::vector<columns::Column>& slices,
                            const columns::Column* weights, const EvalOptions& options,
                            unsigned threads = 0);

/// Sorts names numerically when every one is a number, else by bytes (scikit-learn's order for
/// numeric and for string labels). Returns the permutation.
std::vector<std::size_t> natural_order(const std::vector<std::string>& names);

/// One off-diagonal cell of a confusion matrix: `count` rows of class `label` predicted `pred`.
struct Confusion {
    std::string label;
    std::string pred;
    std::uint64_t count = 0;
};

/// The `k` largest off-diagonal cells of `matrix` (matrix[true][pred], indexed like `classes`),
/// the most frequent first, equal counts in row-major order; cells of 0 rows are left out. Throws
/// Error when the matrix is not square with a row per class.
std::vector<Confusion> top_confusions(const std::vector<std::string>& classes,
                                      const std::vector<std::vector<std::uint64_t>>& matrix,
                                      std::size_t k);

/// How big a dev/test set must be to know an error near `error` within +-`margin`.
struct TestSizeAnswer {
    double error = 0.0;
    double margin = 0.0;
    double ci_level = 0.95;
    std::uint64_t rows = 0;         // Wilson interval half-width <= margin
    std::uint64_t normal_rows = 0;  // the textbook z^2 p(1-p)/margin^2
    nlohmann::json to_json() const;
};

/// Answers "how big must my dev/test set be" (1.1.2: big enough to give high confidence).
TestSizeAnswer min_test_size(double error, double margin, double ci_level);

// ---------------------------------------------------------------------------------------------
// Multi-task (multi-label) predictions (1.2.3): one 1/0 label and one prediction per task, some
// labels missing. `mlstrat train` writes them as `id,<task>...,pred_<task>...,p_<task>...`.

/// A task label cell as read: 1/true/yes, 0/false/no (any case), `?` or empty, or anything else.
enum class TaskLabel { Negative, Positive, Missing, Invalid };

/// Reads one task label cell (surrounding spaces ignored).
TaskLabel parse_task_label(std::string_view cell);

/// Mergeable counts of one task: the 2x2 confusion over its labelled rows and the unlabelled rows.
struct TaskCounts {
    std::string task;
    std::uint64_t tp = 0, fp = 0, fn = 0, tn = 0;
    std::uint64_t missing = 0;
    /// Adds the counts of the same task.
    void merge(const TaskCounts& other);
};

/// The metrics of one task over its labelled rows; precision, recall and F1 of the positive
/// label, 0 for 0/0 as scikit-learn's zero_division=0.
struct TaskMetrics {
    std::string task;
    std::uint64_t labelled = 0;   // rows with a label
    std::uint64_t missing = 0;    // rows without one
    std::uint64_t support = 0;    // positive labels
    std::uint64_t predicted = 0;  // labelled rows predicted positive
    double accuracy = 0.0;
    double error = 0.0;
    stats::Interval error_ci;
    double precision = 0.0;
    double recall = 0.0;
    double f1 = 0.0;
};

/// Accuracy, error, precision, recall and F1 of an average over tasks.
struct TaskAverage {
    double accuracy = 0.0;
    double error = 0.0;
    double precision = 0.0;
    double recall = 0.0;
    double f1 = 0.0;
};

/// Everything `mlstrat eval --tasks` reports.
struct TaskReport {
    std::uint64_t rows = 0;
    std::vector<TaskMetrics> tasks;  // in the order asked
    /// The unweighted mean over tasks with a labelled row: the multi-task model's single number.
    TaskAverage mean;
    /// Counts pooled over every labelled (row, task) cell (scikit-learn's micro average).
    TaskAverage micro;
    std::uint64_t labelled = 0;
    std::uint64_t missing = 0;
    double ci_level = 0.95;
    std::vector<std::string> warnings;
    /// The JSON document of `mlstrat eval --tasks ... --json`.
    nlohmann::json to_json() const;
};

/// The tasks of a multi-task predictions file: every column T that has a column `pred_T`, in
/// header order; empty when there is none or when the file has the single-label column
/// `label_col`.
std::vector<std::string> detect_tasks(const std::string& path, const std::string& label_col,
                                      const io::TableOptions& table = {});

/// Reads a multi-task predictions file (columns T and pred_T for each task T) in one parallel
/// pass. Throws Error with FILE:LINE for a missing column, a label that is not 1/0 or missing, a
/// prediction that is not 1/0, and a file with no data rows.
std::vector<TaskCounts> count_task_predictions(const std::string& path,
                                               const std::vector<std::string>& tasks,
                                               const io::TableOptions& table = {});

/// Turns per-task counts into the report.
TaskReport make_task_report(const std::vector<TaskCounts>& counts, std::uint64_t rows,
                            double ci_level = 0.95);

/// count_task_predictions then make_task_report.
TaskReport evaluate_tasks(const std::string& path, const std::vector<std::string>& tasks,
                          double ci_level = 0.95, const io::TableOptions& table = {});

}  // namespace mlstrat::metrics
