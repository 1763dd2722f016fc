// mlstrat: the command-line front of the library. Parses, dispatches to one subcommand, and maps
// failures to one line on stderr and an exit code (2: bad input or usage, 1: internal failure).
//
// The training commands live in mlstrat-train, next to this binary: loading LibTorch costs about
// 0.7 s, which every other command (eval on a small file takes milliseconds) should not pay.

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "cli_main.hpp"
#include "commands/commands.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/version.hpp"
#include "self.hpp"

namespace {

constexpr std::array<std::string_view, 4> kTrainingCommands = {"train", "tune", "curve",
                                                               "transfer"};

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

// Every page a process writes for the first time costs a fault, and under virtualisation a costly
// one: about 4 ms per MiB of 4 KiB pages on the machines we measure on, 0.1 ms per MiB of 2 MiB
// pages. So the heap is one region that every thread allocates from, reserved up front (address
// space only) and advised to the kernel for 2 MiB pages, and freed blocks stay in it for reuse
// rather than going back to the system to be faulted in again.
void prepare_heap() {
    constexpr std::size_t kRoom = std::size_t{256} << 20;
    constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
    mallopt(M_ARENA_MAX, 1);
    mallopt(M_MMAP_THRESHOLD, 32 << 20);  // glibc's largest; bigger blocks are mapped on their own
    mallopt(M_TRIM_THRESHOLD, static_cast<int>(2 * kRoom));
    mallopt(M_TOP_PAD, static_cast<int>(kRoom));
    void* block =
        std::malloc(std::size_t{16} << 20);  // more than the heap holds: grows it by kRoom
    const auto from = (reinterpret_cast<std::uintptr_t>(block) + kHuge - 1) / kHuge * kHuge;
    const auto to = reinterpret_cast<std::uintptr_t>(sbrk(0)) / kHuge * kHuge;
    if (to > from) madvise(reinterpret_cast<void*>(from), to - from, MADV_HUGEPAGE);
    std::free(block);
    // The stretch below the first 2 MiB boundary cannot be a 2 MiB page: a block kept for the
    // process's life (never written) fills it, so that the blocks after it start on the boundary.
    const std::size_t below = from - reinterpret_cast<std::uintptr_t>(block);
    static void* plug = below > 64 ? std::malloc(below - 64) : nullptr;
    static_cast<void>(plug);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 1) {
        for (auto command : kTrainingCommands) {
            if (command == argv[1]) return run_training(argv);
        }
    }
    prepare_heap();
    return mlstrat::cli::run_cli(
        argc, argv, "mlstrat " MLSTRAT_VERSION,
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
            // Listed here so that --help shows them; main() hands them to mlstrat-train first.
            app.add_subcommand("train",
                               "Train a model from a TOML config (LibTorch): mlstrat train --help");
            app.add_subcommand(
                "tune",
                "Search hyperparameters, every trial a registered run: mlstrat tune --help");
            app.add_subcommand(
                "transfer", "Fine-tuned vs scratch vs frozen over seeds: mlstrat transfer --help");
            app.add_subcommand("curve",
                               "A learning curve: will more data help? mlstrat curve --help");
        },
        "Training (LibTorch, in mlstrat-train): mlstrat train --help, mlstrat tune --help");
}
