#pragma once
// The review pages' common frame (private to src/report/): the HTML around the cards, which the
// script draws from the page's data.

#include <string>

#include <nlohmann/json.hpp>

namespace mlstrat::report::detail {

extern const char* const kReviewStyle;
extern const char* const kReviewScript;

/// The whole page: `data` holds kind ("errors" or "labels"), key, cards and what the script
/// reads; `meta` is one line of plain text under the title.
std::string render_review(const nlohmann::json& data, const std::string& title,
                          const std::string& meta);

/// XXH3-64 of `bytes` as 16 hex digits.
std::string content_key(std::string_view bytes);

}  // namespace mlstrat::report::detail
