#pragma once
// cleanlab's other `filter_by` modes of find_label_issues, applied once confident learning has
// counted the joint and flagged by noise rate.

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "analysis/labels/confident_learning.hpp"
#include "analysis/labels/row_passes.hpp"
#include "analysis/labels/row_rule.hpp"
#include "mlstrat/analysis.hpp"

namespace mlstrat::analysis::detail {

/// The prune counts [given * K + true] from the calibrated joint: how many examples given g the
/// pruning filters flag as class t, the diagonal what class g keeps; with cleanlab's
/// min_examples_per_class, frac_noise and num_to_remove_per_class.
std::vector<std::int64_t> prune_counts(const std::vector<std::int64_t>& confident_joint,
                                       const std::vector<std::uint64_t>& label_counts,
                                       const IssueOptions& options);

/// A class with no more examples than this is not pruned: cleanlab's min_examples_per_class, and
/// never a class of one example.
inline std::uint64_t fewest_pruned(const IssueOptions& options) {
    return static_cast<std::uint64_t>(std::max<std::int64_t>(options.min_examples_per_class, 1));
}

/// Throws when `options` break a rule cleanlab's find_label_issues enforces, or are out of range.
void check_issue_options(const IssueOptions& options, std::size_t classes);

/// Replaces out.is_issue, the examples flagged by noise rate, by those `filter_by` flags, in one
/// more pass over the rows (none for prune_by_noise_rate). `prune` holds the prune counts [given *
/// K + true] (the diagonal: the examples a class keeps); `rule` the cuts the joint was counted
/// with.
void apply_filter(const IssueOptions& options, std::span<const std::uint32_t> labels,
                  const RowRule& rule, const std::vector<std::int64_t>& prune,
                  const std::vector<std::uint64_t>& label_counts, RowPasses& passes,
                  ConfidentLearning& out);

}  // namespace mlstrat::analysis::detail
