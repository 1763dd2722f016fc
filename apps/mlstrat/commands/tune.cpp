// mlstrat tune: random search (optionally successive halving) over config keys; every trial is a
// registered run, and the project's optimizing metric under its satisficing limits picks the best.

#ifdef MLSTRAT_WITH_TRAIN

#include <iostream>

#include "commands/commands.hpp"
#include "mlstrat/registry.hpp"
#include "mlstrat/support/text.hpp"
#include "mlstrat/train.hpp"
#include "output.hpp"

namespace mlstrat::cli {

namespace {

struct TuneArgs {
    train::TuneRequest request;
    unsigned threads = 0;
    bool json = false;
    bool quiet = false;
};

void print_result(const train::TuneResult& r) {
    std::cout << "tune " << r.name << ": " << r.leaderboard.size() << " trials, "
              << (r.halving ? "successive halving" : "random search") << "\n";
    std::cout << "objective: " << r.objective << "\n";
    if (!r.constraints.empty()) std::cout << "satisficing: " << text::join(r.constraints) << "\n";
    if (r.halving) {
        for (std::size_t i = 0; i < r.rungs.size(); ++i) {
            std::cout << "rung " << i + 1 << ": " << r.rungs[i].trials.size() << " trials x "
                      << r.rungs[i].epochs << " epochs\n";
        }
    }
    std::cout << "\n";
    Table t({"rank", "trial", "epochs", "value", "dev error", "latency ms", "meets limits",
             "overrides"});
    for (std::size_t i = 0; i < r.leaderboard.size(); ++i) {
        const auto& trial = r.leaderboard[i];
        const auto dev = trial.errors.find("dev");
        t.add({std::to_string(i + 1), trial.name, std::to_string(trial.epochs),
               trial.value ? fmt::format("{:.4g}", *trial.value) : "-",
               dev != trial.errors.end() ? percent(dev->second) : "-",
               fmt::format("{:.3f}", trial.latency_ms),
               trial.feasible ? "yes" : "no: " + text::join(trial.violations, "; "),
               text::join(trial.overrides, " ")});
    }
    t.print(std::cout);
    if (r.best) {
        std::cout << "\nbest: " << *r.best << "\n  ";
        for (const auto& o : r.best_overrides) std::cout << " --set " << o;
        std::cout << "\n";
    } else {
        std::cout << "\nno trial meets every limit\n";
    }
}

void run(TuneArgs& a, CLI::App* cmd) {
    if (cmd->count("--threads")) a.request.threads = a.threads;
    auto result = train::tune(a.request, [&](const train::TrialResult& t, const train::Rung& r) {
        if (a.quiet) return;
        const auto dev = t.errors.find("dev");
        std::cerr << t.name << " (" << r.epochs << " epochs): "
                  << (dev != t.errors.end() ? "dev error " + percent(dev->second) : "done") << "  "
                  << text::join(t.overrides, " ") << "\n";
    });
    if (a.json) {
        print_json(result.to_json());
    } else {
        print_result(result);
    }
}

}  // namespace

void add_tune(CLI::App& app) {
    auto args = std::make_shared<TuneArgs>();
    args->request.registry_path = registry::kDefaultPath;
    CLI::App* cmd = app.add_subcommand(
        "tune",
        "Random search over config keys (docs/tune.md): every trial a registered run, the "
        "best chosen by the project's optimizing metric under its satisficing limits.");
    cmd->add_option("CONFIG", args->request.config_path, "TOML config file")->required();
    cmd->add_option("--trials", args->request.trials, "number of trials")->capture_default_str();
    cmd->add_option("--repeats", args->request.repeats,
                    "runs per trial with seeds seed, seed+1...: one registry group per trial, "
                    "ranked by its mean on dev")
        ->capture_default_str();
    cmd->add_option("--space", args->request.space,
                    "KEY=log(LO,HI) | uniform(LO,HI) | int(LO,HI) | choice(V,...); repeatable")
        ->required();
    cmd->add_option("--set", args->request.overrides,
                    "KEY=VALUE: a value every trial gets; repeatable");
    cmd->add_flag("--halving", args->request.halving,
                  "successive halving: start every trial with --min-epochs, continue the best "
                  "1/eta with eta times the epochs, up to train.epochs");
    cmd->add_option("--eta", args->request.eta, "halving: keep 1/eta of a rung")
        ->capture_default_str();
    cmd->add_option("--min-epochs", args->request.min_epochs, "halving: epochs of the first rung")
        ->capture_default_str();
    cmd->add_option("--seed", args->request.seed, "seed of the search")->capture_default_str();
    cmd->add_option("--name", args->request.name,
                    "trial runs are NAME-t01, NAME-t02... (default: the config's name)");
    cmd->add_option("--runs", args->request.runs_dir, "folder of run folders")
        ->capture_default_str();
    cmd->add_option("--db", args->request.registry_path,
                    "registry the trials are added to; its project settings pick the best")
        ->capture_default_str();
    cmd->add_flag("--force", args->request.force, "replace existing trial runs");
    cmd->add_option("--threads", args->threads, "LibTorch threads (default: all cores)");
    cmd->add_flag("--json", args->json, "print one JSON document (the result) on stdout");
    cmd->add_flag("--quiet", args->quiet, "no progress on stderr");
    cmd->callback([args, cmd] { run(*args, cmd); });
}

}  // namespace mlstrat::cli

#endif  // MLSTRAT_WITH_TRAIN
