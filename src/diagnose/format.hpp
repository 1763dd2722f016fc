#pragma once
// How the diagnose module writes rates inside its notes: 0.005 -> "0.5%", 0.0823 -> "8.23%".

#include <fmt/format.h>

#include <cmath>
#include <string>
#include "mlstrat/support/text.hpp"

namespace mlstrat::diagnose::detail {

/// A count with thousands separators, rounded to `digits` significant digits (an estimate
/// reads "about 1,300,000", not "1,335,598"); 0 keeps every digit.
inline std::string examples(double n, int digits = 0) {
    if (digits > 0 && n >= 1) {
        const double unit = std::pow(10.0, std::floor(std::log10(n)) + 1 - digits);
        n = std::round(n / unit) * unit;
    }
    const std::string d = fmt::format("{:.0f}", n);
    std::string out;
    for (std::size_t i = 0; i < d.size(); ++i) {
        if (i > 0 && (d.size() - i) % 3 == 0) out.push_back(',');
        out.push_back(d[i]);
    }
    return out;
}

inline std::string pct(double rate) { return text::percent_short(rate); }

}  // namespace mlstrat::diagnose::detail
