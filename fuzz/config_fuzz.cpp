// Fuzzes the TOML config loader: parsing, `--set` overrides, the key table's validation and the
// config written back. The input is the TOML text, then optionally a NUL byte and `--set` values
// (KEY=VALUE), one a line.

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_input.hpp"
#include "mlstrat/train.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    const auto nul = input.find('\0');
    const std::string text = input.substr(0, nul);
    std::vector<std::string> overrides;
    if (nul != std::string::npos) {
        for (std::size_t at = nul + 1; at <= input.size();) {
            const auto end = std::min(input.find('\n', at), input.size());
            overrides.push_back(input.substr(at, end - at));
            at = end + 1;
        }
    }
    mlstrat::train::Config config;
    bool parsed = false;
    mlstrat::fuzz::expect_clean([&] {
        config = mlstrat::train::parse_config(text, "fuzz.toml", overrides);
        parsed = true;
    });
    if (!parsed) return 0;
    // The written-back config (config.toml, the run registry) must parse, to the same config, and
    // be written back the same: any error here is a finding.
    const std::string written = config.to_toml();
    const auto again = mlstrat::fuzz::expect_no_error(
        [&] { return mlstrat::train::parse_config(written, "written.toml"); });
    if (!(again == config))
        mlstrat::fuzz::finding("written back, the config reads differently:\n" + written);
    if (again.to_toml() != written)
        mlstrat::fuzz::finding("the config is written back differently:\n" + written);
    return 0;
}
