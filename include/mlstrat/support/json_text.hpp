#pragma once
/// The text of JSON files that other commands read back (statistics files, manifest.json), and
/// the clean numbers of JSON printed for a reader.

#include <string>

#include <nlohmann/json_fwd.hpp>

namespace mlstrat::io {

/// The text of `j` (indented by `indent` spaces, or on one line when -1) for a file another
/// command reads back; throws Error naming `source` when one of its strings is not UTF-8, which
/// JSON cannot hold (replacing the bytes would merge distinct values).
std::string json_text(const nlohmann::json& j, const std::string& source, int indent = -1);

/// `j` with each floating-point number rid of the noise arithmetic leaves in its last digits
/// (0.1 + 0.2 gives 0.3, not 0.30000000000000004): a number of 16 or 17 significant digits whose
/// first 12 end in a run of zeros becomes that shorter number, a change below 1e-12 of it; others
/// stay exact.
/// For JSON printed for a reader; files read back keep every bit (json_text).
nlohmann::json clean_numbers(nlohmann::json j);

}  // namespace mlstrat::io
