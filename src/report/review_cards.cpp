// The contents of a review card, shared by the error and the label pages.

#include "report/review_cards.hpp"

#include <algorithm>
#include <filesystem>

#include "mlstrat/support/error.hpp"
#include "mlstrat/support/io.hpp"
#include "mlstrat/support/parse.hpp"

namespace mlstrat::report::detail {

namespace {

// The class a column stands for under a glob with one '*' ("p_*" and "p_Coat" give "Coat").
std::optional<std::string> glob_class(std::string_view glob, std::string_view column) {
    const auto star = glob.find('*');
    if (star == std::string_view::npos) return std::nullopt;
    const std::string_view prefix = glob.substr(0, star), suffix = glob.substr(star + 1);
    if (column.size() <= prefix.size() + suffix.size() || !column.starts_with(prefix) ||
        !column.ends_with(suffix)) {
        return std::nullopt;
    }
    return std::string(column.substr(prefix.size(), column.size() - prefix.size() - suffix.size()));
}

std::size_t named(const HeldRows& rows, const std::string& name, const char* flag,
                  const std::string& path) {
    auto it = std::find(rows.header.begin(), rows.header.end(), name);
    MLSTRAT_CHECK(it != rows.header.end(), where(path, 1), ": ", flag, ": no column '", name,
                  "' in the header");
    return static_cast<std::size_t>(it - rows.header.begin());
}

}  // namespace

HeldRows hold_rows(const std::string& path, const std::set<std::uint64_t>& wanted, char delimiter) {
    io::TableOptions options;
    options.delimiter = delimiter;
    io::TableReader table(path, options);
    HeldRows rows;
    rows.header = table.header();
    rows.delimiter = table.delimiter();
    std::vector<std::size_t> all(rows.header.size());
    for (std::size_t c = 0; c < all.size(); ++c) all[c] = c;
    table.scan(
        all,
        [&](unsigned, const io::RowBatch& batch) {
            for (std::size_t r = 0; r < batch.size(); ++r) {
                if (!wanted.empty() && !wanted.contains(batch.row_index(r))) continue;
                std::vector<std::string> cells;
                for (std::size_t c = 0; c < all.size(); ++c) cells.emplace_back(batch.cell(r, c));
                rows.cells.push_back(std::move(cells));
                rows.lines.push_back(batch.line(r));
                rows.indices.push_back(batch.row_index(r));
            }
        },
        io::ScanOrder::File);
    return rows;
}

CardColumns choose_columns(const HeldRows& rows, const ReviewOptions& options,
                           const std::set<std::size_t>& shown, const std::string& path) {
    CardColumns columns;
    if (!options.image_col.empty()) {
        columns.image = named(rows, options.image_col, "--image-col", path);
    } else if (!rows.cells.empty()) {
        for (std::size_t c = 0; c < rows.header.size() && !columns.image; ++c) {
            if (!shown.contains(c) && looks_like_image(rows.cells.front()[c])) columns.image = c;
        }
    }
    if (!options.text_col.empty()) {
        columns.text = named(rows, options.text_col, "--text-col", path);
    } else if (!columns.image) {
        auto it = std::find(rows.header.begin(), rows.header.end(), "text");
        if (it != rows.header.end())
            columns.text = static_cast<std::size_t>(it - rows.header.begin());
    }
    for (std::size_t c = 0; c < rows.header.size(); ++c) {
        if (shown.contains(c) || c == columns.image || c == columns.text) continue;
        if (auto cls = glob_class(options.prob_cols, rows.header[c])) {
            columns.probs.emplace_back(c, *cls);
        } else {
            columns.kept.push_back(c);
        }
    }
    return columns;
}

std::vector<std::string> image_roots(const ReviewOptions& options, const std::string& input) {
    if (!options.image_roots.empty()) return options.image_roots;
    const std::string folder = std::filesystem::path(input).parent_path().string();
    return {folder.empty() ? "." : folder, "."};
}

void fill_card(nlohmann::json& card, const HeldRows& rows, std::size_t r,
               const CardColumns& columns, Thumbnailer& thumbnails, const std::string& path) {
    const auto& cells = rows.cells[r];
    const std::string at = where(path, rows.lines[r]);
    if (columns.image) card["img"] = thumbnails.data_uri(cells[*columns.image], at);
    if (columns.text) card["text"] = cells[*columns.text];
    std::vector<std::pair<double, std::string>> probs;
    for (const auto& [c, cls] : columns.probs) {
        const std::string& cell = cells[c];
        auto p = try_parse_number(cell);
        MLSTRAT_CHECK(p && *p >= 0.0 && *p <= 1.0, at, ": column '", rows.header[c], "' holds '",
                      cell, "', not a probability");
        probs.emplace_back(*p, cls);
    }
    // Largest first; equal probabilities keep the columns' order.
    std::stable_sort(probs.begin(), probs.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    if (probs.size() > 3) probs.resize(3);
    card["probs"] = nlohmann::json::array();
    for (const auto& [p, cls] : probs) card["probs"].push_back({cls, p});
    card["kept"] = nlohmann::json::array();
    for (std::size_t c : columns.kept) card["kept"].push_back({rows.header[c], cells[c]});
}

}  // namespace mlstrat::report::detail
