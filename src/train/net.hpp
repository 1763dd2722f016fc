#pragma once
// The models (private to src/train/): an `mlp` and a `cnn`, both a flat sequence of LibTorch
// layers so that transfer learning can freeze the first N and replace the last.

#include <torch/torch.h>

#include <string>
#include <vector>

#include "mlstrat/train.hpp"

namespace mlstrat::train {

/// Options of a residual block: two convolutions with a skip connection (1x1 when the channel
/// count changes), each convolution optionally followed by batch norm.
struct ResidualBlockOptions {
    ResidualBlockOptions(std::int64_t in_channels, std::int64_t out_channels)
        : in_channels_(in_channels), out_channels_(out_channels) {}
    TORCH_ARG(std::int64_t, in_channels);
    TORCH_ARG(std::int64_t, out_channels);
    TORCH_ARG(std::int64_t, kernel) = 3;
    TORCH_ARG(bool, batch_norm) = true;
};

/// relu(bn(conv(relu(bn(conv(x))))) + skip(x)).
class ResidualBlockImpl : public torch::nn::Module {
 public:
    explicit ResidualBlockImpl(const ResidualBlockOptions& options);
    /// The block's output for a [N, C, H, W] batch.
    torch::Tensor forward(torch::Tensor x);

    ResidualBlockOptions options;
    torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, skip{nullptr};
    torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr};
};
TORCH_MODULE(ResidualBlock);

/// Options of a fully connected network: inputs -> hidden... -> classes, ReLU and dropout between.
struct MlpOptions {
    MlpOptions(std::int64_t inputs, std::int64_t classes) : inputs_(inputs), classes_(classes) {}
    TORCH_ARG(std::int64_t, inputs);
    TORCH_ARG(std::int64_t, classes);
    TORCH_ARG(std::vector<std::int64_t>, hidden) = {256};
    TORCH_ARG(double, dropout) = 0.0;
};

/// Options of a convolutional network: conv blocks (each ending in a 2x2 max-pool), then hidden
/// fully connected layers, then the classes.
struct CnnOptions {
    CnnOptions(std::vector<std::int64_t> input_shape, std::int64_t classes)
        : input_shape_(std::move(input_shape)), classes_(classes) {}
    TORCH_ARG(std::vector<std::int64_t>, input_shape);  // {C, H, W}
    TORCH_ARG(std::int64_t, classes);
    TORCH_ARG(std::vector<std::int64_t>, widths) = {32, 64};
    TORCH_ARG(std::int64_t, convs_per_block) = 1;
    TORCH_ARG(std::int64_t, kernel) = 3;
    TORCH_ARG(bool, same_padding) = true;
    TORCH_ARG(bool, batch_norm) = true;
    TORCH_ARG(bool, residual) = false;
    TORCH_ARG(std::vector<std::int64_t>, fc) = {128};
    TORCH_ARG(double, dropout) = 0.0;
};

/// A model: one flat sequence of layers whose last is the Linear layer giving the class scores.
class NetImpl : public torch::nn::Module {
 public:
    explicit NetImpl(const MlpOptions& options);
    explicit NetImpl(const CnnOptions& options);
    /// Class scores (logits) for a batch.
    torch::Tensor forward(torch::Tensor x);
    /// The layers in order.
    torch::nn::Sequential& layers() { return layers_; }

 private:
    torch::nn::Sequential layers_;
};
TORCH_MODULE(Net);

/// The model a [model] section describes, for examples of `shape` and `classes` classes.
Net make_net(const ModelConfig& config, const std::vector<std::int64_t>& shape,
             std::int64_t classes);

/// Multiply-adds x 2 of one forward pass of one example (convolutions and linear layers).
double forward_flops(Net& net, const std::vector<std::int64_t>& shape);

/// Serializes the module's parameters and buffers (LibTorch's archive format) to bytes.
std::string save_module_bytes(torch::nn::Module& module);

/// Loads parameters and buffers saved by save_module_bytes (or torch::save) from `path`.
void load_module(torch::nn::Module& module, const std::string& path);

/// The model as TorchScript bytes, loadable by Python's torch.jit.load and C++'s
/// torch::jit::load: the same layers written as a TorchScript forward over the same weights.
std::string torchscript_bytes(Net& net);

}  // namespace mlstrat::train
