#pragma once
// Printing helpers shared by the subcommands: JSON documents, percentages, aligned tables.

#include <fmt/format.h>

#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mlstrat::cli {

/// Prints one JSON document and a newline on stdout; bytes of user text that are not UTF-8
/// print as U+FFFD (a report for a reader, not a file read back: io::json_text is for those).
inline void print_json(const nlohmann::json& j) {
    std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

/// 0.0823 -> "8.23%".
inline std::string percent(double rate, int decimals = 2) {
    return fmt::format("{:.{}f}%", rate * 100.0, decimals);
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
    void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
    void print(std::ostream& out, const std::string& indent = "") const {
        std::vector<std::size_t> width;
        for (const auto& row : rows_) {
            if (width.size() < row.size()) width.resize(row.size(), 0);
            for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
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

}  // namespace mlstrat::cli
