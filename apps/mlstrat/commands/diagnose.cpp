// mlstrat diagnose: human-level proxy, avoidable bias / variance / data mismatch / dev
// overfitting, the focus and its tactics.

#include "mlstrat/diagnose.hpp"

#include <iostream>
#include <optional>

#include "commands/commands.hpp"
#include "commands/learning_curve_table.hpp"
#include "mlstrat/learning_curve.hpp"
#include "mlstrat/registry.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/parse.hpp"
#include "output.hpp"

namespace mlstrat::cli {

namespace {

struct DiagnoseArgs {
    std::vector<std::string> human;
    std::string human_goal;
    std::string train, train_dev, dev, test, human_target, train_target;
    std::string train_size, train_dev_size, dev_size, test_size, train_target_size;
    std::string ci_level = "0.95";
    std::string run;
    std::string curve, target;
    std::string db = registry::kDefaultPath;
    bool db_given = false;
    bool json = false;
};

std::optional<double> rate(const std::string& text, const char* what) {
    if (text.empty()) return std::nullopt;
    return parse_rate(text, what);
}

std::optional<std::uint64_t> rows(const std::string& text, const char* what) {
    if (text.empty()) return std::nullopt;
    return parse_rows(text, what);
}

/// --curve: will more data help? The curve `mlstrat curve` recorded, fitted and judged.
void run_curve(const DiagnoseArgs& a) {
    const auto curve = diagnose::curve_from_registry(a.db, a.curve, rate(a.target, "--target"),
                                                     parse_rate(a.ci_level, "--ci-level"));
    if (a.json) {
        print_json(curve.to_json());
    } else {
        print_learning_curve(curve);
    }
}

void run(const DiagnoseArgs& a) {
    if (!a.curve.empty()) return run_curve(a);
    MLSTRAT_CHECK(a.target.empty(), "--target goes with --curve NAME");
    diagnose::DiagnoseInput in;
    for (const auto& text : a.human) in.human_levels.push_back(diagnose::parse_human_level(text));
    if (!a.human_goal.empty()) in.human_goal = a.human_goal;
    in.train_error = rate(a.train, "--train");
    in.train_dev_error = rate(a.train_dev, "--train-dev");
    in.dev_error = rate(a.dev, "--dev");
    in.test_error = rate(a.test, "--test");
    in.human_target_error = rate(a.human_target, "--human-target");
    in.train_target_error = rate(a.train_target, "--train-target");
    in.train_size = rows(a.train_size, "--train-size");
    in.train_dev_size = rows(a.train_dev_size, "--train-dev-size");
    in.dev_size = rows(a.dev_size, "--dev-size");
    in.test_size = rows(a.test_size, "--test-size");
    in.train_target_size = rows(a.train_target_size, "--train-target-size");
    in.ci_level = parse_rate(a.ci_level, "--ci-level");

    diagnose::ProjectSource source;
    source.db = a.db;
    source.db_given = a.db_given;
    source.run = a.run;
    auto report = diagnose::diagnose_project(in, source);
    if (a.json) {
        print_json(report.to_json());
    } else {
        std::cout << report.to_text();
    }
}

}  // namespace

void add_diagnose(CLI::App& app) {
    auto args = std::make_shared<DiagnoseArgs>();
    CLI::App* cmd = app.add_subcommand(
        "diagnose",
        "Compare train, train-dev, dev and test errors with human level: avoidable "
        "bias, variance, data mismatch, dev overfitting; the focus and its tactics.");
    cmd->add_option("--human", args->human,
                    "[NAME=]RATE: a human level (doctor=1%); repeatable; the Bayes proxy is the "
                    "lowest");
    cmd->add_option("--human-goal", args->human_goal,
                    "NAME of the human level the product aims at (instead of the lowest)");
    cmd->add_option("--train", args->train, "training error (8% or 0.08)");
    cmd->add_option("--train-dev", args->train_dev,
                    "train-dev error: training-distribution data not trained on");
    cmd->add_option("--dev", args->dev, "dev error");
    cmd->add_option("--test", args->test, "test error");
    cmd->add_option("--human-target", args->human_target,
                    "human error on target-distribution (dev/test) data");
    cmd->add_option("--train-target", args->train_target,
                    "error on target-distribution data that was trained on");
    cmd->add_option("--train-size", args->train_size, "rows the training error was measured on");
    cmd->add_option("--train-dev-size", args->train_dev_size, "rows of the train-dev set");
    cmd->add_option("--dev-size", args->dev_size, "rows of the dev set");
    cmd->add_option("--test-size", args->test_size, "rows of the test set");
    cmd->add_option("--train-target-size", args->train_target_size,
                    "rows of the trained-on target data");
    cmd->add_option("--ci-level", args->ci_level, "confidence level of the gap intervals")
        ->capture_default_str();
    cmd->add_option("--run", args->run, "take the errors (and sizes) from this registered run");
    cmd->add_option("--curve", args->curve,
                    "will more data help? read learning curve NAME (mlstrat curve) from the "
                    "registry, fit it and say how many examples reach the target");
    cmd->add_option("--target", args->target,
                    "with --curve: the desired error (default: the curve's target, else the "
                    "project's Bayes proxy)");
    cmd->add_option("--db", args->db,
                    "run registry (human levels from `project set` are read "
                    "from it when it exists)")
        ->capture_default_str()
        ->each([args](const std::string&) { args->db_given = true; });
    cmd->add_flag("--json", args->json, "print one JSON document and nothing else");
    cmd->callback([args] { run(*args); });
}

}  // namespace mlstrat::cli
