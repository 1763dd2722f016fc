#pragma once
// cleanlab's label quality scores (cleanlab/rank.py and its multi-label scorer): what the
// flagged examples are ranked by, lowest (most likely mislabeled) first.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "analysis/labels/row_passes.hpp"
#include "mlstrat/analysis.hpp"

namespace mlstrat::analysis::detail {

/// The label quality score of one example with `k` probabilities `row` and given class `given`,
/// computed in cleanlab's order of operations.
double label_quality(RankBy rank_by, const double* row, std::size_t k, std::size_t given);

/// Per example, its label quality score where `flagged[i]` is set (0 elsewhere), in one pass over
/// the rows.
std::vector<double> label_quality_scores(RankBy rank_by, std::span<const std::uint32_t> labels,
                                         std::size_t k, const std::vector<std::uint8_t>& flagged,
                                         RowPasses& passes);

}  // namespace mlstrat::analysis::detail
