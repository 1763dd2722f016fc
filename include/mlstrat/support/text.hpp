#pragma once
/// The text the commands print, for the reports that have a text form of their own (the same
/// text from the CLI and from `str()` of a Python result): percentages, thousands, aligned
/// tables.

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace mlstrat::text {

/// 0.0823 -> "8.23%".
inline std::string percent(double rate, int decimals = 2) {
    return fmt::format("{:.{}f}%", rate * 100.0, decimals);
}

/// 0.08 -> "8%", 0.0823 -> "8.23%", 0.123456 -> "12.35%": four significant digits, no trailing
/// zeros (a rounding residue below 5e-13 prints as 0%).
inline std::string percent_short(double rate) {
    double v = rate * 100.0;
    if (v < 5e-11 && v > -5e-11) v = 0.0;
    return fmt::format("{:.4g}%", v);
}

/// {"a", "b", "c"} and ", " -> "a, b, c".
inline std::string join(const std::vector<std::string>& parts, std::string_view sep = ", ") {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i > 0) out += sep;
        out += parts[i];
    }
    return out;
}

/// 1234567 -> "1,234,567".
inline std::string thousands(std::uint64_t n) {
    std::string digits = std::to_string(n);
    std::string out;
    int k = 0;
    for (auto it = digits.rbegin(); it != digits.rend(); ++it, ++k) {
        if (k > 0 && k % 3 == 0) out.insert(out.begin(), ',');
        out.insert(out.begin(), *it);
    }
    return out;
}

/// A table printed with columns padded to their widest cell; the first column is left-aligned,
/// the others right-aligned.
class Table {
 public:
    explicit Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
    /// Adds a row (an empty one prints as a blank line).
    void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
    /// Writes the table, each line starting with `indent`.
    void print(std::ostream& out, const std::string& indent = "") const {
        std::vector<std::size_t> width;
        for (const auto& row : rows_) {
            if (width.size() < row.size()) width.resize(row.size(), 0);
            for (std::size_t i = 0; i < row.size(); ++i)
                width[i] = std::max(width[i], row[i].size());
        }
        for (const auto& row : rows_) {
            std::string line = indent;
            for (std::size_t i = 0; i < row.size(); ++i) {
                if (i > 0) line += "  ";
                std::string pad(width[i] - row[i].size(), ' ');
                line += i == 0 ? row[i] + pad : pad + row[i];
            }
            while (!line.empty() && line.back() == ' ') line.pop_back();
            out << line << "\n";
        }
    }

 private:
    std::vector<std::vector<std::string>> rows_;
};

}  // namespace mlstrat::text
