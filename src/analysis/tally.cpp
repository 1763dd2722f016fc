// errors tally: the share of reviewed errors per idea, its interval, the ceiling on the error
// once it is fixed, and whether incorrectly labeled examples are worth cleaning up.

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "mlstrat/analysis.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/text.hpp"

namespace mlstrat::analysis {

namespace {

std::string pct(double rate) { return text::percent(rate); }

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

}  // namespace

std::optional<bool> parse_mark(std::string_view cell) {
    while (!cell.empty() && (cell.front() == ' ' || cell.front() == '\t')) cell.remove_prefix(1);
    while (!cell.empty() && (cell.back() == ' ' || cell.back() == '\t')) cell.remove_suffix(1);
    const std::string c = lower(cell);
    if (c == "x" || c == "1" || c == "yes" || c == "y" || c == "true" || c == "\u2713" ||
        c == "\u2714") {
        return true;
    }
    if (c.empty() || c == "0" || c == "no" || c == "n" || c == "false" || c == "-") return false;
    return std::nullopt;
}

TallyReport make_tally(std::uint64_t reviewed, const std::vector<TagCount>& tags,
                       std::optional<std::uint64_t> mislabeled, const TallyOptions& options) {
    MLSTRAT_CHECK(reviewed > 0,
                  "the sheet has no reviewed errors; mark some misclassified examples first");
    MLSTRAT_CHECK(options.error >= 0.0 && options.error <= 1.0, "--error: ", options.error,
                  " is not a rate in [0%, 100%]");
    stats::z_for_level(options.ci_level);  // validates the level
    const double n = static_cast<double>(reviewed);
    TallyReport r;
    r.reviewed = reviewed;
    r.error = options.error;
    r.ci_level = options.ci_level;
    for (const auto& t : tags) {
        MLSTRAT_CHECK(t.count <= reviewed, "tag '", t.tag, "' counts ", t.count, " of only ",
                      reviewed, " reviewed errors");
        TagTally tally;
        tally.tag = t.tag;
        tally.count = t.count;
        tally.share = static_cast<double>(t.count) / n;
        tally.share_ci = stats::wilson_interval(static_cast<double>(t.count), n, options.ci_level);
        tally.error_if_fixed = options.error * (1.0 - tally.share);
        r.categories.push_back(std::move(tally));
    }
    // Largest share first; equal shares keep the sheet's order.
    std::stable_sort(r.categories.begin(), r.categories.end(),
                     [](const TagTally& a, const TagTally& b) { return a.count > b.count; });

    if (mislabeled) {
        MLSTRAT_CHECK(*mislabeled <= reviewed, "the mislabeled column counts ", *mislabeled,
                      " of only ", reviewed, " reviewed errors");
        MislabeledTally m;
        m.count = *mislabeled;
        m.share = static_cast<double>(m.count) / n;
        m.share_ci = stats::wilson_interval(static_cast<double>(m.count), n, options.ci_level);
        m.error_due = options.error * m.share;
        m.other_causes = options.error - m.error_due;
        const std::string split = fmt::format(
            "incorrect labels cause {} of the {} dev error ({} of the reviewed errors), other "
            "causes {}",
            pct(m.error_due), pct(options.error), pct(m.share), pct(m.other_causes));
        if (options.resolution) {
            m.worth_fixing = m.error_due >= *options.resolution;
            m.reason = fmt::format(
                "{}; {} {} the {} difference between models you need to see, so fixing labels "
                "is {}",
                split, pct(m.error_due), m.worth_fixing ? "reaches" : "is below",
                pct(*options.resolution), m.worth_fixing ? "worth it" : "not worth it yet");
        } else {
            m.worth_fixing = m.share >= kWorthFixingShare;
            m.reason =
                fmt::format("{}; that is {} {} of the errors, so fixing labels is {}", split,
                            m.worth_fixing ? "at least" : "less than", pct(kWorthFixingShare),
                            m.worth_fixing ? "worth it" : "not worth it yet");
        }
        if (m.worth_fixing) {
            r.reminders = {
                "apply the same fixes to the dev and the test set, so they keep coming from the "
                "same distribution",
                "examine examples the model got right as well as the ones it got wrong "
                "(errors sample --correct)",
                "the training set may then come from a slightly different distribution; that is "
                "fine"};
        }
        r.mislabeled = std::move(m);
    }
    return r;
}

TallyReport tally_sheet(const std::string& sheet_path, const TallyOptions& options) {
    io::TableReader table(sheet_path);
    const auto& header = table.header();
    const auto label = table.find_column(options.label_col);
    const auto pred = table.find_column(options.pred_col);
    MLSTRAT_CHECK(label.has_value() == pred.has_value(), where(sheet_path, 1),
                  ": the sheet has a '", label ? options.label_col : options.pred_col,
                  "' column but no '", label ? options.pred_col : options.label_col,
                  "' column; give both (rows where they agree are correct examples) or neither");
    const auto mislabeled = table.find_column(options.mislabeled_col);

    std::vector<std::size_t> tag_cols;
    if (!options.tags.empty()) {
        for (const auto& t : options.tags) tag_cols.push_back(table.column(t));
    } else {
        // The layout errors sample writes: tags sit between `pred` and `mislabeled`/`comments`.
        // A sheet without `pred` (made by hand) has its first column as the example's name and
        // every other column but label, mislabeled and comments as a tag.
        const bool layout = pred.has_value();
        bool after_pred = !layout;
        for (std::size_t c = layout ? 0 : 1; c < header.size(); ++c) {
            const std::string& name = header[c];
            if (layout && c == *pred) {
                after_pred = true;
                continue;
            }
            if (name == options.mislabeled_col || name == "comments") {
                if (layout) break;
                continue;
            }
            // By name, so that a tag column appearing twice is refused rather than counted twice.
            if (after_pred && !(label && c == *label)) tag_cols.push_back(table.column(name));
        }
    }
    MLSTRAT_CHECK(!tag_cols.empty() || mislabeled.has_value(), where(sheet_path, 1),
                  ": no tag columns and no '", options.mislabeled_col,
                  "' column to tally (give --tags)");
    for (std::size_t c : tag_cols) {
        MLSTRAT_CHECK(!mislabeled || c != *mislabeled, where(sheet_path, 1), ": '", header[c],
                      "' is the mislabeled column; do not list it among the tags");
    }

    std::vector<std::size_t> columns = tag_cols;
    const std::size_t first_extra = columns.size();
    if (mislabeled) columns.push_back(*mislabeled);
    if (label) {
        columns.push_back(*label);
        columns.push_back(*pred);
    }
    const std::size_t width = columns.size();

    struct Counts {
        std::uint64_t reviewed = 0, correct = 0, mislabeled = 0;
        std::vector<std::uint64_t> tags;
    };
    std::vector<Counts> workers(table.threads());
    for (auto& w : workers) w.tags.assign(tag_cols.size(), 0);
    table.scan(columns, [&](unsigned wi, const io::RowBatch& batch) {
        Counts& w = workers[wi];
        for (std::size_t r = 0; r < batch.size(); ++r) {
            auto mark = [&](std::size_t col) {
                std::string_view cell = batch.cell(r, col);
                auto m = parse_mark(cell);
                if (!m) {
                    throw Error(where(batch.path(), batch.line(r)) + ": column '" +
                                header[columns[col]] + "' holds '" + std::string(cell) +
                                "', not a mark (marked: x, 1, yes, y, true, \u2713; unmarked: "
                                "empty, 0, no, n, false, -)");
                }
                return *m;
            };
            bool correct = false;
            if (label) {
                std::string_view l = batch.cell(r, width - 2), p = batch.cell(r, width - 1);
                if (l.empty() || p.empty()) {
                    throw Error(where(batch.path(), batch.line(r)) + ": column '" +
                                (l.empty() ? options.label_col : options.pred_col) +
                                "' is empty; every reviewed row needs its label and prediction");
                }
                correct = l == p;
            }
            // Marks are validated on every row, correct ones included.
            std::vector<bool> marked(tag_cols.size());
            for (std::size_t t = 0; t < tag_cols.size(); ++t) marked[t] = mark(t);
            const bool wrong_label = mislabeled ? mark(first_extra) : false;
            if (correct) {
                ++w.correct;
                continue;
            }
            ++w.reviewed;
            for (std::size_t t = 0; t < tag_cols.size(); ++t) w.tags[t] += marked[t] ? 1 : 0;
            w.mislabeled += wrong_label ? 1 : 0;
        }
    });

    Counts total;
    total.tags.assign(tag_cols.size(), 0);
    for (const auto& w : workers) {
        total.reviewed += w.reviewed;
        total.correct += w.correct;
        total.mislabeled += w.mislabeled;
        for (std::size_t t = 0; t < tag_cols.size(); ++t) total.tags[t] += w.tags[t];
    }
    MLSTRAT_CHECK(total.reviewed + total.correct > 0, where(sheet_path, 2),
                  ": the sheet has a header but no rows to tally");
    MLSTRAT_CHECK(total.reviewed > 0, sheet_path, ": every row has label = pred; the sheet has ",
                  total.correct, " correct examples but no misclassified ones to tally");
    std::uint64_t marks = total.mislabeled;
    for (auto c : total.tags) marks += c;
    MLSTRAT_CHECK(marks > 0, sheet_path, ": no cell of the tag or mislabeled columns is marked in ",
                  total.reviewed,
                  " reviewed errors; review the sheet (mark each idea that "
                  "applies with x) before tallying it");
    std::vector<TagCount> counts;
    for (std::size_t t = 0; t < tag_cols.size(); ++t) {
        counts.push_back({header[tag_cols[t]], total.tags[t]});
    }
    std::optional<std::uint64_t> wrong;
    if (mislabeled) wrong = total.mislabeled;
    TallyReport r = make_tally(total.reviewed, counts, wrong, options);
    r.correct_reviewed = total.correct;
    return r;
}

nlohmann::json TallyReport::to_json() const {
    using nlohmann::json;
    json j;
    j["reviewed"] = reviewed;
    j["correct_reviewed"] = correct_reviewed;
    j["error"] = error;
    j["ci_level"] = ci_level;
    j["categories"] = json::array();
    for (const auto& c : categories) {
        j["categories"].push_back({{"tag", c.tag},
                                   {"count", c.count},
                                   {"share", c.share},
                                   {"share_ci", nlohmann::json(c.share_ci)},
                                   {"error_if_fixed", c.error_if_fixed}});
    }
    if (mislabeled) {
        j["mislabeled"] = {{"count", mislabeled->count},
                           {"share", mislabeled->share},
                           {"share_ci", nlohmann::json(mislabeled->share_ci)},
                           {"error_due", mislabeled->error_due},
                           {"other_causes", mislabeled->other_causes},
                           {"worth_fixing", mislabeled->worth_fixing},
                           {"reason", mislabeled->reason}};
    } else {
        j["mislabeled"] = nullptr;
    }
    j["reminders"] = reminders;
    return j;
}

}  // namespace mlstrat::analysis
