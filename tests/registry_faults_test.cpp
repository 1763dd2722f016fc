// The run registry under faults: eight processes log steps with `mlstrat runs log` at once while
// the runs of one of them are killed with SIGKILL at random moments. The database must pass
// `PRAGMA integrity_check`, hold every write whose `runs log` exited 0, hold a killed write whole
// or not at all, and a second run of the same test must give the same rows.
//
// The kill delays are random; the seed is printed with every failure (MLSTRAT_KILL_SEED
// replays one).

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <set>
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

constexpr int kWriters = 8;       // the last one is killed
constexpr int kSteps = 6;         // steps each of the others logs
constexpr int kVictimSteps = 12;  // steps the killed one tries

/// The `runs log` of one step of writer `w`: two metrics and a parameter in one write.
std::vector<std::string> log_args(const std::string& db, int w, int step) {
    return {"runs",
            "log",
            fmt::format("w{}", w),
            "--step",
            std::to_string(step),
            "--metric",
            fmt::format("dev.loss={}.{:03}", w, step),
            "--metric",
            fmt::format("train.loss={}.{:03}", step, w),
            "--param",
            fmt::format("last_step={}", step),
            "--db",
            db};
}

/// One row of a run's curve, as text: "w3 step 2 dev.loss 3.002".
std::string row_text(const std::string& run, const mlstrat::registry::Step& s) {
    return fmt::format("{} step {} {}.{} {:.17g}", run, s.step, s.split, s.metric, s.value);
}

/// The rows writer `w`'s step `step` adds.
std::set<std::string> rows_of(int w, int step) {
    return {fmt::format("w{} step {} dev.loss {:.17g}", w, step,
                        std::strtod(fmt::format("{}.{:03}", w, step).c_str(), nullptr)),
            fmt::format("w{} step {} train.loss {:.17g}", w, step,
                        std::strtod(fmt::format("{}.{:03}", step, w).c_str(), nullptr))};
}

struct Round {
    std::set<std::string> rows;          // every row the registry holds
    std::set<std::string> acknowledged;  // the rows of the writes that exited 0
    int killed = 0;
};

/// One round in `dir`: seven writers log kSteps steps each, the eighth's runs are killed after
/// a random delay up to 1.5 times `longest_us` (what one uninterrupted `runs log` takes).
Round log_with_kills(const fs::path& dir, std::uint64_t seed, long long longest_us) {
    const std::string db = (dir / "runs.db").string();
    Round round;
    std::vector<std::string> failures(kWriters);
    std::vector<std::set<int>> done(kWriters);
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
        writers.emplace_back([&, w] {
            const fs::path scratch = dir / fmt::format("writer{}", w);
            fs::create_directories(scratch);
            if (w < kWriters - 1) {
                for (int s = 0; s < kSteps; ++s) {
                    const auto o = run_mlstrat(log_args(db, w, s), scratch);
                    if (o.exit_code == 0) {
                        done[w].insert(s);
                    } else {
                        failures[w] += fmt::format("w{} step {}: {}", w, s, o.err);
                    }
                }
                return;
            }
            std::mt19937_64 rng(seed);
            for (int s = 0; s < kVictimSteps; ++s) {
                const pid_t pid = mlstrat::test_util::spawn_command(
                    MLSTRAT_BINARY, log_args(db, w, s), (scratch / ".stdout").string(),
                    (scratch / ".stderr").string());
                if (pid <= 0) {
                    failures[w] += "cannot start " MLSTRAT_BINARY;
                    return;
                }
                std::this_thread::sleep_for(
                    std::chrono::microseconds(rng() % (longest_us * 3 / 2 + 1)));
                ::kill(pid, SIGKILL);
                const int code = mlstrat::test_util::wait_exit_code(pid);
                if (code == 0) done[w].insert(s);
                if (code == 128 + SIGKILL) ++round.killed;
                if (code != 0 && code != 128 + SIGKILL) {
                    failures[w] += fmt::format("w{} step {} exited {}: {}", w, s, code,
                                               slurp(scratch / ".stderr"));
                }
            }
        });
    }
    for (auto& t : writers) t.join();
    for (const auto& f : failures) EXPECT_EQ(f, "");
    EXPECT_EQ(integrity_check(db), "ok");
    for (int w = 0; w < kWriters; ++w) {
        for (int s : done[w]) {
            const auto rows = rows_of(w, s);
            round.acknowledged.insert(rows.begin(), rows.end());
        }
    }
    const auto registry = mlstrat::registry::Registry::open(db);
    for (const auto& run : registry.runs()) {
        for (const auto& s : registry.steps(run.name)) round.rows.insert(row_text(run.name, s));
    }
    return round;
}

TEST(RegistryFaults, EightLoggersOneKilledKeepEveryAcknowledgedWrite) {
    mlstrat::test_util::TempDir tmp;
    // The delays span what one uninterrupted `runs log` takes on this machine now.
    long long longest = 0;
    for (int i = 0; i < 3; ++i) {
        const auto start = Clock::now();
        const auto o = run_mlstrat(log_args(tmp.file("probe.db"), 0, i), tmp.path());
        ASSERT_EQ(o.exit_code, 0) << o.err;
        longest = std::max<long long>(
            longest,
            std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count());
    }
    const std::uint64_t seed = std::getenv("MLSTRAT_KILL_SEED")
                                   ? std::strtoull(std::getenv("MLSTRAT_KILL_SEED"), nullptr, 10)
                                   : std::random_device{}();
    SCOPED_TRACE("MLSTRAT_KILL_SEED=" + std::to_string(seed));

    std::vector<Round> rounds;
    for (int r = 0; r < 2; ++r) {
        const fs::path dir = tmp.path() / fmt::format("round{}", r);
        fs::create_directories(dir);
        rounds.push_back(log_with_kills(dir, seed, longest));
        const Round& round = rounds.back();
        // Every acknowledged write is there.
        for (const auto& row : round.acknowledged) {
            EXPECT_TRUE(round.rows.count(row))
                << "round " << r << ": acknowledged, missing: " << row;
        }
        // Nothing else but whole killed writes: a step of the killed writer has both its rows.
        for (int s = 0; s < kVictimSteps; ++s) {
            const auto rows = rows_of(kWriters - 1, s);
            std::size_t present = 0;
            for (const auto& row : rows) present += round.rows.count(row);
            EXPECT_TRUE(present == 0 || present == rows.size())
                << "round " << r << ": step " << s << " of the killed writer is half written";
        }
        std::size_t expected = round.acknowledged.size();
        for (int s = 0; s < kVictimSteps; ++s) {
            const auto rows = rows_of(kWriters - 1, s);
            if (!round.acknowledged.count(*rows.begin()) && round.rows.count(*rows.begin())) {
                expected += rows.size();  // committed, then killed before it could say so
            }
        }
        EXPECT_EQ(round.rows.size(), expected) << "round " << r << ": rows nobody logged";
    }
    EXPECT_GT(rounds[0].killed + rounds[1].killed, 0) << "no write was killed";
    // The same test again gives the same rows: every write that was not killed, and each
    // acknowledged one of the killed writer.
    const auto unkilled = [](const Round& round) {
        std::set<std::string> out;
        for (const auto& row : round.rows) {
            if (row.rfind(fmt::format("w{} ", kWriters - 1), 0) != 0) out.insert(row);
        }
        return out;
    };
    EXPECT_EQ(unkilled(rounds[0]), unkilled(rounds[1]));
    EXPECT_EQ(unkilled(rounds[0]).size(), static_cast<std::size_t>((kWriters - 1) * kSteps * 2));
}

}  // namespace
