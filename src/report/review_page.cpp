// The frame of a review page: a sticky bar (progress, new tag, export, keys), the cards the script
// draws, and the live tally beside them. Everything the page needs is inline, so the one file
// works offline and can be mailed.

#include "report/review_page.hpp"

#include <fmt/format.h>
#include <xxhash.h>

#include "mlstrat/report.hpp"

namespace mlstrat::report::detail {

std::string content_key(std::string_view bytes) {
    return fmt::format("{:016x}", XXH3_64bits(bytes.data(), bytes.size()));
}

std::string render_review(const nlohmann::json& data, const std::string& title,
                          const std::string& meta) {
    const bool errors = data.at("kind") == "errors";
    std::string bar = R"(<span id="progress">0 reviewed</span>)";
    if (errors) {
        bar +=
            R"(<span><input type="text" id="new-tag" placeholder="new tag" aria-label="new tag">)"
            R"( <button type="button" id="add-tag">Add tag</button> <span id="tag-message"></span></span>)";
    }
    bar += R"(<button type="button" id="export">Export</button>)";
    bar +=
        errors
            ? R"(<span class="keys"><kbd>1</kbd>–<kbd>9</kbd> toggle tags · <kbd>m</kbd> mislabeled · )"
              R"(<kbd>0</kbd> nothing applies · <kbd>j</kbd>/<kbd>k</kbd> or arrows move · )"
              R"(<kbd>c</kbd> comment · <kbd>Esc</kbd> leaves it</span>)"
            : R"(<span class="keys"><kbd>w</kbd> wrong label · <kbd>r</kbd> right · <kbd>u</kbd> unsure · )"
              R"(<kbd>j</kbd>/<kbd>k</kbd> or arrows move · <kbd>c</kbd> comment · <kbd>Esc</kbd> leaves it</span>)";
    std::string aside =
        errors ? "<h2>Tally</h2><p>dev error <input type=\"text\" id=\"dev-error\" value=\"" +
                     escape_html(data.value("error_text", "")) + "\" placeholder=\"10%\"></p>"
               : "<h2>Verdicts</h2>";
    return fmt::format(
        "<!doctype html>\n<html lang=\"en\" data-review=\"loading\">\n<head>\n<meta "
        "charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, "
        "initial-scale=1\">\n<title>{0}</title>\n"
        "<style>{1}</style>\n</head>\n<body>\n<header class=\"top\"><h1>{0}</h1><p "
        "class=\"meta\">{2}</p>"
        "<div class=\"bar\">{3}</div></header>\n<div class=\"layout\"><main id=\"cards\"></main>"
        "<aside id=\"tally\">{4}<div id=\"tally-body\"></div></aside></div>\n"
        "<script type=\"application/json\" id=\"review-data\">{5}</script>\n<script>{6}</script>\n"
        "</body>\n</html>\n",
        escape_html(title), kReviewStyle, escape_html(meta), bar, aside, script_json(data),
        kReviewScript);
}

}  // namespace mlstrat::report::detail
