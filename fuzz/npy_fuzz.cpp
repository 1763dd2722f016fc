// Fuzzes the .npy reader behind `mlstrat labels --probs`.

#include <cstdint>

#include "fuzz_input.hpp"
#include "mlstrat/analysis.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string path = mlstrat::fuzz::write_input(data, size, ".npy");
    mlstrat::fuzz::expect_clean([&] {
        const auto m = mlstrat::analysis::read_npy(path);
        double sum = 0;
        for (std::size_t i = 0; i < m.rows * m.classes; ++i) sum += m.data()[i];
        (void)sum;
    });
    return 0;
}
