#pragma once
// Parsing one part of a block of CSV/TSV bytes that starts and ends on record boundaries.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "common/page_block.hpp"

namespace mlstrat::io::detail {

/// Parses a part into the lists of a RowBatch: the cells of the selected columns, each record's
/// line and, when kept, its bytes. The first malformed record stops it with `error` set.
struct PartParser {
    // Inputs, set once per scan.
    char delimiter = ',';
    std::size_t fields = 0;               // columns in the header
    const int* slot_of_column = nullptr;  // -1 for columns not selected
    std::size_t width = 0;
    bool keep_raw = false;
    // A RowBatch's lists, which parse() fills, set once per scan.
    std::vector<std::string_view>* cells_out = nullptr;
    std::vector<std::string_view>* raw_out = nullptr;
    std::vector<std::uint32_t>* lines_out = nullptr;

    // Outputs, per block.
    std::uint64_t lines = 0;       // line feeds consumed
    std::string error;             // first malformed record, if any
    std::uint64_t error_line = 0;  // its line offset from the part's start
    std::deque<std::string> unescaped;

    /// Parses [begin, end), replacing what the lists held.
    void parse(const char* begin, const char* end);

 private:
    std::string_view unescape(std::string_view quoted) {
        std::string& out = unescaped.emplace_back();
        out.reserve(quoted.size());
        for (std::size_t i = 0; i < quoted.size(); ++i) {
            out.push_back(quoted[i]);
            if (quoted[i] == '"') ++i;  // the second of a doubled quote
        }
        return out;
    }

    // Room for n values, no-op once there. Parts differ by a few rows, and growing by just as
    // many would move a list to fresh memory, to be faulted in again, at nearly every block.
    template <typename T>
    static void reserve_rows(std::vector<T>& v, std::size_t n) {
        if (v.capacity() >= n) return;
        mlstrat::detail::reserve_in_huge_pages(v, std::max(n, 2 * v.capacity()));
    }

    void fail(std::uint64_t at, std::string message) {
        error = std::move(message);
        error_line = at;
        cells_out->clear();
        raw_out->clear();
        lines_out->clear();
    }
};

}  // namespace mlstrat::io::detail
