#pragma once
// One function per subcommand; each adds its subcommand to the app. Declared here, called from
// main.cpp, defined in commands/<command>.cpp.

#include <CLI/CLI.hpp>

namespace mlstrat::cli {

void add_eval(CLI::App& app);
void add_split(CLI::App& app);
void add_errors(CLI::App& app);
void add_labels(CLI::App& app);
void add_diagnose(CLI::App& app);
void add_select(CLI::App& app);
void add_runs(CLI::App& app);
void add_project(CLI::App& app);
void add_ceiling(CLI::App& app);
void add_drill(CLI::App& app);
void add_demo(CLI::App& app);
void add_report(CLI::App& app);
void add_synth(CLI::App& app);
#ifdef MLSTRAT_WITH_TRAIN
void add_train(CLI::App& app);
void add_tune(CLI::App& app);
void add_curve(CLI::App& app);
void add_transfer(CLI::App& app);
#endif
}  // namespace mlstrat::cli
