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
                       "--metric", "latency_ms=20", "--size", "dev=10000", "--size", "test=10000"})
                      .exit_code,
                  0);
        ASSERT_EQ(run({"runs", "add", "testbest", "--train", "2%", "--dev", "8%", "--test", "4%",
                       "--metric", "dev.accuracy=0.92", "--metric", "test.accuracy=0.96",
                       "--metric", "latency_ms=30", "--size", "dev=10000", "--size", "test=10000"})
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
    sel = run_json(
        {"select", "--from-registry", "--minimize", "error", "--require", "latency_ms<=100"});
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

// The McNemar p-value scipy.stats.binomtest gives for these discordant counts
// (tests/data/registry/make_mcnemar.py).
double scipy_mcnemar(std::uint64_t only_a_right, std::uint64_t only_b_right) {
    const json fixture = json::parse(mlstrat::test_util::slurp(
        std::string(MLSTRAT_SOURCE_DIR) + "/tests/data/registry/mcnemar_binomtest.json"));
    for (const auto& c : fixture["cases"]) {
        if (c["only_a_right"] == only_a_right && c["only_b_right"] == only_b_right) {
            return c["p_value"].get<double>();
        }
    }
    ADD_FAILURE() << "no fixture case " << only_a_right << " vs " << only_b_right;
    return -1.0;
}

// Dev predictions of 100 examples: the runner-up (A) alone right on `only_a` of them, the
// winner (B) alone right on `only_b`, both right on the rest.
void write_pairs(const fs::path& a, const fs::path& b, int only_a, int only_b) {
    std::ofstream fa(a), fb(b);
    fa << "id,label,pred\n";
    fb << "id,label,pred\n";
    for (int i = 0; i < 100; ++i) {
        const bool a_right = i >= only_b, b_right = i < only_b || i >= only_b + only_a;
        fa << "e" << i << ",cat," << (a_right ? "cat" : "dog") << "\n";
        fb << "e" << i << ",cat," << (b_right ? "cat" : "dog") << "\n";
    }
}

TEST_F(Project, SelectPairsItsWinnerWithTheRunnerUp) {
    const fs::path a = dir_ / "testbest_dev.csv", b = dir_ / "devbest_dev.csv";
    // 3 vs 10 discordant pairs: scipy's p = 0.092, a tie within noise.
    write_pairs(a, b, 3, 10);
    ASSERT_EQ(run({"runs", "predictions", "testbest", a.string(), "--split", "dev"}).exit_code, 0);
    ASSERT_EQ(run({"runs", "predictions", "devbest", b.string(), "--split", "dev"}).exit_code, 0);
    json sel = run_json({"select", "--from-registry", "--maximize", "accuracy"});
    EXPECT_EQ(sel["winner"], "devbest");
    EXPECT_EQ(sel["runner_up"], "testbest");
    EXPECT_EQ(sel["paired"]["only_a_right"], 3);
    EXPECT_EQ(sel["paired"]["only_b_right"], 10);
    EXPECT_NEAR(sel["paired"]["p_value"].get<double>(), scipy_mcnemar(3, 10), 1e-12);
    EXPECT_FALSE(sel["paired"]["significant"].get<bool>());
    EXPECT_TRUE(sel["lead_is_noise"].get<bool>());
    std::string notes = sel["notes"].dump();
    EXPECT_NE(notes.find("devbest is not significantly better than testbest"), std::string::npos)
        << notes;
    EXPECT_NE(notes.find("a tie within noise"), std::string::npos) << notes;
    // The interval of the difference is said with the tie (Agresti-Min, as runs compare).
    EXPECT_NE(notes.find("-0.20% to 13.93%"), std::string::npos) << notes;
    Outcome text = run({"select", "--from-registry", "--maximize", "accuracy"});
    EXPECT_NE(text.out.find("a tie within noise"), std::string::npos) << text.out;

    // 0 vs 20: scipy's p = 1.9e-6, the winner is better.
    write_pairs(a, b, 0, 20);
    sel = run_json({"select", "--from-registry", "--maximize", "accuracy"});
    EXPECT_NEAR(sel["paired"]["p_value"].get<double>(), scipy_mcnemar(0, 20), 1e-15);
    EXPECT_TRUE(sel["paired"]["significant"].get<bool>());
    EXPECT_FALSE(sel["lead_is_noise"].get<bool>());
    notes = sel["notes"].dump();
    EXPECT_NE(notes.find("devbest is better by 20.00%"), std::string::npos) << notes;

    // Predictions on different examples: the choice stands, the note says how many ids match.
    std::ofstream(a) << "id,label,pred\ne1,cat,cat\ne2,cat,dog\n";
    sel = run_json({"select", "--from-registry", "--maximize", "accuracy"});
    EXPECT_EQ(sel["winner"], "devbest");
    EXPECT_TRUE(sel["paired"].is_null());
    notes = sel["notes"].dump();
    EXPECT_NE(notes.find("share 2 ids"), std::string::npos) << notes;
}

TEST_F(Project, ByGroupRanksSeedGroupsByTheirMeanOnDev) {
    // One lucky seed (4%) and one unlucky (16%): the group's mean dev error is 10%.
    ASSERT_EQ(run({"runs", "add", "g-s1", "--dev", "4%", "--test", "4%", "--group", "g"}).exit_code,
              0);
    ASSERT_EQ(
        run({"runs", "add", "g-s2", "--dev", "16%", "--test", "4%", "--group", "g"}).exit_code, 0);
    json sel = run_json({"select", "--from-registry", "--minimize", "error"});
    EXPECT_EQ(sel["winner"], "g-s1");  // one seed's luck
    sel = run_json({"select", "--from-registry", "--minimize", "error", "--by-group"});
    EXPECT_EQ(sel["winner"], "devbest");
    bool seen = false;
    for (const auto& r : sel["ranking"]) {
        if (r["name"] != "g") continue;
        seen = true;
        EXPECT_NEAR(r["value"].get<double>(), 0.10, 1e-12);  // (4% + 16%) / 2
    }
    EXPECT_TRUE(seen) << sel.dump();
    Outcome bad = run({"select", "RUNS.csv", "--minimize", "error", "--by-group"});
    EXPECT_EQ(bad.exit_code, 2);
}

}  // namespace
