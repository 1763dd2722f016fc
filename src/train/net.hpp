#pragma once
// The models (private to src/train/): an `mlp`, a `cnn` and an `rnn` (rnn.cpp), and a TorchScript
// backbone under a new head (backbone.cpp), each a flat sequence of LibTorch layers so that
// transfer learning can freeze the first N and replace the last.

#include <torch/script.h>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "mlstrat/train/config.hpp"

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

/// Options of a sequence encoder: token ids -> embedding -> LSTM or GRU -> the last layer's
/// final state of each direction, joined.
struct RnnOptions {
    RnnOptions(std::int64_t vocab, std::int64_t classes) : vocab_(vocab), classes_(classes) {}
    TORCH_ARG(std::int64_t, vocab);
    TORCH_ARG(std::int64_t, classes);
    TORCH_ARG(std::int64_t, embedding_dim) = 32;
    TORCH_ARG(std::int64_t, hidden) = 64;
    TORCH_ARG(std::int64_t, layers) = 1;
    TORCH_ARG(bool, lstm) = true;
    TORCH_ARG(bool, bidirectional) = false;
    TORCH_ARG(double, dropout) = 0.0;
};

/// Reads [N, T] token ids (as floats, 0 padding at the end) and returns [N, directions x hidden]:
/// the final states after each sequence's last real token (padding is packed away).
class RnnEncoderImpl : public torch::nn::Module {
 public:
    explicit RnnEncoderImpl(const RnnOptions& options);
    /// The encoding of a batch of token-id sequences.
    torch::Tensor forward(torch::Tensor x);

    RnnOptions options;
    torch::nn::Embedding embedding{nullptr};
    torch::nn::LSTM lstm{nullptr};
    torch::nn::GRU gru{nullptr};
};
TORCH_MODULE(RnnEncoder);

/// A TorchScript module (torch.jit.save'd, e.g. from Python) used as a feature extractor. Its
/// parameters and buffers are registered here too (the same tensors), so the optimizer, freezing,
/// checkpoints and model.pt see them.
class ScriptBackboneImpl : public torch::nn::Module {
 public:
    /// Loads the module; throws Error naming `path` when it is not TorchScript.
    explicit ScriptBackboneImpl(const std::string& path);
    /// The module's output for a batch.
    torch::Tensor forward(torch::Tensor x);
    /// Puts the TorchScript module in training or evaluation mode as well.
    void train(bool on = true) override;
    torch::jit::Module& script() { return script_; }

 private:
    torch::jit::Module script_;
};
TORCH_MODULE(ScriptBackbone);

/// A model: one flat sequence of layers whose last is the Linear layer giving the class scores.
class NetImpl : public torch::nn::Module {
 public:
    explicit NetImpl(const MlpOptions& options);
    explicit NetImpl(const CnnOptions& options);
    /// encoder, dropout, then the Linear head.
    explicit NetImpl(const RnnOptions& options);
    /// backbone, flatten, then a new Linear head whose inputs are the backbone's output size
    /// for one example of `shape` (found by a forward pass).
    NetImpl(ScriptBackbone backbone, const std::vector<std::int64_t>& shape, std::int64_t classes);
    /// Class scores (logits) for a batch.
    torch::Tensor forward(torch::Tensor x);
    /// What the last layer (the head) gets: every layer but the last.
    torch::Tensor features(torch::Tensor x);
    /// The layers in order.
    torch::nn::Sequential& layers() { return layers_; }

 private:
    /// The first `count` layers.
    torch::Tensor forward_layers(torch::Tensor x, std::size_t count);
    torch::nn::Sequential layers_;
    bool channels_last_ = false;
};
TORCH_MODULE(Net);

/// The model a [model] section describes, for examples of `shape` and `classes` classes
/// (`vocab` tokens for text).
Net make_net(const ModelConfig& config, const std::vector<std::int64_t>& shape,
             std::int64_t classes, std::int64_t vocab = 0);

/// A TorchScript backbone from `path` with a new head of `classes` outputs (transfer.from).
Net make_backbone_net(const std::string& path, const std::vector<std::int64_t>& shape,
                      std::int64_t classes);

/// Multiply-adds x 2 of one forward pass of one example (convolutions and linear layers).
double forward_flops(Net& net, const std::vector<std::int64_t>& shape);

/// Serializes the module's parameters and buffers (LibTorch's archive format) to bytes.
std::string save_module_bytes(torch::nn::Module& module);

/// Loads parameters and buffers saved by save_module_bytes (or torch::save) from `path`.
void load_module(torch::nn::Module& module, const std::string& path);

/// The model as TorchScript bytes, loadable by Python's torch.jit.load and C++'s
/// torch::jit::load: the same layers written as a TorchScript forward over the same weights,
/// preceded by the input standardization (x - mean) * scale when `mean` is not empty, so that
/// the module takes the inputs as they were before it (pixels in [0, 1]).
std::string torchscript_bytes(Net& net, const std::vector<float>& mean = {},
                              const std::vector<float>& scale = {});

}  // namespace mlstrat::train
