// Seed groups: Student's t quantile against scipy (tests/data/registry/make_student_t.py), the
// mean and interval over seeds by hand, and Welch's verdict on two groups.

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "mlstrat/registry.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/stats.hpp"

using namespace mlstrat::registry;
using RunRecord = mlstrat::registry::Run;

TEST(RegistryGroups, StudentTMatchesScipy) {
    std::ifstream in(std::string(MLSTRAT_SOURCE_DIR) + "/tests/data/registry/student_t.json");
    const auto fixture = nlohmann::json::parse(in);
    ASSERT_GE(fixture["cases"].size(), 8u);
    for (const auto& c : fixture["cases"]) {
        const double p = c["p"], dof = c["dof"], q = c["quantile"];
        // scipy's t.ppf is itself within ~2e-9 (relative) of mpmath's 30-digit root here.
        EXPECT_NEAR(mlstrat::stats::student_t_quantile(p, dof), q,
                    1e-8 * std::max(1.0, std::fabs(q)))
            << p << " " << dof;
    }
    EXPECT_THROW(mlstrat::stats::student_t_quantile(1.0, 3), mlstrat::Error);
    EXPECT_THROW(mlstrat::stats::student_t_quantile(0.5, 0), mlstrat::Error);
}

TEST(RegistryGroups, SeedsGiveAMeanAndATInterval) {
    // 0.10, 0.12, 0.11: mean 0.11, sd 0.01, half-width t(0.975, 2) 0.01 / sqrt(3).
    SeedSummary s = summarize_seeds({0.10, 0.12, 0.11});
    EXPECT_EQ(s.n, 3u);
    EXPECT_NEAR(s.mean, 0.11, 1e-15);
    EXPECT_NEAR(s.sd, 0.01, 1e-15);
    ASSERT_TRUE(s.interval.has_value());
    const double half = 4.302652729911275 * 0.01 / std::sqrt(3.0);
    EXPECT_NEAR(s.interval->lo, 0.11 - half, 1e-12);
    EXPECT_NEAR(s.interval->hi, 0.11 + half, 1e-12);
    EXPECT_FALSE(summarize_seeds({0.2}).interval.has_value());
}

TEST(RegistryGroups, GroupsSummariseTheirRunsOnly) {
    std::vector<RunRecord> runs(5);
    const char* groups[] = {"lr01", "lr01", "lr05", "lr05", ""};
    const double dev[] = {0.10, 0.12, 0.20, 0.22, 0.5};
    for (int i = 0; i < 5; ++i) {
        runs[i].name = "r" + std::to_string(i);
        runs[i].group = groups[i];
        runs[i].errors["dev"] = dev[i];
    }
    auto summary = summarize_groups(runs, {parse_key("dev.error")});
    ASSERT_EQ(summary.size(), 2u);
    EXPECT_EQ(summary[0].group, "lr01");
    EXPECT_EQ(summary[0].runs, (std::vector<std::string>{"r0", "r1"}));
    EXPECT_NEAR(summary[0].values.at("dev.error").mean, 0.11, 1e-15);
    EXPECT_NEAR(summary[1].values.at("dev.error").mean, 0.21, 1e-15);
}

TEST(RegistryGroups, WelchVerdictSaysTieOrBetter) {
    const SeedSummary a = summarize_seeds({0.20, 0.21, 0.22});
    const SeedSummary b = summarize_seeds({0.10, 0.11, 0.12});
    EXPECT_EQ(group_verdict("A", "B", "dev.error", a, b).rfind("B is better by 10.00%", 0), 0u)
        << group_verdict("A", "B", "dev.error", a, b);
    const SeedSummary noisy = summarize_seeds({0.05, 0.20, 0.35});
    const std::string tie = group_verdict("A", "B", "dev.error", a, noisy);
    EXPECT_EQ(tie.rfind("a tie within noise", 0), 0u) << tie;
    EXPECT_NE(tie.find("mlstrat eval --min-test-size"), std::string::npos);
    EXPECT_THROW(group_verdict("A", "B", "dev.error", a, summarize_seeds({0.1})), mlstrat::Error);
}

TEST(RegistryGroups, GroupMeansStandForTheirSeeds) {
    RunRecord a1, a2, lone;
    a1.name = "a-s1";
    a1.group = "a";
    a1.errors = {{"dev", 0.10}, {"test", 0.12}};
    a1.sizes = {{"dev", 1000}};
    a1.split_metrics["dev"]["accuracy"] = 0.90;
    a1.metrics = {{"latency_ms", 4.0}};
    a1.params = {{"optim.lr", 0.01}, {"seed", 1}};
    a2 = a1;
    a2.name = "a-s2";
    a2.errors = {{"dev", 0.20}};
    a2.split_metrics["dev"]["accuracy"] = 0.80;
    a2.metrics = {{"latency_ms", 6.0}};
    a2.params = {{"optim.lr", 0.01}, {"seed", 2}};
    lone.name = "lone";
    lone.errors = {{"dev", 0.05}};
    const auto means = group_means({a1, lone, a2});
    ASSERT_EQ(means.size(), 2u);
    EXPECT_EQ(means[0].name, "lone");
    const RunRecord& g = means[1];
    EXPECT_EQ(g.name, "a");
    EXPECT_EQ(g.kind, "group");
    // By hand: (0.10 + 0.20) / 2; test only in a1; (0.9 + 0.8) / 2; (4 + 6) / 2.
    EXPECT_DOUBLE_EQ(g.errors.at("dev"), 0.15);
    EXPECT_DOUBLE_EQ(g.errors.at("test"), 0.12);
    EXPECT_DOUBLE_EQ(g.split_metrics.at("dev").at("accuracy"), 0.85);
    EXPECT_DOUBLE_EQ(g.metrics.at("latency_ms"), 5.0);
    EXPECT_EQ(g.sizes.at("dev"), 1000u);
    EXPECT_EQ(g.params.size(), 1u);  // the seed differs, the learning rate is shared
    EXPECT_EQ(g.params.at("optim.lr"), 0.01);
}
