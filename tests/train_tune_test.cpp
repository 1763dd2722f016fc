// mlstrat tune: the search-space syntax and its errors, reproducible draws, the registry entries
// of the trials, selection under the project's satisficing limits, successive halving, and the
// resume with more epochs that halving relies on.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

#include "mlstrat/registry.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/io.hpp"
#include "mlstrat/train.hpp"
#include "train/search_space.hpp"

namespace fs = std::filesystem;
using namespace mlstrat::train;

namespace {

fs::path temp_dir(const std::string& name) {
    auto dir = fs::temp_directory_path() / ("mlstrat_train_tune_" + name);
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

std::string space_error(const std::string& text) {
    try {
        parse_search_dimension(text);
    } catch (const mlstrat::Error& e) {
        return e.what();
    }
    return "";
}

const std::string kConfig = std::string(MLSTRAT_SOURCE_DIR) + "/tests/data/train/tune.toml";

TuneRequest tiny(const fs::path& dir) {
    TuneRequest r;
    r.config_path = kConfig;
    r.space = {"optim.lr=log(1e-3,3e-2)", "model.hidden=choice([8],[16, 16])"};
    r.trials = 3;
    r.runs_dir = (dir / "runs").string();
    r.registry_path = (dir / "mlstrat.db").string();
    return r;
}

}  // namespace

TEST(Tune, ParsesEveryDistribution) {
    auto lr = parse_search_dimension("optim.lr=log(1e-4, 1e-2)");
    EXPECT_EQ(lr.kind, SearchDimension::Kind::Log);
    EXPECT_DOUBLE_EQ(lr.lo, 1e-4);
    EXPECT_DOUBLE_EQ(lr.hi, 1e-2);
    EXPECT_FALSE(lr.integer);
    auto batch = parse_search_dimension("train.batch_size=int(16,64)");
    EXPECT_EQ(batch.kind, SearchDimension::Kind::Int);
    EXPECT_TRUE(batch.integer);
    auto hidden = parse_search_dimension("model.hidden=choice([32],[64, 64],[128])");
    EXPECT_EQ(hidden.choices, (std::vector<std::string>{"[32]", "[64, 64]", "[128]"}));
    auto kind = parse_search_dimension("optim.kind=choice(adam,momentum)");
    EXPECT_EQ(kind.choices, (std::vector<std::string>{"adam", "momentum"}));
    EXPECT_EQ(parse_search_dimension("model.dropout=uniform(0,0.5)").kind,
              SearchDimension::Kind::Uniform);
}

TEST(Tune, BadSpacesNameTheFlag) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"optim.lr", "--space 'optim.lr': expected KEY="},
        {"optim.lr=log(1e-4)", "log needs two numbers"},
        {"optim.lr=log(0,1)", "log needs 0 < LO < HI"},
        {"optim.lr=uniform(2,1)", "uniform needs LO < HI"},
        {"train.epochs=int(1.5,3)", "int needs integers"},
        {"optim.lr=normal(0,1)", "unknown distribution 'normal'"},
        {"optim.lrr=log(1e-4,1e-2)", "unknown key 'optim.lrr'"},
        {"model.hidden=int(8,64)", "key 'model.hidden' is array of integers; use choice"},
        {"optim.lr=uniform(-1,1)", "key 'optim.lr' must be > 0, got -1"},
        {"optim.kind=choice(adam,adamw)", "must be one of sgd, momentum, rmsprop, adam"},
        {"optim.lr=log(1e-4,x)", "'x' is not a number"},
        {"optim.kind=choice(adam,)", "choice has an empty value"},
    };
    for (const auto& [text, want] : cases) {
        const std::string got = space_error(text);
        EXPECT_EQ(got.rfind("--space '" + text + "'", 0), 0u) << got;
        EXPECT_NE(got.find(want), std::string::npos) << text << " -> " << got;
    }
}

TEST(Tune, DrawsAreSeededAndInRange) {
    const std::vector<SearchDimension> space = {
        parse_search_dimension("optim.lr=log(1e-4,1e-2)"),
        parse_search_dimension("train.batch_size=int(2,4)"),
        parse_search_dimension("optim.kind=choice(adam,sgd)")};
    const auto a = sample_trials(space, 200, 7);
    EXPECT_EQ(a, sample_trials(space, 200, 7));
    EXPECT_NE(a, sample_trials(space, 200, 8));
    std::set<std::string> batches, kinds;
    int below_1e3 = 0;
    for (const auto& t : a) {
        ASSERT_EQ(t.size(), 3u);
        ASSERT_EQ(t[0].rfind("optim.lr=", 0), 0u);
        const double lr = std::stod(t[0].substr(9));
        EXPECT_GE(lr, 1e-4);
        EXPECT_LE(lr, 1e-2);
        below_1e3 += lr < 1e-3;
        batches.insert(t[1]);
        kinds.insert(t[2]);
    }
    // Log-uniform: half the draws below the geometric middle 1e-3 (uniform would give 9%).
    EXPECT_GT(below_1e3, 70);
    EXPECT_LT(below_1e3, 130);
    EXPECT_EQ(batches, (std::set<std::string>{"train.batch_size=2", "train.batch_size=3",
                                              "train.batch_size=4"}));
    EXPECT_EQ(kinds, (std::set<std::string>{"optim.kind=adam", "optim.kind=sgd"}));
}

TEST(Tune, TrialsAreRegisteredAndRankedByDevError) {
    auto dir = temp_dir("search");
    const TuneResult r = tune(tiny(dir));
    ASSERT_EQ(r.leaderboard.size(), 3u);
    EXPECT_EQ(r.objective, "minimize dev.error");
    ASSERT_TRUE(r.best.has_value());
    EXPECT_EQ(*r.best, r.leaderboard[0].name);
    EXPECT_EQ(r.best_overrides, r.leaderboard[0].overrides);
    for (std::size_t i = 0; i + 1 < r.leaderboard.size(); ++i) {
        EXPECT_LE(*r.leaderboard[i].value, *r.leaderboard[i + 1].value);
    }
    auto registry = mlstrat::registry::Registry::open((dir / "mlstrat.db").string());
    std::set<std::string> names;
    for (const auto& t : r.leaderboard) {
        names.insert(t.name);
        auto run = registry.find_run(t.name);
        ASSERT_TRUE(run.has_value());
        EXPECT_EQ(run->kind, "tune");
        EXPECT_DOUBLE_EQ(run->errors.at("dev"), *t.value);
        EXPECT_GT(run->metrics.at("latency_ms"), 0.0);
        for (const auto& o : t.overrides) {
            EXPECT_NE(run->notes.find("--set " + o), std::string::npos) << run->notes;
        }
        EXPECT_EQ(t.epochs, 4);
    }
    EXPECT_EQ(names, (std::set<std::string>{"qt-t01", "qt-t02", "qt-t03"}));
    // The same search again needs --force.
    EXPECT_THROW(tune(tiny(dir)), mlstrat::Error);
}

TEST(Tune, ProjectLimitsDecide) {
    auto dir = temp_dir("limits");
    {
        auto registry = mlstrat::registry::Registry::open((dir / "mlstrat.db").string());
        registry.set_setting(mlstrat::registry::kObjective, "maximize accuracy");
        registry.set_setting(mlstrat::registry::kRequire, "latency_ms<=0");
    }
    const TuneResult r = tune(tiny(dir));
    EXPECT_EQ(r.objective, "maximize accuracy");
    EXPECT_EQ(r.constraints, (std::vector<std::string>{"latency_ms<=0"}));
    EXPECT_FALSE(r.best.has_value());  // no model runs in 0 ms
    for (const auto& t : r.leaderboard) {
        EXPECT_FALSE(t.feasible);
        ASSERT_EQ(t.violations.size(), 1u);
    }
}

TEST(Tune, SuccessiveHalvingKeepsTheBestAndResumes) {
    auto dir = temp_dir("halving");
    TuneRequest req = tiny(dir);
    req.trials = 4;
    req.halving = true;
    req.eta = 2;
    const TuneResult r = tune(req);
    ASSERT_EQ(r.rungs.size(), 3u);  // 1, 2, 4 epochs
    EXPECT_EQ(r.rungs[0].epochs, 1);
    EXPECT_EQ(r.rungs[1].epochs, 2);
    EXPECT_EQ(r.rungs[2].epochs, 4);
    EXPECT_EQ(r.rungs[0].trials.size(), 4u);
    EXPECT_EQ(r.rungs[0].kept, r.rungs[1].trials);
    EXPECT_EQ(r.rungs[1].trials.size(), 2u);
    EXPECT_EQ(r.rungs[2].trials.size(), 1u);
    EXPECT_TRUE(r.rungs[2].kept.empty());
    ASSERT_EQ(r.leaderboard.size(), 4u);
    EXPECT_EQ(r.leaderboard[0].epochs, 4);
    EXPECT_EQ(r.leaderboard[1].epochs, 2);
    EXPECT_EQ(r.leaderboard[2].epochs, 1);
    EXPECT_EQ(*r.best, r.leaderboard[0].name);
    // The survivor was resumed: one history row per epoch over the three rungs.
    const std::string history =
        mlstrat::io::read_file((dir / "runs" / *r.best / "history.csv").string());
    EXPECT_EQ(std::count(history.begin(), history.end(), '\n'), 5);
}

TEST(Tune, ResumingWithMoreEpochsEqualsOneLongerRun) {
    auto dir = temp_dir("extend");
    RunRequest r;
    r.config_path = kConfig;
    r.runs_dir = (dir / "runs").string();
    r.overrides = {"train.epochs=1"};
    train_run(r);
    r.overrides = {"train.epochs=3"};
    r.resume = true;
    train_run(r);
    r.resume = false;
    r.name = "straight";
    train_run(r);
    EXPECT_EQ(mlstrat::io::read_file((dir / "runs" / "qt" / "pred_dev.csv").string()),
              mlstrat::io::read_file((dir / "runs" / "straight" / "pred_dev.csv").string()));
    // Fewer epochs, or any other change, is refused.
    r.name = "";
    r.resume = true;
    r.overrides = {"train.epochs=2"};
    EXPECT_THROW(train_run(r), mlstrat::Error);
    r.overrides = {"train.epochs=3", "optim.lr=0.5"};
    EXPECT_THROW(train_run(r), mlstrat::Error);
}

TEST(Tune, RepeatsFormOneGroupPerTrialRankedByTheMeanOnDev) {
    auto dir = temp_dir("repeats");
    TuneRequest req = tiny(dir);
    req.trials = 2;
    req.repeats = 3;
    const TuneResult r = tune(req);
    ASSERT_EQ(r.leaderboard.size(), 2u);
    auto registry = mlstrat::registry::Registry::open((dir / "mlstrat.db").string());
    const std::int64_t seed = load_config(kConfig).seed;
    for (const auto& t : r.leaderboard) {
        ASSERT_EQ(t.runs.size(), 3u);
        double sum = 0.0;
        std::set<std::int64_t> seeds;
        for (std::size_t k = 0; k < t.runs.size(); ++k) {
            EXPECT_EQ(t.runs[k],
                      t.name + "-s" + std::to_string(seed + static_cast<std::int64_t>(k)));
            auto run = registry.find_run(t.runs[k]);
            ASSERT_TRUE(run.has_value()) << t.runs[k];
            EXPECT_EQ(run->group, t.name);
            EXPECT_EQ(run->kind, "tune");
            seeds.insert(run->params.at("seed").get<std::int64_t>());
            sum += run->errors.at("dev");
        }
        EXPECT_EQ(seeds, (std::set<std::int64_t>{seed, seed + 1, seed + 2}));
        // The trial's value is its group's mean dev error, not one seed's.
        EXPECT_NEAR(*t.value, sum / 3.0, 1e-12) << t.name;
        EXPECT_NEAR(t.errors.at("dev"), sum / 3.0, 1e-12) << t.name;
        EXPECT_FALSE(registry.find_run(t.name).has_value());
    }
    EXPECT_LE(*r.leaderboard[0].value, *r.leaderboard[1].value);
    EXPECT_EQ(*r.best, r.leaderboard[0].name);
    EXPECT_TRUE(*r.best == "qt-t01" || *r.best == "qt-t02");
}
