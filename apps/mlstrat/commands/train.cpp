// mlstrat train: train the model a TOML config describes and write runs/NAME/.

#ifdef MLSTRAT_WITH_TRAIN

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>

#include "commands/commands.hpp"
#include "mlstrat/registry.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/train.hpp"
#include "output.hpp"

namespace mlstrat::cli {

namespace {

struct TrainArgs {
    train::RunRequest request;
    unsigned threads = 0;
    std::int64_t seed = 0;
    bool json = false;
    bool quiet = false;
    bool no_register = false;
    bool keys = false;
    bool backend = false;
    train::DistributedOptions distributed;
    std::string seeds;
    std::int64_t repeats = 0;
};

std::string duration(double seconds) {
    const auto s = static_cast<long>(seconds + 0.5);
    return s >= 60 ? fmt::format("{}m{:02d}s", s / 60, s % 60) : fmt::format("{}s", s);
}

/// A one-line bar redrawn in place on a terminal.
void draw_bar(const train::Progress& p) {
    constexpr int kWidth = 24;
    const double done = p.batches ? static_cast<double>(p.batch) / p.batches : 0.0;
    const int filled = static_cast<int>(done * kWidth);
    std::string bar = std::string(filled, '#') + std::string(kWidth - filled, '.');
    std::fprintf(stderr, "\r\033[Kepoch %lld/%lld [%s] loss %.4f  %s ex/s  eta %s",
                 static_cast<long long>(p.epoch), static_cast<long long>(p.epochs), bar.c_str(),
                 p.loss, thousands(static_cast<std::uint64_t>(p.examples_per_second)).c_str(),
                 duration(p.eta_seconds).c_str());
    std::fflush(stderr);
}

void print_progress(const train::Progress& p, bool tty) {
    using Kind = train::Progress::Kind;
    if (!tty) {
        std::cerr << p.to_json().dump() << "\n";
        return;
    }
    if (p.kind == Kind::Batch) {
        draw_bar(p);
    } else if (p.kind == Kind::Epoch) {
        draw_bar(p);
        std::string errors;
        for (const auto& [split, e] : p.errors) errors += "  " + split + " " + percent(e);
        std::fprintf(stderr, "\n  errors:%s\n", errors.c_str());
        if (!p.message.empty()) std::fprintf(stderr, "  %s\n", p.message.c_str());
    } else if (p.kind == Kind::Start) {
        std::fprintf(stderr, "%s\n", p.message.c_str());
    }
}

void print_result(const train::RunResult& r) {
    if (r.rank != 0) {
        std::cout << "rank " << r.rank << " of " << r.world_size << ": " << r.epochs
                  << " epochs done; rank 0 writes " << r.dir << "\n";
        return;
    }
    if (!r.complete) {
        std::cout << "run " << r.name << " stopped after epoch " << r.epochs
                  << "; continue it with --resume\n";
        return;
    }
    std::cout << "run " << r.name << ": " << r.dir << "\n";
    Table t({"split", "rows", "error", "accuracy"});
    for (const auto& split : train::split_names()) {
        if (!r.errors.count(split)) continue;
        t.add({split, thousands(r.sizes.at(split)), percent(r.errors.at(split)),
               percent(r.accuracy.at(split))});
    }
    t.print(std::cout, "  ");
    if (!r.tasks.empty()) {
        // Multi-task: the split errors above are means over tasks; here each task's.
        std::vector<std::string> head = {"task"};
        for (const auto& split : train::split_names()) {
            if (r.task_errors.count(split)) head.push_back(split);
        }
        Table tasks(head);
        for (const auto& task : r.tasks) {
            std::vector<std::string> row = {task};
            for (std::size_t i = 1; i < head.size(); ++i) {
                const double e = r.task_errors.at(head[i]).at(task);
                row.push_back(std::isnan(e) ? "-" : percent(e));
            }
            tasks.add(row);
        }
        std::cout << "  error per task (the split errors are their mean)\n";
        tasks.print(std::cout, "  ");
    }
    std::cout << fmt::format("  {} epochs, {} examples/s, {} in all, {:.3f} ms per example\n",
                             r.epochs, thousands(static_cast<std::uint64_t>(r.examples_per_second)),
                             duration(r.seconds), r.latency_ms);
    for (const auto& note : r.notes) std::cout << "note: " << note << "\n";
}

/// Each split's error over the seeds: mean, spread and interval.
void print_seeds(const train::SeedsResult& r) {
    std::string seeds;
    for (const auto seed : r.seeds) seeds += (seeds.empty() ? "" : ",") + std::to_string(seed);
    std::cout << fmt::format("group {}: {} runs, seeds {}\n", r.group, r.runs.size(), seeds);
    Table t({"split", "mean error", "sd", "95% interval", "seeds"});
    for (const auto& split : train::split_names()) {
        if (!r.errors.count(split)) continue;
        const auto& s = r.errors.at(split);
        t.add({split, percent(s.mean), s.n > 1 ? percent(s.sd) : "-",
               s.interval ? percent(s.interval->lo) + " to " + percent(s.interval->hi) : "-",
               std::to_string(s.n)});
    }
    t.print(std::cout, "  ");
    for (const auto& run : r.runs) {
        std::cout << fmt::format("  {}: dev {}\n", run.name,
                                 run.errors.count("dev") ? percent(run.errors.at("dev")) : "-");
    }
    std::cout << "compare groups with `mlstrat runs list --group-by group`\n";
}

/// The seeds --seeds or --repeats ask for; empty for one run.
std::vector<std::int64_t> seeds_of(const TrainArgs& a, CLI::App* cmd) {
    const bool seeds = cmd->count("--seeds") > 0, repeats = cmd->count("--repeats") > 0;
    if (!seeds && !repeats) return {};
    MLSTRAT_CHECK(!(seeds && repeats), "--seeds and --repeats both choose the seeds; give one");
    MLSTRAT_CHECK(!cmd->count("--seed"),
                  "--seed gives one seed; --seeds and --repeats give several");
    MLSTRAT_CHECK(!a.request.resume, "--resume continues one run; resume each seed's run by name");
    MLSTRAT_CHECK(a.request.distributed.world_size <= 1,
                  "--seeds and --repeats train one seed after another in this process, not in a "
                  "data-parallel job");
    if (seeds) return train::parse_seeds(a.seeds, "--seeds");
    MLSTRAT_CHECK(a.repeats >= 1, "--repeats: ", a.repeats, " is not a number of runs (1 or more)");
    const std::int64_t first = train::load_config(a.request.config_path, a.request.overrides).seed;
    std::vector<std::int64_t> out;
    for (std::int64_t i = 0; i < a.repeats; ++i) out.push_back(first + i);
    return out;
}

void run(TrainArgs& a, CLI::App* cmd) {
    if (a.keys) {
        nlohmann::json keys = nlohmann::json::array();
        for (const auto& k : train::config_keys()) {
            keys.push_back(
                {{"key", k.key}, {"type", k.type}, {"default", k.default_value}, {"doc", k.doc}});
        }
        if (a.json) {
            print_json(keys);
        } else {
            for (const auto& k : train::config_keys()) {
                std::cout << k.key << " (" << k.type << ", default " << k.default_value
                          << "): " << k.doc << "\n";
            }
        }
        return;
    }
    if (a.backend) {
        const auto info = train::configure_backend(a.threads);
        const double gflops = train::matmul_gflops(1024, 10);
        const double peak = train::peak_gflops();
        nlohmann::json j = info.to_json();
        j["matmul_1024_gflops"] = gflops;
        j["peak_gflops"] = peak;
        if (a.json) {
            print_json(j);
        } else {
            std::cout << train::backend_summary() << "\n"
                      << info.blas << ", " << info.blas_threads << " BLAS thread(s)\n"
                      << fmt::format(
                             "1024x1024 float matmul: {:.1f} GFLOP/s ({} of a {:.0f} "
                             "GFLOP/s peak)\n",
                             gflops, percent(gflops / peak, 1), peak);
        }
        return;
    }
    MLSTRAT_CHECK(!a.request.config_path.empty(), "train needs a CONFIG file (see docs/train.md)");
    if (cmd->count("--threads")) a.request.threads = a.threads;
    if (cmd->count("--seed")) a.request.seed = a.seed;
    if (a.no_register) a.request.registry_path.clear();
    // Flags override the torchrun-style environment.
    const auto env = train::distributed_from_environment();
    auto& d = a.request.distributed;
    d.world_size = cmd->count("--world-size") ? a.distributed.world_size : env.world_size;
    d.rank = cmd->count("--rank") ? a.distributed.rank : env.rank;
    d.master = cmd->count("--master") ? a.distributed.master : env.master;
    d.timeout_seconds = a.distributed.timeout_seconds;
    const bool tty = isatty(fileno(stderr)) != 0;
    const auto show = [&](const train::Progress& p) {
        if (!a.quiet) print_progress(p, tty);
    };
    if (const auto seeds = seeds_of(a, cmd); !seeds.empty()) {
        train::SeedsRequest request;
        request.run = a.request;
        request.seeds = seeds;
        const auto result = train::train_seeds(request, show);
        if (a.json) {
            print_json(result.to_json());
        } else {
            print_seeds(result);
        }
        return;
    }
    auto result = train::train_run(a.request, show);
    if (a.json) {
        print_json(result.to_json());
    } else {
        print_result(result);
    }
}

}  // namespace

void add_train(CLI::App& app) {
    auto args = std::make_shared<TrainArgs>();
    args->request.registry_path = registry::kDefaultPath;
    CLI::App* cmd = app.add_subcommand(
        "train",
        "Train the model a TOML config describes (docs/train.md) and write runs/NAME/: "
        "errors on train, train-dev, dev and test, predictions, model, history.");
    cmd->add_option("CONFIG", args->request.config_path, "TOML config file");
    cmd->add_option("--set", args->request.overrides,
                    "KEY=VALUE: override one config key (optim.lr=3e-4); repeatable");
    cmd->add_option("--name", args->request.name, "run name (default: the config's name)");
    cmd->add_option("--runs", args->request.runs_dir, "folder of run folders")
        ->capture_default_str();
    cmd->add_flag("--resume", args->request.resume,
                  "continue runs/NAME from its last checkpoint; ends with the weights of an "
                  "uninterrupted run");
    cmd->add_flag("--force", args->request.force, "replace an existing runs/NAME");
    cmd->add_option("--threads", args->threads, "LibTorch threads (default: all cores)");
    cmd->add_option("--seed", args->seed, "seed (default: the config's seed)");
    cmd->add_option("--seeds", args->seeds,
                    "S1,S2,...: train once per seed as NAME-s<SEED>, one registry group NAME, and "
                    "print each split's mean error, spread and interval");
    cmd->add_option("--repeats", args->repeats,
                    "N: the same with N seeds from the config's seed up");
    cmd->add_option("--db", args->request.registry_path, "registry file the run is added to")
        ->capture_default_str();
    cmd->add_flag("--no-register", args->no_register, "do not add the run to the registry");
    cmd->add_option("--world-size", args->distributed.world_size,
                    "processes in a data-parallel job (default: $WORLD_SIZE, else 1); "
                    "docs/distributed.md");
    cmd->add_option("--rank", args->distributed.rank,
                    "this process's rank, 0 .. world size - 1 (default: $RANK)");
    cmd->add_option("--master", args->distributed.master,
                    "HOST:PORT where rank 0 listens (default: $MASTER_ADDR:$MASTER_PORT)");
    cmd->add_option("--timeout", args->distributed.timeout_seconds,
                    "seconds a rank waits for the others in a collective before the job stops")
        ->capture_default_str();
    cmd->add_flag("--json", args->json, "print one JSON document (the result) on stdout");
    cmd->add_flag("--quiet", args->quiet, "no progress on stderr");
    cmd->add_flag("--keys", args->keys, "list every config key with its default and meaning");
    cmd->add_flag("--backend", args->backend,
                  "print the tensor backend set-up and a 1024x1024 matmul's GFLOP/s");
    cmd->callback([args, cmd] { run(*args, cmd); });
}

}  // namespace mlstrat::cli

#endif  // MLSTRAT_WITH_TRAIN
