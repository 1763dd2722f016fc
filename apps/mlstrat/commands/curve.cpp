// mlstrat curve: will more data help? Train the config at several training-set sizes and fit the
// dev error against the size (Machine Learning Yearning 28-32).

#ifdef MLSTRAT_WITH_TRAIN

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>

#include "commands/commands.hpp"
#include "commands/learning_curve_table.hpp"
#include "mlstrat/learning_curve.hpp"
#include "mlstrat/registry.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/parse.hpp"
#include "mlstrat/train_curve.hpp"
#include "output.hpp"

namespace mlstrat::cli {

namespace {

struct CurveArgs {
    train::CurveRequest request;
    std::string sizes = "1000,2000,5000,10000,20000,all";
    std::int64_t repeats = 0;
    std::string target;
    unsigned threads = 0;
    bool json = false;
    bool quiet = false;
};

std::string minutes(double seconds) {
    const auto s = static_cast<long>(seconds + 0.5);
    return s >= 60 ? fmt::format("{}m{:02d}s", s / 60, s % 60) : fmt::format("{}s", s);
}

void print_progress(const train::CurveProgress& c, bool tty) {
    using Kind = train::Progress::Kind;
    if (!tty) {
        if (c.run.kind == Kind::Batch) return;  // a line per epoch is enough in a log
        nlohmann::json j = c.run.to_json();
        j["size_index"] = c.size_index;
        j["sizes"] = c.sizes;
        j["size"] = c.size;
        j["repeat"] = c.repeat;
        j["repeats"] = c.repeats;
        j["curve_eta_seconds"] = c.eta_seconds;
        std::cerr << j.dump() << "\n";
        return;
    }
    std::fprintf(stderr, "\r\033[Ksize %zu/%zu (%s) repeat %lld/%lld  epoch %lld/%lld  eta %s",
                 c.size_index, c.sizes, thousands(c.size).c_str(), static_cast<long long>(c.repeat),
                 static_cast<long long>(c.repeats), static_cast<long long>(c.run.epoch),
                 static_cast<long long>(c.run.epochs), minutes(c.eta_seconds).c_str());
    if (c.run.kind == Kind::Done && c.size_index == c.sizes && c.repeat == c.repeats) {
        std::fprintf(stderr, "\n");
    }
    std::fflush(stderr);
}

void run(CurveArgs& a, CLI::App* cmd) {
    MLSTRAT_CHECK(!a.request.config_path.empty(), "curve needs a CONFIG file (see docs/curve.md)");
    a.request.sizes = diagnose::parse_curve_sizes(a.sizes);
    if (cmd->count("--repeats")) a.request.repeats = a.repeats;
    if (!a.target.empty()) a.request.target = parse_rate(a.target, "--target");
    if (cmd->count("--threads")) a.request.threads = a.threads;
    const bool tty = isatty(fileno(stderr)) != 0;
    const auto curve = train::learning_curve(a.request, [&](const train::CurveProgress& p) {
        if (!a.quiet) print_progress(p, tty);
    });
    if (a.json) {
        print_json(curve.to_json());
    } else {
        print_learning_curve(curve);
    }
}

}  // namespace

void add_curve(CLI::App& app) {
    auto args = std::make_shared<CurveArgs>();
    CLI::App* cmd = app.add_subcommand(
        "curve",
        "Will more data help? Train at several training-set sizes, fit the dev error "
        "against the size and say how many examples reach the target (docs/curve.md).");
    cmd->add_option("CONFIG", args->request.config_path, "TOML config file (docs/train.md)");
    cmd->add_option("--sizes", args->sizes,
                    "training-set sizes, comma-separated; 'all' is the whole training set")
        ->capture_default_str();
    cmd->add_option("--repeats", args->repeats,
                    "runs at every size (default: 3 up to a tenth of the training set, 2 up to "
                    "half, 1 above)");
    cmd->add_option("--name", args->request.name,
                    "the curve's name; its runs are NAME-n<size>-r<repeat> (default: the "
                    "config's name + '-curve')");
    cmd->add_option(
        "--target", args->target,
        "the desired error (default: the project's Bayes proxy, `project set --human`)");
    cmd->add_option("--set", args->request.overrides,
                    "KEY=VALUE: override one config key; repeatable");
    cmd->add_option("--runs", args->request.runs_dir, "folder of run folders")
        ->capture_default_str();
    cmd->add_option("--db", args->request.registry_path, "registry the curve's runs go to")
        ->capture_default_str();
    cmd->add_flag("--force", args->request.force, "replace the curve's runs when they exist");
    cmd->add_option("--threads", args->threads, "LibTorch threads (default: all cores)");
    cmd->add_option("--level", args->request.level, "confidence level of the fit's intervals")
        ->check(CLI::Range(0.5, 0.999))
        ->capture_default_str();
    cmd->add_flag("--json", args->json, "print one JSON document (the curve) on stdout");
    cmd->add_flag("--quiet", args->quiet, "no progress on stderr");
    cmd->callback([args, cmd] { run(*args, cmd); });
}

}  // namespace mlstrat::cli

#endif  // MLSTRAT_WITH_TRAIN
