#pragma once
/// Error analysis (course 1.2.1): sample misclassified dev examples into a review sheet, tally
/// the tags a reviewer marked (share and ceiling per idea, "evaluate multiple ideas in
/// parallel"), decide whether incorrectly labeled examples are worth fixing, find the metadata
/// cohorts where the model errs most, and find likely label errors by confident learning.
///
///     TallyOptions options;
///     options.error = 0.10;  // the dev error
///     TallyReport tally = tally_sheet("sheet.csv", options);
///     // tally.categories[0]: the idea with the highest ceiling, e.g. blurry at 61%

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mlstrat/support/columns.hpp"
#include "mlstrat/support/io.hpp"
#include "mlstrat/support/stats.hpp"

namespace mlstrat::analysis {

// ---------------------------------------------------------------------------------------------
// errors sample

/// What `sample_errors` reads and writes.
struct SampleOptions {
    std::string label_col = "label";
    std::string pred_col = "pred";
    /// Misclassified rows to sample ("get about 100 misclassified dev set examples").
    std::uint64_t errors = 100;
    /// Correctly classified rows to sample as well (the notes: look at those too).
    std::uint64_t correct = 0;
    /// One empty column per idea the reviewer marks (dog, great_cat, blurry...).
    std::vector<std::string> tags;
    /// Columns copied into the sheet (ids, metadata).
    std::vector<std::string> keep_cols;
    /// Column with the path of the image or audio, copied first so a reviewer can open it.
    std::string path_col;
    std::uint64_t seed = 0;
    io::TableOptions table;
    /// The ids of the eyeball dev set (split::division_ids): when set, only rows whose `id_col`
    /// is one of them are drawn, so the blackbox dev set stays unseen (Machine Learning
    /// Yearning 17-19).
    std::optional<std::vector<std::string>> eyeball_ids;
    std::string id_col = "id";
};

/// What `sample_errors` wrote.
struct SampleReport {
    std::string sheet;
    std::uint64_t rows = 0;             // data rows in the predictions file
    std::uint64_t errors = 0;           // misclassified rows in it
    std::uint64_t sampled_errors = 0;   // misclassified rows on the sheet
    std::uint64_t sampled_correct = 0;  // correctly classified rows on the sheet
    std::vector<std::string> columns;   // the sheet's header
    std::uint64_t seed = 0;
    /// With eyeball ids: the file's rows, of which `rows` (and `errors`) are in the eyeball set.
    std::optional<std::uint64_t> file_rows;

    /// The JSON document of `mlstrat errors sample --json`.
    nlohmann::json to_json() const;
};

/// Writes a review sheet to `sheet_path` (atomically): a reproducible random sample of
/// misclassified rows of `pred_path`, and optionally of correct ones, in file order. The same
/// file and seed give the same sheet whatever the number of threads.
SampleReport sample_errors(const std::string& pred_path, const std::string& sheet_path,
                           const SampleOptions& options);

// ---------------------------------------------------------------------------------------------
// errors tally

/// Without a resolution, mislabeled examples are worth fixing once they are this share of the
/// reviewed errors (errors tally, and the review pages that preview it).
inline constexpr double kWorthFixingShare = 0.10;

/// How a reviewed sheet is tallied.
struct TallyOptions {
    /// The overall dev error the sheet's errors were sampled from (0.10 for 10%).
    double error = 0.0;
    /// When set, mislabeled examples are worth fixing once the error they cause reaches this
    /// (the smallest difference between models you need to see); else once they are at least
    /// 10% of the errors.
    std::optional<double> resolution;
    /// Tag columns; empty takes the sheet's layout (see docs/errors.md).
    std::vector<std::string> tags;
    std::string mislabeled_col = "mislabeled";
    std::string label_col = "label";
    std::string pred_col = "pred";
    double ci_level = 0.95;
};

/// One idea's share of the reviewed errors and the best the error can get by fixing it.
struct TagTally {
    std::string tag;
    std::uint64_t count = 0;
    double share = 0.0;
    stats::Interval share_ci;
    /// error * (1 - share): the ceiling on what fixing every such error achieves.
    double error_if_fixed = 0.0;
};

/// Whether cleaning up incorrectly labeled dev examples pays.
struct MislabeledTally {
    std::uint64_t count = 0;
    double share = 0.0;
    stats::Interval share_ci;
    double error_due = 0.0;     // error * share
    double other_causes = 0.0;  // error - error_due
    bool worth_fixing = false;
    std::string reason;
};

/// Everything `mlstrat errors tally` reports.
struct TallyReport {
    std::uint64_t reviewed = 0;          // misclassified rows on the sheet
    std::uint64_t correct_reviewed = 0;  // correctly classified rows on the sheet
    double error = 0.0;
    double ci_level = 0.95;
    std::vector<TagTally> categories;  // largest share first
    std::optional<MislabeledTally> mislabeled;
    /// The notes' reminders, given when fixing labels is worth it.
    std::vector<std::string> reminders;

    /// The JSON document of `mlstrat errors tally --json`.
    nlohmann::json to_json() const;
};

/// A tag's name and how many reviewed errors carry it.
struct TagCount {
    std::string tag;
    std::uint64_t count = 0;
};

/// Shares, intervals, ceilings and the mislabeled decision from counts alone.
TallyReport make_tally(std::uint64_t reviewed, const std::vector<TagCount>& tags,
                       std::optional<std::uint64_t> mislabeled, const TallyOptions& options);

/// Reads a reviewed sheet and tallies it. A cell counts as marked when it is x, 1, yes, y, true,
/// ✓ or ✔ (any case) and as unmarked when empty, 0, no, n, false or -; anything else is an
/// error naming FILE:LINE.
TallyReport tally_sheet(const std::string& sheet_path, const TallyOptions& options);

/// Whether a sheet cell is marked; nullopt when it is not a recognised mark.
std::optional<bool> parse_mark(std::string_view cell);

// ---------------------------------------------------------------------------------------------
// errors slices

/// How `find_error_slices` searches for high-error cohorts.
struct SliceOptions {
    std::string label_col = "label";
    std::string pred_col = "pred";
    /// Metadata columns; numbers become thresholds, anything else categorical values.
    std::vector<std::string> features;
    /// The smallest cohort worth reporting.
    std::uint64_t min_rows = 100;
    /// Conditions per cohort at most (the depth of the tree).
    unsigned max_depth = 3;
    /// Cohorts to report.
    unsigned top = 10;
    /// Histogram bins per numeric feature (quantiles; every value when there are this few).
    unsigned bins = 255;
    double ci_level = 0.95;
    io::TableOptions table;
};

/// One cohort: rows meeting every condition.
struct Cohort {
    std::string condition;  // "region = India AND blur > 0.6"
    std::uint64_t rows = 0;
    std::uint64_t errors = 0;
    double error = 0.0;
    stats::Interval error_ci;
    double error_share = 0.0;  // this cohort's errors / all errors
};

/// Everything `mlstrat errors slices` reports.
struct CohortReport {
    std::uint64_t rows = 0;
    std::uint64_t errors = 0;
    double error = 0.0;
    stats::Interval error_ci;
    std::uint64_t min_rows = 0;
    double ci_level = 0.95;
    std::vector<Cohort> cohorts;  // highest error first
    unsigned passes = 0;          // streaming passes over the file

    /// The JSON document of `mlstrat errors slices --json`.
    nlohmann::json to_json() const;
};

/// Fits a shallow decision tree to the error indicator with histogram splits, streaming the
/// file once per level so memory does not grow with the number of rows. A split is kept only
/// when both sides have min_rows rows and their errors differ significantly.
CohortReport find_error_slices(const std::string& pred_path, const SliceOptions& options);

// ---------------------------------------------------------------------------------------------
// labels

/// Which examples `find_label_issues` flags: cleanlab's `filter_by` modes, with its semantics.
/// Every mode but the last two leaves out an example given its most probable class.
enum class FilterBy {
    prune_by_noise_rate,    ///< per off-diagonal cell of the joint, its count of largest margins
    prune_by_class,         ///< per given class, its estimated errors with the lowest P(given)
    both,                   ///< flagged by both of the above
    confident_learning,     ///< confidently in a class other than the given one
    predicted_neq_given,    ///< the most probable class is not the given one
    low_self_confidence,    ///< the lowest P(given), as many as confident_learning flags
    low_normalized_margin,  ///< the lowest (P(given) - max other P + 1) / 2, as many
};

/// The FilterBy that cleanlab's name `name` stands for; an Error listing the names otherwise.
FilterBy filter_by_named(std::string_view name);

/// The label quality score the flagged examples are ranked by, lowest first: cleanlab's
/// `return_indices_ranked_by`. Equal scores go to the lower row.
enum class RankBy {
    self_confidence,              ///< P(given)
    normalized_margin,            ///< (P(given) - max other P + 1) / 2
    confidence_weighted_entropy,  ///< log(1 + H / P(given)) / (H / P(given)), H normalized entropy
};

/// The RankBy that cleanlab's name `name` stands for; an Error listing the names otherwise.
RankBy rank_by_named(std::string_view name);

/// cleanlab's name of a RankBy.
std::string_view rank_by_name(RankBy rank_by);

/// How `find_label_issues` flags and ranks: cleanlab's arguments of the same names.
struct IssueOptions {
    FilterBy filter_by = FilterBy::prune_by_noise_rate;
    RankBy rank_by = RankBy::self_confidence;
    /// The share of each estimated off-diagonal count that is flagged (1: all of it). Used by
    /// prune_by_noise_rate, prune_by_class and both, as cleanlab uses it.
    double frac_noise = 1.0;
    /// Per class, how many of the examples given it to flag (prune_by_class exactly; the noise
    /// rate filters within rounding); empty: as many as estimated.
    std::vector<std::int64_t> num_to_remove_per_class = {};
    /// A class keeps at least this many examples, and one with no more is not pruned.
    std::int64_t min_examples_per_class = 1;
    /// A confident joint to prune by, [given * K + true] counts (cleanlab's `confident_joint`):
    /// prune_by_noise_rate, prune_by_class and both use it instead of the estimate, the other
    /// filters ignore it as cleanlab does; empty: the estimate.
    std::vector<std::int64_t> confident_joint = {};
};

/// What `find_label_issues` reads.
struct LabelOptions {
    std::string label_col = "label";
    /// A glob over header names ('p_*'); the text the '*' matches names the class.
    std::string prob_cols;
    /// A .npy file of probabilities instead of columns, rows aligned with the table.
    std::string npy_path;
    /// The classes of the probability columns in order; empty infers them.
    std::vector<std::string> classes;
    std::string id_col;
    /// How far a row's probabilities may sum from 1.
    double sum_tolerance = 1e-3;
    /// Each example has a set of labels, written `a|b` (empty: none), and one-vs-rest
    /// probabilities, each in [0, 1], that need not sum to 1.
    bool multi_label = false;
    char label_separator = '|';
    io::TableOptions table;
    /// Which examples to flag and how to rank them.
    IssueOptions issues;
};

/// A likely label error. Classes are indices into LabelReport::classes; with multi-label data
/// `given` and `suggested` are sets, bit c standing for class c.
struct LabelIssue {
    std::uint64_t index = 0;      // 0-based data row
    std::uint64_t given = 0;      // the given label (set)
    std::uint64_t suggested = 0;  // the most probable class; multi-label: the classes with P >= 0.5
    /// P(given label); multi-label: multi_label_quality.
    double self_confidence = 0.0;
    /// The score the issues are ranked by when it is not the self-confidence.
    double rank_score = 0.0;
};

/// Per given class: how many examples, how many flagged, the confident-learning estimate. With
/// multi-label data: how many examples have the class, how many have it wrongly (given when
/// absent or absent when present, by its one-vs-rest problem) and its estimate of how many.
struct ClassIssues {
    std::string name;
    std::uint64_t rows = 0;
    std::uint64_t flagged = 0;
    std::uint64_t estimated = 0;  // off-diagonal of the calibrated confident joint
};

/// Everything `mlstrat labels` reports.
struct LabelReport {
    std::uint64_t rows = 0;
    std::vector<std::string> classes;
    std::vector<ClassIssues> per_class;
    /// [given][true]; multi-label: per class, the one-vs-rest joint [c][2 * given + true].
    std::vector<std::vector<std::int64_t>> confident_joint;
    bool multi_label = false;
    std::vector<LabelIssue> issues;  // lowest ranked_by score first
    /// The score `issues` are ranked by; the JSON and the CSV name it when not self_confidence.
    RankBy ranked_by = RankBy::self_confidence;
    /// With an id column, ids[i] identifies issues[i]; empty otherwise.
    std::vector<std::string> ids;

    /// The JSON document of `mlstrat labels --json`.
    nlohmann::json to_json() const;
    /// A class's name, or with multi-label data the names of a set joined by '|'.
    std::string class_names(std::uint64_t given) const;
    /// Writes the issues as CSV (index, id when given, given, suggested, self_confidence or
    /// label_quality) to `write` in pieces of a few KiB.
    void write_issues_csv(const std::function<void(std::string_view)>& write) const;
};

/// Reads labels and probabilities, validates them, runs confident learning and ranks the
/// flagged examples by the score options.issues.rank_by names.
LabelReport find_label_issues(const std::string& table_path, const LabelOptions& options);

// ---------------------------------------------------------------------------------------------
// labels apply

/// How `apply_corrections` matches corrections to rows and counts the changes.
struct CorrectionOptions {
    std::string label_col = "label";
    /// DATA's column the corrections' `id` names; empty: `id` when the corrections carry ids,
    /// else the corrections' `index` (0-based data row of DATA).
    std::string id_col;
    /// Changes are counted per value of this column (a split column); empty: per file.
    std::string split_col;
    io::TableOptions table;
};

/// How many labels one split (or the whole file) had changed.
struct SplitChanges {
    std::string split;
    std::uint64_t rows = 0;
    std::uint64_t changed = 0;
};

/// What `apply_corrections` did.
struct CorrectionReport {
    std::string data, corrections, out;
    std::string matched_by;  // "id" column name, or "index"
    std::uint64_t rows = 0;
    std::uint64_t wrong = 0, right = 0, unsure = 0;  // verdicts in the corrections
    std::uint64_t changed = 0;
    std::vector<SplitChanges> splits;

    /// The JSON document of `mlstrat labels apply --json`.
    nlohmann::json to_json() const;
};

/// Writes DATA with the labels a reviewer found wrong replaced (the corrections CSV the label
/// review page exports: index, id, given, suggested, decision, label, comment). The header and
/// every untouched row are copied byte for byte. An unknown id or index, a given label that is
/// not DATA's, a new label DATA never uses, or a decision other than wrong/right/unsure is an
/// Error naming the corrections file and line; nothing is written then.
CorrectionReport apply_corrections(const std::string& data_path,
                                   const std::string& corrections_path, const std::string& out_path,
                                   const CorrectionOptions& options);

/// The same from the caller's arrays: `labels` integers 0..K-1 (cleanlab's convention), `probs`
/// an N x K matrix whose row i starts at byte i * row_stride and whose values are `col_stride`
/// bytes apart, float32 or float64 (read in place when float64 and C-contiguous). Rows are
/// checked as the file reader checks them (NaN, negative, a sum off 1 by more than
/// `sum_tolerance`); errors name the argument and row ("pred_probs[3]: ...").
LabelReport find_label_issues(const columns::Column& labels, const void* probs,
                              columns::Kind prob_kind, std::size_t rows, std::size_t classes,
                              std::ptrdiff_t row_stride, std::ptrdiff_t col_stride,
                              double sum_tolerance = 1e-3, unsigned threads = 0,
                              const IssueOptions& issues = {});

/// Multi-label confident learning on the caller's arrays, as cleanlab's
/// `find_label_issues(labels, pred_probs, multi_label=True)`: bit c of `label_sets[i]` is set when
/// example i is given class c; `probs` an N x K matrix of one-vs-rest probabilities (each in
/// [0, 1], rows need not sum to 1) laid out as above. Rows are checked as `labels
/// --multi-label` checks them; errors name the row ("pred_probs[3]: ...").
LabelReport find_multi_label_issues(std::span<const std::uint64_t> label_sets, const void* probs,
                                    columns::Kind prob_kind, std::size_t classes,
                                    std::ptrdiff_t row_stride, std::ptrdiff_t col_stride,
                                    unsigned threads = 0, const IssueOptions& issues = {});

}  // namespace mlstrat::analysis
