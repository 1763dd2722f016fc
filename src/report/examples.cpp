// The report's strips of examples: what the error numbers are made of, shown. The misclassified
// examples are the ones with the smallest hash of their row index (the same every time, and
// spread over the file), the label issues the least self-confident; both are bounded, so the
// report's size does not grow with the data.

#include "report/examples.hpp"

#include <fmt/format.h>
#include <xxhash.h>

#include <algorithm>
#include <filesystem>
#include <queue>

#include "mlstrat/report.hpp"
#include "mlstrat/support/error.hpp"
#include "report/format.hpp"
#include "report/review_cards.hpp"
#include "report/thumbnails.hpp"

namespace mlstrat::report::detail {

namespace {

// Thumbnails in the report are small: a strip is for recognising, the review page for looking.
constexpr unsigned kThumbnail = 64;

struct Picked {
    std::uint64_t key = 0, index = 0, line = 0;
    std::vector<std::string> cells;
    bool operator<(const Picked& other) const {
        return key != other.key ? key < other.key : index < other.index;
    }
};

std::string h(std::string_view text) { return escape_html(text); }

std::string thousands(std::uint64_t n) {
    std::string digits = std::to_string(n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

// The first column of `cells` (not among `skip`) holding an image reference.
std::optional<std::size_t> image_column(const std::vector<std::string>& cells,
                                        const std::set<std::size_t>& skip) {
    for (std::size_t c = 0; c < cells.size(); ++c) {
        if (!skip.contains(c) && looks_like_image(cells[c])) return c;
    }
    return std::nullopt;
}

// Sets each example's thumbnail; a reference that does not resolve leaves them all out, with
// the reason in the strip's note (the strip illustrates; it does not judge the data).
void add_thumbnails(ExampleStrip& strip, const std::vector<std::string>& refs,
                    const std::vector<std::uint64_t>& lines) {
    Thumbnailer thumbnails(image_roots({}, strip.source), kThumbnail);
    try {
        for (std::size_t k = 0; k < strip.examples.size(); ++k) {
            if (!refs[k].empty()) {
                strip.examples[k].thumbnail =
                    thumbnails.data_uri(refs[k], where(strip.source, lines[k]));
            }
        }
    } catch (const Error& e) {
        for (auto& ex : strip.examples) ex.thumbnail.clear();
        strip.note = std::string("no thumbnails: ") + e.what();
    }
}

ExampleStrip error_strip(const std::string& path, const std::string& run,
                         const io::TableOptions& options) {
    io::TableReader table(path, options);
    const std::size_t label = table.column("label"), pred = table.column("pred");
    const auto id = table.find_column("id");
    std::vector<std::size_t> all(table.header().size());
    for (std::size_t c = 0; c < all.size(); ++c) all[c] = c;
    std::vector<std::priority_queue<Picked>> heaps(table.threads());
    std::vector<std::uint64_t> errors(table.threads(), 0);
    table.scan(all, [&](unsigned w, const io::RowBatch& b) {
        for (std::size_t r = 0; r < b.size(); ++r) {
            if (b.cell(r, label) == b.cell(r, pred)) continue;
            ++errors[w];
            const std::uint64_t index = b.row_index(r);
            const std::uint64_t key = XXH3_64bits(&index, sizeof index);
            auto& heap = heaps[w];
            if (heap.size() == kStripErrors && !(Picked{key, index, 0, {}} < heap.top())) continue;
            Picked p{key, index, b.line(r), {}};
            for (std::size_t c = 0; c < all.size(); ++c) p.cells.emplace_back(b.cell(r, c));
            heap.push(std::move(p));
            if (heap.size() > kStripErrors) heap.pop();
        }
    });
    std::vector<Picked> picked;
    ExampleStrip strip;
    strip.run = run;
    strip.source = path;
    for (std::size_t w = 0; w < heaps.size(); ++w) {
        strip.total += errors[w];
        for (; !heaps[w].empty(); heaps[w].pop()) picked.push_back(heaps[w].top());
    }
    std::sort(picked.begin(), picked.end());
    if (picked.size() > kStripErrors) picked.resize(kStripErrors);
    std::sort(picked.begin(), picked.end(),
              [](const Picked& a, const Picked& b) { return a.index < b.index; });
    std::optional<std::size_t> image;
    if (!picked.empty()) image = image_column(picked.front().cells, {label, pred});
    std::vector<std::string> refs;
    std::vector<std::uint64_t> lines;
    for (const auto& p : picked) {
        strip.examples.push_back(
            {p.index, id ? p.cells[*id] : "", p.cells[label], p.cells[pred], std::nullopt, ""});
        refs.push_back(image ? p.cells[*image] : "");
        lines.push_back(p.line);
    }
    add_thumbnails(strip, refs, lines);
    return strip;
}

ExampleStrip label_strip(const std::string& path, const std::string& run,
                         const io::TableOptions& options) {
    analysis::LabelOptions labels;
    labels.prob_cols = "p_*";
    labels.table = options;
    const analysis::LabelReport issues = analysis::find_label_issues(path, labels);
    ExampleStrip strip;
    strip.run = run;
    strip.source = path;
    strip.total = issues.issues.size();
    std::set<std::uint64_t> wanted;
    for (std::size_t k = 0; k < std::min(kStripIssues, issues.issues.size()); ++k) {
        wanted.insert(issues.issues[k].index);
    }
    if (wanted.empty()) return strip;
    const HeldRows rows = hold_rows(path, wanted, options.delimiter);
    std::set<std::size_t> skip;
    std::optional<std::size_t> id;
    for (std::size_t c = 0; c < rows.header.size(); ++c) {
        if (rows.header[c] == "label" || rows.header[c] == "pred") skip.insert(c);
        if (rows.header[c] == "id") id = c;
    }
    const auto image = image_column(rows.cells.front(), skip);
    std::vector<std::string> refs;
    std::vector<std::uint64_t> lines;
    for (std::size_t k = 0; k < wanted.size(); ++k) {
        const auto& issue = issues.issues[k];
        const std::size_t r = static_cast<std::size_t>(
            std::find(rows.indices.begin(), rows.indices.end(), issue.index) -
            rows.indices.begin());
        strip.examples.push_back({issue.index, id ? rows.cells[r][*id] : "",
                                  issues.classes[issue.given], issues.classes[issue.suggested],
                                  issue.self_confidence, ""});
        refs.push_back(image ? rows.cells[r][*image] : "");
        lines.push_back(rows.lines[r]);
    }
    add_thumbnails(strip, refs, lines);
    return strip;
}

std::string strip_html(const ExampleStrip& s, bool errors) {
    std::string out = "<div class=\"strip\">";
    for (const auto& ex : s.examples) {
        out += "<figure class=\"example\">";
        if (!ex.thumbnail.empty()) {
            out +=
                "<img alt=\"row " + std::to_string(ex.index) + "\" src=\"" + ex.thumbnail + "\">";
        }
        out += "<figcaption><span class=\"t\">" + h(ex.label) + "</span> → <span class=\"p\">" +
               h(ex.other) + (errors ? "" : "?") + "</span>";
        out += "<span class=\"i\">" + h(ex.id.empty() ? "row " + std::to_string(ex.index) : ex.id);
        if (ex.self_confidence) out += " · " + h(rate(*ex.self_confidence));
        out += "</span></figcaption></figure>";
    }
    out += "</div>\n";
    if (!s.note.empty()) out += "<p class=\"omitted\">" + h(s.note) + "</p>\n";
    return out;
}

std::string whose(const ExampleStrip& s) {
    return (s.run.empty() ? std::string() : "Run <b>" + h(s.run) + "</b>, ") + "<code>" +
           h(s.source) + "</code>: ";
}

}  // namespace

void add_examples(Report& report, const std::string& pred_path, const std::string& run,
                  const io::TableOptions& table) {
    report.error_examples = error_strip(pred_path, run, table);
    bool probabilities = false;
    {
        io::TableReader reader(pred_path, table);
        std::size_t count = 0;
        for (const auto& name : reader.header()) count += name.starts_with("p_") ? 1 : 0;
        probabilities = count >= 2;
    }
    if (probabilities) {
        report.label_examples = label_strip(pred_path, run, table);
    } else {
        report.omitted.push_back(
            {"label-examples", pred_path + " has no probability columns (p_*)"});
    }
}

std::string examples_html(const Report& r) {
    std::string out;
    if (r.error_examples) {
        const auto& s = *r.error_examples;
        out +=
            "<section id=\"error-examples\"><h2>Misclassified examples</h2>\n<p class=\"lead\">" +
            whose(s) + thousands(s.total) + " errors; ";
        out += s.total > s.examples.size()
                   ? fmt::format("a sample of {} (the same every time), true label → predicted.",
                                 s.examples.size())
                   : std::string("all of them, true label → predicted.");
        out += " <code>mlstrat errors review</code> makes a page to tag them.</p>\n" +
               strip_html(s, true) + "</section>\n";
    }
    if (r.label_examples) {
        const auto& s = *r.label_examples;
        out += "<section id=\"label-examples\"><h2>Likely label errors</h2>\n<p class=\"lead\">" +
               whose(s) + thousands(s.total) + " labels flagged by confident learning";
        if (!s.examples.empty()) {
            out += fmt::format(
                "; the {} least self-confident, given label → suggested, with the "
                "model's probability of the given one",
                s.examples.size());
        }
        out += ". <code>mlstrat labels --review</code> makes a page to check them.</p>\n" +
               strip_html(s, false) + "</section>\n";
    }
    for (const auto& o : r.omitted) {
        if (o.section == "label-examples") {
            out += "<p class=\"omitted\"><b>Likely label errors</b> left out: " + h(o.note) +
                   ".</p>\n";
        }
    }
    return out;
}

}  // namespace mlstrat::report::detail
