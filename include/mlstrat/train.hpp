#pragma once
/// The LibTorch training engine (library mlstrat_train). Nothing outside src/train/ includes a
/// LibTorch header; this header only declares what the rest of mlstrat may call.

#include <string>

namespace mlstrat::train {

/// One line describing the tensor backend: LibTorch version, intra-op threads, and whether
/// oneDNN (MKL-DNN) and OpenMP are compiled in.
std::string backend_summary();

}  // namespace mlstrat::train
