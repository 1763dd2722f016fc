#include <torch/torch.h>

#include "mlstrat/train.hpp"

namespace mlstrat::train {

std::string backend_summary() {
    std::string out = "LibTorch " TORCH_VERSION;
    out += ", " + std::to_string(at::get_num_threads()) + " intra-op threads";
    out += at::hasMKLDNN() ? ", oneDNN" : ", no oneDNN";
    out += at::hasOpenMP() ? ", OpenMP" : ", no OpenMP";
    return out;
}

}  // namespace mlstrat::train
