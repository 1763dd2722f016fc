#pragma once
// What a review card shows of a table row (private to src/report/): its image as a thumbnail,
// or its text, the top three probabilities, and the other columns as name/value pairs.

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mlstrat/review.hpp"
#include "report/thumbnails.hpp"

namespace mlstrat::report::detail {

/// Which columns of a table a card shows, and how.
struct CardColumns {
    std::optional<std::size_t> image, text;
    std::vector<std::pair<std::size_t, std::string>> probs;  // column, class
    std::vector<std::size_t> kept;
};

/// A table's rows held whole (the rows a page shows), with their lines.
struct HeldRows {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> cells;
    std::vector<std::uint64_t> lines, indices;
    char delimiter = ',';
};

/// Reads every row of `path` whose 0-based index `wanted` accepts (all when it is empty).
HeldRows hold_rows(const std::string& path, const std::set<std::uint64_t>& wanted,
                   char delimiter = 0);

/// Chooses the image, text, probability and kept columns of `rows` by `options`; columns in
/// `shown` (label, prediction, marks) are not kept. Throws Error naming the option when a named
/// column is missing.
CardColumns choose_columns(const HeldRows& rows, const ReviewOptions& options,
                           const std::set<std::size_t>& shown, const std::string& path);

/// The folders relative image paths resolve in: the options', else the input's and the current.
std::vector<std::string> image_roots(const ReviewOptions& options, const std::string& input);

/// Sets `card`'s img (a data: URI), text, probs (the top three, largest first) and kept pairs
/// from row `r`; errors name `path`:line.
void fill_card(nlohmann::json& card, const HeldRows& rows, std::size_t r,
               const CardColumns& columns, Thumbnailer& thumbnails, const std::string& path);

}  // namespace mlstrat::report::detail
