// Fuzzes the .npy reader behind `mlstrat labels --probs`.

#include <algorithm>
#include <cstdint>
#include <vector>

#include "analysis/labels/prob_matrix.hpp"
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
    // As `mlstrat labels` reads it: opened, then a few rows at a time.
    mlstrat::fuzz::expect_clean([&] {
        const auto m = mlstrat::analysis::open_npy(path);
        if (m.classes == 0) return;  // (N, 0) holds no values however large N is
        std::vector<double> buffer;
        double sum = 0;
        for (std::size_t first = 0; first < m.rows; first += 3) {
            const std::size_t count = std::min<std::size_t>(3, m.rows - first);
            const double* rows = m.read_rows(first, count, buffer);
            for (std::size_t i = 0; i < count * m.classes; ++i) sum += rows[i];
        }
        (void)sum;
    });
    return 0;
}
