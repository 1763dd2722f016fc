#pragma once
// Sums and roundings in the order numpy does them, where confident learning must reproduce
// cleanlab's floating-point results bit for bit (a rounding can flip a count).

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mlstrat::analysis::detail {

/// numpy's pairwise summation of n doubles `stride` apart (add.reduce on float64 along a
/// contiguous axis).
double pairwise_sum(const double* a, std::size_t n, std::size_t stride = 1);

/// cleanlab's round_preserving_sum: rounds half to even, then bumps the entries whose rounding
/// lost the most until the (rounded) total is kept.
std::vector<std::int64_t> round_preserving_sum(const std::vector<double>& floats);

}  // namespace mlstrat::analysis::detail
