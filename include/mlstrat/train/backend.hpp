#pragma once
/// The tensor backend of the training engine: LibTorch's threads, the BLAS library under it, and
/// what the machine can compute.

#include <string>

#include <nlohmann/json.hpp>

namespace mlstrat::train {

/// What the tensor backend was set up with.
struct BackendInfo {
    std::string torch_version;
    /// LibTorch intra-op (OpenMP) threads.
    unsigned threads = 0;
    /// Threads of the BLAS library; -1 when it is not OpenBLAS and cannot be asked.
    int blas_threads = -1;
    /// The BLAS library that serves LibTorch's sgemm ("OpenBLAS 0.3.21 ..." or "generic").
    std::string blas;
    bool mkldnn = false;
    bool openmp = false;
    nlohmann::json to_json() const;
};

/// Sets LibTorch's intra-op threads (0: every core) and keeps OpenBLAS at one thread, since its
/// own threads on top of LibTorch's OpenMP threads make both slower. Idempotent.
BackendInfo configure_backend(unsigned threads = 0);

/// One line describing the tensor backend: LibTorch version, intra-op threads, and whether
/// oneDNN (MKL-DNN) and OpenMP are compiled in.
std::string backend_summary();

/// GFLOP/s of an n x n float matmul through LibTorch, the best of `repeats` timings.
double matmul_gflops(int n = 1024, int repeats = 10);

/// The machine's theoretical single-precision peak in GFLOP/s: cores x clock x FLOPs per
/// cycle (two FMA units: 32 with AVX2, 64 with AVX-512), read from /proc/cpuinfo.
double peak_gflops();

}  // namespace mlstrat::train
