// find_label_issues' arguments beyond filter_by against cleanlab's answers (fixtures made by
// tests/data/labels/make_rank_fixtures.py): the ranking scores, frac_noise,
// min_examples_per_class and num_to_remove_per_class, and every filter with multi-label data.

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "analysis/labels/confident_learning.hpp"
#include "analysis_helpers.hpp"
#include "label_fixtures.hpp"
#include "mlstrat/analysis.hpp"

namespace mlstrat::analysis {
namespace {

using nlohmann::json;
using test_util::case_probs;
using test_util::error_of;
using test_util::kLabelData;
using test_util::load_json;
using test_util::multi_label_case;

std::vector<std::uint64_t> ranked_indices(const LabelReport& report) {
    std::vector<std::uint64_t> out;
    for (const auto& issue : report.issues) out.push_back(issue.index);
    return out;
}

std::vector<std::string> class_names(std::size_t k) {
    std::vector<std::string> names;
    for (std::size_t c = 0; c < k; ++c) names.push_back(std::to_string(c));
    return names;
}

// cleanlab 2.9.0 orders the multi-label issues of the low_* filters by the argsort of their
// scores in index order applied to the issues in score order, which is no ranking; only their
// set is compared there (python/tests/test_labels_multi.py shows the permutation).
bool scrambled_by_cleanlab(const IssueOptions& issues) {
    return issues.filter_by == FilterBy::low_self_confidence ||
           issues.filter_by == FilterBy::low_normalized_margin;
}

TEST(LabelOptions, RankedByEachScoreMatchesCleanlabForEveryFilter) {
    const json cases = load_json(kLabelData + "cleanlab_cases.json");
    const json ranked = load_json(kLabelData + "cleanlab_rank_cases.json");
    ASSERT_EQ(ranked.size(), cases.size());
    std::size_t compared = 0;
    for (std::size_t c = 0; c < cases.size(); ++c) {
        std::vector<std::uint32_t> labels;
        const ProbMatrix probs = case_probs(cases[c], labels);
        for (const auto& [score, modes] : ranked[c].items()) {
            for (const auto& [mode, expected] : modes.items()) {
                const IssueOptions issues{.filter_by = filter_by_named(mode),
                                          .rank_by = rank_by_named(score)};
                const LabelReport r =
                    find_label_issues(labels, probs, class_names(probs.classes), 2, {}, issues);
                EXPECT_EQ(ranked_indices(r), expected.get<std::vector<std::uint64_t>>())
                    << score << ", " << mode << ", case " << c;
                compared += expected.size();
            }
        }
    }
    EXPECT_GT(compared, 5000u);  // the fixtures do flag
}

TEST(LabelOptions, PruneOptionsMatchCleanlab) {
    const json cases = load_json(kLabelData + "cleanlab_cases.json");
    const json runs = load_json(kLabelData + "cleanlab_prune_option_cases.json");
    std::size_t compared = 0, differ_from_default = 0;
    for (const json& run : runs) {
        if (run["issues"].is_null()) continue;  // cleanlab divided by zero
        std::vector<std::uint32_t> labels;
        const ProbMatrix probs = case_probs(cases[run["case"].get<std::size_t>()], labels);
        IssueOptions issues{.filter_by = filter_by_named(run["filter_by"].get<std::string>())};
        const json& args = run["args"];
        if (args.contains("frac_noise")) issues.frac_noise = args["frac_noise"];
        if (args.contains("min_examples_per_class"))
            issues.min_examples_per_class = args["min_examples_per_class"];
        if (args.contains("num_to_remove_per_class"))
            issues.num_to_remove_per_class =
                args["num_to_remove_per_class"].get<std::vector<std::int64_t>>();
        const auto expected = run["issues"].get<std::set<std::size_t>>();
        for (std::size_t sample_rows : {std::size_t{1} << 15, std::size_t{0}}) {
            const ConfidentLearning cl = confident_learning(
                labels, probs, {.threads = 2, .sample_rows = sample_rows, .issues = issues});
            std::set<std::size_t> got;
            for (std::size_t i = 0; i < cl.is_issue.size(); ++i) {
                if (cl.is_issue[i]) got.insert(i);
            }
            EXPECT_EQ(got, expected) << run.dump().substr(0, 120) << ", sample " << sample_rows;
        }
        const ConfidentLearning plain = confident_learning(
            labels, probs, {.threads = 2, .issues = {.filter_by = issues.filter_by}});
        differ_from_default += std::count(plain.is_issue.begin(), plain.is_issue.end(), 1) !=
                               static_cast<std::ptrdiff_t>(expected.size());
        ++compared;
    }
    EXPECT_GT(compared, 1200u);
    EXPECT_GT(differ_from_default, 500u);  // the arguments do change what is flagged
}

TEST(LabelOptions, MultiLabelEveryFilterAndScoreMatchesCleanlab) {
    const json cases = load_json(kLabelData + "cleanlab_multilabel_cases.json");
    const json expected = load_json(kLabelData + "cleanlab_multilabel_filter_cases.json");
    ASSERT_EQ(expected.size(), cases.size());
    std::size_t compared = 0;
    for (std::size_t c = 0; c < cases.size(); ++c) {
        std::vector<std::uint64_t> sets;
        const ProbMatrix probs = multi_label_case(cases[c], sets);
        const std::ptrdiff_t row = static_cast<std::ptrdiff_t>(probs.classes * sizeof(double));
        for (const auto& [mode, answers] : expected[c].items()) {
            for (const auto& [key, answer] : answers.items()) {
                if (answer.is_null()) continue;  // cleanlab raised
                const bool mask = key == "mask";
                const IssueOptions issues{
                    .filter_by = filter_by_named(mode),
                    .rank_by = mask ? RankBy::self_confidence : rank_by_named(key)};
                const LabelReport r =
                    find_multi_label_issues(sets, probs.data(), columns::Kind::Float64,
                                            probs.classes, row, sizeof(double), 2, issues);
                std::vector<std::uint64_t> got = ranked_indices(r);
                auto want = answer.get<std::vector<std::uint64_t>>();
                if (mask || scrambled_by_cleanlab(issues)) {
                    std::sort(got.begin(), got.end());
                    std::sort(want.begin(), want.end());
                }
                EXPECT_EQ(got, want) << mode << ", " << key << ", case " << c;
                compared += got.size();
            }
        }
    }
    EXPECT_GT(compared, 5000u);
}

// The CLI's files: pets.csv ranked by each score, tags.csv (multi-label) by every filter, read on
// one worker and on three.
TEST(LabelOptions, FilesRankAndFilterAsCleanlab) {
    const json pets = load_json(kLabelData + "pets_rank_expected.json");
    const json tags = load_json(kLabelData + "tags_filter_expected.json");
    for (unsigned threads : {1u, 3u}) {
        for (const auto& [score, expected] : pets.items()) {
            LabelOptions o;
            o.prob_cols = "p_*";
            o.table.threads = threads;
            o.issues.rank_by = rank_by_named(score);
            const LabelReport r = find_label_issues(kLabelData + "pets.csv", o);
            EXPECT_EQ(ranked_indices(r), expected.get<std::vector<std::uint64_t>>())
                << score << ", threads " << threads;
        }
        for (const auto& [mode, expected] : tags.items()) {
            LabelOptions o;
            o.prob_cols = "p_*";
            o.multi_label = true;
            o.table.threads = threads;
            o.issues.filter_by = filter_by_named(mode);
            const LabelReport r = find_label_issues(kLabelData + "tags.csv", o);
            std::vector<std::uint64_t> got = ranked_indices(r);
            auto want = expected.get<std::vector<std::uint64_t>>();
            if (scrambled_by_cleanlab(o.issues)) {
                std::sort(got.begin(), got.end());
                std::sort(want.begin(), want.end());
            }
            EXPECT_EQ(got, want) << mode << ", threads " << threads;
        }
    }
}

// Ranked by another score, the CSV and the JSON carry it after the self-confidence.
TEST(LabelOptions, OutputsNameTheScoreRankedBy) {
    LabelOptions o;
    o.prob_cols = "p_*";
    o.issues.rank_by = RankBy::normalized_margin;
    const LabelReport r = find_label_issues(kLabelData + "pets.csv", o);
    ASSERT_FALSE(r.issues.empty());
    std::string csv;
    r.write_issues_csv([&](std::string_view piece) { csv += piece; });
    const std::string first = csv.substr(0, csv.find('\n'));
    EXPECT_EQ(first, "index,given,suggested,self_confidence,normalized_margin");
    const std::string second =
        csv.substr(first.size() + 1, csv.find('\n', first.size() + 1) - first.size() - 1);
    EXPECT_EQ(std::stod(second.substr(second.rfind(',') + 1)), r.issues[0].rank_score);
    const json j = r.to_json();
    EXPECT_EQ(j["ranked_by"], "normalized_margin");
    EXPECT_EQ(j["issues"][0]["normalized_margin"].get<double>(), r.issues[0].rank_score);
    // (P(given) - max other P + 1) / 2 by hand from the row of pets.csv
    std::ifstream in(kLabelData + "pets.csv");
    std::string line;
    for (std::uint64_t i = 0; i <= r.issues[0].index + 1; ++i) std::getline(in, line);
    std::vector<double> p;
    std::stringstream cells(line.substr(line.find(',', line.find(',') + 1) + 1));
    for (std::string cell; std::getline(cells, cell, ',');) p.push_back(std::stod(cell));
    const std::size_t g = r.issues[0].given;
    double other = 0.0;
    for (std::size_t c = 0; c < p.size(); ++c) other = c != g ? std::max(other, p[c]) : other;
    EXPECT_DOUBLE_EQ(r.issues[0].rank_score, (p[g] - other + 1.0) / 2.0);
}

TEST(LabelOptions, EqualScoresRankByRow) {
    // Rows repeated, so that many flagged examples share each score.
    const std::vector<std::vector<double>> rows = {
        {0.1, 0.6, 0.3}, {0.2, 0.2, 0.6}, {0.7, 0.2, 0.1}, {0.3, 0.3, 0.4}};
    const std::vector<std::uint32_t> given = {0, 0, 1, 2};
    ProbMatrix probs;
    probs.classes = 3;
    std::vector<std::uint32_t> labels;
    for (std::size_t i = 0; i < 400; ++i) {
        labels.push_back(i % 5 == 4 ? 2 - (i % 3 == 0) : given[i % 4]);
        const auto& r = i % 5 == 4 ? std::vector<double>{0.05, 0.05, 0.9} : rows[i % 4];
        probs.probs.insert(probs.probs.end(), r.begin(), r.end());
    }
    probs.rows = labels.size();
    for (RankBy rank : {RankBy::normalized_margin, RankBy::confidence_weighted_entropy}) {
        const LabelReport r =
            find_label_issues(labels, probs, class_names(3), 3, {}, {.rank_by = rank});
        ASSERT_GT(r.issues.size(), 100u);
        for (std::size_t i = 1; i < r.issues.size(); ++i) {
            const LabelIssue& a = r.issues[i - 1];
            const LabelIssue& b = r.issues[i];
            ASSERT_TRUE(a.rank_score < b.rank_score ||
                        (a.rank_score == b.rank_score && a.index < b.index))
                << rank_by_name(rank) << " " << i;
        }
    }
}

TEST(LabelOptions, BadArgumentsAreRefused) {
    const json cases = load_json(kLabelData + "cleanlab_cases.json");
    std::vector<std::uint32_t> labels;
    const ProbMatrix probs = case_probs(cases[0], labels);
    auto error = [&](const IssueOptions& issues) {
        return error_of([&] { confident_learning(labels, probs, {.issues = issues}); });
    };
    EXPECT_NE(error({.frac_noise = 1.5}).find("frac_noise is 1.5; it must be a share from 0 to 1"),
              std::string::npos);
    EXPECT_NE(error({.min_examples_per_class = -1}).find("min_examples_per_class is -1"),
              std::string::npos);
    EXPECT_NE(error({.num_to_remove_per_class = {1}}).find("has 1 counts but there are"),
              std::string::npos);
    const std::vector<std::int64_t> counts(probs.classes, 1);
    EXPECT_NE(error({.filter_by = FilterBy::confident_learning, .num_to_remove_per_class = counts})
                  .find("supported with filter_by prune_by_noise_rate, prune_by_class or both"),
              std::string::npos);
    std::vector<std::int64_t> negative = counts;
    negative[0] = -2;
    EXPECT_NE(error({.num_to_remove_per_class = negative}).find("num_to_remove_per_class[0] is -2"),
              std::string::npos);
    EXPECT_NE(error_of([] { rank_by_named("margin"); })
                  .find("'margin' is not one of self_confidence, normalized_margin, "
                        "confidence_weighted_entropy"),
              std::string::npos);
}

}  // namespace
}  // namespace mlstrat::analysis
