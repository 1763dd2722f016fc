// bench/registry's helper: fills a registry through the library, logs steps, and runs loggers
// in parallel processes. Usage:
//   mlstrat_bench_registry fill DB RUNS METRICS PARAMS   (RUNS runs, METRICS per-split values,
//                                                          PARAMS typed parameters each)
//   mlstrat_bench_registry steps DB RUN STEPS            (one process, one step per call)
//   mlstrat_bench_registry loggers DB PROCESSES STEPS    (PROCESSES children log STEPS steps each
//                                                          into one shared run; counts what landed)
// Prints one JSON line of figures.

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>

#include "mlstrat/registry.hpp"

using namespace mlstrat::registry;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

int fill(const std::string& db, int runs, int metrics, int params) {
    auto registry = Registry::open(db);
    std::mt19937_64 rng(42);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const char* splits[] = {"train", "train_dev", "dev", "test"};
    const auto t0 = Clock::now();
    for (int i = 0; i < runs; ++i) {
        Run run;
        run.name = "run-" + std::to_string(i);
        run.kind = "bench";
        for (int m = 0; m < metrics; ++m) {
            const std::string split = splits[m % 4];
            const double v = unit(rng) * 0.5;
            if (m < 4) {
                run.errors[split] = v;
            } else {
                run.split_metrics[split]["m" + std::to_string(m / 4)] = v;
            }
        }
        run.params["optim.lr"] = std::pow(10.0, -1.0 - 4.0 * unit(rng));
        for (int p = 1; p < params; ++p) {
            run.params["p" + std::to_string(p)] =
                p % 3 == 0 ? nlohmann::json("choice" + std::to_string(p % 7))
                           : nlohmann::json(unit(rng));
        }
        run.tags["owner"] = i % 2 == 0 ? "ana" : "bo";
        registry.add_run(run);
    }
    std::printf("{\"runs\": %d, \"fill_seconds\": %.3f}\n", runs, seconds_since(t0));
    return 0;
}

int steps(const std::string& db, const std::string& run, int n) {
    auto registry = Registry::open(db);
    const auto t0 = Clock::now();
    for (int s = 0; s < n; ++s) {
        LogEntry e;
        e.step = s;
        e.metrics.push_back({"dev", "error", 1.0 / (1.0 + s)});
        registry.log(run, e);
    }
    std::printf("{\"steps\": %d, \"seconds\": %.3f}\n", n, seconds_since(t0));
    return 0;
}

int loggers(const std::string& db, int processes, int n) {
    Registry::open(db);  // created and migrated before the children race
    const auto t0 = Clock::now();
    for (int p = 0; p < processes; ++p) {
        if (fork() == 0) {
            auto registry = Registry::open(db);
            for (int s = 0; s < n; ++s) {
                LogEntry e;
                e.step = s;
                e.metrics.push_back({"", "w" + std::to_string(p), static_cast<double>(s)});
                registry.log("shared", e);
            }
            _exit(0);
        }
    }
    int failed = 0;
    for (int p = 0; p < processes; ++p) {
        int status = 0;
        wait(&status);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failed;
    }
    const double secs = seconds_since(t0);
    const auto landed = Registry::open(db).steps("shared").size();
    std::printf(
        "{\"processes\": %d, \"expected\": %d, \"landed\": %zu, \"failed\": %d, "
        "\"seconds\": %.3f}\n",
        processes, processes * n, landed, failed, secs);
    return landed == static_cast<std::size_t>(processes * n) && failed == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const std::string what = argc > 1 ? argv[1] : "";
        if (what == "fill" && argc == 6) {
            return fill(argv[2], std::stoi(argv[3]), std::stoi(argv[4]), std::stoi(argv[5]));
        }
        if (what == "steps" && argc == 5) return steps(argv[2], argv[3], std::stoi(argv[4]));
        if (what == "loggers" && argc == 5) {
            return loggers(argv[2], std::stoi(argv[3]), std::stoi(argv[4]));
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mlstrat_bench_registry: %s\n", e.what());
        return 1;
    }
    std::fprintf(stderr, "usage: mlstrat_bench_registry fill|steps|loggers ...\n");
    return 2;
}
