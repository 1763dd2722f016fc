// mlstrat-train: the training commands, in their own executable because they load LibTorch.
// `mlstrat train ...` and `mlstrat tune ...` run this binary, which sits next to mlstrat.

#include <dlfcn.h>
#include <malloc.h>

#include "cli_main.hpp"
#include "commands/commands.hpp"
#include "mlstrat/train.hpp"
#include "mlstrat/version.hpp"

namespace {

// What the training engine wants of the process, set here rather than in the library so that a
// program linking mlstrat (a Python interpreter) keeps its own allocator and BLAS settings.
void prepare_process() {
    // Every training step frees and allocates the same activation buffers (megabytes each).
    // glibc's defaults hand such blocks back to the kernel (mmap above a threshold that grows to
    // 32 MiB, trimming the heap's top beyond 128 KiB), so the next step pays a page fault for
    // every 4 KiB again: 1.9 million faults and 2.6x the time of an epoch of cnn_strong.toml's
    // model on 12,800 images here. Keep freed blocks in the process instead: mmap only the
    // largest blocks (32 MiB is glibc's ceiling for the threshold) and never trim.
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    mallopt(M_TOP_PAD, 16 << 20);
    // OpenBLAS at one thread (LibTorch's own threads do the parallel work). It reads
    // OPENBLAS_NUM_THREADS when loaded, before main(), since LibTorch links libblas.so.3, so it is
    // set through its function, found at run time so that any libblas.so.3 still works.
    using SetThreads = void (*)(int);
    if (auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) {
        set(1);
    }
}

}  // namespace

int main(int argc, char** argv) {
    prepare_process();
    return mlstrat::cli::run_cli(
        argc, argv, "mlstrat " MLSTRAT_VERSION " (" + mlstrat::train::backend_summary() + ")",
        [](CLI::App& app) {
            mlstrat::cli::add_train(app);
            mlstrat::cli::add_tune(app);
            mlstrat::cli::add_curve(app);
            mlstrat::cli::add_transfer(app);
        });
}
