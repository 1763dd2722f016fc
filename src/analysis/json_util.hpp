#pragma once
// JSON shapes the analysis results share.

#include <nlohmann/json.hpp>

#include "mlstrat/stats.hpp"

namespace mlstrat::analysis {

// An interval as [lo, hi], the shape every mlstrat document uses.
inline nlohmann::json interval_json(const stats::Interval& ci) {
    return nlohmann::json::array({ci.lo, ci.hi});
}

}  // namespace mlstrat::analysis
