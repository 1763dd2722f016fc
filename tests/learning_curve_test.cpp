// Learning curves: the fit of a + b·n^(−c) against scipy.optimize.curve_fit
// (tests/data/curve/make_fixtures.py), the nested stratified subsets, --sizes, the verdicts and
// the curve kept in the registry.

#include "mlstrat/learning_curve.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "analysis_helpers.hpp"
#include "mlstrat/registry.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/stats.hpp"

namespace {

using namespace mlstrat::diagnose;
using mlstrat::test_util::error_of;
using mlstrat::test_util::TempDir;

nlohmann::json fixtures() {
    std::ifstream in(std::string(MLSTRAT_SOURCE_DIR) + "/tests/data/curve/power_law_fits.json");
    return nlohmann::json::parse(in);
}

void expect_relative(double expected, double actual, double tolerance, const std::string& what) {
    EXPECT_NEAR(actual, expected, tolerance * std::max(1e-12, std::fabs(expected))) << what;
}

TEST(LearningCurve, StudentTQuantilesMatchScipy) {
    const auto all = fixtures();  // a range-for over a member of a temporary would dangle
    for (const auto& q : all.at("t_quantiles")) {
        expect_relative(
            q.at("t").get<double>(),
            mlstrat::stats::student_t_quantile(q.at("p").get<double>(), q.at("dof").get<double>()),
            1e-8, q.dump());  // scipy's t.ppf itself is a few 1e-9 off (mpmath)
    }
    EXPECT_NEAR(mlstrat::stats::student_t_quantile(0.025, 3), -3.182446305284263, 1e-9);
}

TEST(LearningCurve, FitMatchesScipyCurveFit) {
    const auto all = fixtures();
    const double level = all.at("level");
    for (const auto& c : all.at("cases")) {
        const std::string name = c.at("name");
        const auto fit = fit_power_law(c.at("sizes").get<std::vector<double>>(),
                                       c.at("errors").get<std::vector<double>>());
        // The floor is an error rate: bounded at 0, and on its bound no longer estimated.
        EXPECT_EQ(fit.floor_at_zero, c.at("floor_at_zero").get<bool>()) << name;
        EXPECT_GE(fit.a, 0.0) << name;
        if (fit.floor_at_zero) {
            EXPECT_EQ(fit.a, 0.0) << name;
        } else {
            expect_relative(c.at("a"), fit.a, 1e-5, name + " a");
        }
        expect_relative(c.at("b"), fit.b, 1e-5, name + " b");
        expect_relative(c.at("c"), fit.c, 1e-5, name + " c");
        expect_relative(c.at("rss"), fit.rss, 1e-6, name + " rss");
        EXPECT_EQ(fit.dof, c.at("dof").get<int>());
        EXPECT_FALSE(fit.at_bound) << name;
        for (int i = 0; i < 3; ++i) {
            for (int j = 0; j < 3; ++j) {
                expect_relative(c.at("covariance")[i][j], fit.covariance[i][j], 1e-3,
                                name + " covariance");
            }
        }
        const auto probes = c.at("probe_sizes").get<std::vector<double>>();
        for (std::size_t k = 0; k < probes.size(); ++k) {
            const auto conf = fit.band(probes[k], level);
            const auto pred = fit.band(probes[k], level, true);
            ASSERT_TRUE(conf && pred);
            expect_relative(c.at("confidence_band")[k][0], conf->lo, 1e-4, name + " band lo");
            expect_relative(c.at("confidence_band")[k][1], conf->hi, 1e-4, name + " band hi");
            expect_relative(c.at("prediction_band")[k][0], pred->lo, 1e-4, name + " pred lo");
            expect_relative(c.at("prediction_band")[k][1], pred->hi, 1e-4, name + " pred hi");
        }
        const double target = c.at("target");
        const auto needed = fit.size_for(target);
        ASSERT_EQ(needed.has_value(), !c.at("size_to_reach").is_null()) << name;
        if (needed) expect_relative(c.at("size_to_reach"), *needed, 1e-3, name + " size");
        const auto interval = size_interval(fit, target, c.at("sizes").back().get<double>(), level);
        const auto& expected = c.at("size_interval");
        ASSERT_EQ(interval.has_value(), !expected[0].is_null()) << name;
        if (!interval) continue;
        expect_relative(expected[0], interval->lo, 1e-3, name + " interval lo");
        ASSERT_EQ(interval->hi.has_value(), !expected[1].is_null()) << name;
        if (interval->hi) expect_relative(expected[1], *interval->hi, 1e-3, name + " interval hi");
    }
}

TEST(LearningCurve, ExactPointsGiveTheirCurveBack) {
    // By hand: 0.05 + 2·n^(−0.5) at n = 100, 400, 1600, 6400 is 0.25, 0.15, 0.1, 0.075.
    const auto fit = fit_power_law({100, 400, 1600, 6400}, {0.25, 0.15, 0.1, 0.075});
    EXPECT_NEAR(fit.a, 0.05, 1e-7);
    EXPECT_NEAR(fit.b, 2.0, 1e-5);
    EXPECT_NEAR(fit.c, 0.5, 1e-6);
    EXPECT_NEAR(fit.rss, 0.0, 1e-14);
    // 0.05 + 2/sqrt(n) = 0.07 at n = 10,000.
    EXPECT_NEAR(*fit.size_for(0.07), 10000.0, 0.5);
    EXPECT_FALSE(fit.size_for(0.049).has_value());  // below the floor
}

TEST(LearningCurve, FewerThanThreeSizesCannotBeFitted) {
    EXPECT_EQ(error_of([] {
                  fit_power_law({100, 200}, {0.2, 0.1});
              }),
              "fitting a learning curve needs at least three sizes, got 2");
    EXPECT_EQ(error_of([] {
                  fit_power_law({100, 100, 200}, {0.2, 0.21, 0.1});
              }),
              "fitting a learning curve needs at least three sizes, got 2");
}

TEST(LearningCurve, SizesAreParsedAndCheckedAsTheFlagSays) {
    EXPECT_EQ(parse_curve_sizes("1000,2000,5000,all"),
              (std::vector<std::uint64_t>{1000, 2000, 5000, 0}));
    EXPECT_EQ(error_of([] { parse_curve_sizes("1000,all"); }),
              "--sizes: a fit of dev error ≈ a + b·n^(−c) needs at least three sizes, got 2");
    EXPECT_EQ(error_of([] { parse_curve_sizes("1000,2k,3000"); }),
              "--sizes: '2k' is not a training-set size (a whole number of examples, or 'all')");
    EXPECT_EQ(error_of([] { parse_curve_sizes("1000,1000,3000"); }),
              "--sizes: '1000' is given twice");
    EXPECT_EQ(error_of([] { parse_curve_sizes("0,1,2"); }),
              "--sizes: a training-set size must be at least 1");
    EXPECT_EQ(default_repeats(1000, 55000), 3);
    EXPECT_EQ(default_repeats(5500, 55000), 3);
    EXPECT_EQ(default_repeats(20000, 55000), 2);
    EXPECT_EQ(default_repeats(55000, 55000), 1);
}

TEST(LearningCurve, StratifiedOrderKeepsEveryPrefixInProportion) {
    // Each class's k-th row has a key in [k, k + 1) / count: a prefix is off by under two rows.
    // 60% class 0, 30% class 1, 10% class 2.
    std::vector<std::int64_t> labels;
    for (int i = 0; i < 1000; ++i) labels.push_back(i % 10 < 6 ? 0 : i % 10 < 9 ? 1 : 2);
    const auto order = stratified_order(labels, 7);
    ASSERT_EQ(order.size(), labels.size());
    std::vector<bool> seen(labels.size());
    std::map<std::int64_t, double> count;
    const std::map<std::int64_t, double> share = {{0, 0.6}, {1, 0.3}, {2, 0.1}};
    for (std::size_t n = 1; n <= order.size(); ++n) {
        ASSERT_FALSE(seen[order[n - 1]]);
        seen[order[n - 1]] = true;
        count[labels[order[n - 1]]] += 1;
        for (const auto& [label, s] : share) {
            ASSERT_LE(std::fabs(count[label] - s * static_cast<double>(n)), 2.0)
                << "prefix " << n << " class " << label;
        }
    }
    EXPECT_EQ(stratified_order(labels, 7), order);
    EXPECT_NE(stratified_order(labels, 8), order);
}

std::vector<CurveRun> runs_of(const std::vector<std::uint64_t>& sizes,
                              const std::vector<double>& train, const std::vector<double>& dev) {
    std::vector<CurveRun> runs;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        runs.push_back(
            {"r" + std::to_string(i), sizes[i], 1, {{"train", train[i]}, {"dev", dev[i]}}});
    }
    return runs;
}

TEST(LearningCurve, TrainErrorAboveTheTargetIsBias) {
    const auto c = learning_curve(
        "c", runs_of({1000, 2000, 4000}, {0.05, 0.07, 0.08}, {0.20, 0.15, 0.12}), 0.06, "--target");
    EXPECT_EQ(c.verdict.kind, "bias");
    EXPECT_NE(c.verdict.message.find("train error above the target: more data alone will not "
                                     "help"),
              std::string::npos);
    EXPECT_NE(c.verdict.message.find("8%"), std::string::npos);
    EXPECT_NE(c.verdict.message.find("only grows"), std::string::npos);  // it rose: 5% to 8%
}

TEST(LearningCurve, TrainErrorThatFallsWithSizeIsNotConverged) {
    // The demo's baseline: the same epochs at every size, so the training error falls as the set
    // grows (17.7% to 12.2%). The verdict is still bias, and says the runs are not converged
    // instead of claiming the training error grows.
    const auto c = learning_curve(
        "c", runs_of({2500, 5000, 40000}, {0.177, 0.170, 0.122}, {0.299, 0.284, 0.229}), 0.05,
        "--target");
    EXPECT_EQ(c.verdict.kind, "bias");
    EXPECT_NE(c.verdict.message.find("Here it fell from 17.7% at 2,500 examples"),
              std::string::npos)
        << c.verdict.message;
    EXPECT_NE(c.verdict.message.find("not trained to convergence"), std::string::npos);
    EXPECT_EQ(c.verdict.message.find("only grows"), std::string::npos);
}

TEST(LearningCurve, MoreDataHelpsSaysHowMuch) {
    // dev = 0.05 + 2/sqrt(n) with a little scatter; train stays below the target.
    const std::vector<std::uint64_t> sizes = {100, 400, 1600, 6400};
    const auto c = learning_curve(
        "c", runs_of(sizes, {0.01, 0.02, 0.03, 0.035}, {0.2505, 0.1495, 0.1003, 0.0749}), 0.07,
        "--target");
    EXPECT_EQ(c.verdict.kind, "more_data");
    ASSERT_TRUE(c.verdict.size_needed && c.verdict.more_examples);
    EXPECT_NEAR(*c.verdict.size_needed, 10000.0, 1500.0);
    EXPECT_NEAR(*c.verdict.more_examples, *c.verdict.size_needed - 6400.0, 1e-9);
    EXPECT_NE(c.verdict.message.find("more data helps: about"), std::string::npos);
    ASSERT_TRUE(c.verdict.interval.has_value());
    EXPECT_LE(c.verdict.interval->lo, *c.verdict.size_needed);
}

TEST(LearningCurve, FloorAboveTheTargetAndOtherVerdicts) {
    const std::vector<std::uint64_t> sizes = {100, 400, 1600, 6400};
    const std::vector<double> train = {0.01, 0.01, 0.01, 0.01};
    const std::vector<double> dev = {0.2505, 0.1495, 0.1003, 0.0749};
    EXPECT_EQ(learning_curve("c", runs_of(sizes, train, dev), 0.03, "--target").verdict.kind,
              "floor");
    EXPECT_EQ(learning_curve("c", runs_of(sizes, train, dev), 0.08, "--target").verdict.kind,
              "reached");
    EXPECT_EQ(learning_curve("c", runs_of(sizes, train, dev), std::nullopt, "").verdict.kind,
              "no_target");
    const auto two =
        learning_curve("c", runs_of({100, 400}, {0.01, 0.01}, {0.2, 0.15}), 0.07, "--target");
    EXPECT_EQ(two.verdict.kind, "no_fit");
    EXPECT_FALSE(two.fit.has_value());
}

TEST(LearningCurve, RepeatsGiveMeanAndSpread) {
    std::vector<CurveRun> runs = {{"a", 100, 1, {{"dev", 0.20}}},
                                  {"b", 100, 2, {{"dev", 0.22}}},
                                  {"c", 100, 3, {{"dev", 0.24}}},
                                  {"d", 400, 1, {{"dev", 0.15}}},
                                  {"e", 1600, 1, {{"dev", 0.10}}}};
    const auto c = learning_curve("c", runs, std::nullopt, "");
    ASSERT_EQ(c.points.size(), 3u);
    const auto& s = c.points[0].errors.at("dev");
    EXPECT_NEAR(s.mean, 0.22, 1e-12);
    EXPECT_NEAR(s.sd, 0.02, 1e-12);  // sample sd of 0.20, 0.22, 0.24
    EXPECT_EQ(s.runs, 3);
    EXPECT_EQ(c.points[2].size, 1600u);
    const auto j = c.to_json();
    EXPECT_EQ(j.at("points").size(), 3u);
    EXPECT_TRUE(j.at("fit").is_object());
}

TEST(LearningCurve, RegistryKeepsTheCurveAndItsTarget) {
    TempDir dir;
    const std::string db = dir.file("mlstrat.db");
    {
        auto registry = mlstrat::registry::Registry::open(db);
        const std::vector<std::uint64_t> sizes = {100, 400, 1600, 6400};
        const std::vector<double> dev = {0.2505, 0.1495, 0.1003, 0.0749};
        for (std::size_t i = 0; i < sizes.size(); ++i) {
            mlstrat::registry::Run run;
            run.name = "fm-n" + std::to_string(sizes[i]) + "-r1";
            run.kind = "curve";
            run.group = "fm";
            run.errors = {{"train", 0.01}, {"dev", dev[i]}, {"test", 0.5}};
            registry.add_run(run);
            mark_curve_run(db, run.name, "fm", sizes[i], 1, std::nullopt);
        }
        mlstrat::registry::Run other;
        other.name = "other";
        other.kind = "train";
        other.errors = {{"dev", 0.3}};
        registry.add_run(other);
        registry.set_setting("human.doctor", "0.07");
        registry.set_setting("human.team", "0.06");
        registry.set_setting("human_goal", "doctor");
    }
    const auto c = curve_from_registry(db, "fm", std::nullopt);
    EXPECT_EQ(c.runs.size(), 4u);
    ASSERT_TRUE(c.target.has_value());
    EXPECT_DOUBLE_EQ(*c.target, 0.07);
    EXPECT_NE(c.target_source.find("doctor"), std::string::npos);
    EXPECT_EQ(c.verdict.kind, "more_data");
    EXPECT_FALSE(c.points[0].errors.count("test"));  // test stays for the final estimate
    EXPECT_EQ(curve_run_names(db, "fm").size(), 4u);
    EXPECT_DOUBLE_EQ(*curve_from_registry(db, "fm", 0.03).target, 0.03);
    EXPECT_EQ(error_of([&] { curve_from_registry(db, "nope", std::nullopt); }),
              db + ": no learning curve is called 'nope' (mlstrat curve CONFIG --name nope "
                   "records one; mlstrat runs list shows the runs)");
}

// A curve's run at `size`, repeat 1: dev error 0.05 + 2/sqrt(size), train error 1%.
mlstrat::registry::Run curve_point_run(const std::string& curve, std::uint64_t size) {
    mlstrat::registry::Run run;
    run.name = curve + "-n" + std::to_string(size) + "-r1";
    run.kind = "curve";
    run.group = curve;  // recorded in the curve's group, as mlstrat curve records it
    run.errors = {{"train", 0.01}, {"dev", 0.05 + 2.0 / std::sqrt(double(size))}};
    return run;
}

TEST(LearningCurve, CurveRunsAreOneRegistryGroup) {
    TempDir dir;
    const std::string db = dir.file("mlstrat.db");
    {
        auto registry = mlstrat::registry::Registry::open(db);
        for (std::uint64_t size : {100u, 400u, 1600u}) {
            const auto run = curve_point_run("g", size);
            registry.add_run(run);
            mark_curve_run(db, run.name, "g", size, 1, 0.07);
        }
    }
    auto registry = mlstrat::registry::Registry::open(db);
    const auto run = registry.find_run("g-n400-r1");
    ASSERT_TRUE(run.has_value());
    EXPECT_EQ(run->group, "g");
    EXPECT_EQ(run->tags.at("curve_size"), "400");
    EXPECT_EQ(run->tags.at("curve_repeat"), "1");
    EXPECT_EQ(run->tags.at("curve_target"), "0.07");
    EXPECT_TRUE(run->notes.empty());  // the group and tags carry it, no note
    EXPECT_EQ(curve_names(db), (std::vector<std::string>{"g"}));
    const auto c = curve_from_registry(db, "g", std::nullopt);
    ASSERT_EQ(c.points.size(), 3u);
    EXPECT_EQ(c.points[1].size, 400u);
    EXPECT_DOUBLE_EQ(*c.target, 0.07);
    EXPECT_EQ(c.target_source, "the target the curve was trained with");
}

// A run is a curve's from the moment it is recorded: tagging one recorded outside the curve's
// group is refused, not patched afterwards.
TEST(LearningCurve, OnlyARunRecordedInTheGroupIsTagged) {
    TempDir dir;
    const std::string db = dir.file("mlstrat.db");
    {
        auto registry = mlstrat::registry::Registry::open(db);
        auto run = curve_point_run("g", 100);
        run.group.clear();
        registry.add_run(run);
    }
    EXPECT_EQ(error_of([&] { mark_curve_run(db, "g-n100-r1", "g", 100, 1, std::nullopt); }),
              db + ": run 'g-n100-r1' was not recorded in the group of curve 'g'");
    EXPECT_TRUE(curve_names(db).empty());
}

// A registry written before curves were groups marks each run with a note; it still reads.
TEST(LearningCurve, OlderRegistriesNotesStillRead) {
    TempDir dir;
    const std::string db = dir.file("mlstrat.db");
    {
        auto registry = mlstrat::registry::Registry::open(db);
        for (std::uint64_t size : {100u, 400u, 1600u}) {
            auto run = curve_point_run("old", size);
            run.group.clear();  // older registries had no curve groups
            run.notes = "some other note\ncurve old: size " + std::to_string(size) +
                        ", repeat 1, target 0.06";
            registry.add_run(run);
        }
    }
    EXPECT_EQ(curve_names(db), (std::vector<std::string>{"old"}));
    EXPECT_EQ(curve_run_names(db, "old").size(), 3u);
    const auto c = curve_from_registry(db, "old", std::nullopt);
    ASSERT_EQ(c.points.size(), 3u);
    EXPECT_EQ(c.points[2].size, 1600u);
    EXPECT_DOUBLE_EQ(*c.target, 0.06);
}

}  // namespace
