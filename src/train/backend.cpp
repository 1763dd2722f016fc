// The tensor backend: LibTorch's thread count, oneDNN on, and the figures the benchmark prints
// (matmul GFLOP/s, the machine's peak). What is the process's own (the allocator, OpenBLAS's
// threads) the program that links the library sets: mlstrat-train does in train_main.cpp.

#include <dlfcn.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "mlstrat/train/backend.hpp"

namespace mlstrat::train {

namespace {

// OpenBLAS's functions are found at run time so that any libblas.so.3 (reference BLAS too) works.
using GetThreads = int (*)();
using GetConfig = char* (*)();

template <typename F>
F blas_symbol(const char* name) {
    return reinterpret_cast<F>(dlsym(RTLD_DEFAULT, name));
}

}  // namespace

nlohmann::json BackendInfo::to_json() const {
    return {{"torch_version", torch_version},
            {"threads", threads},
            {"blas_threads", blas_threads},
            {"blas", blas},
            {"mkldnn", mkldnn},
            {"openmp", openmp}};
}

BackendInfo configure_backend(unsigned threads) {
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    at::set_num_threads(static_cast<int>(threads == 0 ? cores : threads));
    // Convolutions take oneDNN's path when LibTorch judges it faster (it is, for batched float
    // input on more than one thread); make sure nobody switched it off.
    at::globalContext().setUserEnabledMkldnn(true);
    BackendInfo info;
    info.torch_version = TORCH_VERSION;
    info.threads = static_cast<unsigned>(at::get_num_threads());
    if (auto get = blas_symbol<GetThreads>("openblas_get_num_threads")) info.blas_threads = get();
    if (auto config = blas_symbol<GetConfig>("openblas_get_config")) {
        info.blas = config();  // "OpenBLAS 0.3.21 ... Haswell MAX_THREADS=64"
    } else {
        info.blas = "generic libblas.so.3";
    }
    info.mkldnn = at::hasMKLDNN();
    info.openmp = at::hasOpenMP();
    return info;
}

std::string backend_summary() {
    std::string out = "LibTorch " TORCH_VERSION;
    out += ", " + std::to_string(at::get_num_threads()) + " intra-op threads";
    out += at::hasMKLDNN() ? ", oneDNN" : ", no oneDNN";
    out += at::hasOpenMP() ? ", OpenMP" : ", no OpenMP";
    return out;
}

double matmul_gflops(int n, int repeats) {
    torch::NoGradGuard no_grad;
    auto gen = at::make_generator<at::CPUGeneratorImpl>(1);
    auto a = at::randn({n, n}, gen, torch::kFloat);
    auto b = at::randn({n, n}, gen, torch::kFloat);
    auto c = torch::mm(a, b);  // warm-up
    double best = 1e30;
    for (int r = 0; r < repeats; ++r) {
        const auto start = std::chrono::steady_clock::now();
        torch::mm_out(c, a, b);
        const std::chrono::duration<double> dt = std::chrono::steady_clock::now() - start;
        best = std::min(best, dt.count());
    }
    return 2.0 * n * n * static_cast<double>(n) / best / 1e9;
}

double peak_gflops() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    double mhz = 0.0;
    bool avx2 = false, avx512 = false;
    while (std::getline(in, line)) {
        if (mhz == 0.0 && line.rfind("cpu MHz", 0) == 0) {
            mhz = std::stod(line.substr(line.find(':') + 1));
        }
        if (line.rfind("flags", 0) == 0) {
            avx2 =
                line.find(" avx2") != std::string::npos && line.find(" fma") != std::string::npos;
            avx512 = line.find(" avx512f") != std::string::npos;
        }
    }
    const double flops_per_cycle = avx512 ? 64.0 : avx2 ? 32.0 : 8.0;
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    return cores * mhz / 1000.0 * flops_per_cycle;
}

}  // namespace mlstrat::train
