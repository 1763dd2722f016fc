#pragma once
// cleanlab's other `filter_by` modes of find_label_issues, applied once confident learning has
// counted the joint and flagged by noise rate.

#include <cstdint>
#include <span>
#include <vector>

#include "analysis/labels/confident_learning.hpp"
#include "analysis/labels/row_passes.hpp"
#include "analysis/labels/row_rule.hpp"
#include "mlstrat/analysis.hpp"

namespace mlstrat::analysis::detail {

/// Replaces out.is_issue, the examples flagged by noise rate, by those `filter_by` flags, in one
/// more pass over the rows. `prune` holds the prune counts [given * K + true] (the diagonal: the
/// examples a class keeps); `rule` the cuts the joint was counted with.
void apply_filter(FilterBy filter_by, std::span<const std::uint32_t> labels, const RowRule& rule,
                  const std::vector<std::int64_t>& prune,
                  const std::vector<std::uint64_t>& label_counts, RowPasses& passes,
                  ConfidentLearning& out);

}  // namespace mlstrat::analysis::detail
