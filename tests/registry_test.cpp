#include "mlstrat/registry.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "mlstrat/support/error.hpp"

namespace fs = std::filesystem;
using mlstrat::registry::Registry;
using RunRecord = mlstrat::registry::Run;

namespace {

// A fresh folder per test, removed afterwards.
class TempDir {
 public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "mlstrat-registry-XXXXXX").string();
        path_ = mkdtemp(pattern.data());
    }
    ~TempDir() { fs::remove_all(path_); }
    std::string file(const std::string& name) const { return (fs::path(path_) / name).string(); }

 private:
    std::string path_;
};

RunRecord cat_run(const std::string& name) {
    RunRecord run;
    run.name = name;
    run.kind = "manual";
    run.errors = {{"train", 0.08}, {"dev", 0.10}};
    run.sizes = {{"train", 200000}, {"dev", 2500}};
    run.metrics = {{"latency_ms", 80.0}};
    run.config = "[model]\nkind = \"mlp\"\n";
    run.notes = "first try";
    return run;
}

}  // namespace

TEST(Registry, AddFindRoundTripsEveryField) {
    TempDir dir;
    auto registry = Registry::open(dir.file("mlstrat.db"));
    registry.add_run(cat_run("a"));
    auto run = registry.find_run("a");
    ASSERT_TRUE(run.has_value());
    EXPECT_EQ(run->kind, "manual");
    EXPECT_DOUBLE_EQ(run->errors.at("train"), 0.08);
    EXPECT_DOUBLE_EQ(run->errors.at("dev"), 0.10);
    EXPECT_EQ(run->sizes.at("train"), 200000u);
    EXPECT_DOUBLE_EQ(run->metrics.at("latency_ms"), 80.0);
    EXPECT_EQ(run->config, "[model]\nkind = \"mlp\"\n");
    EXPECT_EQ(run->notes, "first try");
    EXPECT_EQ(run->created.size(), 20u);  // 2026-11-25T20:30:00Z
    EXPECT_EQ(run->created.back(), 'Z');
    EXPECT_FALSE(registry.find_run("b").has_value());
}

TEST(Registry, DuplicateNameThrowsUnlessReplace) {
    TempDir dir;
    auto registry = Registry::open(dir.file("mlstrat.db"));
    registry.add_run(cat_run("a"));
    EXPECT_THROW(registry.add_run(cat_run("a")), mlstrat::Error);
    RunRecord replacement = cat_run("a");
    replacement.errors = {{"dev", 0.05}};
    replacement.sizes.clear();
    registry.add_run(replacement, true);
    auto run = registry.find_run("a");
    ASSERT_TRUE(run.has_value());
    // The given error is replaced; the train error and the sizes it did not give stay.
    EXPECT_EQ(run->errors.size(), 2u);
    EXPECT_DOUBLE_EQ(run->errors.at("dev"), 0.05);
    EXPECT_DOUBLE_EQ(run->errors.at("train"), 0.08);
    EXPECT_EQ(run->sizes.at("dev"), 2500u);
    EXPECT_EQ(registry.runs().size(), 1u);
}

TEST(Registry, RecordErrorCreatesAnEvalRunThenUpdates) {
    TempDir dir;
    auto registry = Registry::open(dir.file("mlstrat.db"));
    registry.record_error("resnet", "dev", 0.10, 2500);
    registry.record_error("resnet", "train", 0.08, 10000);
    registry.record_error("resnet", "dev", 0.09, 5000);
    auto run = registry.find_run("resnet");
    ASSERT_TRUE(run.has_value());
    EXPECT_EQ(run->kind, "eval");
    EXPECT_DOUBLE_EQ(run->errors.at("dev"), 0.09);
    EXPECT_EQ(run->sizes.at("dev"), 5000u);
    EXPECT_DOUBLE_EQ(run->errors.at("train"), 0.08);
    EXPECT_EQ(registry.runs().size(), 1u);
}

TEST(Registry, InvalidValuesThrowAndStoreNothing) {
    TempDir dir;
    auto registry = Registry::open(dir.file("mlstrat.db"));
    EXPECT_THROW(registry.record_error("a", "dev", 1.2, 10), mlstrat::Error);
    EXPECT_THROW(registry.record_error("a", "dev", -0.1, 10), mlstrat::Error);
    EXPECT_THROW(registry.record_error("", "dev", 0.1, 10), mlstrat::Error);
    RunRecord bad = cat_run("b");
    bad.metrics["nan"] = std::nan("");
    EXPECT_THROW(registry.add_run(bad), mlstrat::Error);
    EXPECT_TRUE(registry.runs().empty());
}

TEST(Registry, RunsAreOldestFirstAndRemoveWorks) {
    TempDir dir;
    auto registry = Registry::open(dir.file("mlstrat.db"));
    RunRecord late = cat_run("late");
    late.created = "2026-03-01T00:00:00Z";
    RunRecord early = cat_run("early");
    early.created = "2026-01-01T00:00:00Z";
    registry.add_run(late);
    registry.add_run(early);
    auto all = registry.runs();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].name, "early");
    EXPECT_EQ(all[1].name, "late");
    EXPECT_EQ(all[1].errors.size(), 2u);
    EXPECT_TRUE(registry.remove_run("early"));
    EXPECT_FALSE(registry.remove_run("early"));
    ASSERT_EQ(registry.runs().size(), 1u);
    EXPECT_EQ(registry.runs()[0].name, "late");
}

TEST(Registry, SettingsPersistAcrossOpens) {
    TempDir dir;
    const std::string path = dir.file("mlstrat.db");
    {
        auto registry = Registry::open(path);
        registry.set_setting("human.team", "0.005");
        registry.set_setting("human.doctor", "0.01");
        registry.set_setting("human.doctor", "0.011");
        EXPECT_TRUE(registry.remove_setting("human.team"));
        EXPECT_FALSE(registry.remove_setting("human.team"));
    }
    auto registry = Registry::open(path);
    EXPECT_EQ(registry.setting("human.doctor"), std::optional<std::string>("0.011"));
    EXPECT_FALSE(registry.setting("human.team").has_value());
    EXPECT_EQ(registry.settings().size(), 1u);
    EXPECT_EQ(registry.schema_version(), mlstrat::registry::kSchemaVersion);
}

TEST(Registry, IsMovable) {
    TempDir dir;
    auto first = Registry::open(dir.file("mlstrat.db"));
    first.record_error("a", "dev", 0.1, 10);
    Registry second = std::move(first);
    EXPECT_TRUE(second.find_run("a").has_value());
    Registry third = Registry::open(dir.file("other.db"));
    third = std::move(second);
    EXPECT_TRUE(third.find_run("a").has_value());
}

TEST(Registry, NotADatabaseIsAnIoError) {
    TempDir dir;
    const std::string path = dir.file("junk.db");
    std::ofstream(path) << "this is not sqlite, just text that is long enough to have a header\n";
    try {
        Registry::open(path);
        FAIL() << "expected an error";
    } catch (const mlstrat::Error& e) {
        EXPECT_EQ(e.code(), mlstrat::ErrorCode::Io);
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos);
    }
}

TEST(Registry, NewerSchemaIsRefused) {
    TempDir dir;
    const std::string path = dir.file("mlstrat.db");
    { Registry::open(path); }
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "UPDATE schema_version SET version = 99", nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
    EXPECT_THROW(Registry::open(path), mlstrat::Error);
}

TEST(Registry, VersionZeroFileIsMigrated) {
    TempDir dir;
    const std::string path = dir.file("mlstrat.db");
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE unrelated (x INTEGER)", nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
    auto registry = Registry::open(path);
    EXPECT_EQ(registry.schema_version(), mlstrat::registry::kSchemaVersion);
    registry.record_error("a", "dev", 0.1, 10);
    EXPECT_EQ(registry.runs().size(), 1u);
}

TEST(Registry, ConcurrentWritersLoseNothing) {
    TempDir dir;
    const std::string path = dir.file("mlstrat.db");
    constexpr int kWriters = 4;
    constexpr int kEach = 25;
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
        writers.emplace_back([&, w] {
            auto registry = Registry::open(path);  // one connection per writer, as processes
            for (int i = 0; i < kEach; ++i) {
                registry.record_error("shared", "split" + std::to_string(w * kEach + i),
                                      0.01 * (i % 10), static_cast<std::uint64_t>(i + 1));
                RunRecord own = cat_run(fmt::format("w{}-{}", w, i));
                registry.add_run(own);
            }
        });
    }
    for (auto& t : writers) t.join();
    auto registry = Registry::open(path);
    auto all = registry.runs();
    EXPECT_EQ(all.size(), static_cast<std::size_t>(kWriters * kEach + 1));
    auto shared = registry.find_run("shared");
    ASSERT_TRUE(shared.has_value());
    EXPECT_EQ(shared->errors.size(), static_cast<std::size_t>(kWriters * kEach));
}

namespace {

struct CliResult {
    int exit = -1;
    std::string out;
};

// Runs the mlstrat binary with `args` (already shell-quoted) and captures stdout.
CliResult mlstrat_cli(const std::string& args) {
    std::string command = std::string(MLSTRAT_BINARY) + " " + args + " 2>/dev/null";
    CliResult r;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) return r;
    char buf[4096];
    std::size_t n;
    while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) r.out.append(buf, n);
    int status = pclose(pipe);
    r.exit = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

}  // namespace

// The whole loop through the command line: project settings, a manual run, eval recording a
// measured dev error into a second run, diagnose and select reading them back.
TEST(RegistryCli, ProjectRunsEvalDiagnoseSelect) {
    TempDir dir;
    const std::string db = "--db '" + dir.file("mlstrat.db") + "'";
    const std::string pred = std::string(MLSTRAT_SOURCE_DIR) + "/tests/data/registry/dev_pred.csv";

    ASSERT_EQ(mlstrat_cli("project set --human team=0.5% --human 'one human=1%' "
                          "--minimize dev_error --require 'latency_ms<=100' " +
                          db)
                  .exit,
              0);
    auto added = mlstrat_cli(
        "runs add small --train 8% --dev 12% --size dev=2500 "
        "--metric latency_ms=40 --json " +
        db);
    ASSERT_EQ(added.exit, 0);
    auto small = nlohmann::json::parse(added.out);
    EXPECT_DOUBLE_EQ(small["errors"]["dev"].get<double>(), 0.12);
    EXPECT_EQ(small["sizes"]["dev"].get<int>(), 2500);

    // eval records 2 wrong of 10 = 20% as big's dev error.
    ASSERT_EQ(mlstrat_cli("eval '" + pred + "' --run big --split dev --json " + db).exit, 0);
    ASSERT_EQ(mlstrat_cli("runs add slow --train 1% --dev 2% --metric latency_ms=900 " + db).exit,
              0);
    auto shown = nlohmann::json::parse(mlstrat_cli("runs show big --json " + db).out);
    EXPECT_EQ(shown["kind"], "eval");
    EXPECT_DOUBLE_EQ(shown["errors"]["dev"].get<double>(), 0.2);
    EXPECT_EQ(shown["sizes"]["dev"].get<int>(), 10);

    auto diag = nlohmann::json::parse(mlstrat_cli("diagnose --run small --json " + db).out);
    EXPECT_DOUBLE_EQ(diag["bayes_proxy"].get<double>(), 0.005);
    EXPECT_NEAR(diag["gaps"]["avoidable_bias"].get<double>(), 0.075, 1e-12);
    EXPECT_NEAR(diag["gaps"]["variance"].get<double>(), 0.04, 1e-12);
    EXPECT_EQ(diag["focus"], "avoidable_bias");

    // Objective and limit come from the project: slow is best on dev but too slow; big has no
    // latency; small wins.
    auto sel = nlohmann::json::parse(mlstrat_cli("select --from-registry --json " + db).out);
    EXPECT_EQ(sel["winner"], "small");
    EXPECT_EQ(sel["objective"]["name"], "dev_error");
    EXPECT_EQ(sel["excluded"].size(), 2u);

    auto list = nlohmann::json::parse(mlstrat_cli("runs list --json " + db).out);
    ASSERT_EQ(list["runs"].size(), 3u);
    EXPECT_EQ(list["runs"][0]["name"], "small");
    EXPECT_EQ(mlstrat_cli("runs rm big " + db).exit, 0);
    EXPECT_EQ(mlstrat_cli("runs rm big " + db).exit, 2);
    auto deleted = nlohmann::json::parse(mlstrat_cli("runs show big --json " + db).out);
    EXPECT_EQ(deleted["status"], "deleted");
    EXPECT_EQ(nlohmann::json::parse(mlstrat_cli("runs list --json " + db).out)["runs"].size(), 2u);
    EXPECT_EQ(mlstrat_cli("runs add small --dev 5% " + db).exit, 2);  // the name is taken
    EXPECT_EQ(mlstrat_cli("runs add small --dev 5% --replace " + db).exit, 0);
}
