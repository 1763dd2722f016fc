// Fuzzes `labels apply` (analysis::apply_corrections): the corrections CSV the label review page
// exports, applied to a data file, and the file it writes read back. The first byte picks
// --id-col id, --split-col split, a gzip'd output, the workers and a small block size; then the
// data CSV, a NUL byte and the corrections CSV. Read back, the output must have the data's
// header and rows, every cell but the label the same, and as many labels changed as reported.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "fuzz_input.hpp"
#include "mlstrat/analysis.hpp"
#include "mlstrat/support/io.hpp"

namespace {

struct Table {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
};

Table read_all(const std::string& path, const mlstrat::io::TableOptions& options) {
    mlstrat::io::TableReader reader(path, options);
    Table t{reader.header(), {}};
    std::vector<std::size_t> columns(t.header.size());
    for (std::size_t i = 0; i < columns.size(); ++i) columns[i] = i;
    reader.scan(
        columns,
        [&](unsigned, const mlstrat::io::RowBatch& b) {
            for (std::size_t r = 0; r < b.size(); ++r) {
                std::vector<std::string> row;
                for (std::size_t c = 0; c < columns.size(); ++c) row.emplace_back(b.cell(r, c));
                t.rows.push_back(std::move(row));
            }
        },
        mlstrat::io::ScanOrder::File);
    return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::uint8_t knobs = data[0];
    const std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);
    const auto nul = input.find('\0');
    if (nul == std::string::npos) return 0;
    const std::string dir = mlstrat::fuzz::scratch_dir();
    const std::string data_path = dir + "/data.csv", corrections_path = dir + "/corrections.csv";
    const std::string out = dir + ((knobs & 4) ? "/out.csv.gz" : "/out.csv");
    mlstrat::fuzz::write_input(reinterpret_cast<const std::uint8_t*>(input.data()), nul, "");
    std::filesystem::rename(dir + "/input", data_path);
    mlstrat::fuzz::write_input(reinterpret_cast<const std::uint8_t*>(input.data()) + nul + 1,
                               input.size() - nul - 1, "");
    std::filesystem::rename(dir + "/input", corrections_path);
    std::error_code ec;
    std::filesystem::remove(out, ec);

    mlstrat::analysis::CorrectionOptions options;
    if (knobs & 1) options.id_col = "id";
    if (knobs & 2) options.split_col = "split";
    options.table.threads = 1 + (knobs >> 3 & 1);
    options.table.block_bytes = std::size_t{16} << (knobs >> 4 & 7);
    options.table.max_record_bytes = 4096;

    mlstrat::analysis::CorrectionReport report;
    bool applied = false;
    mlstrat::fuzz::expect_clean([&] {
        report = mlstrat::analysis::apply_corrections(data_path, corrections_path, out, options);
        applied = true;
    });
    if (!applied) {
        if (std::filesystem::exists(out))
            mlstrat::fuzz::finding("a refused correction left a file");
        return 0;
    }
    mlstrat::io::TableOptions plain;
    plain.threads = 1;
    const Table before = mlstrat::fuzz::expect_no_error([&] { return read_all(data_path, plain); });
    const Table after = mlstrat::fuzz::expect_no_error([&] { return read_all(out, plain); });
    if (after.header != before.header) mlstrat::fuzz::finding("the header changed");
    if (after.rows.size() != before.rows.size() || after.rows.size() != report.rows) {
        mlstrat::fuzz::finding("the output has " + std::to_string(after.rows.size()) +
                               " rows, the data " + std::to_string(before.rows.size()));
    }
    std::size_t label = 0;
    while (before.header[label] != options.label_col) ++label;
    std::uint64_t changed = 0;
    for (std::size_t r = 0; r < before.rows.size(); ++r) {
        for (std::size_t c = 0; c < before.header.size(); ++c) {
            if (c != label && after.rows[r][c] != before.rows[r][c]) {
                mlstrat::fuzz::finding("row " + std::to_string(r) +
                                       ": a cell other than the label changed");
            }
        }
        changed += after.rows[r][label] != before.rows[r][label];
    }
    if (changed != report.changed) {
        mlstrat::fuzz::finding(std::to_string(changed) + " labels changed, " +
                               std::to_string(report.changed) + " reported");
    }
    std::filesystem::remove(out, ec);
    return 0;
}
