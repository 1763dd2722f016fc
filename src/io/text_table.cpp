// Small tables held whole: read with the streaming reader, written through the atomic writer.

#include <algorithm>
#include <numeric>

#include "mlstrat/support/error.hpp"
#include "mlstrat/support/io.hpp"
#include "mlstrat/support/text.hpp"
#include "mlstrat/support/text_table.hpp"

namespace mlstrat::io {

std::size_t TextTable::column(std::string_view name) const {
    auto it = std::find(header.begin(), header.end(), name);
    if (it != header.end()) return static_cast<std::size_t>(it - header.begin());
    throw Error((source.empty() ? "a table" : where(source, 1)) + ": no column '" +
                std::string(name) + "' in the header (columns: " + text::join(header) + ")");
}

TextTable read_text_table(const std::string& path) {
    TableReader reader(path);
    TextTable table;
    table.header = reader.header();
    table.source = path;
    std::vector<std::size_t> all(table.header.size());
    std::iota(all.begin(), all.end(), 0);
    reader.scan(
        all,
        [&](unsigned, const RowBatch& batch) {
            for (std::size_t r = 0; r < batch.size(); ++r) {
                std::vector<std::string> row;
                row.reserve(all.size());
                for (std::size_t c = 0; c < all.size(); ++c) row.emplace_back(batch.cell(r, c));
                table.rows.push_back(std::move(row));
            }
        },
        ScanOrder::File);
    return table;
}

void write_text_table(const std::string& path, const TextTable& table) {
    AtomicFile file(path);
    auto write_row = [&](const std::vector<std::string>& row) {
        MLSTRAT_CHECK(row.size() == table.header.size(), path, ": a row of ", row.size(),
                      " cells under a header of ", table.header.size());
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i) {
            if (i > 0) line += ',';
            line += quote_field(row[i]);
        }
        file.write(line + "\n");
    };
    write_row(table.header);
    for (const auto& row : table.rows) write_row(row);
    file.commit();
}

}  // namespace mlstrat::io
