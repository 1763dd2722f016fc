#pragma once
// The minified scripts `mlstrat report` inlines into its HTML, compiled into the binary from
// web/node_modules (pinned by web/package-lock.json) by cmake/embed_vega.cmake, so a report
// made anywhere the binary runs opens offline.

#include <string_view>

namespace mlstrat::report::assets {

extern const std::string_view kVega;
extern const std::string_view kVegaLite;
extern const std::string_view kVegaEmbed;
extern const std::string_view kVegaVersion;
extern const std::string_view kVegaLiteVersion;
extern const std::string_view kVegaEmbedVersion;

}  // namespace mlstrat::report::assets
