// Choose on dev, confirm on test: a project whose dev and test rankings disagree. select,
// report and runs list choose by dev; --on test chooses by test, says why that is risky, and
// is counted so that diagnose and report warn. Bad input leaves the registry as it was.

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "process_helpers.hpp"

namespace fs = std::filesystem;
using mlstrat::test_util::Outcome;
using mlstrat::test_util::run_mlstrat;
using nlohmann::json;

namespace {

class Project : public ::testing::Test {
 protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("mlstrat-choose-" + std::to_string(getpid()));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        db_ = (dir_ / "mlstrat.db").string();
        // On dev "devbest" leads; on test "testbest" does.
        ASSERT_EQ(run({"runs", "add", "devbest", "--train", "3%", "--dev", "5%", "--test", "9%",
                       "--metric", "dev.accuracy=0.95", "--metric", "test.accuracy=0.91",
                       "--metric", "latency_ms=20", "--size", "dev=10000", "--size",
                       "test=10000"})
                      .exit_code,
                  0);
        ASSERT_EQ(run({"runs", "add", "testbest", "--train", "2%", "--dev", "8%", "--test", "4%",
                       "--metric", "dev.accuracy=0.92", "--metric", "test.accuracy=0.96",
                       "--metric", "latency_ms=30", "--size", "dev=10000", "--size",
                       "test=10000"})
                      .exit_code,
                  0);
    }
    void TearDown() override { fs::remove_all(dir_); }

    Outcome run(std::vector<std::string> args) {
        args.insert(args.end(), {"--db", db_});
        return run_mlstrat(args, dir_);
    }
    json run_json(std::vector<std::string> args) {
        args.push_back("--json");
        Outcome o = run(args);
        EXPECT_EQ(o.exit_code, 0) << o.err;
        return json::parse(o.out, nullptr, false);
    }
    // Everything the registry holds, to check a failed command changed nothing.
    std::string snapshot() { return run({"runs", "export", "--csv"}).out; }

    fs::path dir_;
    std::string db_;
};

TEST_F(Project, SelectReportAndListChooseOnDev) {
    json sel = run_json({"select", "--from-registry", "--maximize", "accuracy"});
    EXPECT_EQ(sel["winner"], "devbest");
    EXPECT_EQ(sel["objective"]["name"], "dev.accuracy");
    EXPECT_EQ(sel["on"], "dev");
    sel = run_json({"select", "--from-registry", "--minimize", "error", "--require",
                    "latency_ms<=100"});
    EXPECT_EQ(sel["winner"], "devbest");

    json list = run_json({"runs", "list", "--sort", "error"});
    EXPECT_EQ(list["runs"][0]["name"], "devbest");
    list = run_json({"runs", "list", "--sort", "-accuracy"});
    EXPECT_EQ(list["runs"][0]["name"], "devbest");

    json report = run_json({"report", "--out", (dir_ / "r.html").string()});
    EXPECT_EQ(report["leaderboard"]["winner"], "devbest");
    EXPECT_EQ(report["diagnosed_run"], "devbest");
}

TEST_F(Project, OnTestChoosesByTestSaysWhyAndIsCounted) {
    // Naming a test metric without --on test is refused, and nothing is counted.
    const std::string before = snapshot();
    Outcome refused = run({"select", "--from-registry", "--maximize", "test.accuracy"});
    EXPECT_EQ(refused.exit_code, 2);
    EXPECT_EQ(std::count(refused.err.begin(), refused.err.end(), '\n'), 1) << refused.err;
    EXPECT_NE(refused.err.find("--on test"), std::string::npos) << refused.err;
    EXPECT_EQ(snapshot(), before);

    json sel = run_json({"select", "--from-registry", "--maximize", "accuracy", "--on", "test"});
    EXPECT_EQ(sel["winner"], "testbest");
    EXPECT_EQ(sel["objective"]["name"], "test.accuracy");
    const std::string notes = sel["notes"].dump();
    EXPECT_NE(notes.find("optimistic"), std::string::npos) << notes;
    EXPECT_NE(notes.find("1 time"), std::string::npos) << notes;

    json diag = run_json({"diagnose", "--run", "testbest"});
    EXPECT_NE(diag["notes"].dump().find("used to choose 1 time"), std::string::npos)
        << diag["notes"].dump();
    json report = run_json({"report", "--out", (dir_ / "r.html").string()});
    EXPECT_NE(report["notes"].dump().find("used to choose 1 time"), std::string::npos);
    EXPECT_EQ(report["leaderboard"]["winner"], "devbest");  // the report still chooses on dev
}

TEST_F(Project, BadInputIsOneLineExitTwoAndChangesNothing) {
    const std::string before = snapshot();
    const std::vector<std::vector<std::string>> bad = {
        {"runs", "list", "--where", "dev.nope<0.1"},
        {"runs", "list", "--where", "holdout.error<0.1"},
        {"runs", "list", "--sort", "param.optim.lr"},
        {"runs", "list", "--where", "dev.error<<0.1"},
        {"runs", "list", "--where", "dev.error"},
        {"select", "--from-registry", "--maximize", "f2"},
        {"runs", "show", "nobody"},
        {"runs", "tag", "nobody", "owner=ana"},
        {"runs", "finish", "nobody"},
        {"runs", "compare", "devbest", "nobody"},
        {"runs", "log", "devbest", "--metric", "error=0.2"},
        {"runs", "log", "devbest", "--step", "1"},
        {"runs", "add", "devbest", "--dev", "5%"},
        {"runs", "restore", "devbest"},
    };
    for (const auto& args : bad) {
        Outcome o = run(args);
        std::string line;
        for (const auto& a : args) line += a + " ";
        EXPECT_EQ(o.exit_code, 2) << line << "\n" << o.out << o.err;
        EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << line << "\n" << o.err;
        EXPECT_EQ(o.err.rfind("mlstrat: error: ", 0), 0u) << line << "\n" << o.err;
        EXPECT_EQ(snapshot(), before) << line;
    }
}

TEST_F(Project, CompareRefusesPredictionsOnDifferentExamples) {
    const std::string a = (dir_ / "a.csv").string(), b = (dir_ / "b.csv").string();
    std::ofstream(a) << "id,label,pred\n1,x,x\n2,x,y\n3,y,y\n";
    std::ofstream(b) << "id,label,pred\n1,x,x\n2,x,x\n9,y,y\n";
    ASSERT_EQ(run({"runs", "predictions", "devbest", a, "--split", "dev"}).exit_code, 0);
    ASSERT_EQ(run({"runs", "predictions", "testbest", b, "--split", "dev"}).exit_code, 0);
    const std::string before = snapshot();
    Outcome o = run({"runs", "compare", "devbest", "testbest"});
    EXPECT_EQ(o.exit_code, 2) << o.out;
    EXPECT_NE(o.err.find("share 2 ids"), std::string::npos) << o.err;
    EXPECT_EQ(snapshot(), before);
}

}  // namespace
