#pragma once
/// Parsing the values users type: numbers, rates ("8%" or 0.08), counts or shares ("2500" or
/// "1%"), and NAME=VALUE pairs. Every function throws Error naming `what` and the text seen.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace mlstrat {

/// A finite number ("3", "-2.5e-3"); surrounding spaces allowed.
double parse_number(std::string_view text, std::string_view what);

/// A finite number, or nullopt when `text` is not one (no exception).
std::optional<double> try_parse_number(std::string_view text);

/// A rate in [0, 1], written as a fraction (0.08) or a percentage (8%).
double parse_rate(std::string_view text, std::string_view what);

/// A size given as a count of rows ("2500") or as a share of them ("1%", "0.01").
struct CountOrShare {
    bool is_share = false;
    std::uint64_t count = 0;
    double share = 0.0;
    /// The count this stands for out of `total` rows (a share rounds to the nearest row).
    std::uint64_t resolve(std::uint64_t total) const;
};

/// Parses a count ("2500") or a share ("1%", or a fraction below 1 such as "0.01").
CountOrShare parse_count_or_share(std::string_view text, std::string_view what);

/// A number of rows a set holds ("2500"), at least 1; shares ("1%") are refused.
std::uint64_t parse_rows(std::string_view text, std::string_view what);

/// Splits "NAME=VALUE" at the first '='; throws when there is none or NAME is empty.
std::pair<std::string, std::string> split_assignment(std::string_view text, std::string_view what);

/// Removes spaces and tabs at both ends.
std::string_view trim(std::string_view text);

}  // namespace mlstrat
