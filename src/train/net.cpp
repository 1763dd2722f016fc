// The models and their serialization: LibTorch archives for checkpoints and model.pt, and a
// TorchScript export written as TorchScript source over the same weights (LibTorch 1.13's C++
// API cannot trace, but a torch::jit::Module can be defined from source).

#include <torch/script.h>

#include <algorithm>
#include <sstream>

#include "mlstrat/support/error.hpp"
#include "train/net.hpp"
#include "train/relu_pool.hpp"

namespace mlstrat::train {

namespace nn = torch::nn;

ResidualBlockImpl::ResidualBlockImpl(const ResidualBlockOptions& o) : options(o) {
    const auto pad = o.kernel() / 2;
    conv1 = register_module(
        "conv1", nn::Conv2d(nn::Conv2dOptions(o.in_channels(), o.out_channels(), o.kernel())
                                .padding(pad)
                                .bias(!o.batch_norm())));
    conv2 = register_module(
        "conv2", nn::Conv2d(nn::Conv2dOptions(o.out_channels(), o.out_channels(), o.kernel())
                                .padding(pad)
                                .bias(!o.batch_norm())));
    if (o.batch_norm()) {
        bn1 = register_module("bn1", nn::BatchNorm2d(o.out_channels()));
        bn2 = register_module("bn2", nn::BatchNorm2d(o.out_channels()));
    }
    if (o.in_channels() != o.out_channels()) {
        skip = register_module("skip",
                               nn::Conv2d(nn::Conv2dOptions(o.in_channels(), o.out_channels(), 1)));
    }
}

torch::Tensor ResidualBlockImpl::forward(torch::Tensor x) {
    auto y = conv1(x);
    if (bn1) y = bn1(y);
    y = torch::relu(y);
    y = conv2(y);
    if (bn2) y = bn2(y);
    return torch::relu(y + (skip ? skip(x) : x));
}

NetImpl::NetImpl(const MlpOptions& o) {
    std::int64_t in = o.inputs();
    layers_->push_back(nn::Flatten());
    for (auto h : o.hidden()) {
        layers_->push_back(nn::Linear(in, h));
        layers_->push_back(nn::ReLU());
        if (o.dropout() > 0) layers_->push_back(nn::Dropout(o.dropout()));
        in = h;
    }
    layers_->push_back(nn::Linear(in, o.classes()));
    register_module("layers", layers_);
}

NetImpl::NetImpl(const CnnOptions& o) {
    MLSTRAT_CHECK(o.input_shape().size() == 3, "model.kind 'cnn' needs image data ([C, H, W] ",
                  "examples, such as IDX images); this data has ", o.input_shape().size(),
                  "-dimensional examples (use model.kind = \"mlp\")");
    std::int64_t c = o.input_shape()[0], h = o.input_shape()[1], w = o.input_shape()[2];
    const std::int64_t pad = o.same_padding() ? o.kernel() / 2 : 0;
    for (auto width : o.widths()) {
        if (o.residual()) {
            layers_->push_back(ResidualBlock(
                ResidualBlockOptions(c, width).kernel(o.kernel() | 1).batch_norm(o.batch_norm())));
            c = width;
        } else {
            for (std::int64_t k = 0; k < o.convs_per_block(); ++k) {
                layers_->push_back(nn::Conv2d(
                    nn::Conv2dOptions(c, width, o.kernel()).padding(pad).bias(!o.batch_norm())));
                if (o.batch_norm()) layers_->push_back(nn::BatchNorm2d(width));
                layers_->push_back(nn::ReLU());
                c = width;
                h = h + 2 * pad - o.kernel() + 1;
                w = w + 2 * pad - o.kernel() + 1;
            }
        }
        layers_->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2)));
        h /= 2;
        w /= 2;
        MLSTRAT_CHECK(h >= 1 && w >= 1, "key 'model.widths': ", o.widths().size(),
                      " blocks shrink ", o.input_shape()[1], "x", o.input_shape()[2],
                      " images to nothing; use fewer blocks or padding = \"same\"");
    }
    layers_->push_back(nn::Flatten());
    std::int64_t in = c * h * w;
    for (auto f : o.fc()) {
        layers_->push_back(nn::Linear(in, f));
        layers_->push_back(nn::ReLU());
        if (o.dropout() > 0) layers_->push_back(nn::Dropout(o.dropout()));
        in = f;
    }
    layers_->push_back(nn::Linear(in, o.classes()));
    register_module("layers", layers_);
    // Channels-last (NHWC) tensors let oneDNN's convolutions and batch norm skip reordering
    // their inputs (an epoch of cnn_strong.toml's model took 16% less time here), and the fused
    // ReLU + pooling runs along the channels, long contiguous loops (docs/train.md has the
    // figures for the bench's plain CNN).
    channels_last_ = true;
    for (auto& p : parameters()) {
        if (p.dim() == 4) p.set_data(p.contiguous(torch::MemoryFormat::ChannelsLast));
    }
}

namespace {

bool pools_by_two(const nn::AnyModule& layer) {
    const auto* pool = layer.ptr()->as<nn::MaxPool2d>();
    if (pool == nullptr) return false;
    const auto& o = pool->options;
    auto all = [](const auto& values, std::int64_t v) {
        return std::all_of(values->begin(), values->end(), [v](std::int64_t x) { return x == v; });
    };
    return all(o.kernel_size(), 2) && all(o.stride(), 2) && all(o.padding(), 0) &&
           all(o.dilation(), 1) && !o.ceil_mode();
}

}  // namespace

torch::Tensor NetImpl::forward(torch::Tensor x) {
    return forward_layers(std::move(x), layers_->size());
}

torch::Tensor NetImpl::features(torch::Tensor x) {
    return forward_layers(std::move(x), layers_->size() - 1);
}

torch::Tensor NetImpl::forward_layers(torch::Tensor x, std::size_t count) {
    if (channels_last_ && x.dim() == 4) x = x.contiguous(torch::MemoryFormat::ChannelsLast);
    const auto stop = layers_->begin() + static_cast<std::ptrdiff_t>(count);
    // The layers in order, except that a ReLU followed by 2x2 pooling runs as one step
    // (train/relu_pool.hpp): the same numbers and gradients, in less time.
    for (auto layer = layers_->begin(); layer != stop; ++layer) {
        const auto next = layer + 1;
        if (next != stop && layer->ptr()->as<nn::ReLU>() != nullptr && pools_by_two(*next) &&
            relu_max_pool2_applies(x)) {
            x = relu_max_pool2(x);
            layer = next;
            continue;
        }
        x = layer->forward(x);
    }
    return x;
}

Net make_net(const ModelConfig& m, const std::vector<std::int64_t>& shape, std::int64_t classes,
             std::int64_t vocab) {
    auto scaled = [&](const std::vector<std::int64_t>& sizes) {
        std::vector<std::int64_t> out;
        for (auto s : sizes) {
            out.push_back(
                std::max<std::int64_t>(1, std::llround(static_cast<double>(s) * m.scale)));
        }
        return out;
    };
    if (m.kind == "rnn") {
        MLSTRAT_CHECK(vocab > 0, "key 'model.kind': rnn reads token sequences; use data.format = ",
                      "\"text\"");
        const auto sized = scaled({m.embedding_dim, m.rnn_hidden});
        return Net(RnnOptions(vocab, classes)
                       .embedding_dim(sized[0])
                       .hidden(sized[1])
                       .layers(m.rnn_layers)
                       .lstm(m.cell == "lstm")
                       .bidirectional(m.bidirectional)
                       .dropout(m.dropout));
    }
    if (m.kind == "mlp") {
        std::int64_t inputs = 1;
        for (auto d : shape) inputs *= d;
        return Net(MlpOptions(inputs, classes).hidden(scaled(m.hidden)).dropout(m.dropout));
    }
    return Net(CnnOptions(shape, classes)
                   .widths(scaled(m.widths))
                   .convs_per_block(m.convs_per_block)
                   .kernel(m.kernel)
                   .same_padding(m.padding == "same")
                   .batch_norm(m.batch_norm)
                   .residual(m.residual)
                   .fc(scaled(m.fc))
                   .dropout(m.dropout));
}

double forward_flops(Net& net, const std::vector<std::int64_t>& shape) {
    // Follow one example through the layers, counting 2 FLOPs per multiply-add.
    torch::NoGradGuard no_grad;
    std::vector<std::int64_t> dims = {1};
    dims.insert(dims.end(), shape.begin(), shape.end());
    auto x = torch::zeros(dims);
    double flops = 0.0;
    const bool was_training = net->is_training();
    net->eval();
    auto conv_flops = [](const nn::Conv2dImpl& conv, const torch::Tensor& out) {
        const auto& w = conv.weight;
        return 2.0 * static_cast<double>(out.numel()) * w.size(1) * w.size(2) * w.size(3);
    };
    for (auto& any : *net->layers()) {
        const auto layer = any.ptr();
        auto y = any.forward(x);
        if (auto* conv = layer->as<nn::Conv2d>()) {
            flops += conv_flops(*conv, y);
        } else if (auto* linear = layer->as<nn::Linear>()) {
            flops += 2.0 * static_cast<double>(linear->weight.numel());
        } else if (auto* block = layer->as<ResidualBlock>()) {
            auto mid = block->conv1(x);
            flops += conv_flops(*block->conv1, mid) + conv_flops(*block->conv2, mid);
            if (block->skip) flops += conv_flops(*block->skip, mid);
        }
        x = y;
    }
    if (was_training) net->train();
    return flops;
}

std::string save_module_bytes(torch::nn::Module& module) {
    torch::serialize::OutputArchive archive;
    module.save(archive);
    std::ostringstream out;
    archive.save_to(out);
    return out.str();
}

void load_module(torch::nn::Module& module, const std::string& path) {
    torch::serialize::InputArchive archive;
    archive.load_from(path);
    module.load(archive);
}

namespace {

/// Writes TorchScript statements for one layer and registers its weights on `script`.
class ScriptWriter {
 public:
    explicit ScriptWriter(torch::jit::Module& script) : script_(script) {}

    std::string param(const std::string& name, const torch::Tensor& t, bool buffer = false) {
        const std::string attr = "w" + std::to_string(count_++) + "_" + name;
        if (buffer) {
            script_.register_buffer(attr, t.detach().clone());
        } else {
            script_.register_parameter(attr, t.detach().clone(), false);
        }
        return "self." + attr;
    }

    std::string conv(const nn::Conv2dImpl& c, const std::string& in) {
        const auto& o = c.options;
        const auto pad = c10::get<torch::ExpandingArray<2>>(o.padding());
        const std::string bias = c.bias.defined() ? param("bias", c.bias) : "None";
        return "torch.conv2d(" + in + ", " + param("weight", c.weight) + ", " + bias + ", [" +
               std::to_string((*o.stride())[0]) + ", " + std::to_string((*o.stride())[1]) + "], [" +
               std::to_string((*pad)[0]) + ", " + std::to_string((*pad)[1]) + "])";
    }

    std::string batch_norm(const nn::BatchNorm2dImpl& b, const std::string& in) {
        std::ostringstream eps;
        eps.precision(17);
        eps << b.options.eps();
        return "torch.batch_norm(" + in + ", " + param("weight", b.weight) + ", " +
               param("bias", b.bias) + ", " + param("running_mean", b.running_mean, true) + ", " +
               param("running_var", b.running_var, true) + ", False, 0.0, " + eps.str() +
               ", False)";
    }

 private:
    torch::jit::Module& script_;
    int count_ = 0;
};

}  // namespace

std::string torchscript_bytes(Net& net, const std::vector<float>& mean,
                              const std::vector<float>& scale) {
    torch::jit::Module script("mlstrat_net");
    ScriptWriter w(script);
    std::string body;
    auto line = [&](const std::string& s) { body += "        " + s + "\n"; };
    if (!mean.empty()) {
        // One value per pixel broadcasts over [N, C, H, W]; one per feature over [N, F].
        auto tensor = [](const std::vector<float>& v) { return torch::tensor(v, torch::kFloat32); };
        script.register_buffer("input_mean", tensor(mean));
        script.register_buffer("input_scale", tensor(scale));
        line("x = (x - self.input_mean) * self.input_scale");
    }
    for (const auto& layer : net->layers()->children()) {
        if (auto* conv = layer->as<nn::Conv2d>()) {
            line("x = " + w.conv(*conv, "x"));
        } else if (auto* bn = layer->as<nn::BatchNorm2d>()) {
            line("x = " + w.batch_norm(*bn, "x"));
        } else if (layer->as<nn::ReLU>()) {
            line("x = torch.relu(x)");
        } else if (layer->as<nn::MaxPool2d>()) {
            line("x = torch.max_pool2d(x, [2, 2], [2, 2])");
        } else if (layer->as<nn::Flatten>()) {
            line("x = torch.flatten(x, 1)");
        } else if (layer->as<nn::Dropout>()) {
            // Identity at inference.
        } else if (auto* linear = layer->as<nn::Linear>()) {
            line("x = torch.linear(x, " + w.param("weight", linear->weight) + ", " +
                 w.param("bias", linear->bias) + ")");
        } else if (auto* rnn = layer->as<RnnEncoder>()) {
            // Sort by length to pack, run the fused recurrent op, then restore the batch order.
            const auto& o = rnn->options;
            const std::int64_t dirs = o.bidirectional() ? 2 : 1;
            const std::string states = std::to_string(o.layers() * dirs);
            line("tokens = x.long()");
            line(
                "lengths, order = torch.sort(torch.clamp(torch.sum(torch.ne(tokens, 0), 1), 1), "
                "0, True)");
            line("e = torch.embedding(" + w.param("embedding", rnn->embedding->weight) +
                 ", tokens.index_select(0, order), 0, False, False)");
            line("packed, batch_sizes = torch._pack_padded_sequence(e, lengths, True)");
            line("h0 = e.new_zeros([" + states + ", x.size(0), " + std::to_string(o.hidden()) +
                 "])");
            std::string params;
            auto weights = rnn->lstm ? rnn->lstm->all_weights() : rnn->gru->all_weights();
            for (const auto& t : weights)
                params += (params.empty() ? "" : ", ") + w.param("rnn", t);
            const std::string rest = "[" + params + "], True, " + std::to_string(o.layers()) +
                                     ", 0.0, False, " + (o.bidirectional() ? "True" : "False") +
                                     ")";
            if (rnn->lstm) {
                line("out, h, c = torch.lstm(packed, batch_sizes, [h0, h0], " + rest);
            } else {
                line("out, h = torch.gru(packed, batch_sizes, h0, " + rest);
            }
            line("h = h.narrow(0, " + std::to_string(o.layers() * dirs - dirs) + ", " +
                 std::to_string(dirs) + ").index_select(1, torch.argsort(order))");
            line("x = h.permute([1, 0, 2]).reshape([x.size(0), " +
                 std::to_string(dirs * o.hidden()) + "])");
        } else if (auto* backbone = layer->as<ScriptBackbone>()) {
            script.register_module("backbone", backbone->script());
            line("x = self.backbone.forward(x)");
        } else if (auto* block = layer->as<ResidualBlock>()) {
            line("y = " + w.conv(*block->conv1, "x"));
            if (block->bn1) line("y = " + w.batch_norm(*block->bn1, "y"));
            line("y = torch.relu(y)");
            line("y = " + w.conv(*block->conv2, "y"));
            if (block->bn2) line("y = " + w.batch_norm(*block->bn2, "y"));
            line("x = torch.relu(y + " + (block->skip ? w.conv(*block->skip, "x") : "x") + ")");
        } else {
            throw Error(ErrorCode::Internal, "TorchScript export: unknown layer " + layer->name());
        }
    }
    script.define("def forward(self, x):\n" + body + "        return x\n");
    std::ostringstream out;
    script.save(out);
    return out.str();
}

}  // namespace mlstrat::train
