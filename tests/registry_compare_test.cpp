// Is B really better than A? McNemar's exact test against scipy.stats.binomtest
// (tests/data/registry/make_mcnemar.py), the paired interval by hand, and the verdicts.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "mlstrat/registry.hpp"
#include "mlstrat/support/error.hpp"

namespace fs = std::filesystem;
using namespace mlstrat::registry;
using RunRecord = mlstrat::registry::Run;

namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A predictions file whose rows are right where `right` says (label "1", pred "1" or "0").
std::string write_predictions(const fs::path& dir, const std::string& name,
                              const std::vector<int>& ids, const std::vector<bool>& right) {
    std::string text = "id,label,pred\n";
    for (std::size_t i = 0; i < ids.size(); ++i) {
        text += std::to_string(ids[i]) + ",1," + (right[i] ? "1" : "0") + "\n";
    }
    const std::string path = (dir / name).string();
    std::ofstream(path) << text;
    return path;
}

}  // namespace

TEST(RegistryCompare, McNemarMatchesScipyBinomtest) {
    const auto fixture = nlohmann::json::parse(
        slurp(std::string(MLSTRAT_SOURCE_DIR) + "/tests/data/registry/mcnemar_binomtest.json"));
    ASSERT_GE(fixture["cases"].size(), 10u);
    for (const auto& c : fixture["cases"]) {
        const auto b = c["only_a_right"].get<std::uint64_t>();
        const auto n = c["only_b_right"].get<std::uint64_t>();
        const double expected = c["p_value"].get<double>();
        EXPECT_NEAR(mcnemar_p(b, n), expected, 1e-9 * std::max(1e-300, expected) + 1e-15)
            << b << " vs " << n;
    }
}

TEST(RegistryCompare, PairedTestCountsAndInterval) {
    // 100 examples: both right 80, only A 3, only B 10, both wrong 7.
    PairedTest t = paired_test(80, 3, 10, 7);
    EXPECT_EQ(t.examples, 100u);
    EXPECT_DOUBLE_EQ(t.error_a, 0.17);
    EXPECT_DOUBLE_EQ(t.error_b, 0.10);
    EXPECT_NEAR(t.difference, 0.07, 1e-15);
    // Agresti-Min by hand: (10.5 - 3.5) / 102 -/+ 1.959964 sqrt(14 - 7^2/102) / 102.
    EXPECT_NEAR(t.interval.lo, -0.0020254447865352826, 1e-12);
    EXPECT_NEAR(t.interval.hi, 0.1392803467473196, 1e-12);
    EXPECT_FALSE(t.significant);  // p = 0.092 (scipy)
    const std::string tie = verdict("A", "B", t);
    EXPECT_EQ(tie.rfind("a tie within noise", 0), 0u) << tie;
    EXPECT_NE(tie.find("mlstrat eval --min-test-size"), std::string::npos) << tie;

    PairedTest clear = paired_test(70, 0, 20, 10);
    EXPECT_TRUE(clear.significant);
    EXPECT_EQ(verdict("A", "B", clear).rfind("B is better by 20.00%", 0), 0u)
        << verdict("A", "B", clear);
    PairedTest reverse = paired_test(70, 20, 0, 10);
    EXPECT_EQ(verdict("A", "B", reverse).rfind("A is better by 20.00%", 0), 0u);
}

TEST(RegistryCompare, RunsPairTheirPredictionsById) {
    const fs::path dir =
        fs::temp_directory_path() / ("mlstrat-compare-" + std::to_string(getpid()));
    fs::create_directories(dir);
    // B fixes 20 of A's errors and breaks none; the rows are in another order in B's file.
    std::vector<int> ids, reversed;
    std::vector<bool> a_right, b_right;
    for (int i = 0; i < 100; ++i) {
        ids.push_back(i);
        a_right.push_back(i >= 30);
        b_right.push_back(i >= 10);
    }
    reversed.assign(ids.rbegin(), ids.rend());
    std::vector<bool> b_reversed(b_right.rbegin(), b_right.rend());
    RunRecord a, b;
    a.name = "A";
    b.name = "B";
    a.params = {{"optim.lr", 0.01}, {"model.depth", 2}};
    b.params = {{"optim.lr", 0.001}, {"model.depth", 2}};
    a.errors = {{"dev", 0.3}};
    b.errors = {{"dev", 0.1}};
    a.predictions["dev"] = write_predictions(dir, "a.csv", ids, a_right);
    b.predictions["dev"] = write_predictions(dir, "b.csv", reversed, b_reversed);
    Comparison c = compare_runs(a, b, "dev");
    ASSERT_EQ(c.params.size(), 1u);
    EXPECT_EQ(c.params[0].key, "optim.lr");
    ASSERT_TRUE(c.paired.has_value());
    EXPECT_EQ(c.paired->only_b_right, 20u);
    EXPECT_EQ(c.paired->only_a_right, 0u);
    EXPECT_NEAR(c.paired->p_value, 1.9073486328125e-06, 1e-15);  // scipy, case (0, 20)
    EXPECT_EQ(c.verdict.rfind("B is better by 20.00%", 0), 0u) << c.verdict;

    // Files on different examples: the error says how many match.
    b.predictions["dev"] = write_predictions(dir, "c.csv", {0, 1, 500}, {true, true, false});
    try {
        compare_runs(a, b, "dev");
        FAIL() << "different examples were paired";
    } catch (const mlstrat::Error& e) {
        EXPECT_NE(std::string(e.what()).find("share 2 ids"), std::string::npos) << e.what();
    }
    // Without predictions: metrics side by side and a verdict that says why there is no test.
    b.predictions.clear();
    c = compare_runs(a, b, "dev");
    EXPECT_FALSE(c.paired.has_value());
    EXPECT_NE(c.verdict.find("runs predictions"), std::string::npos);
    fs::remove_all(dir);
}
