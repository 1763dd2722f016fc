// Fuzzes the TOML config loader: parsing, the key table's validation and the config written back.

#include <cstdint>
#include <string>

#include "fuzz_input.hpp"
#include "mlstrat/train.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    mlstrat::fuzz::expect_clean([&] {
        const auto config = mlstrat::train::parse_config(text, "fuzz.toml");
        // The written-back config must parse to itself.
        const std::string again = config.to_toml();
        if (mlstrat::train::parse_config(again, "again.toml").to_toml() != again) {
            __builtin_trap();
        }
    });
    return 0;
}
