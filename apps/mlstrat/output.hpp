#pragma once
// Printing helpers shared by the subcommands: JSON documents, percentages, aligned tables.

#include <fmt/format.h>

#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mlstrat/text.hpp"

namespace mlstrat::cli {

/// Prints one JSON document and a newline on stdout; bytes of user text that are not UTF-8
/// print as U+FFFD (a report for a reader, not a file read back: io::json_text is for those).
inline void print_json(const nlohmann::json& j) {
    std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

// The text helpers live in the library, which formats the reports that have a text form.
using text::percent;
using text::Table;
using text::thousands;

}  // namespace mlstrat::cli
