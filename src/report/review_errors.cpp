// The error-analysis review page (1.2.1): one card per row of a review sheet, the tags and the
// mislabeled mark as checkboxes, exported back in the sheet's own layout.

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "mlstrat/report.hpp"
#include "mlstrat/review.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/io.hpp"
#include "mlstrat/support/text.hpp"
#include "report/review_cards.hpp"
#include "report/review_page.hpp"

namespace mlstrat::report {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::size_t sheet_column(const detail::HeldRows& rows, const char* name, const std::string& path) {
    auto it = std::find(rows.header.begin(), rows.header.end(), name);
    MLSTRAT_CHECK(it != rows.header.end(), where(path, 1), ": no column '", name,
                  "': not a review sheet as errors sample writes it (index, kept columns, label, "
                  "pred, tags, mislabeled, comments)");
    return static_cast<std::size_t>(it - rows.header.begin());
}

bool mark(const std::string& cell, const std::string& column, const std::string& at) {
    auto m = analysis::parse_mark(cell);
    MLSTRAT_CHECK(
        m.has_value(), at, ": column '", column, "' holds '", cell,
        "', not a mark (marked: x, 1, yes, y, true; unmarked: empty, 0, no, n, false, -)");
    return *m;
}

}  // namespace

nlohmann::json ReviewPage::to_json() const {
    return {{"kind", kind},
            {"source", source},
            {"cards", cards},
            {"images", images},
            {"left_out", left_out},
            {"key", key},
            {"export_name", export_name}};
}

std::uint64_t write_review(const ReviewPage& page, const std::string& path) {
    io::write_file_atomically(path, page.html);
    return page.html.size();
}

bool is_review_sheet(const std::string& path) {
    io::TableReader table(path);
    for (const char* name : {"label", "pred", "mislabeled", "comments"}) {
        if (!table.find_column(name)) return false;
    }
    return true;
}

ReviewPage error_review_page(const std::string& sheet_path, const ReviewOptions& options) {
    const detail::HeldRows rows = detail::hold_rows(sheet_path, {});
    const std::size_t label = sheet_column(rows, "label", sheet_path);
    const std::size_t pred = sheet_column(rows, "pred", sheet_path);
    const std::size_t mislabeled = sheet_column(rows, "mislabeled", sheet_path);
    const std::size_t comments = sheet_column(rows, "comments", sheet_path);
    MLSTRAT_CHECK(pred < mislabeled && mislabeled < comments, where(sheet_path, 1),
                  ": the sheet's columns are out of order; errors sample writes label, pred, the "
                  "tags, mislabeled, comments");
    MLSTRAT_CHECK(!rows.cells.empty(), where(sheet_path, 2),
                  ": the sheet has a header but no rows");
    std::set<std::size_t> shown = {label, pred, mislabeled, comments};
    const auto index_col = std::find(rows.header.begin(), rows.header.end(), "index");
    if (index_col != rows.header.end())
        shown.insert(static_cast<std::size_t>(index_col - rows.header.begin()));
    std::vector<std::size_t> tag_cols;
    json tags = json::array(), new_tags = json::array();
    for (std::size_t c = pred + 1; c < mislabeled; ++c) {
        tag_cols.push_back(c);
        tags.push_back(rows.header[c]);
        shown.insert(c);
    }
    for (const auto& t : options.tags) {
        MLSTRAT_CHECK(t.find(',') == std::string::npos, "--tags: '", t, "' holds a comma");
        const bool known =
            std::find(rows.header.begin(), rows.header.end(), t) != rows.header.end();
        const bool is_tag = std::find(tags.begin(), tags.end(), t) != tags.end();
        MLSTRAT_CHECK(!known || is_tag, "--tags: '", t, "' is a column of ", sheet_path,
                      " that is not a tag");
        if (!is_tag && std::find(new_tags.begin(), new_tags.end(), t) == new_tags.end()) {
            new_tags.push_back(t);
        }
    }
    const detail::CardColumns columns = detail::choose_columns(rows, options, shown, sheet_path);
    detail::Thumbnailer thumbnails(detail::image_roots(options, sheet_path), options.thumbnail);

    ReviewPage page;
    page.kind = "errors";
    page.source = sheet_path;
    json cards = json::array();
    std::uint64_t errors = 0;
    for (std::size_t r = 0; r < rows.cells.size(); ++r) {
        const auto& cells = rows.cells[r];
        const std::string at = where(sheet_path, rows.lines[r]);
        MLSTRAT_CHECK(!cells[label].empty() && !cells[pred].empty(), at, ": column '",
                      cells[label].empty() ? "label" : "pred",
                      "' is empty; every reviewed row needs its label and prediction");
        json card = {
            {"index", index_col != rows.header.end()
                          ? cells[static_cast<std::size_t>(index_col - rows.header.begin())]
                          : std::to_string(rows.indices[r])},
            {"label", cells[label]},
            {"pred", cells[pred]},
            {"correct", cells[label] == cells[pred]},
            {"cells", cells},
            {"mis", mark(cells[mislabeled], "mislabeled", at)},
            {"comment", cells[comments]}};
        json marks = json::array();
        for (std::size_t c : tag_cols) marks.push_back(mark(cells[c], rows.header[c], at));
        card["marks"] = std::move(marks);
        detail::fill_card(card, rows, r, columns, thumbnails, sheet_path);
        page.images += card.contains("img") ? 1 : 0;
        errors += cells[label] == cells[pred] ? 0 : 1;
        cards.push_back(std::move(card));
    }
    page.cards = cards.size();
    const std::string bytes = io::read_file(sheet_path);
    page.key = "errors:" + detail::content_key(bytes);
    const fs::path name = fs::path(sheet_path).filename();
    page.export_name =
        name.stem().string() + "_reviewed" + (rows.delimiter == '\t' ? ".tsv" : ".csv");

    json data = {{"kind", "errors"},
                 {"key", page.key},
                 {"export_name", page.export_name},
                 {"delimiter", std::string(1, rows.delimiter)},
                 {"columns", rows.header},
                 {"tag_cols", tag_cols},
                 {"tags", tags},
                 {"new_tags", new_tags},
                 {"mislabeled_col", mislabeled},
                 {"comments_col", comments},
                 {"worth_fixing_share", analysis::kWorthFixingShare},
                 {"error_text", options.error ? text::percent(*options.error) : ""},
                 {"cards", std::move(cards)}};
    const std::string title =
        options.title.empty() ? "Error analysis: " + name.string() : options.title;
    const std::string meta = fmt::format(
        "{} cards from {} ({} misclassified, {} correct). Tick what applies to each error; marks "
        "stay in this browser. Export downloads {} for mlstrat errors tally.",
        page.cards, sheet_path, errors, page.cards - errors, page.export_name);
    page.html = detail::render_review(data, title, meta);
    return page;
}

ReviewPage error_review_from_predictions(const std::string& pred_path,
                                         analysis::SampleOptions sample,
                                         const std::string& sheet_path,
                                         const ReviewOptions& options,
                                         analysis::SampleReport* sampled) {
    // Every column but the label and the prediction rides along: the image, the probabilities
    // and the metadata the cards show.
    std::vector<std::string> header;
    {
        io::TableReader table(pred_path, sample.table);
        header = table.header();
        table.column(sample.label_col);
        table.column(sample.pred_col);
    }
    const std::set<std::string> reserved = {"index", "label", "pred", "mislabeled", "comments"};
    for (const auto& c : header) {
        if (c == sample.label_col || c == sample.pred_col || c == sample.path_col) continue;
        if (reserved.contains(c) ||
            std::find(sample.tags.begin(), sample.tags.end(), c) != sample.tags.end()) {
            continue;
        }
        if (std::find(sample.keep_cols.begin(), sample.keep_cols.end(), c) ==
            sample.keep_cols.end()) {
            sample.keep_cols.push_back(c);
        }
    }
    ReviewOptions page_options = options;
    page_options.tags.clear();  // they are the sheet's columns now
    if (page_options.image_roots.empty())
        page_options.image_roots = detail::image_roots(options, pred_path);
    analysis::SampleReport report = analysis::sample_errors(pred_path, sheet_path, sample);
    if (sampled != nullptr) *sampled = report;
    return error_review_page(sheet_path, page_options);
}

}  // namespace mlstrat::report
