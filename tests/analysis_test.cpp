// Error analysis: tallies checked against the course notes' figures (1.2.1), the review sheet's
// sampling, and the cohorts slices must find in data with a planted high-error cohort.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "analysis_helpers.hpp"
#include "mlstrat/analysis.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/stats.hpp"

namespace mlstrat::analysis {
namespace {

namespace fs = std::filesystem;

const std::string kData = std::string(MLSTRAT_SOURCE_DIR) + "/tests/data/analysis/";

using mlstrat::test_util::error_of;
using mlstrat::test_util::TempDir;

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

TallyOptions at_error(double error) {
    TallyOptions o;
    o.error = error;
    return o;
}

// --- tally: the notes' figures --------------------------------------------------------------

TEST(Tally, NotesDogsGreatCatsBlurry) {
    // "Evaluate multiple ideas in parallel": of 100 reviewed errors, 8% dogs, 43% great cats,
    // 61% blurry; blurry images are the idea to work on.
    auto r = make_tally(100, {{"dog", 8}, {"great_cat", 43}, {"blurry", 61}}, std::nullopt,
                        at_error(0.10));
    ASSERT_EQ(r.categories.size(), 3u);
    EXPECT_EQ(r.categories[0].tag, "blurry");
    EXPECT_EQ(r.categories[1].tag, "great_cat");
    EXPECT_EQ(r.categories[2].tag, "dog");
    EXPECT_DOUBLE_EQ(r.categories[0].share, 0.61);
    EXPECT_DOUBLE_EQ(r.categories[1].share, 0.43);
    EXPECT_DOUBLE_EQ(r.categories[2].share, 0.08);
    EXPECT_NEAR(r.categories[0].error_if_fixed, 0.039, 1e-12);
    EXPECT_NEAR(r.categories[1].error_if_fixed, 0.057, 1e-12);
    EXPECT_NEAR(r.categories[2].error_if_fixed, 0.092, 1e-12);
    EXPECT_FALSE(r.mislabeled.has_value());
}

TEST(Tally, NotesCeilingFiveAndFiftyPercentDogs) {
    // "If only 5% are dogs, the error goes from 10% to 9.5% at best; if 50%, to 5%."
    EXPECT_NEAR(
        make_tally(100, {{"dog", 5}}, std::nullopt, at_error(0.10)).categories[0].error_if_fixed,
        0.095, 1e-12);
    EXPECT_NEAR(
        make_tally(100, {{"dog", 50}}, std::nullopt, at_error(0.10)).categories[0].error_if_fixed,
        0.05, 1e-12);
}

TEST(Tally, ShareIntervalIsWilsonOnTheSampleSize) {
    auto r = make_tally(100, {{"blurry", 61}}, std::nullopt, at_error(0.10));
    auto ci = stats::wilson_interval(61, 100, 0.95);
    EXPECT_DOUBLE_EQ(r.categories[0].share_ci.lo, ci.lo);
    EXPECT_DOUBLE_EQ(r.categories[0].share_ci.hi, ci.hi);
    EXPECT_LT(ci.lo, 0.61);
    EXPECT_GT(ci.hi, 0.61);
    // A smaller sample gives a wider interval around the same share.
    auto small = make_tally(10, {{"blurry", 6}}, std::nullopt, at_error(0.10));
    EXPECT_GT(small.categories[0].share_ci.hi - small.categories[0].share_ci.lo, ci.hi - ci.lo);
}

TEST(Tally, NotesLabelFixingNotWorthAtTenPercentError) {
    // Example 1: overall dev error 10%, 6% of the errors are incorrect labels: 0.6% due to
    // labels, 9.4% to other causes, not worth fixing.
    auto r = make_tally(100, {{"dog", 8}}, std::uint64_t{6}, at_error(0.10));
    ASSERT_TRUE(r.mislabeled.has_value());
    EXPECT_NEAR(r.mislabeled->error_due, 0.006, 1e-12);
    EXPECT_NEAR(r.mislabeled->other_causes, 0.094, 1e-12);
    EXPECT_FALSE(r.mislabeled->worth_fixing);
    EXPECT_NE(r.mislabeled->reason.find("not worth it"), std::string::npos);
    EXPECT_TRUE(r.reminders.empty());
}

TEST(Tally, NotesLabelFixingWorthAtTwoPercentError) {
    // Example 2: overall dev error 2%, 0.6% due to incorrect labels (30% of the errors), 1.4%
    // other causes: worth fixing, with the reminders.
    auto r = make_tally(100, {{"dog", 8}}, std::uint64_t{30}, at_error(0.02));
    ASSERT_TRUE(r.mislabeled.has_value());
    EXPECT_NEAR(r.mislabeled->error_due, 0.006, 1e-12);
    EXPECT_NEAR(r.mislabeled->other_causes, 0.014, 1e-12);
    EXPECT_TRUE(r.mislabeled->worth_fixing);
    ASSERT_EQ(r.reminders.size(), 3u);
    EXPECT_NE(r.reminders[0].find("dev and the test set"), std::string::npos);
    EXPECT_NE(r.reminders[1].find("got right"), std::string::npos);
}

TEST(Tally, ResolutionDecidesWhenGiven) {
    TallyOptions o = at_error(0.10);
    o.resolution = 0.005;  // 0.6% due to labels hides differences of 0.5%
    EXPECT_TRUE(make_tally(100, {}, std::uint64_t{6}, o).mislabeled->worth_fixing);
    o.resolution = 0.01;
    auto r = make_tally(100, {}, std::uint64_t{6}, o);
    EXPECT_FALSE(r.mislabeled->worth_fixing);
    EXPECT_NE(r.mislabeled->reason.find("1.00%"), std::string::npos);
}

TEST(Tally, TenPercentOfErrorsIsTheDefaultBoundary) {
    EXPECT_TRUE(make_tally(100, {}, std::uint64_t{10}, at_error(0.10)).mislabeled->worth_fixing);
    EXPECT_FALSE(make_tally(100, {}, std::uint64_t{9}, at_error(0.10)).mislabeled->worth_fixing);
}

TEST(Tally, CountsAboveReviewedThrow) {
    EXPECT_THROW(make_tally(10, {{"dog", 11}}, std::nullopt, at_error(0.1)), Error);
    EXPECT_THROW(make_tally(0, {}, std::nullopt, at_error(0.1)), Error);
}

// --- tally: reading sheets ------------------------------------------------------------------

TEST(Tally, NotesSheetFromFile) {
    auto r = tally_sheet(kData + "notes_sheet.csv", at_error(0.10));
    EXPECT_EQ(r.reviewed, 100u);
    EXPECT_EQ(r.correct_reviewed, 4u);   // label = pred rows are not counted
    ASSERT_EQ(r.categories.size(), 3u);  // `image` precedes label and is not a tag
    EXPECT_EQ(r.categories[0].tag, "blurry");
    EXPECT_EQ(r.categories[0].count, 61u);
    EXPECT_EQ(r.categories[1].count, 43u);
    EXPECT_EQ(r.categories[2].count, 8u);
    ASSERT_TRUE(r.mislabeled.has_value());
    EXPECT_EQ(r.mislabeled->count, 6u);
    EXPECT_FALSE(r.mislabeled->worth_fixing);
}

TEST(Tally, HandMadeSheetWithoutPredictions) {
    TempDir dir;
    auto sheet = dir.file("sheet.csv",
                          "Image,Dog,Great Cat,Blurry,mislabeled,comments\n"
                          "98,,,,\u2713,Labeler missed cat in background\n"
                          "99,,\u2713,,,\n"
                          "100,,,x,\u2713,Drawing of a cat\n");
    auto r = tally_sheet(sheet, at_error(0.02));
    EXPECT_EQ(r.reviewed, 3u);
    ASSERT_EQ(r.categories.size(), 3u);
    EXPECT_EQ(r.categories[0].tag, "Great Cat");
    EXPECT_EQ(r.categories[0].count, 1u);
    EXPECT_EQ(r.categories[2].tag, "Dog");
    EXPECT_EQ(r.mislabeled->count, 2u);
}

TEST(Tally, ExplicitTagsOverrideTheLayout) {
    TallyOptions o = at_error(0.1);
    o.tags = {"dog"};
    auto r = tally_sheet(kData + "notes_sheet.csv", o);
    ASSERT_EQ(r.categories.size(), 1u);
    EXPECT_EQ(r.categories[0].count, 8u);
}

TEST(Tally, UnknownMarkNamesFileLineAndValue) {
    TempDir dir;
    auto sheet = dir.file("sheet.csv",
                          "index,label,pred,dog,mislabeled,comments\n"
                          "1,cat,dog,x,,\n"
                          "2,cat,dog,maybe,,\n");
    std::string e = error_of([&] { tally_sheet(sheet, at_error(0.1)); });
    EXPECT_NE(e.find("sheet.csv:3"), std::string::npos) << e;
    EXPECT_NE(e.find("'maybe'"), std::string::npos) << e;
    EXPECT_NE(e.find("'dog'"), std::string::npos) << e;
}

TEST(Tally, EmptyAndUnmarkedSheetsThrow) {
    TempDir dir;
    auto empty = dir.file("empty.csv", "index,label,pred,dog,mislabeled,comments\n");
    EXPECT_NE(error_of([&] { tally_sheet(empty, at_error(0.1)); }).find("no rows"),
              std::string::npos);
    auto blank = dir.file("blank.csv", "index,label,pred,dog,mislabeled,comments\n1,a,b,,,\n");
    EXPECT_NE(error_of([&] { tally_sheet(blank, at_error(0.1)); }).find("is marked"),
              std::string::npos);
}

TEST(Marks, AcceptedAndRejected) {
    for (const char* m : {"x", "X", "1", "yes", "Y", "true", "\u2713", "\u2714", " x "}) {
        EXPECT_EQ(parse_mark(m), std::optional<bool>(true)) << m;
    }
    for (const char* m : {"", "0", "no", "N", "false", "-", "  "}) {
        EXPECT_EQ(parse_mark(m), std::optional<bool>(false)) << m;
    }
    for (const char* m : {"maybe", "2", "xx", "?"}) EXPECT_FALSE(parse_mark(m).has_value()) << m;
}

// --- sample ---------------------------------------------------------------------------------

TEST(Sample, ReproducibleWhateverTheThreads) {
    TempDir dir;
    SampleOptions o;
    o.errors = 40;
    o.correct = 5;
    o.seed = 11;
    o.tags = {"dog", "blurry"};
    o.keep_cols = {"region"};
    o.path_col = "id";
    o.table.threads = 1;
    auto one = sample_errors(kData + "cohort.csv", dir.file("one.csv"), o);
    o.table.threads = 2;
    o.table.block_bytes = 4096;  // many blocks, so rows are split among workers
    auto two = sample_errors(kData + "cohort.csv", dir.file("two.csv"), o);
    EXPECT_EQ(slurp(dir.file("one.csv")), slurp(dir.file("two.csv")));
    EXPECT_EQ(one.sampled_errors, 40u);
    EXPECT_EQ(two.sampled_correct, 5u);
    EXPECT_EQ(one.rows, 6000u);
    o.seed = 12;
    sample_errors(kData + "cohort.csv", dir.file("other.csv"), o);
    EXPECT_NE(slurp(dir.file("one.csv")), slurp(dir.file("other.csv")));
}

TEST(Sample, SheetLayoutAndOnlyErrorsBeyondCorrect) {
    TempDir dir;
    SampleOptions o;
    o.errors = 30;
    o.correct = 3;
    o.tags = {"dog", "great_cat", "blurry"};
    o.path_col = "id";
    auto r = sample_errors(kData + "cohort.csv", dir.file("sheet.csv"), o);
    std::istringstream in(slurp(dir.file("sheet.csv")));
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(line, "index,id,label,pred,dog,great_cat,blurry,mislabeled,comments");
    std::size_t wrong = 0, right = 0;
    long previous = -1;
    while (std::getline(in, line)) {
        std::vector<std::string> f;
        std::stringstream cells(line);
        for (std::string c; std::getline(cells, c, ',');) f.push_back(c);
        f.resize(9);
        EXPECT_GT(std::stol(f[0]), previous);  // file order
        previous = std::stol(f[0]);
        EXPECT_EQ(f[0], f[1]);  // the id column of cohort.csv is the row index
        (f[2] != f[3] ? wrong : right)++;
        for (int c = 4; c < 9; ++c) EXPECT_EQ(f[c], "");
    }
    EXPECT_EQ(wrong, 30u);
    EXPECT_EQ(right, 3u);
    EXPECT_EQ(r.errors, 532u);
}

TEST(Sample, AskingForMoreThanThereAreTakesThemAll) {
    TempDir dir;
    auto pred = dir.file("pred.csv", "label,pred\na,b\na,a\nb,a\nb,b\n");
    SampleOptions o;
    o.errors = 100;
    auto r = sample_errors(pred, dir.file("sheet.csv"), o);
    EXPECT_EQ(r.sampled_errors, 2u);
    EXPECT_EQ(r.errors, 2u);
}

TEST(Sample, NoErrorsAndEmptyCellsThrowWithoutWritingTheSheet) {
    TempDir dir;
    auto perfect = dir.file("perfect.csv", "label,pred\na,a\nb,b\n");
    SampleOptions o;
    EXPECT_NE(error_of([&] {
                  sample_errors(perfect, dir.file("s1.csv"), o);
              }).find("no misclassified rows"),
              std::string::npos);
    EXPECT_FALSE(fs::exists(dir.file("s1.csv")));
    auto holes = dir.file("holes.csv", "label,pred\na,b\n,b\n");
    std::string e = error_of([&] { sample_errors(holes, dir.file("s2.csv"), o); });
    EXPECT_NE(e.find("holes.csv:3"), std::string::npos) << e;
    EXPECT_FALSE(fs::exists(dir.file("s2.csv")));
    o.tags = {"label"};
    EXPECT_NE(error_of([&] { sample_errors(perfect, dir.file("s3.csv"), o); }).find("twice"),
              std::string::npos);
}

// --- slices ---------------------------------------------------------------------------------

// Writes `rows` predictions whose error is 50% in region = India AND blur > 0.6 and 5%
// elsewhere; returns how many rows are in the planted cohort.
std::uint64_t write_planted(const std::string& path, std::uint64_t rows, bool with_holes = false) {
    std::mt19937_64 rng(2024);
    std::ofstream out(path);
    out << "region,blur,device,noise,label,pred\n";
    const char* regions[] = {"Brazil", "India", "Kenya", "Spain", "Chile"};
    std::uint64_t planted = 0;
    for (std::uint64_t i = 0; i < rows; ++i) {
        const std::string region = regions[rng() % 5];
        const int blur = static_cast<int>(rng() % 11);
        const bool in = region == "India" && blur > 6;
        planted += in ? 1 : 0;
        const double u = static_cast<double>(rng() % 1000000) / 1e6;
        const bool wrong = u < (in ? 0.5 : 0.05);
        out << region << ',';
        if (!(with_holes && i % 97 == 0)) out << blur / 10.0;
        out << ',' << (rng() % 2 ? "phone" : "web") << ',' << rng() % 1000 << ",cat,"
            << (wrong ? "dog" : "cat") << '\n';
    }
    return planted;
}

TEST(Slices, FindsPlantedCohort) {
    TempDir dir;
    auto pred = dir.file("pred.csv");
    const std::uint64_t planted = write_planted(pred, 20000);
    SliceOptions o;
    o.features = {"region", "blur", "device", "noise"};
    o.min_rows = 200;
    auto r = find_error_slices(pred, o);
    ASSERT_FALSE(r.cohorts.empty());
    EXPECT_EQ(r.cohorts[0].condition, "region = India AND blur > 0.6");
    EXPECT_EQ(r.cohorts[0].rows, planted);
    EXPECT_NEAR(r.cohorts[0].error, 0.5, 0.05);
    EXPECT_GT(r.cohorts[0].error_share, 0.3);
    EXPECT_LE(r.cohorts[0].error_ci.lo, r.cohorts[0].error);
    // Leaves partition the rows.
    std::uint64_t total = 0;
    for (const auto& c : r.cohorts) total += c.rows;
    EXPECT_EQ(total, r.rows);
    EXPECT_EQ(r.rows, 20000u);
}

TEST(Slices, SameAnswerWhateverTheThreads) {
    TempDir dir;
    auto pred = dir.file("pred.csv");
    write_planted(pred, 8000);
    SliceOptions o;
    o.features = {"region", "blur", "noise"};
    o.min_rows = 100;
    o.table.threads = 1;
    auto one = find_error_slices(pred, o);
    o.table.threads = 2;
    o.table.block_bytes = 8192;
    auto two = find_error_slices(pred, o);
    EXPECT_EQ(one.to_json(), two.to_json());
}

TEST(Slices, NoSignalGivesNoCohort) {
    TempDir dir;
    std::mt19937_64 rng(5);
    std::ostringstream text;
    text << "region,blur,label,pred\n";
    for (int i = 0; i < 5000; ++i) {
        text << (rng() % 2 ? "a" : "b") << ',' << rng() % 100 << ",x," << (rng() % 10 ? "x" : "y")
             << '\n';
    }
    auto pred = dir.file("pred.csv", text.str());
    SliceOptions o;
    o.features = {"region", "blur"};
    o.min_rows = 100;
    auto r = find_error_slices(pred, o);
    EXPECT_TRUE(r.cohorts.empty());
    EXPECT_EQ(r.rows, 5000u);
}

TEST(Slices, EmptyNumericCellsAreNamed) {
    TempDir dir;
    auto pred = dir.file("pred.csv");
    write_planted(pred, 20000, true);
    SliceOptions o;
    o.features = {"region", "blur"};
    o.min_rows = 100;
    auto r = find_error_slices(pred, o);
    ASSERT_FALSE(r.cohorts.empty());
    EXPECT_EQ(r.cohorts[0].condition.find("region = India AND "), 0u) << r.cohorts[0].condition;
    EXPECT_NE(r.cohorts[0].condition.find("blur > 0.6"), std::string::npos);
}

TEST(Slices, BadInputThrows) {
    TempDir dir;
    auto pred = dir.file("pred.csv", "region,label,pred\na,x,y\n");
    SliceOptions o;
    o.features = {"nope"};
    EXPECT_NE(error_of([&] { find_error_slices(pred, o); }).find("nope"), std::string::npos);
    auto header_only = dir.file("h.csv", "region,label,pred\n");
    o.features = {"region"};
    EXPECT_NE(error_of([&] { find_error_slices(header_only, o); }).find("no data rows"),
              std::string::npos);
    std::ostringstream many;
    many << "id,label,pred\n";
    for (int i = 0; i < 1500; ++i) many << "id" << i << ",a," << (i % 3 ? "a" : "b") << '\n';
    auto ids = dir.file("ids.csv", many.str());
    o.features = {"id"};
    EXPECT_NE(error_of([&] { find_error_slices(ids, o); }).find("distinct values"),
              std::string::npos);
}

}  // namespace
}  // namespace mlstrat::analysis
