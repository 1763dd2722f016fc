#pragma once
// How the diagnose module writes rates inside its notes: 0.005 -> "0.5%", 0.0823 -> "8.23%".

#include <fmt/format.h>

#include <cmath>
#include <string>

namespace mlstrat::diagnose::detail {

inline std::string pct(double rate) {
    double v = rate * 100.0;
    if (std::fabs(v) < 5e-11) v = 0.0;
    return fmt::format("{:.4g}%", v);
}

}  // namespace mlstrat::diagnose::detail
