// The label-review page (1.2.1, cleaning up incorrectly labeled data): the examples `labels`
// flags, least self-confident first, each for a person's verdict, exported as the corrections
// `labels apply` reads.

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "analysis/labels/prob_matrix.hpp"
#include "mlstrat/review.hpp"
#include "mlstrat/support/error.hpp"
#include "report/review_cards.hpp"
#include "report/review_page.hpp"

namespace mlstrat::report {

namespace {

using nlohmann::json;

// The top three probabilities of data row `index` of a .npy file, largest first.
json npy_top3(const analysis::ProbMatrix& probs, std::uint64_t index,
              const std::vector<std::string>& classes) {
    std::vector<double> buffer;
    const double* row = probs.read_rows(index, 1, buffer);
    std::vector<std::size_t> order(probs.classes);
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return row[a] > row[b]; });
    json top = json::array();
    for (std::size_t k = 0; k < std::min<std::size_t>(3, order.size()); ++k) {
        top.push_back({classes[order[k]], row[order[k]]});
    }
    return top;
}

}  // namespace

ReviewPage label_review_page(const analysis::LabelReport& issues, const std::string& table_path,
                             const analysis::LabelOptions& labels, const ReviewOptions& options) {
    MLSTRAT_CHECK(!issues.multi_label,
                  "--review: the review page takes one label per example, not --multi-label sets");
    const std::size_t shown_issues = std::min(issues.issues.size(), options.max_cards);
    std::set<std::uint64_t> wanted;
    for (std::size_t k = 0; k < shown_issues; ++k) wanted.insert(issues.issues[k].index);
    ReviewPage page;
    page.kind = "labels";
    page.source = table_path;
    page.left_out = issues.issues.size() - shown_issues;

    detail::HeldRows rows;
    if (!wanted.empty()) rows = detail::hold_rows(table_path, wanted, labels.table.delimiter);
    std::map<std::uint64_t, std::size_t> position;
    for (std::size_t r = 0; r < rows.indices.size(); ++r) position[rows.indices[r]] = r;
    std::set<std::size_t> shown;
    for (std::size_t c = 0; c < rows.header.size(); ++c) {
        if (rows.header[c] == labels.label_col || rows.header[c] == labels.id_col) shown.insert(c);
    }
    ReviewOptions card_options = options;
    if (!labels.prob_cols.empty()) card_options.prob_cols = labels.prob_cols;
    const detail::CardColumns columns =
        detail::choose_columns(rows, card_options, shown, table_path);
    detail::Thumbnailer thumbnails(detail::image_roots(options, table_path), options.thumbnail);
    analysis::ProbMatrix npy;
    if (!labels.npy_path.empty()) npy = analysis::open_npy(labels.npy_path);

    json cards = json::array();
    std::string content;
    for (std::size_t k = 0; k < shown_issues; ++k) {
        const analysis::LabelIssue& issue = issues.issues[k];
        const std::size_t r = position.at(issue.index);
        json card = {{"index", issue.index},
                     {"given", issues.classes[issue.given]},
                     {"suggested", issues.classes[issue.suggested]},
                     {"confidence", issue.self_confidence}};
        if (!issues.ids.empty()) card["id"] = issues.ids[k];
        detail::fill_card(card, rows, r, columns, thumbnails, table_path);
        if (!labels.npy_path.empty()) card["probs"] = npy_top3(npy, issue.index, issues.classes);
        page.images += card.contains("img") ? 1 : 0;
        content += fmt::format("{},{},{},{}\n", issue.index, issue.given, issue.suggested,
                               rows.cells[r].empty() ? "" : rows.cells[r].front());
        cards.push_back(std::move(card));
    }
    page.cards = cards.size();
    page.key = "labels:" + detail::content_key(table_path + "\n" + content);
    const std::filesystem::path name = std::filesystem::path(table_path).filename();
    std::string stem = name.string();
    for (const char* ext : {".gz", ".csv", ".tsv", ".tab"}) {
        if (stem.ends_with(ext)) stem.resize(stem.size() - std::string_view(ext).size());
    }
    page.export_name = stem + "_corrections.csv";

    json data = {{"kind", "labels"},
                 {"key", page.key},
                 {"export_name", page.export_name},
                 {"delimiter", ","},
                 {"classes", issues.classes},
                 {"flagged", issues.issues.size()},
                 {"rows", issues.rows},
                 {"worth_fixing_share", analysis::kWorthFixingShare},
                 {"cards", std::move(cards)}};
    const std::string title =
        options.title.empty() ? "Label review: " + name.string() : options.title;
    std::string meta = fmt::format(
        "{} of the {} examples confident learning flags in {} ({} rows), least self-confident "
        "first. Decide for each whether its label is wrong; verdicts stay in this browser. Export "
        "downloads {} for mlstrat labels apply.",
        page.cards, issues.issues.size(), table_path, issues.rows, page.export_name);
    if (page.left_out > 0) {
        meta +=
            fmt::format(" The {} least suspicious flagged examples are left out (--review-max).",
                        page.left_out);
    }
    page.html = detail::render_review(data, title, meta);
    return page;
}

}  // namespace mlstrat::report
