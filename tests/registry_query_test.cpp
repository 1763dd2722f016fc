// The registry's version-2 store: migration of a version-1 file, per-split metrics, typed
// parameters, steps, tags, status, queries, and `--replace` keeping what it is not given.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "mlstrat/registry.hpp"
#include "mlstrat/support/error.hpp"

namespace fs = std::filesystem;
using namespace mlstrat::registry;
using RunRecord = mlstrat::registry::Run;

namespace {

class Scratch {
 public:
    Scratch() {
        std::string pattern = (fs::temp_directory_path() / "mlstrat-query-XXXXXX").string();
        path_ = mkdtemp(pattern.data());
    }
    ~Scratch() { fs::remove_all(path_); }
    std::string file(const std::string& name) const { return (fs::path(path_) / name).string(); }

 private:
    std::string path_;
};

RunRecord make_run(const std::string& name, double dev, double test, double lr,
                   const std::string& owner) {
    RunRecord r;
    r.name = name;
    r.errors = {{"dev", dev}, {"test", test}};
    r.split_metrics = {{"dev", {{"accuracy", 1 - dev}}}, {"test", {{"accuracy", 1 - test}}}};
    r.metrics = {{"latency_ms", 10.0}};
    r.params = {{"optim.lr", lr}, {"model.widths", nlohmann::json({32, 64})}};
    r.tags = {{"owner", owner}};
    return r;
}

std::vector<std::string> names(const std::vector<RunRecord>& runs) {
    std::vector<std::string> out;
    for (const auto& r : runs) out.push_back(r.name);
    return out;
}

}  // namespace

// tests/data/registry/v1.db was written by the version-1 code (make_v1_db.sh).
TEST(RegistryMigration, VersionOneFileOpensWithEverythingKept) {
    Scratch dir;
    const std::string path = dir.file("old.db");
    fs::copy_file(std::string(MLSTRAT_SOURCE_DIR) + "/tests/data/registry/v1.db", path);
    auto registry = Registry::open(path);
    EXPECT_EQ(registry.schema_version(), 2);
    auto all = registry.runs();
    ASSERT_EQ(all.size(), 4u);
    auto baseline = *registry.find_run("baseline");
    EXPECT_DOUBLE_EQ(baseline.errors.at("dev"), 0.10);
    EXPECT_DOUBLE_EQ(baseline.errors.at("test"), 0.11);
    EXPECT_EQ(baseline.sizes.at("dev"), 2500u);
    EXPECT_DOUBLE_EQ(baseline.metrics.at("latency_ms"), 80.0);
    EXPECT_EQ(baseline.notes, "first try");
    EXPECT_EQ(baseline.status, Status::Finished);
    // Version 1's bare accuracy of a trained run was its test accuracy: it moves to test.
    auto trained = *registry.find_run("trained");
    EXPECT_EQ(trained.metrics.count("accuracy"), 0u);
    EXPECT_DOUBLE_EQ(*trained.split_value("test", "accuracy"), 0.94);
    EXPECT_FALSE(trained.split_value("dev", "accuracy").has_value());
    // ... or its dev accuracy when the run had no test error.
    auto devonly = *registry.find_run("devonly");
    EXPECT_DOUBLE_EQ(*devonly.split_value("dev", "accuracy"), 0.93);
    EXPECT_DOUBLE_EQ(registry.find_run("evaluated")->errors.at("dev"), 0.2);
    EXPECT_EQ(*registry.setting("objective"), "maximize accuracy");
    // The migrated file takes the new kinds of values.
    registry.log("baseline", parse_log({"dev.macro_f1=0.8"}, {"optim.lr=0.01"}, {}, 1));
    EXPECT_EQ(registry.steps("baseline").size(), 1u);
    Registry::open(path);  // a second open finds version 2 and changes nothing
    EXPECT_EQ(Registry::open(path).runs().size(), 4u);
}

TEST(RegistryStore, ReplaceOverwritesWhatIsGivenAndKeepsTheRest) {
    Scratch dir;
    auto registry = Registry::open(dir.file("r.db"));
    registry.add_run(make_run("a", 0.1, 0.12, 0.01, "ana"));
    registry.record_error("a", "train", 0.05, 9000);
    RunRecord again;
    again.name = "a";
    again.errors = {{"dev", 0.08}};
    registry.add_run(again, true);
    auto run = *registry.find_run("a");
    EXPECT_DOUBLE_EQ(run.errors.at("dev"), 0.08);
    EXPECT_DOUBLE_EQ(run.errors.at("test"), 0.12);
    EXPECT_DOUBLE_EQ(run.errors.at("train"), 0.05);
    EXPECT_EQ(run.sizes.at("train"), 9000u);
    EXPECT_EQ(run.params.at("model.widths"), nlohmann::json({32, 64}));
}

TEST(RegistryStore, LogCreatesARunningRunAndAppends) {
    Scratch dir;
    auto registry = Registry::open(dir.file("r.db"));
    registry.log(
        "loop", parse_log({"train.loss=0.9", "dev.error=0.3"}, {"optim.lr=0.1"}, {"owner=ana"}, 0));
    registry.log("loop", parse_log({"train.loss=0.5", "dev.error=0.2"}, {}, {}, 1));
    auto run = *registry.find_run("loop");
    EXPECT_EQ(run.status, Status::Running);
    EXPECT_EQ(run.kind, "log");
    EXPECT_TRUE(run.finished.empty());
    EXPECT_DOUBLE_EQ(run.errors.at("dev"), 0.2);  // the latest value is the run's
    EXPECT_EQ(run.params.at("optim.lr"), nlohmann::json(0.1));
    EXPECT_EQ(run.tags.at("owner"), "ana");
    auto steps = registry.steps("loop");
    ASSERT_EQ(steps.size(), 4u);
    EXPECT_EQ(steps[0].step, 0);
    EXPECT_EQ(steps[0].split, "dev");
    EXPECT_DOUBLE_EQ(steps[0].value, 0.3);
    EXPECT_EQ(steps[3].metric, "loss");
    EXPECT_DOUBLE_EQ(steps[3].value, 0.5);
    registry.set_status("loop", Status::Finished);
    run = *registry.find_run("loop");
    EXPECT_EQ(run.status, Status::Finished);
    EXPECT_FALSE(run.finished.empty());
    EXPECT_THROW(registry.set_status("nope", Status::Failed), mlstrat::Error);
    EXPECT_THROW(registry.steps("nope"), mlstrat::Error);
}

TEST(RegistryStore, DeletedRunsHideUntilRestoredAndPurgeRemovesThem) {
    Scratch dir;
    auto registry = Registry::open(dir.file("r.db"));
    registry.add_run(make_run("a", 0.1, 0.1, 0.01, "ana"));
    registry.add_run(make_run("b", 0.2, 0.2, 0.01, "bo"));
    EXPECT_TRUE(registry.remove_run("a"));
    EXPECT_FALSE(registry.remove_run("a"));
    EXPECT_EQ(names(registry.runs()), std::vector<std::string>{"b"});
    EXPECT_EQ(registry.find_run("a")->status, Status::Deleted);
    EXPECT_TRUE(registry.restore_run("a"));
    EXPECT_EQ(registry.runs().size(), 2u);
    registry.remove_run("b");
    EXPECT_EQ(registry.purge(), 1u);
    EXPECT_FALSE(registry.find_run("b").has_value());
    EXPECT_EQ(registry.purge(), 0u);
}

TEST(RegistryQuery, WhereSortLimitLikeATable) {
    Scratch dir;
    auto registry = Registry::open(dir.file("r.db"));
    registry.add_run(make_run("a", 0.10, 0.05, 1e-2, "ana"));
    registry.add_run(make_run("b", 0.05, 0.09, 1e-4, "bo"));
    registry.add_run(make_run("c", 0.07, 0.08, 3e-3, "ana"));
    registry.add_run(make_run("d", 0.20, 0.01, 1e-3, "cy"));

    // Sorted by a bare metric: its dev value (b 5%, c 7%, a 10%, d 20%), not test.
    EXPECT_EQ(names(registry.query(parse_query({}, "error", 0))),
              (std::vector<std::string>{"b", "c", "a", "d"}));
    EXPECT_EQ(names(registry.query(parse_query({}, "test.error", 0))),
              (std::vector<std::string>{"d", "a", "c", "b"}));
    EXPECT_EQ(names(registry.query(parse_query({}, "-accuracy", 2))),
              (std::vector<std::string>{"b", "c"}));
    EXPECT_EQ(names(registry.query(
                  parse_query({"dev.error<0.1", "param.optim.lr>=1e-3"}, "dev.error", 20))),
              (std::vector<std::string>{"c"}));
    EXPECT_EQ(names(registry.query(parse_query({"tag.owner=ana"}, "name", 0))),
              (std::vector<std::string>{"a", "c"}));
    EXPECT_EQ(names(registry.query(parse_query({"name~[ab]*"}, "-name", 0))),
              (std::vector<std::string>{"b", "a"}));
    EXPECT_EQ(names(registry.query(parse_query({"dev.error<=10%", "tag.owner!=ana"}, "", 0))),
              (std::vector<std::string>{"b"}));
    registry.remove_run("b");
    EXPECT_EQ(names(registry.query(parse_query({"status=deleted"}, "", 0))),
              (std::vector<std::string>{"b"}));
}

// Sorting by a key that a numeric condition also filters on takes another path (the
// condition's join, walked in index order); ties and both directions must order as the
// general path does: by value, then oldest first.
TEST(RegistryQuery, SortingByAFilteredKeyOrdersAsTheGeneralPath) {
    Scratch dir;
    auto registry = Registry::open(dir.file("r.db"));
    const double devs[] = {0.07, 0.05, 0.07, 0.02, 0.05, 0.07};
    const double lrs[] = {1e-2, 1e-3, 1e-3, 1e-2, 1e-2, 1e-3};
    for (int k = 0; k < 6; ++k) {
        registry.add_run(make_run(fmt::format("r{}", k), devs[k], 0.1, lrs[k], "ana"));
    }
    for (const char* sort : {"dev.error", "-dev.error", "param.optim.lr", "-param.optim.lr"}) {
        const std::string key = sort[0] == '-' ? sort + 1 : sort;
        const auto filtered = names(registry.query(parse_query({key + ">=0"}, sort, 0)));
        EXPECT_EQ(filtered, names(registry.query(parse_query({}, sort, 0)))) << sort;
        EXPECT_EQ(names(registry.query(parse_query({key + ">=0"}, sort, 4))),
                  std::vector<std::string>(filtered.begin(), filtered.begin() + 4))
            << sort;
    }
    EXPECT_EQ(names(registry.query(parse_query({"dev.error>=0"}, "dev.error", 0))),
              (std::vector<std::string>{"r3", "r1", "r4", "r0", "r2", "r5"}));
    EXPECT_EQ(names(registry.query(parse_query({"dev.error<0.07"}, "-dev.error", 0))),
              (std::vector<std::string>{"r1", "r4", "r3"}));
}

TEST(RegistryQuery, UnknownKeysThrowNamingWhatExists) {
    Scratch dir;
    auto registry = Registry::open(dir.file("r.db"));
    registry.add_run(make_run("a", 0.10, 0.05, 1e-2, "ana"));
    for (const char* key :
         {"dev.f2", "holdout.error", "param.optim.momentum", "tag.team", "throughput"}) {
        try {
            registry.query(parse_query({}, key, 0));
            FAIL() << key << " was accepted";
        } catch (const mlstrat::Error& e) {
            EXPECT_NE(std::string(e.what()).find("no run has"), std::string::npos) << e.what();
        }
    }
}

TEST(RegistryQuery, TestPeeksAreCounted) {
    Scratch dir;
    auto registry = Registry::open(dir.file("r.db"));
    EXPECT_EQ(registry.test_peeks(), 0);
    EXPECT_EQ(registry.record_test_peek(), 1);
    EXPECT_EQ(registry.record_test_peek(), 2);
    EXPECT_EQ(Registry::open(dir.file("r.db")).test_peeks(), 2);
}

TEST(RegistryQuery, ConcurrentLoggersLoseNoStep) {
    Scratch dir;
    const std::string path = dir.file("r.db");
    constexpr int kLoggers = 8, kSteps = 40;
    std::vector<std::thread> loggers;
    for (int w = 0; w < kLoggers; ++w) {
        loggers.emplace_back([&, w] {
            auto registry = Registry::open(path);
            const std::string run = w % 2 == 0 ? "shared" : fmt::format("own{}", w);
            const std::string own_metric = fmt::format("w{}=1", w);
            for (int s = 0; s < kSteps; ++s) {
                registry.log(run, parse_log({"dev.error=0.1", own_metric}, {}, {}, s));
            }
        });
    }
    for (auto& t : loggers) t.join();
    auto registry = Registry::open(path);
    EXPECT_EQ(registry.steps("shared").size(), static_cast<std::size_t>(kSteps * (1 + 4)));
    EXPECT_EQ(registry.steps("own1").size(), static_cast<std::size_t>(kSteps * 2));
    EXPECT_EQ(registry.runs().size(), 5u);
}
