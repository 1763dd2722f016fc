#pragma once
/// Small tables held whole in memory, read with the streaming reader and written through the
/// atomic writer (io.hpp): for the tables a script builds, such as a pool of rows or a filled
/// review sheet. Large tables are streamed with io::TableReader.
///
///     io::TextTable sheet = io::read_text_table("sheet.csv");
///     sheet.rows[0][sheet.column("blur")] = "x";
///     io::write_text_table("sheet_reviewed.csv", sheet);

#include <string>
#include <string_view>
#include <vector>

namespace mlstrat::io {

/// A table held whole in memory: the header and every row's cells as text.
struct TextTable {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    /// The file the table was read from, which errors name; empty for a table built in memory.
    std::string source;
    /// Index of column `name`; throws Error naming the columns the table has.
    std::size_t column(std::string_view name) const;
};

/// Reads every row of a CSV/TSV file into memory, with io::TableReader's rules and errors.
TextTable read_text_table(const std::string& path);

/// Writes `table` to `path` as CSV through io::AtomicFile, quoting the cells that need it.
/// Throws Error when a row has another number of cells than the header.
void write_text_table(const std::string& path, const TextTable& table);

}  // namespace mlstrat::io
