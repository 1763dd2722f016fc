// Crash safety and determinism of `mlstrat train`, run as the user runs it: killed with SIGKILL
// at a random moment, then `--resume`d, it must end with the weights of an uninterrupted run;
// run twice with one seed and one thread, it must write the same model and predictions. Weights
// are compared as the bytes of model.pt, so this file needs no LibTorch header.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <thread>

#include "mlstrat/train.hpp"
#include "process_helpers.hpp"

namespace {

namespace fs = std::filesystem;
using mlstrat::test_util::run_mlstrat;
using mlstrat::test_util::slurp;

const fs::path kData = fs::path(MLSTRAT_SOURCE_DIR) / "tests" / "data" / "train";

class TrainReliability : public ::testing::Test {
 protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        root_ = fs::temp_directory_path() /
                ("mlstrat_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
        fs::remove_all(root_);
        fs::create_directories(root_);
    }
    void TearDown() override { fs::remove_all(root_); }

    /// `mlstrat train` of the quadrants config as run NAME, one thread.
    std::vector<std::string> train_args(const std::string& name, bool resume = false) const {
        std::vector<std::string> a = {"train",          (kData / "quadrants.toml").string(),
                                      "--name",         name,
                                      "--runs",         (root_ / "runs").string(),
                                      "--db",           (root_ / "runs.db").string(),
                                      "--threads",      "1",
                                      "--quiet",        "--set",
                                      "train.epochs=12"};
        if (resume) a.push_back("--resume");
        return a;
    }

    /// The bytes of run NAME's file `file`.
    std::string file_of(const std::string& name, const std::string& file) const {
        return slurp(root_ / "runs" / name / file);
    }

    fs::path root_;
};

TEST_F(TrainReliability, KilledThenResumedEndsWithTheUninterruptedWeights) {
    const auto start = std::chrono::steady_clock::now();
    auto whole = run_mlstrat(train_args("whole"), root_);
    const auto took = std::chrono::steady_clock::now() - start;
    ASSERT_EQ(whole.exit_code, 0) << whole.err;
    // The saved weights: model.pt holds the parameters and buffers, written the same way for
    // the same values (SameSeedOneThreadGivesTheSameModelAndFiles checks that).
    const std::string reference = file_of("whole", "model.pt");
    ASSERT_FALSE(reference.empty());

    std::uint64_t seed = std::random_device{}();
    if (const char* s = std::getenv("MLSTRAT_KILL_SEED")) seed = std::strtoull(s, nullptr, 10);
    SCOPED_TRACE("MLSTRAT_KILL_SEED=" + std::to_string(seed));
    std::mt19937_64 rng(seed);
    const auto longest = std::chrono::duration_cast<std::chrono::microseconds>(took).count();
    int killed_mid_run = 0;
    for (int round = 0; round < 3; ++round) {
        const std::string name = "part" + std::to_string(round);
        const pid_t pid = mlstrat::test_util::spawn_command(MLSTRAT_BINARY, train_args(name),
                                                            (root_ / ".stdout").string(),
                                                            (root_ / ".stderr").string());
        ASSERT_GT(pid, 0);
        // Past LibTorch's start-up, where nothing is written yet, into the epochs.
        std::this_thread::sleep_for(std::chrono::microseconds(longest / 3 + rng() % (longest / 2)));
        ::kill(pid, SIGKILL);
        if (mlstrat::test_util::wait_exit_code(pid) == 128 + SIGKILL) ++killed_mid_run;
        // Only whole files are left: the run folder holds nothing but the run's own files, and
        // those a kill after the last epoch leaves are the uninterrupted run's, byte for byte.
        if (fs::exists(root_ / "runs" / name)) {
            for (const auto& e : fs::directory_iterator(root_ / "runs" / name)) {
                const std::string f = e.path().filename().string();
                if (f == "config.toml" || f == "checkpoint.pt" || f == "history.csv" ||
                    f == "metrics.json") {
                    continue;  // rewritten by --resume; they hold timings or the run name
                }
                ASSERT_TRUE(fs::exists(root_ / "runs" / "whole" / f))
                    << "round " << round << " left " << f;
                EXPECT_TRUE(file_of(name, f) == file_of("whole", f))
                    << "round " << round << ": partial " << f;
            }
        }
        auto rest = run_mlstrat(train_args(name, true), root_);
        ASSERT_EQ(rest.exit_code, 0) << rest.err;
        EXPECT_TRUE(file_of(name, "model.pt") == reference) << "round " << round;
        EXPECT_EQ(file_of(name, "pred_dev.csv"), file_of("whole", "pred_dev.csv"));
    }
    EXPECT_GT(killed_mid_run, 0) << "every round finished before its kill";
}

TEST_F(TrainReliability, SameSeedOneThreadGivesTheSameModelAndFiles) {
    for (const char* name : {"first", "second"}) {
        auto o = run_mlstrat(train_args(name), root_);
        ASSERT_EQ(o.exit_code, 0) << o.err;
    }
    // Byte-identical files; history.csv, metrics.json and checkpoint.pt also hold timings and
    // config.toml the run name, so they are left out.
    for (const char* file : {"model.pt", "model.torchscript.pt", "pred_train.csv",
                             "pred_train_dev.csv", "pred_dev.csv"}) {
        const auto a = file_of("first", file);
        EXPECT_FALSE(a.empty()) << file;
        EXPECT_TRUE(a == file_of("second", file)) << file << " differs";
    }
}

}  // namespace
