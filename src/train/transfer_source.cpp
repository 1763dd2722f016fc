// Transfer learning's start (1.2.3): the source run (or TorchScript module), its weights copied
// layer by layer into the new model, and the first layers frozen.

#include "train/transfer_source.hpp"

#include <fmt/format.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "mlstrat/support/error.hpp"
#include "mlstrat/support/io.hpp"

namespace mlstrat::train {

namespace fs = std::filesystem;

namespace {

/// The run (or TorchScript module) at `from`.
TransferSource open_transfer_source(const std::string& from) {
    fs::path dir = from;
    if (!fs::is_directory(dir)) dir = dir.parent_path();
    TransferSource s;
    s.model_path = fs::is_directory(from) ? (dir / "model.pt").string() : from;
    if (fs::is_regular_file(from) && !fs::exists(dir / "metrics.json")) {
        s.script = true;  // not a run's model.pt: a TorchScript backbone
        return s;
    }
    MLSTRAT_CHECK(fs::exists(s.model_path) && fs::exists(dir / "metrics.json"),
                  "key 'transfer.from': ", from, " is not a finished run (no model.pt and ",
                  "metrics.json)");
    s.config = load_config((dir / "config.toml").string());
    auto metrics = nlohmann::json::parse(io::read_file((dir / "metrics.json").string()));
    s.classes = static_cast<std::int64_t>(metrics.at("classes").size());
    return s;
}

}  // namespace

std::optional<TransferSource> take_transfer_source(Config& config) {
    if (config.transfer.from.empty()) return std::nullopt;
    TransferSource source = open_transfer_source(config.transfer.from);
    if (!source.script) config.model = source.config.model;
    return source;
}

std::vector<std::shared_ptr<torch::nn::Module>> weighted_layers(Net& net) {
    std::vector<std::shared_ptr<torch::nn::Module>> out;
    for (const auto& child : net->layers()->children()) {
        if (!child->parameters().empty()) out.push_back(child);
    }
    return out;
}

std::int64_t start_from(const TransferSource& s, const TransferConfig& t,
                        const std::vector<std::int64_t>& shape, std::int64_t classes, Net& net) {
    MLSTRAT_CHECK(t.new_head == 0 || t.new_head == classes, "key 'transfer.new_head' is ",
                  t.new_head, " but the data has ", classes, " classes");
    auto to = weighted_layers(net);
    const auto n = static_cast<std::int64_t>(to.size());
    // A TorchScript backbone brought its weights when `net` was made.
    Net source = s.script ? net : make_net(s.config.model, shape, s.classes);
    if (!s.script) load_module(*source, s.model_path);
    const bool new_head = t.new_head > 0 || s.classes != classes;
    auto from = weighted_layers(source);
    torch::NoGradGuard no_grad;
    for (std::int64_t i = 0; i < n && !s.script; ++i) {
        if (i + 1 == n && new_head) continue;
        auto params = from[i]->named_parameters();
        for (auto& p : to[i]->named_parameters()) p.value().copy_(params[p.key()]);
        auto buffers = from[i]->named_buffers();
        for (auto& b : to[i]->named_buffers()) b.value().copy_(buffers[b.key()]);
    }
    std::int64_t frozen = 0;
    if (t.freeze == "all-but-head") {
        frozen = n - 1;
    } else if (t.freeze != "none") {
        frozen = std::stoll(t.freeze);
        MLSTRAT_CHECK(frozen < n, "key 'transfer.freeze': ", frozen, " layers would freeze all ", n,
                      " layers with weights; nothing would train");
    }
    for (std::int64_t i = 0; i < frozen; ++i) {
        for (auto& p : to[i]->parameters()) p.set_requires_grad(false);
    }
    return frozen;
}

std::string transfer_note(const TransferSource& s, const TransferConfig& t, std::int64_t classes,
                          std::int64_t frozen) {
    return fmt::format("transfer from {}: {} first layers frozen{}", t.from, frozen,
                       s.script || s.classes != classes || t.new_head ? ", new head" : "");
}

}  // namespace mlstrat::train
