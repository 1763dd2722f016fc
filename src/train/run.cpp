// A training run, the course's loop read top-down: prepare the run folder, load the data, fit the
// epochs (checkpointed, so that --resume ends with the same weights as an uninterrupted run),
// evaluate the splits, write the outputs every other command reads.

#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <memory>
#include <optional>

#include "mlstrat/support/error.hpp"
#include "mlstrat/support/io.hpp"
#include "train/augment.hpp"
#include "train/distributed.hpp"
#include "train/epochs.hpp"
#include "train/evaluate.hpp"
#include "train/head_fit.hpp"
#include "train/model.hpp"
#include "train/outputs.hpp"
#include "train/run.hpp"
#include "train/run_folder.hpp"
#include "train/stopwatch.hpp"
#include "train/transfer_source.hpp"

namespace mlstrat::train {

nlohmann::json Progress::to_json() const {
    static const char* kinds[] = {"start", "batch", "epoch", "done"};
    nlohmann::json j = {
        {"event", kinds[static_cast<int>(kind)]}, {"epoch", epoch}, {"epochs", epochs}};
    if (kind == Kind::Batch || kind == Kind::Epoch) {
        j["batch"] = batch;
        j["batches"] = batches;
        j["loss"] = loss;
        j["lr"] = lr;
        j["examples_per_second"] = examples_per_second;
        j["eta_seconds"] = eta_seconds;
    }
    if (!errors.empty()) j["errors"] = errors;
    if (!message.empty()) j["message"] = message;
    return j;
}

nlohmann::json RunResult::to_json() const {
    nlohmann::json j = {{"name", name},
                        {"dir", dir},
                        {"errors", errors},
                        {"accuracy", accuracy},
                        {"sizes", sizes},
                        {"examples_per_second", examples_per_second},
                        {"seconds", seconds},
                        {"latency_ms", latency_ms},
                        {"epochs", epochs},
                        {"complete", complete},
                        {"stopped_early", stopped_early},
                        {"files", files},
                        {"notes", notes},
                        {"backend", backend.to_json()},
                        {"batch_shares", batch_shares},
                        {"distributed",
                         {{"world_size", world_size},
                          {"rank", rank},
                          {"steps", steps},
                          {"allreduce_seconds", allreduce_seconds}}}};
    if (!tasks.empty()) {
        j["tasks"] = tasks;
        j["task_errors"] = task_errors;
    }
    return j;
}

namespace {

constexpr const char* kEarlyStoppingNote =
    "early stopping couples the bias and variance knobs (1.1.1): stopping sooner fits the "
    "training set less (bias) at the same time as it regularizes (variance); to turn one knob at "
    "a time prefer L2 or dropout for variance and train longer or a bigger model for bias";

/// The progress event that opens a run: from scratch, or where a resumed run continues.
Progress start_progress(const Config& config, const BatchPlan& plan, const Dataset& data, Net& net,
                        const LoopState& state, bool resuming) {
    Progress start;
    start.kind = Progress::Kind::Start;
    start.epoch = state.epochs_done;
    start.epochs = config.train.epochs;
    start.batches = plan.batches;
    std::int64_t parameters = 0;
    for (auto& t : net->parameters()) parameters += t.numel();
    start.message = resuming ? fmt::format("resuming after epoch {}", state.epochs_done)
                             : fmt::format("{} examples, {} classes, {} parameters", plan.examples,
                                           output_count(data), parameters);
    return start;
}

/// The weights the run ends with: early stopping's best epoch, and under transfer.freeze =
/// all-but-head a head solved on the frozen features. Adds a note on each to `result`.
void settle_weights(const Config& config, bool transfer, const Tensors& train,
                    const LoopState& state, const std::string& watch, Model& model,
                    RunResult& result) {
    if (config.train.early_stopping > 0) {
        copy_weights(model.best, model.net);
        result.notes.push_back(kEarlyStoppingNote);
        if (state.stopped_early) {
            result.notes.push_back(
                fmt::format("stopped early after epoch {}; weights of epoch {} "
                            "(best {} error)",
                            state.epochs_done, state.best_epoch, watch));
        }
    }
    if (transfer && config.transfer.freeze == "all-but-head") {
        // A linear head on frozen features is a convex problem: solve it, so that frozen and
        // fine-tuned runs compare like for like whatever train.epochs is.
        const HeadFit fit = fit_head(model.net, train.x, train.y, config.optim.weight_decay,
                                     config.train.eval_batch_size);
        result.notes.push_back(fmt::format(
            "transfer.freeze = all-but-head: the head was solved on the frozen features after the "
            "epochs (L-BFGS, {} evaluations, train loss {:.6g}{})",
            fit.evaluations, fit.loss,
            fit.converged ? "" : "; stopped when the loss no longer fell"));
    }
}

/// Evaluates the trained model on every split and writes the run's outputs: the predictions,
/// the model, metrics.json and the registry entry.
void finish_run(const RunRequest& request, const Config& config, const Dataset& data,
                const SplitTensors& tensors, const RunFolder& folder, const BatchPlan& plan,
                const LoopState& state, Clock::time_point run_start, Model& model,
                RunResult& result) {
    const auto evaluations = evaluate_splits(model.net, tensors, data, config, result);
    result.latency_ms = latency_ms(model.net, tensors.at("train").x.narrow(0, 0, 1));
    result.files = write_outputs(folder, model.net, data, evaluations);
    result.examples_per_second =
        static_cast<double>(state.examples_seen) / std::max(state.train_seconds, 1e-9);
    result.seconds = seconds_since(run_start);
    result.complete = true;
    const double flops = forward_flops(model.net, data.shape);
    io::write_file_atomically(
        folder.file("metrics.json"),
        metrics_json(result, data, evaluations, plan, state.train_seconds, flops).dump(2) + "\n");
    result.files.push_back("metrics.json");
    if (!request.registry_path.empty()) {
        record_run(request, result, folder.config_text, state.history, folder.dir);
    }
}

RunResult run(const RunRequest& request, const ProgressFn& progress, const Dataset* preloaded,
              std::int64_t session_epochs) {
    const auto run_start = Clock::now();
    Config config = run_config(request);
    // Transfer learning (1.2.3): the architecture is the source run's.
    const std::optional<TransferSource> source = take_transfer_source(config);
    // A data-parallel job: every rank trains on its share of each global batch; rank 0 alone
    // touches the run folder (docs/distributed.md).
    const std::unique_ptr<Group> group = Group::join(request.distributed);

    // Bad data, and a model that cannot take it, fail before the run folder exists.
    Dataset loaded;
    if (preloaded == nullptr) loaded = load_dataset(config);
    const Dataset& data = preloaded != nullptr ? *preloaded : loaded;
    const NetMaker new_net = net_maker(config, data, source);
    new_net();
    check_augment(config.augment, data, request.config_path);

    RunResult result;
    result.name = config.name;
    result.notes = request.notes;
    result.backend = configure_backend(static_cast<unsigned>(config.threads));
    const RunFolder folder =
        open_run_folder(request, config, data.splits.at("train").size(), group.get());
    result.dir = folder.dir.string();
    const SplitTensors tensors = split_tensors(data);
    for (const auto& [name, split] : data.splits) result.sizes[name] = split.size();

    Model model;
    LoopState state = start_model(model, new_net, config, data, source, folder.checkpoint,
                                  group != nullptr, result.notes);
    result.batch_shares = model.replicas ? static_cast<int>(model.replicas->workers()) : 1;
    const BatchPlan plan =
        plan_batches(tensors.at("train").size(), config.train.batch_size, group.get());
    result.world_size = static_cast<int>(plan.world);
    result.rank = static_cast<int>(plan.rank);
    if (progress) progress(start_progress(config, plan, data, model.net, state, folder.resuming()));

    const EpochLoop loop{config, tensors, data.tasks, plan, group.get(), folder, progress};
    result.steps = fit_epochs(loop, model, state, session_epochs);
    result.epochs = state.epochs_done;
    result.stopped_early = state.stopped_early;
    result.examples_per_second =
        static_cast<double>(state.examples_seen) / std::max(state.train_seconds, 1e-9);
    if (group) result.allreduce_seconds = group->gradient_seconds();
    if (state.epochs_done < config.train.epochs && !state.stopped_early) {
        // Stopped after session_epochs, as if killed: the checkpoint is all that is left.
        if (folder.writer) result.files = {"config.toml", "checkpoint.pt", "history.csv"};
        result.seconds = seconds_since(run_start);
        return result;
    }
    if (!folder.writer) {
        // Rank 0 writes the predictions, the models and the registry entry.
        result.complete = true;
        result.seconds = seconds_since(run_start);
        return result;
    }

    settle_weights(config, source.has_value(), tensors.at("train"), state, watched_split(tensors),
                   model, result);
    finish_run(request, config, data, tensors, folder, plan, state, run_start, model, result);
    Progress done;
    done.kind = Progress::Kind::Done;
    done.epoch = state.epochs_done;
    done.epochs = config.train.epochs;
    done.errors = result.errors;
    if (progress) progress(done);
    return result;
}

/// Runs `run`, LibTorch's failures turned into Error(Training).
RunResult run_translating_errors(const RunRequest& request, const ProgressFn& progress,
                                 const Dataset* preloaded, std::int64_t session_epochs) {
    try {
        return run(request, progress, preloaded, session_epochs);
    } catch (const c10::Error& e) {
        throw Error(ErrorCode::Training, "LibTorch: " + std::string(e.what_without_backtrace()));
    }
}

}  // namespace

RunResult train_run(const RunRequest& request, const ProgressFn& progress) {
    return run_translating_errors(request, progress, nullptr, 0);
}

RunResult train_run_on(const RunRequest& request, const Dataset& data, const ProgressFn& progress) {
    return run_translating_errors(request, progress, &data, 0);
}

RunResult train_run_stopped_after(const RunRequest& request, std::int64_t epochs,
                                  const ProgressFn& progress) {
    return run_translating_errors(request, progress, nullptr, epochs);
}

}  // namespace mlstrat::train
