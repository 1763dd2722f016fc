// Confident learning against what cleanlab's find_label_issues flags (fixtures made by
// tests/data/labels/make_fixtures.py), and the bad inputs `mlstrat labels` must reject.

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "analysis/labels/confident_learning.hpp"
#include "analysis_helpers.hpp"
#include "label_fixtures.hpp"
#include "mlstrat/analysis.hpp"
#include "mlstrat/support/error.hpp"

namespace mlstrat::analysis {
namespace {

namespace fs = std::filesystem;

using mlstrat::test_util::case_probs;
using mlstrat::test_util::error_of;
using mlstrat::test_util::multi_label_case;
using nlohmann::json;
const std::string& kData = mlstrat::test_util::kLabelData;
using mlstrat::test_util::load_json;
using mlstrat::test_util::TempDir;

// A .npy file's bytes with the given header dict and payload.
std::string npy(const std::string& dict, const std::string& payload) {
    std::string header = dict;
    while ((10 + header.size() + 1) % 64 != 0) header += ' ';
    header += '\n';
    std::string out = "\x93NUMPY";
    out += '\x01';
    out += '\x00';
    out += static_cast<char>(header.size() & 0xFF);
    out += static_cast<char>(header.size() >> 8);
    return out + header + payload;
}

std::string doubles(const std::vector<double>& v) {
    std::string s(v.size() * 8, '\0');
    std::memcpy(s.data(), v.data(), s.size());
    return s;
}

TEST(ConfidentLearning, MatchesCleanlabOnSixtyProblems) {
    const json cases = load_json(kData + "cleanlab_cases.json");
    ASSERT_EQ(cases.size(), 60u);
    std::size_t flagged = 0;
    for (std::size_t c = 0; c < cases.size(); ++c) {
        const json& t = cases[c];
        std::vector<std::uint32_t> labels;
        const ProbMatrix probs = case_probs(t, labels);
        ConfidentLearning cl = confident_learning(labels, probs);
        std::set<std::size_t> expected;
        for (auto i : t["issues"]) expected.insert(i.get<std::size_t>());
        std::set<std::size_t> got;
        for (std::size_t i = 0; i < cl.is_issue.size(); ++i) {
            if (cl.is_issue[i]) got.insert(i);
        }
        EXPECT_EQ(got, expected) << "case " << c;
        std::vector<std::int64_t> joint;
        for (const auto& row : t["confident_joint"]) {
            for (auto v : row) joint.push_back(v.get<std::int64_t>());
        }
        EXPECT_EQ(cl.confident_joint, joint) << "case " << c;
        flagged += got.size();
    }
    EXPECT_GT(flagged, 100u);  // the fixtures do exercise flagging
}

// Every filter_by mode against cleanlab's masks (tests/data/labels/make_filter_fixtures.py), with
// the sample's guesses and with every cell searched exactly.
TEST(ConfidentLearning, EveryFilterMatchesCleanlabOnSixtyProblems) {
    const json cases = load_json(kData + "cleanlab_cases.json");
    const json masks = load_json(kData + "cleanlab_filter_cases.json");
    ASSERT_EQ(masks.size(), cases.size());
    std::size_t modes = 0;
    for (const auto& [name, unused] : masks[0].items()) {
        const FilterBy filter = filter_by_named(name);
        ++modes;
        std::size_t flagged = 0;
        for (std::size_t c = 0; c < cases.size(); ++c) {
            std::vector<std::uint32_t> labels;
            const ProbMatrix probs = case_probs(cases[c], labels);
            const auto expected = masks[c][name].get<std::set<std::size_t>>();
            for (std::size_t sample_rows : {std::size_t{1} << 15, std::size_t{0}}) {
                const ConfidentLearning cl = confident_learning(
                    labels, probs,
                    {.threads = 2, .sample_rows = sample_rows, .issues = {.filter_by = filter}});
                std::set<std::size_t> got;
                for (std::size_t i = 0; i < cl.is_issue.size(); ++i) {
                    if (cl.is_issue[i]) got.insert(i);
                }
                EXPECT_EQ(got, expected) << name << ", case " << c << ", sample " << sample_rows;
            }
            flagged += expected.size();
        }
        EXPECT_GT(flagged, 500u) << name;  // the fixtures do exercise flagging
    }
    EXPECT_EQ(modes, 7u);
}

TEST(ConfidentLearning, UnknownFilterNamesTheAllowedOnes) {
    const std::string e = error_of([] { filter_by_named("prune_by_margin"); });
    EXPECT_NE(e.find("'prune_by_margin' is not one of prune_by_noise_rate, prune_by_class, both"),
              std::string::npos)
        << e;
}

TEST(ConfidentLearning, MultiLabelMatchesCleanlabOnFortyProblems) {
    const json cases = load_json(kData + "cleanlab_multilabel_cases.json");
    ASSERT_EQ(cases.size(), 40u);
    std::size_t flagged = 0;
    for (std::size_t c = 0; c < cases.size(); ++c) {
        const json& t = cases[c];
        std::vector<std::uint64_t> sets;
        const ProbMatrix probs = multi_label_case(t, sets);
        const auto per_class = confident_learning_multi_label(sets, probs, 2);
        ASSERT_EQ(per_class.size(), probs.classes);
        std::set<std::size_t> got;
        for (std::size_t k = 0; k < probs.classes; ++k) {
            for (std::size_t i = 0; i < sets.size(); ++i) {
                if (per_class[k].is_issue[i]) got.insert(i);
            }
            std::vector<std::int64_t> joint;
            for (const auto& row : t["confident_joint"][k]) {
                for (auto v : row) joint.push_back(v.get<std::int64_t>());
            }
            EXPECT_EQ(per_class[k].confident_joint, joint) << "case " << c << " class " << k;
        }
        std::set<std::size_t> expected;
        for (auto i : t["issues"]) expected.insert(i.get<std::size_t>());
        EXPECT_EQ(got, expected) << "case " << c;
        flagged += got.size();
    }
    EXPECT_GT(flagged, 100u);
}

TEST(ConfidentLearning, ResultDoesNotDependOnThreads) {
    const json cases = load_json(kData + "cleanlab_cases.json");
    const json& t = cases[5];
    std::vector<std::uint32_t> labels;
    const ProbMatrix probs = case_probs(t, labels);
    const ConfidentLearning one = confident_learning(labels, probs, {.threads = 1});
    const ConfidentLearning three = confident_learning(labels, probs, {.threads = 3});
    EXPECT_EQ(one.is_issue, three.is_issue);
    EXPECT_EQ(one.confident_joint, three.confident_joint);
    EXPECT_EQ(one.thresholds, three.thresholds);
}

// Rows of three classes laid out so that sampling every second row misleads the guess for
// cell (given 0, true 1): the sampled (even) rows of class 0 are either clean or have a large
// margin toward class 1 without being confident in it, while the unsampled (odd) rows are
// confident in class 1 with smaller margins. The sample then sees no share for the cell, guesses
// the fakes' margin, and finds 1/8 of the rows where the cell flags 3/5 of class 0.
ProbMatrix misleading_rows(std::size_t n, std::vector<std::uint32_t>& labels) {
    ProbMatrix probs;
    probs.rows = n;
    probs.classes = 3;
    labels.clear();
    for (std::size_t i = 0; i < n; ++i) {
        std::vector<double> row;
        switch (i % 8) {
            case 0:
                labels.push_back(0);
                row = {0.0, 0.94, 0.06};
                break;  // margin 0.94, not confident in 1
            case 2:
                labels.push_back(0);
                row = {0.9, 0.05, 0.05};
                break;  // clean
            case 4:
                labels.push_back(1);
                row = {0.025, 0.95, 0.025};
                break;
            case 6:
                labels.push_back(2);
                row = {0.05, 0.05, 0.9};
                break;
            default:
                labels.push_back(0);
                row = {0.05, 0.95, 0.0};
                break;  // confident in 1, margin 0.9
        }
        probs.probs.insert(probs.probs.end(), row.begin(), row.end());
    }
    return probs;
}

void expect_same(const ConfidentLearning& a, const ConfidentLearning& b) {
    EXPECT_EQ(a.is_issue, b.is_issue);
    EXPECT_EQ(a.confident_joint, b.confident_joint);
    EXPECT_EQ(a.thresholds, b.thresholds);
    EXPECT_EQ(a.suggested, b.suggested);
    EXPECT_EQ(a.given_probability, b.given_probability);
}

TEST(ConfidentLearning, GuessedCutsAndExactSearchFlagTheSame) {
    const json cases = load_json(kData + "cleanlab_cases.json");
    ConfidentLearningOptions exact;
    exact.sample_rows = 0;
    std::size_t searched = 0, guessed_right = 0;
    for (std::size_t c = 0; c < cases.size(); ++c) {
        const json& t = cases[c];
        std::vector<std::uint32_t> labels;
        const ProbMatrix probs = case_probs(t, labels);
        const ConfidentLearning guessed = confident_learning(labels, probs);
        const ConfidentLearning searched_all = confident_learning(labels, probs, exact);
        SCOPED_TRACE("case " + std::to_string(c));
        expect_same(guessed, searched_all);
        searched += searched_all.cells_searched;
        guessed_right += searched_all.cells_searched - guessed.cells_searched;
    }
    // On problems this small a guess keeps most rows of a cell, so where the guesses together
    // would keep more candidates than there are rows, every cell is searched instead.
    EXPECT_GT(searched, 500u);
    EXPECT_GT(guessed_right, 50u);
}

TEST(ConfidentLearning, AGuessTooHighIsSearchedExactly) {
    std::vector<std::uint32_t> labels;
    const ProbMatrix probs = misleading_rows(80000, labels);  // two parts of rows
    ConfidentLearningOptions every_second;
    every_second.threads = 2;
    every_second.sample_rows = 40000;
    const ConfidentLearning mixed = confident_learning(labels, probs, every_second);
    EXPECT_EQ(mixed.cells_searched, 1u);  // (0, 1); no other cell flags anything
    ConfidentLearningOptions all_rows = every_second;
    all_rows.sample_rows = 80000;
    const ConfidentLearning guessed = confident_learning(labels, probs, all_rows);
    EXPECT_EQ(guessed.cells_searched, 0u);
    ConfidentLearningOptions exact = every_second;
    exact.sample_rows = 0;
    const ConfidentLearning searched = confident_learning(labels, probs, exact);
    EXPECT_EQ(searched.cells_searched, 1u);
    expect_same(mixed, guessed);
    expect_same(mixed, searched);
    // By hand: class 0's joint row is (10000, 40000, 0), calibrated to its 60000 examples
    // (12000, 48000, 0); the 48000 largest margins toward class 1 are the 10000 fakes (0.94) and
    // the first 38000 confident rows (0.9).
    EXPECT_EQ(mixed.confident_joint[1], 48000);
    std::size_t fakes = 0, confident = 0;
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (!mixed.is_issue[i]) continue;
        (i % 8 == 0 ? fakes : confident) += 1;
        EXPECT_TRUE(i % 2 == 1 || i % 8 == 0) << i;
    }
    EXPECT_EQ(fakes, 10000u);
    EXPECT_EQ(confident, 38000u);
}

TEST(ConfidentLearning, RowsWithNaNGiveClassesInRange) {
    // The library does not refuse NaN (find_label_issues does); such rows must still give a
    // class below k, whichever way the row is tested.
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (std::size_t k : {3u, 20u}) {
        ProbMatrix probs;
        probs.classes = k;
        std::vector<std::uint32_t> labels;
        for (std::size_t i = 0; i < 400; ++i) {
            std::vector<double> row(k, 0.5 / static_cast<double>(k - 1));
            row[i % k] = 0.5;
            if (i % 7 == 0) row[0] = nan;
            if (i % 11 == 0) row[k - 1] = nan;
            probs.probs.insert(probs.probs.end(), row.begin(), row.end());
            labels.push_back(static_cast<std::uint32_t>((i / 3) % k));
        }
        probs.rows = labels.size();
        const ConfidentLearning cl = confident_learning(labels, probs);
        for (std::uint32_t s : cl.suggested) ASSERT_LT(s, k);
        ASSERT_EQ(cl.confident_joint.size(), k * k);
    }
}

TEST(Labels, MultiLabelSetsMatchCleanlabRanking) {
    LabelOptions o;
    o.prob_cols = "p_*";
    o.multi_label = true;
    auto r = find_label_issues(kData + "tags.csv", o);
    const json expected = load_json(kData + "tags_expected.json");
    ASSERT_EQ(r.issues.size(), expected["issues"].size());
    for (std::size_t i = 0; i < r.issues.size(); ++i) {
        EXPECT_EQ(r.issues[i].index, expected["issues"][i].get<std::uint64_t>()) << i;
    }
    EXPECT_EQ(r.classes, (std::vector<std::string>{"indoor", "person", "dog", "car"}));
    // cleanlab's example score: 0.8 and 0.2 weights over the sorted self-confidences.
    const double row[] = {0.9, 0.2, 0.6};
    EXPECT_DOUBLE_EQ(multi_label_quality(row, 3, 0b101), 0.8 * 0.6 + 0.2 * (0.8 * 0.8 + 0.2 * 0.9));
}

TEST(Labels, MultiLabelInputIsValidated) {
    TempDir dir;
    LabelOptions o;
    o.prob_cols = "p_*";
    o.multi_label = true;
    auto gap = dir.file("gap.csv", "label,p_a,p_b\na||b,0.9,0.4\n");
    std::string e = error_of([&] { find_label_issues(gap, o); });
    EXPECT_NE(e.find("gap.csv:2"), std::string::npos) << e;
    EXPECT_NE(e.find("empty label in a set"), std::string::npos) << e;
    auto nan = dir.file("nan.csv", "label,p_a,p_b\na,0.5,nan\n");
    EXPECT_NE(error_of([&] { find_label_issues(nan, o); }).find("nan.csv:2"), std::string::npos);
    // One-vs-rest rows need not sum to 1, and an example may have no label.
    auto ok = dir.file("ok.csv", "label,p_a,p_b\na|b,0.9,0.8\n,0.1,0.3\nb,0.2,0.7\na,0.7,0.1\n");
    auto r = find_label_issues(ok, o);
    EXPECT_EQ(r.rows, 4u);
    EXPECT_EQ(r.per_class[0].rows, 2u);
    EXPECT_EQ(r.per_class[1].rows, 2u);
}

TEST(Labels, NamedClassesFromColumnsMatchCleanlabRanking) {
    LabelOptions o;
    o.prob_cols = "p_*";
    o.id_col = "id";
    auto r = find_label_issues(kData + "pets.csv", o);
    const json expected = load_json(kData + "pets_expected.json");
    ASSERT_EQ(r.issues.size(), expected["issues"].size());
    for (std::size_t i = 0; i < r.issues.size(); ++i) {
        EXPECT_EQ(r.issues[i].index, expected["issues"][i].get<std::uint64_t>()) << i;
    }
    EXPECT_EQ(r.classes, (std::vector<std::string>{"cat", "dog", "bird"}));
    EXPECT_EQ(json(r.confident_joint), expected["confident_joint"]);
    ASSERT_EQ(r.ids.size(), r.issues.size());
    for (std::size_t i = 0; i < r.issues.size(); ++i) {
        EXPECT_EQ(r.ids[i], "ex" + std::string(4 - std::to_string(r.issues[i].index).size(), '0') +
                                std::to_string(r.issues[i].index));
    }
    for (std::size_t i = 1; i < r.issues.size(); ++i) {
        EXPECT_LE(r.issues[i - 1].self_confidence, r.issues[i].self_confidence);
    }
    for (const auto& issue : r.issues) EXPECT_NE(issue.given, issue.suggested);
    std::uint64_t flagged = 0;
    for (const auto& c : r.per_class) flagged += c.flagged;
    EXPECT_EQ(flagged, r.issues.size());
}

TEST(Labels, NpyWithIntegerLabelsMatchesCleanlab) {
    LabelOptions o;
    o.npy_path = kData + "digits_probs.npy";
    auto r = find_label_issues(kData + "digits_labels.csv", o);
    const json expected = load_json(kData + "digits_expected.json");
    ASSERT_EQ(r.issues.size(), expected["issues"].size());
    for (std::size_t i = 0; i < r.issues.size(); ++i) {
        EXPECT_EQ(r.issues[i].index, expected["issues"][i].get<std::uint64_t>()) << i;
    }
    EXPECT_EQ(r.classes.size(), 10u);
    EXPECT_EQ(r.per_class[7].rows, 0u);  // class 7 is never given
}

// Every filter_by mode from files, ranked as cleanlab ranks them: pets.csv's probability columns,
// and digits' .npy read piece by piece, on one worker and on three.
TEST(Labels, EveryFilterFromFilesMatchesCleanlabRanking) {
    for (const std::string file : {"pets", "digits"}) {
        const json expected = load_json(kData + file + "_filter_expected.json");
        ASSERT_EQ(expected.size(), 7u);
        for (const auto& [name, ranked] : expected.items()) {
            for (unsigned threads : {1u, 3u}) {
                LabelOptions o;
                if (file == "pets") o.prob_cols = "p_*";
                if (file == "digits") o.npy_path = kData + "digits_probs.npy";
                o.issues.filter_by = filter_by_named(name);
                o.table.threads = threads;
                const LabelReport r = find_label_issues(
                    kData + (file == "pets" ? "pets.csv" : "digits_labels.csv"), o);
                std::vector<std::uint64_t> got;
                for (const auto& issue : r.issues) got.push_back(issue.index);
                EXPECT_EQ(got, ranked.get<std::vector<std::uint64_t>>())
                    << file << ", " << name << ", threads " << threads;
            }
        }
    }
}

TEST(Labels, ProbabilityRowsAreValidated) {
    TempDir dir;
    LabelOptions o;
    o.prob_cols = "p_*";
    auto negative = dir.file("neg.csv", "label,p_a,p_b\na,0.9,0.1\nb,1.2,-0.2\n");
    std::string e = error_of([&] { find_label_issues(negative, o); });
    EXPECT_NE(e.find("neg.csv:3"), std::string::npos) << e;
    EXPECT_NE(e.find("negative"), std::string::npos) << e;
    auto nan = dir.file("nan.csv", "label,p_a,p_b\na,nan,0.1\n");
    e = error_of([&] { find_label_issues(nan, o); });
    EXPECT_NE(e.find("nan.csv:2"), std::string::npos) << e;
    EXPECT_NE(e.find("NaN"), std::string::npos) << e;
    auto sum = dir.file("sum.csv", "label,p_a,p_b\na,0.9,0.1\na,0.5,0.1\n");
    e = error_of([&] { find_label_issues(sum, o); });
    EXPECT_NE(e.find("sum.csv:3"), std::string::npos) << e;
    EXPECT_NE(e.find("sum to 0.6"), std::string::npos) << e;
}

TEST(Labels, ClassesMustMatchTheColumns) {
    TempDir dir;
    LabelOptions o;
    o.prob_cols = "p_*";
    auto unknown = dir.file("u.csv", "label,p_a,p_b\na,0.9,0.1\nb,0.2,0.8\nc,0.5,0.5\n");
    std::string e = error_of([&] { find_label_issues(unknown, o); });
    EXPECT_NE(e.find("u.csv:4"), std::string::npos) << e;
    EXPECT_NE(e.find("'c'"), std::string::npos) << e;
    auto one = dir.file("one.csv", "label,p_a\na,1\n");
    EXPECT_NE(error_of([&] { find_label_issues(one, o); }).find("matches 1 columns"),
              std::string::npos);
    o.classes = {"a", "b", "c"};
    auto ok = dir.file("ok.csv", "label,p_a,p_b\na,0.9,0.1\n");
    EXPECT_NE(error_of([&] { find_label_issues(ok, o); }).find("names 3 classes"),
              std::string::npos);
}

TEST(Labels, NpyHeaderIsValidated) {
    TempDir dir;
    const std::string payload = doubles({0.9, 0.1, 0.2, 0.8});
    auto good = dir.file(
        "good.npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", payload));
    ProbMatrix m = read_npy(good);
    EXPECT_EQ(m.rows, 2u);
    EXPECT_EQ(m.classes, 2u);
    EXPECT_DOUBLE_EQ(m.data()[3], 0.8);
    auto ints = dir.file(
        "i.npy", npy("{'descr': '<i8', 'fortran_order': False, 'shape': (2, 2), }", payload));
    EXPECT_NE(error_of([&] { read_npy(ints); }).find("float32 or float64"), std::string::npos);
    auto fortran = dir.file(
        "f.npy", npy("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }", payload));
    EXPECT_NE(error_of([&] { read_npy(fortran); }).find("Fortran"), std::string::npos);
    auto flat = dir.file("v.npy",
                         npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }", payload));
    EXPECT_NE(error_of([&] { read_npy(flat); }).find("2-D"), std::string::npos);
    auto short_data = dir.file(
        "s.npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }", payload));
    EXPECT_NE(error_of([&] { read_npy(short_data); }).find("needs 48"), std::string::npos);
    auto text = dir.file("t.npy", "label\n1\n");
    EXPECT_NE(error_of([&] { read_npy(text); }).find("not a .npy file"), std::string::npos);
    // Rows must line up with the labels.
    auto labels = dir.file("labels.csv", "label\n0\n1\n1\n");
    LabelOptions o;
    o.npy_path = good;
    EXPECT_NE(error_of([&] { find_label_issues(labels, o); }).find("aligned"), std::string::npos);
}

TEST(Labels, NpyRowsAreReadPieceByPiece) {
    TempDir dir;
    const std::size_t rows = 9000, k = 3;  // more than one piece, and float32 in several reads
    std::vector<double> d(rows * k);
    std::vector<float> f(rows * k);
    for (std::size_t i = 0; i < d.size(); ++i) {
        d[i] = static_cast<double>(i % 97) / 97.0;
        f[i] = static_cast<float>(d[i]);
    }
    std::string f4(f.size() * 4, '\0');
    std::memcpy(f4.data(), f.data(), f4.size());
    const std::string shape =
        "'shape': (" + std::to_string(rows) + ", " + std::to_string(k) + "), }";
    auto path8 =
        dir.file("d.npy", npy("{'descr': '<f8', 'fortran_order': False, " + shape, doubles(d)));
    auto path4 = dir.file("f.npy", npy("{'descr': '<f4', 'fortran_order': False, " + shape, f4));
    for (const auto& path : {path8, path4}) {
        const ProbMatrix m = open_npy(path);
        ASSERT_EQ(m.rows, rows);
        std::vector<double> buffer;
        const double* got = m.read_rows(4321, 3000, buffer);
        for (std::size_t i = 0; i < 3000 * k; ++i) {
            const std::size_t at = 4321 * k + i;
            ASSERT_EQ(got[i], path == path8 ? d[at] : static_cast<double>(f[at]))
                << path << " " << i;
        }
        const ProbMatrix whole = read_npy(path);
        EXPECT_EQ(whole.data()[rows * k - 1],
                  path == path8 ? d.back() : static_cast<double>(f.back()));
    }
}

TEST(Labels, TiesRankByRow) {
    // Few distinct probabilities, so many flagged examples share a self-confidence; the ranking
    // must be by self-confidence, then by row, across the parts of rows.
    TempDir dir;
    std::string csv = "label,p_a,p_b,p_c\n";
    const char* rows[] = {"a,0.9,0.05,0.05", "b,0.8,0.1,0.1",  "c,0.7,0.2,0.1", "a,0.1,0.8,0.1",
                          "b,0.05,0.9,0.05", "c,0.1,0.1,0.8",  "a,0.2,0.7,0.1", "c,0.6,0.3,0.1",
                          "b,0.1,0.1,0.8",   "a,0.85,0.1,0.05"};
    for (int i = 0; i < 6000; ++i) csv += std::string(rows[(i * 7 + i / 10) % 10]) + "\n";
    auto path = dir.file("ties.csv", csv);
    LabelOptions o;
    o.prob_cols = "p_*";
    const LabelReport r = find_label_issues(path, o);
    ASSERT_GT(r.issues.size(), 500u);
    for (std::size_t i = 1; i < r.issues.size(); ++i) {
        const LabelIssue& a = r.issues[i - 1];
        const LabelIssue& b = r.issues[i];
        ASSERT_TRUE(a.self_confidence < b.self_confidence ||
                    (a.self_confidence == b.self_confidence && a.index < b.index))
            << i;
    }
}

TEST(Labels, Float32NpyIsRead) {
    TempDir dir;
    std::vector<float> f = {0.25f, 0.75f};
    std::string payload(8, '\0');
    std::memcpy(payload.data(), f.data(), 8);
    auto path = dir.file(
        "f4.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }", payload));
    ProbMatrix m = read_npy(path);
    EXPECT_DOUBLE_EQ(m.data()[1], 0.75);
}

}  // namespace
}  // namespace mlstrat::analysis
