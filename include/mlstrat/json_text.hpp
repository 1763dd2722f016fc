#pragma once
/// The text of JSON files that other commands read back (statistics files, manifest.json).

#include <string>

#include <nlohmann/json_fwd.hpp>

namespace mlstrat::io {

/// The text of `j` (indented by `indent` spaces, or on one line when -1) for a file another
/// command reads back; throws Error naming `source` when one of its strings is not UTF-8, which
/// JSON cannot hold (replacing the bytes would merge distinct values).
std::string json_text(const nlohmann::json& j, const std::string& source, int indent = -1);

}  // namespace mlstrat::io
