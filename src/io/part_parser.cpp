// Parsing one part of a block: RFC 4180 quoting, CRLF, blank lines skipped. The cells of the
// selected columns are views into the block (or into `unescaped` for a field with doubled quotes).

#include "io/part_parser.hpp"

#include <algorithm>
#include <cstring>

#include "io/scan_kernels.hpp"

namespace mlstrat::io::detail {

void PartParser::parse(const char* begin, const char* end) {
    std::vector<std::string_view>& cells = *cells_out;
    std::vector<std::string_view>& raw = *raw_out;
    std::vector<std::uint32_t>& record_lines = *lines_out;
    cells.clear();
    raw.clear();
    record_lines.clear();
    unescaped.clear();
    error.clear();
    lines = 0;
    // Room for the most records the part can hold (a record of n fields takes at least n
    // bytes, n - 1 delimiters and a line feed, and a blank line is no record) before the
    // first is written, so the lists neither move while growing nor fault page by page.
    const std::size_t most_rows =
        static_cast<std::size_t>(end - begin) / std::max<std::size_t>(fields, 2) + 1;
    reserve_rows(cells, most_rows * width);
    reserve_rows(record_lines, most_rows);
    if (keep_raw) reserve_rows(raw, most_rows);

    const char d = delimiter;
    FieldScanner scanner(d, begin, end);
    // A table of one column, read whole (a list of labels, say): a record that is one plain
    // field and its line end needs none of the general loop's bookkeeping.
    const bool one_cell = fields == 1 && width == 1 && slot_of_column[0] == 0;

    const char* p = begin;
    std::uint64_t line = 0;
    while (p < end) {
        // Blank lines carry no record.
        if (*p == '\n') {
            ++p;
            ++line;
            continue;
        }
        if (*p == '\r' && p + 1 < end && p[1] == '\n') {
            p += 2;
            ++line;
            continue;
        }
        if (one_cell && *p != '"') {
            // What the loop below does for such a record; anything else goes there.
            const char* stop = scanner.next_stop(p);
            const char* next = nullptr;
            if (stop < end && *stop == '\n') {
                next = stop + 1;
            } else if (end - stop >= 2 && *stop == '\r' && stop[1] == '\n') {
                next = stop + 2;
            }
            if (next != nullptr) {
                const std::string_view field(p, static_cast<std::size_t>(stop - p));
                cells.push_back(field);
                record_lines.push_back(static_cast<std::uint32_t>(line));
                if (keep_raw) raw.push_back(field);
                p = next;
                ++line;
                continue;
            }
        }
        const char* record = p;
        const std::uint64_t record_line = line;
        const std::size_t base = cells.size();
        cells.resize(base + width);
        std::size_t column = 0;
        const char* record_end = end;
        for (;;) {
            std::string_view field;
            if (p < end && *p == '"') {
                const char* s = ++p;
                bool escaped = false;
                for (;;) {
                    const char* q = static_cast<const char*>(std::memchr(p, '"', end - p));
                    if (q == nullptr) {
                        return fail(record_line,
                                    "a quoted field is never closed (unterminated quote)");
                    }
                    line += static_cast<std::uint64_t>(std::count(p, q, '\n'));
                    if (q + 1 < end && q[1] == '"') {
                        escaped = true;
                        p = q + 2;
                        continue;
                    }
                    field = std::string_view(s, q - s);
                    p = q + 1;
                    break;
                }
                if (escaped) field = unescape(field);
                if (p < end && *p != d && *p != '\n' &&
                    !(*p == '\r' && (p + 1 == end || p[1] == '\n'))) {
                    return fail(line,
                                "unexpected character after a closing quote (a quote "
                                "inside a field must be doubled)");
                }
            } else {
                const char* s = p;
                p = scanner.next_stop(p);
                if (p < end && *p == '"') {
                    return fail(line,
                                "a quote inside an unquoted field (quote the whole field "
                                "and double the quote, as RFC 4180 asks)");
                }
                if (p < end && *p == '\r' && p + 1 < end && p[1] != '\n') {
                    return fail(line, "a carriage return that is not followed by a line feed");
                }
                field = std::string_view(s, p - s);
            }
            if (column < fields) {
                int slot = slot_of_column[column];
                if (slot >= 0) cells[base + static_cast<std::size_t>(slot)] = field;
            }
            ++column;
            if (p >= end) {
                record_end = end;
                break;
            }
            if (*p == d) {
                ++p;
                continue;
            }
            record_end = p;
            if (*p == '\r') ++p;
            ++p;  // the line feed
            ++line;
            break;
        }
        if (column != fields) {
            return fail(record_line, "the row has " + std::to_string(column) +
                                         (column == 1 ? " field" : " fields") +
                                         " but the header has " + std::to_string(fields));
        }
        record_lines.push_back(static_cast<std::uint32_t>(record_line));
        if (keep_raw) {
            std::size_t n = static_cast<std::size_t>(record_end - record);
            if (n > 0 && record[n - 1] == '\r') --n;
            raw.emplace_back(record, n);
        }
    }
    lines = line;
}

}  // namespace mlstrat::io::detail
