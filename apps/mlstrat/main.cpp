// mlstrat: the command-line front of the library. Parses, dispatches to one subcommand, and maps
// failures to one line on stderr and an exit code (2: bad input or usage, 1: internal failure).
//
// The training commands live in mlstrat-train, next to this binary: loading LibTorch costs about
// 0.7 s, which every other command (eval on a small file takes milliseconds) should not pay.

#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "cli_main.hpp"
#include "commands/commands.hpp"
#include "mlstrat/error.hpp"
#include "self.hpp"

namespace {

constexpr std::array<std::string_view, 2> kTrainingCommands = {"train", "tune"};

// Replaces this process with mlstrat-train; returns only when that fails.
int run_training(char** argv) {
    std::string sibling = mlstrat::cli::sibling_executable("mlstrat-train");
    execv(sibling.c_str(), argv);
    std::fprintf(stderr,
                 "mlstrat: error: %s: cannot run the training engine (%s); build with "
                 "-DMLSTRAT_WITH_TRAIN=ON (scripts/test does)\n",
                 sibling.c_str(), std::strerror(errno));
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 1) {
        for (auto command : kTrainingCommands) {
            if (command == argv[1]) return run_training(argv);
        }
    }
    return mlstrat::cli::run_cli(
        argc, argv, "mlstrat 0.1.0",
        [](CLI::App& app) {
            mlstrat::cli::add_eval(app);
            mlstrat::cli::add_split(app);
            mlstrat::cli::add_errors(app);
            mlstrat::cli::add_labels(app);
            mlstrat::cli::add_diagnose(app);
            mlstrat::cli::add_select(app);
            mlstrat::cli::add_runs(app);
            mlstrat::cli::add_project(app);
            mlstrat::cli::add_ceiling(app);
            mlstrat::cli::add_drill(app);
            mlstrat::cli::add_demo(app);
            mlstrat::cli::add_report(app);
            mlstrat::cli::add_synth(app);
        },
        "Training (LibTorch, in mlstrat-train): mlstrat train --help, mlstrat tune --help");
}
