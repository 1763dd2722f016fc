#pragma once
// ReLU followed by 2x2 max pooling (stride 2, odd edges dropped), computed as one step: the
// pooled value is max(0, max of the window), the same number as pooling the ReLU's output,
// since ReLU keeps order. Its gradient is also the same as that of the two layers: it goes to
// the window's first largest input when that is positive, and nowhere otherwise.
//
// LibTorch's NCHW max pooling is a scalar loop whose comparisons the branch predictor cannot
// learn, and the separate ReLU reads and writes the whole, unpooled activation both ways; here
// each window is compared without branches and the ReLU costs nothing. docs/train.md has the
// measured difference.

#include <torch/torch.h>

namespace mlstrat::train {

/// Whether relu_max_pool2 takes `x`: a 4-dimensional float tensor on the CPU, contiguous in
/// NCHW or channels-last order, at least 2x2.
bool relu_max_pool2_applies(const torch::Tensor& x);

/// max_pool2d(relu(x), 2) with its gradient, for tensors relu_max_pool2_applies takes. The
/// result has the memory order of `x`.
torch::Tensor relu_max_pool2(const torch::Tensor& x);

}  // namespace mlstrat::train
