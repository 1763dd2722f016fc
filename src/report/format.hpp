#pragma once
// How the report writes numbers: measured rates as eval prints them, and a leaderboard column
// as a rate when it is one of the registry's SPLIT_error columns.

#include <fmt/format.h>

#include <regex>
#include <string>
#include <string_view>
#include "mlstrat/support/text.hpp"

namespace mlstrat::report::detail {

/// 0.05962 -> "5.96%".
inline std::string rate(double v) { return text::percent(v); }

/// Whether a leaderboard column holds rates: train_error, dev_error...
inline bool is_rate_column(std::string_view column) {
    return column.size() > 6 && column.substr(column.size() - 6) == "_error";
}

/// A value of `column`: "7.00%" for an error column, else four significant digits.
inline std::string column_value(std::string_view column, double v) {
    return is_rate_column(column) ? rate(v) : fmt::format("{:.4g}", v);
}

/// A confidence level: 0.95 -> "95%".
inline std::string level(double v) { return fmt::format("{:.4g}%", v * 100.0); }

/// Text from another module with every rate written with two decimals ("4.2%" -> "4.20%"); a
/// confidence level ("95% interval", "95% CI") stays as it is.
inline std::string two_decimals(const std::string& text) {
    static const std::regex rate(R"((-?\d+(?:\.\d+)?)%(?! interval| CI))");
    std::string out;
    auto last = text.cbegin();
    for (std::sregex_iterator it(text.begin(), text.end(), rate), end; it != end; ++it) {
        out.append(last, (*it)[0].first);
        out += fmt::format("{:.2f}%", std::stod((*it)[1].str()));
        last = (*it)[0].second;
    }
    out.append(last, text.cend());
    return out;
}

}  // namespace mlstrat::report::detail
