// Fuzzes the review-sheet parser behind `mlstrat errors tally`.

#include <cstdint>

#include "fuzz_input.hpp"
#include "mlstrat/analysis.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string path = mlstrat::fuzz::write_input(data + 1, size - 1, ".csv");
    mlstrat::analysis::TallyOptions options;
    options.error = (data[0] % 100) / 100.0;
    if (data[0] & 0x80) options.resolution = 0.01;
    mlstrat::fuzz::expect_clean(
        [&] { (void)mlstrat::analysis::tally_sheet(path, options).to_json(); });
    return 0;
}
