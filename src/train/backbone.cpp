// A TorchScript module as the transfer backbone (1.2.3): a network trained elsewhere (say in
// Python and saved with torch.jit.save) becomes the first layer of a Net, with a new head.

#include <algorithm>

#include "mlstrat/support/error.hpp"
#include "train/net.hpp"

namespace mlstrat::train {

namespace {

/// The last line of a LibTorch message: the TorchScript interpreter puts its traceback first
/// and the failure last; an error stays one line.
std::string last_line(const std::exception& e) {
    const auto* c10 = dynamic_cast<const c10::Error*>(&e);
    std::string s = c10 != nullptr ? c10->what_without_backtrace() : e.what();
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s.substr(s.rfind('\n') == std::string::npos ? 0 : s.rfind('\n') + 1);
}

}  // namespace

ScriptBackboneImpl::ScriptBackboneImpl(const std::string& path) {
    try {
        script_ = torch::jit::load(path);
    } catch (const std::exception& e) {
        throw Error(ErrorCode::InvalidInput,
                    path +
                        ": key 'transfer.from': neither a run folder nor its model.pt, nor a "
                        "TorchScript module (torch.jit.save): " +
                        last_line(e));
    }
    // Module names cannot hold dots; the TorchScript names do ("features.0.weight").
    auto flat = [](std::string name) {
        std::replace(name.begin(), name.end(), '.', '_');
        return name;
    };
    for (const auto& p : script_.named_parameters(true)) {
        register_parameter(flat(p.name), p.value, true);
    }
    for (const auto& b : script_.named_buffers(true)) register_buffer(flat(b.name), b.value);
}

torch::Tensor ScriptBackboneImpl::forward(torch::Tensor x) {
    return script_.forward({std::move(x)}).toTensor();
}

void ScriptBackboneImpl::train(bool on) {
    script_.train(on);
    torch::nn::Module::train(on);
}

NetImpl::NetImpl(ScriptBackbone backbone, const std::vector<std::int64_t>& shape,
                 std::int64_t classes) {
    std::vector<std::int64_t> dims = {1};
    dims.insert(dims.end(), shape.begin(), shape.end());
    std::int64_t features = 0;
    {
        torch::NoGradGuard no_grad;
        backbone->eval();
        torch::Tensor out;
        try {
            out = backbone->forward(torch::zeros(dims));
        } catch (const std::exception& e) {
            std::string s;
            for (auto d : shape) s += (s.empty() ? "" : ", ") + std::to_string(d);
            throw Error(ErrorCode::InvalidInput,
                        "key 'transfer.from': the TorchScript module fails on one example of "
                        "this data's shape [1, " +
                            s + "]: " + last_line(e));
        }
        backbone->train();
        features = out.numel();
    }
    layers_->push_back(backbone);
    layers_->push_back(torch::nn::Flatten());
    layers_->push_back(torch::nn::Linear(features, classes));
    register_module("layers", layers_);
}

Net make_backbone_net(const std::string& path, const std::vector<std::int64_t>& shape,
                      std::int64_t classes) {
    return Net(ScriptBackbone(path), shape, classes);
}

}  // namespace mlstrat::train
