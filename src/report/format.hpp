#pragma once
// How the report writes numbers: measured rates as eval prints them, and a leaderboard column
// as a rate when it is one of the registry's SPLIT_error columns.

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace mlstrat::report::detail {

/// 0.05962 -> "5.96%".
inline std::string rate(double v) { return fmt::format("{:.2f}%", v * 100.0); }

/// Whether a leaderboard column holds rates: train_error, dev_error...
inline bool is_rate_column(std::string_view column) {
    return column.size() > 6 && column.substr(column.size() - 6) == "_error";
}

/// A value of `column`: "7.00%" for an error column, else four significant digits.
inline std::string column_value(std::string_view column, double v) {
    return is_rate_column(column) ? rate(v) : fmt::format("{:.4g}", v);
}

}  // namespace mlstrat::report::detail
