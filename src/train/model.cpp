// The run's model: networks of its architecture, the start from the seed, a transfer source or a
// checkpoint, and the per-core replicas.

#include "train/model.hpp"

#include "train/optimizer.hpp"

namespace mlstrat::train {

std::int64_t output_count(const Dataset& data) {
    return static_cast<std::int64_t>(data.tasks.empty() ? data.classes.size() : data.tasks.size());
}

NetMaker net_maker(const Config& config, const Dataset& data,
                   const std::optional<TransferSource>& source) {
    const std::int64_t classes = output_count(data);
    if (source && source->script) {
        return [path = source->model_path, shape = data.shape, classes] {
            return make_backbone_net(path, shape, classes);
        };
    }
    return [model = config.model, shape = data.shape, classes,
            vocab = static_cast<std::int64_t>(data.vocabulary.size())] {
        return make_net(model, shape, classes, vocab);
    };
}

void copy_weights(Net& from, Net& to) {
    torch::NoGradGuard no_grad;
    auto src = from->named_parameters();
    for (auto& p : to->named_parameters()) p.value().copy_(src[p.key()]);
    auto bufs = from->named_buffers();
    for (auto& b : to->named_buffers()) b.value().copy_(bufs[b.key()]);
}

void Model::train_mode() {
    net->train();
    auto layers = weighted_layers(net);
    for (std::int64_t i = 0; i < frozen; ++i) layers[i]->eval();
}

LoopState start_model(Model& model, const NetMaker& new_net, const Config& config,
                      const Dataset& data, const std::optional<TransferSource>& source,
                      const std::string& checkpoint, bool distributed,
                      std::vector<std::string>& notes) {
    torch::manual_seed(static_cast<std::uint64_t>(config.seed));
    model.net = new_net();
    model.best = new_net();
    if (source) {
        const std::int64_t classes = output_count(data);
        model.frozen = start_from(*source, config.transfer, data.shape, classes, model.net);
        notes.push_back(transfer_note(*source, config.transfer, classes, model.frozen));
    }
    copy_weights(model.net, model.best);
    model.optimizer = make_optimizer(config.optim, model.net);
    LoopState state;
    if (!checkpoint.empty())
        state = load_checkpoint(checkpoint, model.net, model.best, *model.optimizer);
    for (auto& p : model.net->parameters()) {
        if (p.requires_grad()) model.trainable.push_back(p);
    }
    // Each core trains on its share of every batch where that gives the same gradients
    // (train/replicas.hpp); otherwise LibTorch splits each operation between the cores.
    if (can_split_batches(config.model, data.tasks.empty(), !data.vocabulary.empty(),
                          source && source->script, distributed, at::get_num_threads())) {
        model.replicas.emplace(model.net, new_net, static_cast<unsigned>(at::get_num_threads()));
    }
    return state;
}

}  // namespace mlstrat::train
