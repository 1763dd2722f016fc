// Data-parallel training as separate processes on 127.0.0.1: two ranks end with the weights of
// one process whose batch is their global batch, and a rank that is killed stops the other with
// one clear line while the last checkpoint lets --resume finish the job.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "mlstrat/support/io.hpp"
#include "mlstrat/support/process.hpp"
#include "mlstrat/train.hpp"
#include "train/net.hpp"

namespace fs = std::filesystem;
using namespace mlstrat::train;

namespace {

fs::path temp_dir(const std::string& name) {
    auto dir = fs::temp_directory_path() / ("mlstrat_distributed_" + name);
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

/// A port nobody listens on now (the kernel's choice for a socket bound to port 0).
int free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

/// Starts `mlstrat ARGS...` with stdout and stderr in files under `dir`.
pid_t spawn(const std::vector<std::string>& args, const fs::path& dir, const std::string& tag) {
    return mlstrat::process::spawn({MLSTRAT_BINARY, args, "", "", (dir / (tag + ".out")).string(),
                                    (dir / (tag + ".err")).string()});
}

/// The exit status of `pid`, or -1 when it is still running after `seconds` (then it is killed).
int wait_for(pid_t pid, double seconds) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    for (;;) {
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid) {
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            return -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

std::vector<std::string> train_args(const fs::path& dir, const std::string& name,
                                    std::vector<std::string> more) {
    std::vector<std::string> args = {"train",         (dir / "quadrants.toml").string(),
                                     "--runs",        (dir / "runs").string(),
                                     "--name",        name,
                                     "--no-register", "--quiet",
                                     "--threads",     "1"};
    args.insert(args.end(), more.begin(), more.end());
    return args;
}

fs::path quadrants_project(const std::string& name, const std::string& extra) {
    auto dir = temp_dir(name);
    const fs::path data = fs::path(MLSTRAT_SOURCE_DIR) / "tests" / "data" / "train";
    fs::copy_file(data / "quadrants_train.csv", dir / "quadrants_train.csv");
    fs::copy_file(data / "quadrants_dev.csv", dir / "quadrants_dev.csv");
    std::string text = mlstrat::io::read_file((data / "quadrants.toml").string());
    std::ofstream(dir / "quadrants.toml") << text << extra;
    return dir;
}

std::string read(const fs::path& path) { return mlstrat::io::read_file(path.string()); }

}  // namespace

TEST(Distributed, TwoRanksEndWithTheWeightsOfOneProcessWithTheGlobalBatch) {
    // 350 training rows: a global batch of 32 leaves a last batch of 30, split 16 + 14.
    auto dir = quadrants_project("same", "");
    const std::vector<std::string> sets = {"--set", "train.epochs=4"};
    auto one = train_args(dir, "one", sets);
    one.insert(one.end(), {"--set", "train.batch_size=32"});
    ASSERT_EQ(wait_for(spawn(one, dir, "one"), 300), 0) << read(dir / "one.err");

    const std::string master = "127.0.0.1:" + std::to_string(free_port());
    std::vector<pid_t> ranks;
    for (int r = 0; r < 2; ++r) {
        auto args = train_args(dir, "two", sets);
        args.insert(args.end(),
                    {"--world-size", "2", "--rank", std::to_string(r), "--master", master});
        ranks.push_back(spawn(args, dir, "two" + std::to_string(r)));
    }
    for (int r = 0; r < 2; ++r) {
        ASSERT_EQ(wait_for(ranks[r], 300), 0) << read(dir / ("two" + std::to_string(r) + ".err"));
    }
    EXPECT_NE(read(dir / "two1.out").find("rank 1 of 2"), std::string::npos);
    EXPECT_FALSE(fs::exists(dir / "runs" / "two" / "model.pt.tmp"));

    auto config = load_config((dir / "quadrants.toml").string());
    const std::vector<std::int64_t> shape = {2};
    Net a = make_net(config.model, shape, 2), b = make_net(config.model, shape, 2);
    load_module(*a, (dir / "runs" / "one" / "model.pt").string());
    load_module(*b, (dir / "runs" / "two" / "model.pt").string());
    auto pb = b->named_parameters();
    double worst = 0.0, scale = 0.0;
    for (const auto& p : a->named_parameters()) {
        worst = std::max(worst, (p.value() - pb[p.key()]).abs().max().item<double>());
        scale = std::max(scale, p.value().abs().max().item<double>());
    }
    // Summation order differs (two halves, then the all-reduce), so the weights agree to float
    // rounding, amplified a little by Adam over 44 steps.
    EXPECT_LT(worst, 1e-4 * std::max(1.0, scale));
    EXPECT_GT(scale, 0.1);
    auto metrics = nlohmann::json::parse(read(dir / "runs" / "two" / "metrics.json"));
    EXPECT_EQ(metrics["world_size"], 2);
    EXPECT_EQ(metrics["global_batch"], 32);
}

TEST(Distributed, AKilledRankStopsTheOtherAndTheJobResumes) {
    auto dir = quadrants_project("killed", "");
    const std::vector<std::string> sets = {"--set", "train.epochs=60"};
    const std::string master = "127.0.0.1:" + std::to_string(free_port());
    auto rank_args = [&](int r, bool resume) {
        auto args = train_args(dir, "job", sets);
        args.insert(args.end(), {"--world-size", "2", "--rank", std::to_string(r), "--master",
                                 master, "--timeout", "30"});
        if (resume) args.push_back("--resume");
        return args;
    };
    pid_t zero = spawn(rank_args(0, false), dir, "zero");
    pid_t one = spawn(rank_args(1, false), dir, "one");
    const auto checkpoint = dir / "runs" / "job" / "checkpoint.pt";
    for (int i = 0; i < 3000 && !fs::exists(checkpoint); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_TRUE(fs::exists(checkpoint)) << read(dir / "zero.err");
    ::kill(one, SIGKILL);
    wait_for(one, 10);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(wait_for(zero, 60), 2);
    // The lost peer is noticed from its closed connection, well before the 30 s timeout.
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 20);
    const std::string err = read(dir / "zero.err");
    EXPECT_NE(err.find("mlstrat: error: rank 0 of 2: "), std::string::npos) << err;
    EXPECT_NE(err.find("another rank stopped"), std::string::npos) << err;
    EXPECT_NE(err.find("--resume"), std::string::npos) << err;
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
    EXPECT_FALSE(fs::exists(dir / "runs" / "job" / "model.pt"));

    zero = spawn(rank_args(0, true), dir, "zero2");
    one = spawn(rank_args(1, true), dir, "one2");
    ASSERT_EQ(wait_for(zero, 300), 0) << read(dir / "zero2.err");
    ASSERT_EQ(wait_for(one, 60), 0) << read(dir / "one2.err");
    auto metrics = nlohmann::json::parse(read(dir / "runs" / "job" / "metrics.json"));
    EXPECT_EQ(metrics["epochs"], 60);
    const std::string history = read(dir / "runs" / "job" / "history.csv");
    EXPECT_EQ(std::count(history.begin(), history.end(), '\n'), 61);
}
