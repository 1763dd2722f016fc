// mlstrat-train: the training commands, in their own executable because they load LibTorch.
// `mlstrat train ...` and `mlstrat tune ...` run this binary, which sits next to mlstrat.

#include "cli_main.hpp"
#include "commands/commands.hpp"
#include "mlstrat/train.hpp"

int main(int argc, char** argv) {
    return mlstrat::cli::run_cli(argc, argv,
                                 "mlstrat 0.1.0 (" + mlstrat::train::backend_summary() + ")",
                                 [](CLI::App& app) {
                                     mlstrat::cli::add_train(app);
                                     mlstrat::cli::add_tune(app);
                                     mlstrat::cli::add_curve(app);
                                 });
}
