// The "flight simulator": generated project states whose right answers come from the same
// engines the commands use (diagnose for the focus, select for the pick). Random numbers come
// from splitmix64 and integer arithmetic only, so a seed gives the same cases everywhere.

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "common/random.hpp"
#include "diagnose/format.hpp"
#include "mlstrat/diagnose.hpp"
#include "mlstrat/select.hpp"
#include "mlstrat/support/error.hpp"

namespace mlstrat::diagnose {

using detail::pct;

namespace {

using Rng = ::mlstrat::detail::SplitMix64;

// Rates are drawn in tenths of a percent so that prompts show round numbers.
double tenths(int t) { return t / 1000.0; }

const char* const kFocusChoices[] = {"avoidable_bias", "variance", "data_mismatch",
                                     "dev_overfitting", "unclear"};

DrillCase focus_case(Rng& rng) {
    static const int kHuman[] = {0, 5, 10, 30, 75};  // tenths of a percent
    const int target = rng.between(0, 4);            // 4: past human level
    DiagnoseInput in;
    const int human = kHuman[rng.between(0, 4)];
    in.human_levels = {{"human", tenths(human)}};
    const int big = rng.between(30, 100);
    auto small = [&] { return rng.between(0, 12); };
    const int bias = target == 0 ? big : small();
    const int variance = target == 1 ? big : small();
    const int mismatch = target == 2 ? big : small();
    const int overfit = target == 3 ? big : small();
    int train = human + bias;
    if (target == 4) {
        // The notes' second surpassing case: training error below the best human level.
        const int team = std::max(human, 5);
        in.human_levels = {{"team of experts", tenths(team)}, {"one expert", tenths(team + 5)}};
        train = std::max(1, team - rng.between(1, team / 5 + 1));
    }
    in.train_error = tenths(train);
    in.train_dev_error = tenths(train + variance);
    in.dev_error = tenths(train + variance + mismatch);
    if (target == 3 || rng.between(0, 1) == 1) {
        in.test_error = tenths(train + variance + mismatch + overfit);
    }
    DiagnoseReport r = diagnose(in);

    DrillCase c;
    c.kind = "focus";
    std::string levels;
    for (const auto& h : in.human_levels) {
        levels += (levels.empty() ? "" : ", ") + h.name + " " + pct(h.error);
    }
    c.prompt = fmt::format(
        "Human level: {}.\nTraining error {}, train-dev error {}, dev error {}{}.\n"
        "What should the team work on first? ({})",
        levels, pct(*in.train_error), pct(*in.train_dev_error), pct(*in.dev_error),
        in.test_error ? ", test error " + pct(*in.test_error) : std::string(),
        "avoidable_bias, variance, data_mismatch, dev_overfitting or unclear");
    c.choices.assign(std::begin(kFocusChoices), std::end(kFocusChoices));
    c.expected = r.focus;
    c.explanation = r.notes.empty() ? std::string() : r.notes.front();
    if (r.focus == "unclear") {
        for (const auto& n : r.notes) {
            if (n.find("surpassed") != std::string::npos ||
                n.find("unclear") != std::string::npos) {
                c.explanation = n;
                break;
            }
        }
    } else if (!r.tactics.empty()) {
        std::string t;
        for (const auto& x : r.tactics) t += (t.empty() ? "" : "; ") + x;
        c.explanation += " Tactics: " + t + ".";
    }
    c.state = r.to_json();
    return c;
}

DrillCase tally_case(Rng& rng) {
    static const char* const kTags[] = {"dogs", "great cats", "blurry images",
                                        "incorrectly labeled", "Instagram filters"};
    const int dev_error = rng.between(5, 20);  // percent
    const int examined = 100;
    std::vector<int> counts(std::size(kTags));
    int best = 0;
    do {
        for (auto& n : counts) n = rng.between(2, 65);
        best = static_cast<int>(std::max_element(counts.begin(), counts.end()) - counts.begin());
    } while (std::count(counts.begin(), counts.end(), counts[best]) > 1);

    DrillCase c;
    c.kind = "tally";
    std::string table;
    nlohmann::json tags = nlohmann::json::object();
    for (std::size_t i = 0; i < counts.size(); ++i) {
        table += fmt::format("  {:<20} {:>3} of {}\n", kTags[i], counts[i], examined);
        tags[kTags[i]] = counts[i];
        c.choices.emplace_back(kTags[i]);
    }
    c.prompt = fmt::format(
        "Dev error is {}%. You examined {} misclassified dev examples and tagged them (an "
        "example may carry several tags):\n{}Which category is worth working on first?",
        dev_error, examined, table);
    c.expected = kTags[best];
    const double share = counts[best] / static_cast<double>(examined);
    std::string name = kTags[best];
    name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
    c.explanation = fmt::format(
        "{}: {} of the {} examined errors, the largest share. Fixing all of them could lower dev "
        "error by at most {} of {} (from {}% to {}); every other category has a lower ceiling.",
        name, counts[best], examined, pct(share), pct(dev_error / 100.0), dev_error,
        pct(dev_error / 100.0 * (1.0 - share)));
    c.state = {{"dev_error", dev_error / 100.0}, {"examined", examined}, {"tags", tags}};
    return c;
}

DrillCase pick_case(Rng& rng) {
    const int models = rng.between(3, 5);
    const int limit = 50 * rng.between(1, 4);  // ms
    select::Candidates table;
    table.source = "drill";
    table.columns = {"name", "accuracy", "running_time_ms"};
    std::string rows;
    std::optional<select::SelectReport> report;
    do {
        table.names.clear();
        table.cells.clear();
        table.lines.clear();
        rows.clear();
        for (int m = 0; m < models; ++m) {
            std::string name(1, static_cast<char>('A' + m));
            int accuracy = rng.between(850, 985);  // tenths of a percent
            int ms = 10 * rng.between(2, 40);
            table.names.push_back(name);
            table.cells.push_back(
                {name, fmt::format("{:.3f}", accuracy / 1000.0), std::to_string(ms)});
            table.lines.push_back(0);
            rows += fmt::format("  {}  accuracy {:>6}  running time {:>4} ms\n", name,
                                pct(accuracy / 1000.0), ms);
        }
        select::SelectOptions options;
        options.objective = select::Objective{"accuracy", select::Direction::Maximize};
        options.constraints = {
            select::parse_constraint("running_time_ms<=" + std::to_string(limit))};
        report = select::select(table, options);
        // A drill needs a winner, and a tie would have two right answers.
    } while (!report->winner || (report->ranking.size() > 1 && report->ranking[1].feasible &&
                                 report->ranking[1].value == report->ranking[0].value));

    DrillCase c;
    c.kind = "pick";
    c.prompt = fmt::format(
        "Accuracy is the optimizing metric; running time must be at most {} ms (satisficing).\n{}"
        "Which model do you ship?",
        limit, rows);
    c.choices = table.names;
    c.expected = *report->winner;
    c.explanation = report->notes.front();
    std::string excluded;
    for (const auto& r : report->ranking) {
        if (!r.feasible) excluded += (excluded.empty() ? "" : ", ") + r.name;
    }
    if (!excluded.empty()) {
        c.explanation += " Too slow, however accurate: " + excluded + ".";
    }
    c.state = report->to_json();
    return c;
}

std::string normalize(std::string_view text) {
    std::string out;
    for (char ch : text) {
        unsigned char u = static_cast<unsigned char>(ch);
        if (std::isspace(u) || ch == '-' || ch == '_') {
            if (!out.empty() && out.back() != '_') out += '_';
        } else {
            out += static_cast<char>(std::tolower(u));
        }
    }
    while (!out.empty() && out.back() == '_') out.pop_back();
    return out;
}

}  // namespace

std::vector<DrillCase> generate_drill(std::uint64_t seed, std::size_t count) {
    MLSTRAT_CHECK(count > 0 && count <= 1000, "--count: ", count, " is not in 1..1000");
    Rng rng(seed);
    std::vector<DrillCase> cases;
    for (std::size_t i = 0; i < count; ++i) {
        int kind = rng.between(0, 3);  // focus twice as often: it is the heart of the course
        if (kind <= 1) {
            cases.push_back(focus_case(rng));
        } else if (kind == 2) {
            cases.push_back(tally_case(rng));
        } else {
            cases.push_back(pick_case(rng));
        }
    }
    return cases;
}

bool drill_answer_matches(const DrillCase& drill_case, const std::string& answer) {
    std::string a = normalize(answer);
    if (a.empty()) return false;
    if (std::all_of(a.begin(), a.end(), [](char ch) { return ch >= '0' && ch <= '9'; }) &&
        a.size() < 4) {
        std::size_t k = static_cast<std::size_t>(std::stoi(a));
        if (k >= 1 && k <= drill_case.choices.size()) a = normalize(drill_case.choices[k - 1]);
    }
    if (a == "bias") a = "avoidable_bias";
    if (a == "mismatch") a = "data_mismatch";
    if (a == "overfitting" || a == "dev_set_overfitting") a = "dev_overfitting";
    return a == normalize(drill_case.expected);
}

}  // namespace mlstrat::diagnose
