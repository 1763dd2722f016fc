#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "mlstrat/metrics.hpp"
#include "mlstrat/support/error.hpp"

namespace {

namespace fs = std::filesystem;
using namespace mlstrat::metrics;
using nlohmann::json;

const fs::path kData = fs::path(MLSTRAT_SOURCE_DIR) / "tests" / "data" / "eval";

json load_expected() {
    std::ifstream in(kData / "expected.json");
    return json::parse(in);
}

void expect_near(double actual, double expected, const std::string& what) {
    EXPECT_NEAR(actual, expected, 1e-12) << what;
}

// Every number scikit-learn produced for one fixture (tests/data/eval/make_fixtures.py).
void check_against_sklearn(const std::string& name, EvalOptions options) {
    const json e = load_expected().at(name);
    options.beta = e.at("beta").get<double>();
    EvalReport r = evaluate((kData / (name + ".csv")).string(), options);

    ASSERT_EQ(r.rows, e.at("rows").get<std::uint64_t>());
    expect_near(r.accuracy, e.at("accuracy"), "accuracy");
    expect_near(r.error, 1.0 - e.at("accuracy").get<double>(), "error");
    ASSERT_EQ(r.classes.size(), e.at("labels").size());
    for (std::size_t i = 0; i < r.classes.size(); ++i) {
        const auto& c = r.classes[i];
        EXPECT_EQ(c.name, e["labels"][i].get<std::string>());
        expect_near(c.precision, e["precision"][i], name + " precision " + c.name);
        expect_near(c.recall, e["recall"][i], name + " recall " + c.name);
        expect_near(c.f1, e["f1"][i], name + " f1 " + c.name);
        expect_near(c.fbeta, e["fbeta"][i], name + " fbeta " + c.name);
        EXPECT_EQ(c.support, e["support"][i].get<std::uint64_t>());
        for (std::size_t j = 0; j < r.classes.size(); ++j) {
            EXPECT_EQ(r.confusion[i][j], e["confusion"][i][j].get<std::uint64_t>());
        }
    }
    for (auto [avg_name, avg] : {std::pair<const char*, const Average*>{"macro", &r.macro},
                                 {"micro", &r.micro},
                                 {"weighted", &r.weighted}}) {
        const json& ea = e.at(avg_name);
        expect_near(avg->precision, ea["precision"], name + " " + avg_name + " precision");
        expect_near(avg->recall, ea["recall"], name + " " + avg_name + " recall");
        expect_near(avg->f1, ea["f1"], name + " " + avg_name + " f1");
        expect_near(avg->fbeta, ea["fbeta"], name + " " + avg_name + " fbeta");
    }
    if (e.contains("binary")) {
        ASSERT_TRUE(r.binary.has_value());
        expect_near(r.binary->precision, e["binary"]["precision"], "binary precision");
        expect_near(r.binary->recall, e["binary"]["recall"], "binary recall");
        expect_near(r.binary->f1, e["binary"]["f1"], "binary f1");
    }
    if (e.contains("weighted_error")) {
        ASSERT_TRUE(r.weighted_error.has_value());
        expect_near(*r.weighted_error, e["weighted_error"], "weighted error");
    }
    if (e.contains("slices")) {
        for (const auto& s : r.slices) {
            const json& es = e["slices"].at(s.column);
            ASSERT_EQ(s.values.size(), es.size());
            for (const auto& v : s.values) expect_near(v.error, es.at(v.value), "slice " + v.value);
            expect_near(s.average_error, e["slice_average_error"].at(s.column), "slice average");
        }
    }
}

TEST(Eval, MulticlassMatchesScikitLearn) {
    EvalOptions options;
    options.slice_cols = {"region"};
    options.weight_col = "weight";
    check_against_sklearn("multiclass", options);
}

TEST(Eval, NumericLabelsSortNumericallyAndMatchScikitLearn) {
    check_against_sklearn("numeric", {});
    EvalReport r = evaluate((kData / "numeric.csv").string(), {});
    EXPECT_EQ(r.classes[2].name, "2");
    EXPECT_EQ(r.classes[10].name, "10");
}

TEST(Eval, BinaryPositiveClassMatchesScikitLearn) {
    EvalOptions options;
    options.positive = "spam";
    check_against_sklearn("binary", options);
}

TEST(Eval, ZeroDivisionClassesAreZeroWithWarnings) {
    EvalReport r = evaluate((kData / "multiclass.csv").string(), {});
    auto find = [&](const std::string& n) {
        return *std::find_if(r.classes.begin(), r.classes.end(),
                             [&](const ClassMetrics& c) { return c.name == n; });
    };
    EXPECT_EQ(find("ferret").precision, 0.0);  // never predicted
    EXPECT_EQ(find("wolf").recall, 0.0);       // never a true label
    ASSERT_EQ(r.warnings.size(), 2u);
    EXPECT_EQ(r.warnings[0],
              "never predicted: 'ferret'; precision is 0/0 there and is reported as 0");
    EXPECT_EQ(r.warnings[1],
              "predicted but never a true label: 'wolf'; recall is 0/0 there and is reported as 0");
}

TEST(Eval, ThreadCountDoesNotChangeAnyNumber) {
    EvalOptions one, many;
    one.slice_cols = many.slice_cols = {"region"};
    one.weight_col = many.weight_col = "weight";
    one.table.threads = 1;
    many.table.threads = 4;
    many.table.block_bytes = 20000;
    auto a = evaluate((kData / "multiclass.csv").string(), one).to_json();
    auto b = evaluate((kData / "multiclass.csv").string(), many).to_json();
    EXPECT_EQ(a.dump(), b.dump());
}

TEST(Eval, MergedCountsEqualOnePass) {
    EvalOptions options;
    options.slice_cols = {"region"};
    auto whole = count_predictions((kData / "multiclass.csv").string(), options);
    // Two halves of the file, merged through their JSON form as shards would be.
    std::ifstream in(kData / "multiclass.csv");
    std::string header, line;
    std::getline(in, header);
    std::ostringstream a, b;
    a << header << "\n";
    b << header << "\n";
    for (int i = 0; std::getline(in, line); ++i) (i < 1000 ? a : b) << line << "\n";
    auto dir = fs::temp_directory_path() / ("mlstrat_merge_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "a.csv") << a.str();
    std::ofstream(dir / "b.csv") << b.str();
    auto merged =
        EvalCounts::from_json(count_predictions((dir / "a.csv").string(), options).to_json());
    merged.merge(
        EvalCounts::from_json(count_predictions((dir / "b.csv").string(), options).to_json()));
    fs::remove_all(dir);
    EXPECT_EQ(make_report(whole, options).to_json().dump(),
              make_report(merged, options).to_json().dump());
}

// The notes' six algorithms and their errors in four regions (1.1.2, figures 4 and 5): the
// single number is the plain average over regions, and C wins. The notes print 5.25% for D, a
// slip: (5 + 8 + 7 + 2) / 4 = 5.5%.
TEST(Eval, NotesSixAlgorithmsAverageErrorOverFourRegions) {
    const std::vector<std::pair<std::string, std::vector<int>>> table = {
        {"A", {3, 7, 5, 9}}, {"B", {5, 6, 5, 10}}, {"C", {2, 3, 4, 5}},
        {"D", {5, 8, 7, 2}}, {"E", {4, 5, 2, 4}},  {"F", {7, 11, 8, 12}}};
    const std::vector<double> averages = {0.06, 0.065, 0.035, 0.055, 0.0375, 0.095};
    const std::vector<std::string> regions = {"US", "China", "India", "Other"};
    auto dir = fs::temp_directory_path() / ("mlstrat_notes_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::string best;
    double best_error = 1.0;
    for (std::size_t a = 0; a < table.size(); ++a) {
        std::ofstream out(dir / (table[a].first + ".csv"));
        out << "label,pred,region\n";
        // Regions of different sizes: the average over regions must not weight by rows.
        for (std::size_t g = 0; g < regions.size(); ++g) {
            int rows = 100 * static_cast<int>(g + 1);
            int wrong = table[a].second[g] * static_cast<int>(g + 1);
            for (int i = 0; i < rows; ++i)
                out << "cat," << (i < wrong ? "dog" : "cat") << "," << regions[g] << "\n";
        }
        out.close();
        EvalOptions options;
        options.slice_cols = {"region"};
        EvalReport r = evaluate((dir / (table[a].first + ".csv")).string(), options);
        EXPECT_NEAR(r.slices[0].average_error, averages[a], 1e-12) << table[a].first;
        if (r.slices[0].average_error < best_error) {
            best_error = r.slices[0].average_error;
            best = table[a].first;
        }
    }
    fs::remove_all(dir);
    EXPECT_EQ(best, "C");
}

// The notes' F1 is the harmonic mean 2PR / (P + R): 95% precision and 90% recall give 92.4%.
TEST(Eval, NotesF1IsTheHarmonicMean) {
    auto dir = fs::temp_directory_path() / ("mlstrat_f1_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    {
        std::ofstream out(dir / "p.csv");
        out << "label,pred\n";
        // 90 true cats found, 10 missed (recall 0.9); 90 / 95 cat predictions right? Use 19 TP
        // per 20: with 90 TP, precision 0.95 needs 90/0.95 - 90 = 4.7368 FP, so scale by 19.
        for (int i = 0; i < 1710; ++i) out << "cat,cat\n";   // TP
        for (int i = 0; i < 190; ++i) out << "cat,other\n";  // FN: recall 1710/1900 = 0.9
        for (int i = 0; i < 90; ++i) out << "other,cat\n";   // FP: precision 1710/1800 = 0.95
        for (int i = 0; i < 500; ++i) out << "other,other\n";
    }
    EvalOptions options;
    options.positive = "cat";
    EvalReport r = evaluate((dir / "p.csv").string(), options);
    fs::remove_all(dir);
    EXPECT_NEAR(r.binary->precision, 0.95, 1e-12);
    EXPECT_NEAR(r.binary->recall, 0.90, 1e-12);
    EXPECT_NEAR(r.binary->f1, 2 * 0.95 * 0.9 / (0.95 + 0.9), 1e-12);
    EXPECT_NEAR(r.binary->f1, 0.924324324324, 1e-9);
}

// The notes' weighted error: a weight of 10 on pornographic images (1.1.2).
TEST(Eval, NotesClassWeightTenForTheClassThatMustNotGetThrough) {
    EvalOptions options;
    options.class_weights = {{"porn", 10.0}};
    EvalReport r = evaluate((kData / "notes_porn_filter.csv").string(), options);
    EXPECT_NEAR(r.error, 0.07, 1e-12);
    EXPECT_NEAR(*r.weighted_error, (5.0 + 2 * 10.0) / (95.0 + 5 * 10.0), 1e-12);
    EXPECT_LT(r.weighted_error_ci->lo, *r.weighted_error);
    EXPECT_GT(r.weighted_error_ci->hi, *r.weighted_error);
}

TEST(Eval, WilsonIntervalHandComputed) {
    // 40 errors in 400 rows, 95%; the values are scipy's norm.ppf put into Wilson's formula.
    auto ci = mlstrat::stats::wilson_interval(40, 400, 0.95);
    EXPECT_NEAR(ci.lo, 0.07429925914003437, 1e-12);
    EXPECT_NEAR(ci.hi, 0.13331057632740284, 1e-12);
    EXPECT_NEAR(mlstrat::stats::z_for_level(0.95), 1.959963984540054, 1e-12);
    EXPECT_NEAR(mlstrat::stats::normal_quantile(0.001), -3.090232306167813, 1e-12);
}

TEST(Eval, MinTestSize) {
    auto a = min_test_size(0.05, 0.005, 0.95);
    EXPECT_EQ(a.normal_rows, 7299u);  // 1.96^2 * 0.05 * 0.95 / 0.005^2 = 7298.5 -> 7299
    // The Wilson half-width at the answer fits the margin, one row less does not.
    auto half = [](double n) {
        auto ci = mlstrat::stats::wilson_interval(0.05 * n, n, 0.95);
        return (ci.hi - ci.lo) / 2;
    };
    EXPECT_LE(half(static_cast<double>(a.rows)), 0.005);
    EXPECT_GT(half(static_cast<double>(a.rows - 1)), 0.005);
}

TEST(Eval, WilsonBoundsAreExactAtNoneAndAll) {
    // With 0 errors the interval starts at exactly 0, with n errors it ends at exactly 1: JSON
    // prints 0.0 and 1.0, not a rounding residue such as 2.7755575615628914e-17 (n = 5).
    for (int n = 1; n <= 2000; ++n) {
        const double rows = n;
        EXPECT_EQ(mlstrat::stats::wilson_interval(0.0, rows, 0.95).lo, 0.0) << n;
        EXPECT_EQ(mlstrat::stats::wilson_interval(rows, rows, 0.95).hi, 1.0) << n;
    }
    // By hand: with no successes the upper bound is z^2 / (n + z^2); scipy.stats.norm.ppf(0.975)
    // gives z, and 3.8414588 / 8.8414588 = 0.43448246478317476.
    EXPECT_NEAR(mlstrat::stats::wilson_interval(0.0, 5.0, 0.95).hi, 0.43448246478317476, 1e-12);
}

TEST(Eval, ChiSquareTail) {
    // scipy.stats.chi2.sf(3.84145882069, 1) = 0.05; chi2.sf(10, 4) = 0.040427681994512
    EXPECT_NEAR(mlstrat::stats::chi_square_sf(3.841458820694124, 1), 0.05, 1e-10);
    EXPECT_NEAR(mlstrat::stats::chi_square_sf(10.0, 4), 0.040427681994512, 1e-10);
}

TEST(Eval, BadClassWeightAndBetaAreErrors) {
    EvalOptions options;
    options.class_weights = {{"porn", -1.0}};
    EXPECT_THROW(evaluate((kData / "notes_porn_filter.csv").string(), options), mlstrat::Error);
    EvalOptions beta;
    beta.beta = 0.0;
    EXPECT_THROW(evaluate((kData / "binary.csv").string(), beta), mlstrat::Error);
}

// Hand-computed: the off-diagonal cells of [[5, 2, 0], [4, 6, 2], [1, 0, 3]] are dog->cat 4,
// cat->dog 2, dog->fox 2, fox->cat 1 and two of 0; the tie of 2 keeps row-major order.
TEST(Confusions, LargestOffDiagonalCellsFirstTiesInRowMajorOrder) {
    const std::vector<std::string> classes = {"cat", "dog", "fox"};
    const std::vector<std::vector<std::uint64_t>> m = {{5, 2, 0}, {4, 6, 2}, {1, 0, 3}};
    const auto top = top_confusions(classes, m, 3);
    ASSERT_EQ(top.size(), 3u);
    EXPECT_EQ(top[0].label, "dog");
    EXPECT_EQ(top[0].pred, "cat");
    EXPECT_EQ(top[0].count, 4u);
    EXPECT_EQ(top[1].label, "cat");
    EXPECT_EQ(top[1].pred, "dog");
    EXPECT_EQ(top[1].count, 2u);
    EXPECT_EQ(top[2].label, "dog");
    EXPECT_EQ(top[2].pred, "fox");
    EXPECT_EQ(top[2].count, 2u);
    const auto all = top_confusions(classes, m, 10);  // the cells of 0 rows are left out
    ASSERT_EQ(all.size(), 4u);
    EXPECT_EQ(all[3].label, "fox");
    EXPECT_EQ(all[3].pred, "cat");
    EXPECT_EQ(all[3].count, 1u);
    EXPECT_TRUE(top_confusions(classes, {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, 3).empty());
}

TEST(Confusions, AMatrixThatDoesNotMatchTheClassesIsAnError) {
    EXPECT_THROW(top_confusions({"a", "b"}, {{1, 2}}, 3), mlstrat::Error);
    EXPECT_THROW(top_confusions({"a", "b"}, {{1, 2}, {3}}, 3), mlstrat::Error);
}

}  // namespace
