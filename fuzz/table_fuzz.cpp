// Fuzzes the CSV/TSV reader: the first byte picks the suffix (.csv, .tsv, .csv.gz-named), the
// worker count and a small block size, so record boundaries fall across parts and blocks.

#include <cstdint>

#include "fuzz_input.hpp"
#include "mlstrat/support/io.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::uint8_t knobs = data[0];
    static const char* const kSuffixes[] = {".csv", ".tsv", ".txt", ".tab"};
    const std::string path = mlstrat::fuzz::write_input(data + 1, size - 1, kSuffixes[knobs & 3]);
    mlstrat::io::TableOptions options;
    options.threads = 1 + ((knobs >> 2) & 3);
    options.block_bytes = std::size_t{16} << ((knobs >> 4) & 7);
    options.max_record_bytes = 4096;
    mlstrat::fuzz::expect_clean([&] {
        mlstrat::io::TableReader table(path, options);
        std::vector<std::size_t> columns(table.header().size());
        for (std::size_t i = 0; i < columns.size(); ++i) columns[i] = i;
        std::uint64_t rows = 0;
        const bool keep_raw = (knobs & 0x80) != 0;
        const std::uint64_t scanned = table.scan(
            columns,
            [&](unsigned, const mlstrat::io::RowBatch& batch) {
                for (std::size_t r = 0; r < batch.size(); ++r) {
                    for (std::size_t c = 0; c < columns.size(); ++c) (void)batch.cell(r, c).size();
                    if (keep_raw) (void)batch.raw(r).size();
                    (void)batch.line(r);
                }
                rows += batch.size();
            },
            mlstrat::io::ScanOrder::File, keep_raw);
        if (scanned != rows) __builtin_trap();
    });
    return 0;
}
