#pragma once
// The steps of find_label_issues after confident learning's own: the rows a table holds, the
// classes its labels name, and the flagged examples ranked and counted.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "analysis/labels/confident_learning.hpp"
#include "common/interner.hpp"
#include "common/page_block.hpp"
#include "common/worker_pool.hpp"
#include "mlstrat/analysis.hpp"

namespace mlstrat::analysis::detail {

using mlstrat::detail::Interner;
using mlstrat::detail::PageBlock;
using mlstrat::detail::WorkerPool;

/// What one worker read of the table.
struct LabelWorker {
    Interner labels;
    std::vector<std::uint64_t> first_line;  // per label id, where it was first seen
    std::vector<std::pair<std::uint64_t, std::uint64_t>> spans;  // [first, end) rows parsed here
    std::vector<std::pair<std::uint64_t, std::string>> ids;      // (row, id), rows ascending
};

/// The table's rows, each at its index: labels are first the workers' own ids, mapped to
/// classes once every label has been seen.
struct LabelRows {
    std::uint64_t n = 0;
    PageBlock<std::uint32_t> labels;            // single-label
    PageBlock<std::uint64_t> label_sets;        // multi-label: bit per label
    std::shared_ptr<PageBlock<double>> values;  // the probabilities, unless from a .npy file
    std::vector<LabelWorker> workers;
};

/// The labels the rows hold, each with the first line it was seen on.
struct SeenLabels {
    std::vector<std::string> names;
    std::vector<std::uint64_t> lines;
};

/// Every label the workers saw, in the order they first saw them.
SeenLabels seen_labels(const std::vector<LabelWorker>& workers);

/// The classes of the probabilities, in order: `--classes`, the probability columns' names, integer
/// indices, or (with a .npy file) the labels in natural order. Throws naming the first label that
/// is none of them.
std::vector<std::string> resolve_classes(const SeenLabels& seen,
                                         const std::vector<std::string>& column_classes,
                                         std::size_t k, const std::string& table_path,
                                         const LabelOptions& options);

/// The class a probability column stands for: the text its glob's single '*' matched.
std::string class_of_column(const std::string& glob, const std::string& column);

/// Whether a row holds valid probabilities: a distribution, or with multi-label data one
/// probability in [0, 1] per class. check_row says what is wrong when it does not.
bool row_is_valid(const double* row, std::size_t k, double tolerance, bool multi_label);

/// Throws, naming `place`, what is wrong with a row row_is_valid refused.
void check_row(const double* row, std::size_t k, double tolerance, bool multi_label,
               const std::string& place);

/// The order of the issues: least confident in the given label first, ties by row. A function
/// object, so that the sorts inline it.
constexpr auto ranks_before = [](const LabelIssue& a, const LabelIssue& b) {
    return a.self_confidence != b.self_confidence ? a.self_confidence < b.self_confidence
                                                  : a.index < b.index;
};

/// Ranks report.issues by report.ranked_by: the self-confidence (multi-label: the label quality)
/// or the rank_score, lowest first, ties by row.
void sort_issues(LabelReport& report);

/// Fills the report of a single-label run: the joint, the counts per class, the ranked issues
/// (by cl.rank_score when it is filled, the score report.ranked_by names).
void add_single_label_issues(const ConfidentLearning& cl, std::span<const std::uint32_t> labels,
                             WorkerPool& pool, LabelReport& report);

/// Fills the report of a multi-label run: one confident-learning problem per class, filtered and
/// ranked as `issues` say.
void add_multi_label_issues(std::span<const std::uint64_t> label_sets, const ProbMatrix& probs,
                            unsigned threads, LabelReport& report, const IssueOptions& issues);

}  // namespace mlstrat::analysis::detail
