// Crash safety, concurrency and determinism of the commands that write files, run as the user
// runs them: the mlstrat executable, killed with SIGKILL at random moments, run four at a time
// against one registry, or run twice with one seed.
//
// The kill delays are random; the seed is printed with every failure (MLSTRAT_KILL_SEED
// replays one).

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <thread>

#include "analysis_helpers.hpp"
#include "mlstrat/registry.hpp"
#include "process_helpers.hpp"
#include "sqlite_helpers.hpp"

namespace {

namespace fs = std::filesystem;
using mlstrat::test_util::run_mlstrat;
using mlstrat::test_util::slurp;
using Clock = std::chrono::steady_clock;

/// Every regular file under `dir`, by path relative to it, with its bytes.
std::map<std::string, std::string> files_under(const fs::path& dir) {
    std::map<std::string, std::string> out;
    if (!fs::exists(dir)) return out;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (e.is_regular_file()) out[fs::relative(e.path(), dir).string()] = slurp(e.path());
    }
    return out;
}

/// A predictions table of `rows` rows with an id, a label, a prediction and a feature.
std::string predictions(std::size_t rows) {
    std::string s = "id,label,pred,source\n";
    std::mt19937 rng(7);
    for (std::size_t i = 0; i < rows; ++i) {
        const int label = static_cast<int>(rng() % 3);
        const int pred = rng() % 5 == 0 ? static_cast<int>(rng() % 3) : label;
        s += std::to_string(i) + ",c" + std::to_string(label) + ",c" + std::to_string(pred) +
             (i % 4 == 0 ? ",mobile\n" : ",web\n");
    }
    return s;
}

std::uint64_t kill_seed() {
    if (const char* s = std::getenv("MLSTRAT_KILL_SEED")) return std::strtoull(s, nullptr, 10);
    return std::random_device{}();
}

/// Runs `args` (where a leading "{out}" stands for a fresh output folder) once to completion, then
/// `rounds` times killed after a random delay up to the uninterrupted run's duration. After
/// each kill every file in the output folder must be one the complete run wrote, byte for
/// byte; when `last` is present, so must be every file. Returns how many rounds were killed
/// before finishing.
int kill_at_random_moments(const std::vector<std::string>& args, const fs::path& root, int rounds,
                           const std::string& last) {
    const auto with_out = [&](const fs::path& out) {
        std::vector<std::string> a;
        for (const auto& s : args) {
            a.push_back(s.rfind("{out}", 0) == 0 ? out.string() + s.substr(5) : s);
        }
        return a;
    };
    const fs::path ref = root / "ref";
    fs::create_directories(ref / "out");
    const auto start = Clock::now();
    const auto done = run_mlstrat(with_out(ref / "out"), ref);
    const auto took = Clock::now() - start;
    EXPECT_EQ(done.exit_code, 0) << done.err;
    const auto complete = files_under(ref / "out");
    EXPECT_FALSE(complete.empty());

    const auto seed = kill_seed();
    SCOPED_TRACE("MLSTRAT_KILL_SEED=" + std::to_string(seed));
    std::mt19937_64 rng(seed);
    const auto longest = std::chrono::duration_cast<std::chrono::microseconds>(took).count();
    int killed = 0;
    for (int round = 0; round < rounds; ++round) {
        const fs::path dir = root / ("round" + std::to_string(round));
        fs::create_directories(dir / "out");
        const pid_t pid = mlstrat::test_util::spawn_command(MLSTRAT_BINARY, with_out(dir / "out"),
                                                            (dir / ".stdout").string(),
                                                            (dir / ".stderr").string());
        if (pid <= 0) {
            ADD_FAILURE() << "cannot start " << MLSTRAT_BINARY;
            return killed;
        }
        std::this_thread::sleep_for(std::chrono::microseconds(rng() % (longest + 1)));
        ::kill(pid, SIGKILL);
        const int code = mlstrat::test_util::wait_exit_code(pid);
        if (code == 128 + SIGKILL) ++killed;
        const auto left = files_under(dir / "out");
        for (const auto& [name, bytes] : left) {
            if (!complete.count(name)) {
                ADD_FAILURE() << "round " << round << " left " << name;
                continue;
            }
            EXPECT_EQ(bytes.size(), complete.at(name).size()) << "round " << round << ": " << name;
            EXPECT_TRUE(bytes == complete.at(name)) << "round " << round << ": partial " << name;
        }
        if (!last.empty() && left.count(last)) {
            EXPECT_EQ(left.size(), complete.size())
                << "round " << round << ": " << last << " is there but not every file";
        }
        fs::remove_all(dir);
    }
    return killed;
}

class Reliability : public ::testing::Test {
 protected:
    mlstrat::test_util::TempDir tmp;
    const fs::path& root() const { return tmp.path(); }
};

TEST_F(Reliability, KilledSplitLeavesOnlyCompleteFiles) {
    const std::string data = tmp.file("data.csv", predictions(300000));
    const int killed =
        kill_at_random_moments({"split", data, "--out", "{out}", "--id-col", "id", "--stratify",
                                "label", "--train-dev", "5%", "--seed", "3", "--threads", "2"},
                               root(), 12, "manifest.json");
    EXPECT_GT(killed, 0) << "no round was killed before it finished";
}

TEST_F(Reliability, KilledErrorsSampleAndLabelsLeaveNoPartialFile) {
    const std::string pred = tmp.file("pred.csv", predictions(300000));
    EXPECT_GT(kill_at_random_moments({"errors", "sample", pred, "--out", "{out}/sheet.csv", "--n",
                                      "20000", "--seed", "5", "--tags", "a,b"},
                                     root(), 8, ""),
              0);
    std::string probs = "label,p_a,p_b\n";
    for (int i = 0; i < 200000; ++i) {
        probs += i % 7 == 0 ? "a,0.2,0.8\n" : (i % 2 == 0 ? "a,0.9,0.1\n" : "b,0.3,0.7\n");
    }
    const std::string table = tmp.file("probs.csv", probs);
    EXPECT_GT(
        kill_at_random_moments({"labels", table, "--prob-cols", "p_*", "--out", "{out}/issues.csv"},
                               root(), 8, ""),
        0);
}

/// The names of the runs in `db`, after checking the file passes `PRAGMA integrity_check`.
std::vector<std::string> checked_run_names(const std::string& db) {
    EXPECT_EQ(integrity_check(db), "ok");
    std::vector<std::string> names;
    for (const auto& r : mlstrat::registry::Registry::open(db).runs()) names.push_back(r.name);
    return names;
}

TEST_F(Reliability, KilledRegistryWritesKeepEveryReportedRun) {
    const std::string db = tmp.file("runs.db");
    const std::string pred = tmp.file("pred.csv", predictions(20000));
    const auto command = [&](int i, const std::string& name) {
        return i % 2 == 0 ? std::vector<std::string>{"runs",    "add", name,   "--dev", "10%",
                                                     "--train", "2%",  "--db", db}
                          : std::vector<std::string>{"eval",    pred,  "--run", name,
                                                     "--split", "dev", "--db",  db};
    };
    // The delays span what one uninterrupted write of each kind takes on this machine now.
    std::vector<std::string> reported;
    long long longest = 0;
    for (int i = 0; i < 2; ++i) {
        const auto start = Clock::now();
        const auto o = run_mlstrat(command(i, "whole" + std::to_string(i)), root());
        ASSERT_EQ(o.exit_code, 0) << o.err;
        reported.push_back("whole" + std::to_string(i));
        longest = std::max<long long>(
            longest,
            std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count());
    }
    const auto seed = kill_seed();
    SCOPED_TRACE("MLSTRAT_KILL_SEED=" + std::to_string(seed));
    std::mt19937_64 rng(seed);
    int killed = 0;
    for (int i = 0; i < 40; ++i) {
        const std::string name = fmt::format("r{}", i);
        const auto args = command(i, name);
        const pid_t pid = mlstrat::test_util::spawn_command(
            MLSTRAT_BINARY, args, tmp.file(".stdout"), tmp.file(".stderr"));
        ASSERT_GT(pid, 0);
        std::this_thread::sleep_for(std::chrono::microseconds(rng() % (longest * 3 / 2 + 1)));
        ::kill(pid, SIGKILL);
        const int code = mlstrat::test_util::wait_exit_code(pid);
        if (code == 0) reported.push_back(name);
        if (code == 128 + SIGKILL) ++killed;
        ASSERT_TRUE(code == 0 || code == 128 + SIGKILL)
            << name << " exited " << code << ": " << slurp(tmp.file(".stderr"));
    }
    EXPECT_GT(killed, 0);
    EXPECT_GT(reported.size(), 2u) << "no write finished before its kill";
    const auto names = checked_run_names(db);
    const auto registry = mlstrat::registry::Registry::open(db);
    for (const auto& name : reported) {
        const auto run = registry.find_run(name);
        ASSERT_TRUE(run.has_value()) << name << " reported success but is not in the registry";
        EXPECT_TRUE(run->errors.count("dev")) << name;
    }
    // A killed write is all or nothing: every run present holds its dev error.
    for (const auto& name : names) {
        EXPECT_TRUE(registry.find_run(name)->errors.count("dev")) << name;
    }
}

TEST_F(Reliability, FourProcessesRegisterAtOnce) {
    const std::string db = tmp.file("runs.db");
    const std::string pred = tmp.file("pred.csv", predictions(2000));
    constexpr int kProcesses = 4, kEach = 8;
    std::vector<std::thread> writers;
    std::vector<std::string> failures(kProcesses);
    for (int p = 0; p < kProcesses; ++p) {
        writers.emplace_back([&, p] {
            const fs::path scratch = root() / ("writer" + std::to_string(p));
            fs::create_directories(scratch);
            for (int i = 0; i < kEach; ++i) {
                const std::string name = fmt::format("p{}_{}", p, i);
                auto o = run_mlstrat({"runs", "add", name, "--dev", "10%", "--db", db}, scratch);
                if (o.exit_code != 0) failures[p] += name + ": " + o.err;
                // Four processes record a split each of one shared run, which the first creates.
                static const char* const kSplits[] = {"train", "train_dev", "dev", "test"};
                o = run_mlstrat({"eval", pred, "--run", "shared" + std::to_string(i), "--split",
                                 kSplits[p], "--db", db},
                                scratch);
                if (o.exit_code != 0) failures[p] += "shared: " + o.err;
            }
        });
    }
    for (auto& w : writers) w.join();
    for (const auto& f : failures) EXPECT_EQ(f, "");
    auto names = checked_run_names(db);
    EXPECT_EQ(names.size(), static_cast<std::size_t>(kProcesses * kEach + kEach));
    std::sort(names.begin(), names.end());
    EXPECT_EQ(std::adjacent_find(names.begin(), names.end()), names.end()) << "a run is duplicated";
    const auto registry = mlstrat::registry::Registry::open(db);
    for (int i = 0; i < kEach; ++i) {
        const auto shared = registry.find_run("shared" + std::to_string(i));
        ASSERT_TRUE(shared.has_value());
        EXPECT_EQ(shared->errors.size(), 4u) << "a split recorded at once with others was lost";
    }
}

TEST_F(Reliability, SameSeedGivesByteIdenticalFiles) {
    const std::string pred = tmp.file("pred.csv", predictions(50000));
    const std::string probs = tmp.file(
        "probs.csv", "label,p_a,p_b\na,0.9,0.1\nb,0.8,0.2\na,0.3,0.7\nb,0.1,0.9\na,0.6,0.4\n");
    const std::vector<std::vector<std::string>> commands = {
        {"split", pred, "--out", "{out}/splits", "--id-col", "id", "--seed", "11"},
        {"split", pred, "--out", "{out}/splits", "--stratify", "label", "--train-dev", "1000",
         "--seed", "11"},
        {"split", pred, "--out", "{out}/splits", "--target", "source=mobile", "--seed", "11"},
        {"split", pred, "--out", "{out}/splits", "--group", "label", "--stable", "--dev", "10%",
         "--test", "10%", "--seed", "11"},
        {"errors", "sample", pred, "--out", "{out}/sheet.csv", "--n", "300", "--correct", "50",
         "--seed", "11"},
        {"labels", probs, "--prob-cols", "p_*", "--out", "{out}/issues.csv"},
    };
    for (const auto& command : commands) {
        std::map<std::string, std::string> first;
        for (int run = 0; run < 2; ++run) {
            // Different thread counts too: the outputs must not depend on them.
            const fs::path out = root() / ("run" + std::to_string(run));
            fs::create_directories(out);
            std::vector<std::string> args;
            for (const auto& a : command) {
                args.push_back(a.rfind("{out}", 0) == 0 ? out.string() + a.substr(5) : a);
            }
            if (command[0] != "labels") {
                args.insert(args.end(), {"--threads", run == 0 ? "1" : "2"});
            }
            const auto o = run_mlstrat(args, root());
            ASSERT_EQ(o.exit_code, 0) << command[0] << ": " << o.err;
            auto files = files_under(out);
            ASSERT_FALSE(files.empty()) << command[0];
            if (run == 0) {
                first = std::move(files);
            } else {
                EXPECT_TRUE(files == first)
                    << "not byte-identical: " << ::testing::PrintToString(args);
            }
            fs::remove_all(out);
        }
    }
}

}  // namespace
