#pragma once
/// Welch's interval for the difference of two seed groups' means: what `runs list --group-by
/// group` and `mlstrat transfer` judge a difference with (defined in src/registry/groups.cpp).

#include "mlstrat/registry.hpp"

namespace mlstrat::registry {

/// Welch's interval for mean(a) - mean(b) of two seed groups' numbers. Throws Error when a side
/// has fewer than two seeds. Pure.
stats::Interval welch_difference(const SeedSummary& a, const SeedSummary& b, double level = 0.95);

}  // namespace mlstrat::registry
