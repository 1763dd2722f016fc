#pragma once
// Printing helpers shared by the subcommands: JSON documents, percentages, aligned tables.

#include <fmt/format.h>

#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mlstrat/support/json_text.hpp"
#include "mlstrat/support/text.hpp"

namespace mlstrat::cli {

/// Prints one JSON document and a newline on stdout: numbers mlstrat computed clean (0.3, not
/// 0.30000000000000004), or, for `Numbers::Stored`, every number as the registry holds it (what
/// a user logged, read back exactly); bytes of user text that are not UTF-8 print as U+FFFD (a
/// report for a reader, not a file read back: io::json_text is for those).
enum class Numbers { Computed, Stored };
inline void print_json(const nlohmann::json& j, Numbers numbers = Numbers::Computed) {
    std::cout << (numbers == Numbers::Computed ? io::clean_numbers(j) : j)
                     .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
              << "\n";
}

// The text helpers live in the library, which formats the reports that have a text form.
using text::percent;
using text::Table;
using text::thousands;

}  // namespace mlstrat::cli
