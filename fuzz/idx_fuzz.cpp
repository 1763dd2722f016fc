// Fuzzes the IDX reader (MNIST's format, gzip'd or not).

#include <cstdint>

#include "fuzz_input.hpp"
#include "mlstrat/train.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string path = mlstrat::fuzz::write_input(data, size, ".idx");
    mlstrat::fuzz::expect_clean([&] {
        const auto array = mlstrat::train::read_idx(path);
        std::size_t count = 1;
        for (auto d : array.dims) count *= d;
        if (count != array.values.size()) __builtin_trap();
    });
    return 0;
}
