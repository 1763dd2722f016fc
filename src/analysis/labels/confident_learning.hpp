#pragma once
// The confident-learning core (Northcutt, Jiang, Chuang, JAIR 2021) on class indices in memory:
// the estimate, its multi-label form, and the ranked report built on it. Internal to the
// library: `mlstrat/analysis.hpp` has the entries a user calls.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "analysis/labels/prob_matrix.hpp"
#include "mlstrat/analysis.hpp"

namespace mlstrat::analysis {

/// The confident-learning estimate behind `find_label_issues`.
struct ConfidentLearning {
    std::vector<double> thresholds;             // per class: mean P(k) over examples labeled k
    std::vector<std::int64_t> confident_joint;  // calibrated, [given * K + true]
    std::vector<std::uint8_t> is_issue;         // per example, 1 when flagged
    std::vector<std::uint32_t>
        suggested;  // per example: its most probable class (the first of equals)
    std::vector<double> given_probability;  // per example: P(given label)
    /// Per flagged example, the label quality score it is ranked by, when not P(given); 0 for
    /// the others. Empty when ranked by P(given).
    std::vector<double> rank_score;
    /// Cells (given, true) whose examples to flag were searched for exactly, in two more passes,
    /// because the sample's guess of where their cut falls was too high (or there was no guess).
    std::size_t cells_searched = 0;
};

/// `check` sees every piece of rows [first, first + count) before anything uses them, and throws
/// to reject them; the exception of the lowest rows wins.
using RowCheck = std::function<void(std::size_t first, const double* rows, std::size_t count)>;

struct ConfidentLearningOptions {
    /// Workers for the passes over the rows (0: every core); the result does not depend on them.
    unsigned threads = 0;
    RowCheck check = {};
    /// Rows sampled to guess, for each (given, true) cell, a margin that more examples reach than
    /// the cell flags, so that one pass both counts the confident joint and keeps the candidates
    /// to flag. 0: no guesses; every cell is searched exactly.
    std::size_t sample_rows = std::size_t{1} << 15;
    /// Which examples is_issue flags (the joint and the rest are the same for every mode), and
    /// the score rank_score holds.
    IssueOptions issues = {};
};

/// Confident learning (Northcutt, Jiang, Chuang, JAIR 2021): flags the same examples as
/// cleanlab's `find_label_issues(labels, pred_probs, ...)` with the arguments options.issues
/// holds. `labels[i]` is a class index
/// below probs.classes.
ConfidentLearning confident_learning(std::span<const std::uint32_t> labels, const ProbMatrix& probs,
                                     const ConfidentLearningOptions& options = {});

/// Multi-label confident learning, one class against the rest, as cleanlab's
/// `find_label_issues(labels, pred_probs, multi_label=True)`: for each class c, confident learning
/// on the two-class problem (without c, with c) with probabilities (1 - P(c), P(c)). Bit c of
/// `label_sets[i]` is set when example i is given class c (at most 64 classes); the probabilities
/// are one per class, each in [0, 1]. Returns one two-class result per class, flagged by
/// issues.filter_by (by confident_learning for the two low_* filters, whose count the caller
/// takes); an example is an issue when it is one for some class.
std::vector<ConfidentLearning> confident_learning_multi_label(
    std::span<const std::uint64_t> label_sets, const ProbMatrix& probs, unsigned threads = 0,
    const IssueOptions& issues = {});

/// The label quality of a multi-label example, cleanlab's default score: the per-class
/// self-confidences (P(c) when given c, else 1 - P(c)) sorted from highest to lowest and
/// averaged exponentially, s = 0.8 * s_next + 0.2 * s, so the worst classes weigh most. With
/// another `rank_by`, that score of each class's one-vs-rest problem takes the self-confidence's
/// place (cleanlab's MultilabelScorer with that base scorer).
double multi_label_quality(const double* probs, std::size_t classes, std::uint64_t label_set,
                           RankBy rank_by = RankBy::self_confidence);

/// Confident learning on class indices already in memory (labels[i] < probs.classes), ranked
/// as `find_label_issues` of a table ranks them; `check` sees the rows first.
LabelReport find_label_issues(std::span<const std::uint32_t> labels, const ProbMatrix& probs,
                              const std::vector<std::string>& classes, unsigned threads = 0,
                              const RowCheck& check = {}, const IssueOptions& issues = {});

}  // namespace mlstrat::analysis
