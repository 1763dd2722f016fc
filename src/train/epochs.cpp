// The epoch loop: each epoch seeds its draws, shuffles, takes an optimizer step per batch (the
// rank's share of it in a job), evaluates, keeps the best weights, and saves the checkpoint.

#include "train/epochs.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "mlstrat/support/io.hpp"
#include "train/augment.hpp"
#include "train/multitask.hpp"
#include "train/optimizer.hpp"
#include "train/stopwatch.hpp"

namespace mlstrat::train {

namespace {

/// The loss of one optimizer step on the rows `idx` of the training set, whose gradients are
/// added to the parameters'. Both losses are means over the batch; weighted by the rank's
/// `share` of the global batch and summed over the ranks, the gradients are the global batch's.
double batch_loss(const EpochLoop& loop, Model& model, const torch::Tensor& idx, double share) {
    const Tensors& train = loop.tensors.at("train");
    const bool images = train.x.dim() == 4;
    auto xb = augment_batch(train.x.index_select(0, idx), loop.config.augment, images);
    auto yb = train.y.index_select(0, idx);
    if (model.replicas) return model.replicas->backward(xb, yb, share);
    auto logits = model.net->forward(xb);
    auto loss =
        (multi_label(yb) ? multitask_loss(logits, yb) : torch::cross_entropy_loss(logits, yb)) *
        share;
    loss.backward();
    return loss.item<double>();
}

/// Where an epoch is, for the progress of its batches.
struct EpochClock {
    Clock::time_point start = Clock::now();
    Clock::time_point last_report = start;
};

/// Reports batch `b` of 0-based `epoch` (at most every quarter second, and the last batch).
void report_batch(const EpochLoop& loop, EpochClock& clock, std::int64_t epoch, std::int64_t b,
                  double lr, double loss) {
    const BatchPlan& plan = loop.plan;
    const bool last = b + 1 == plan.batches;
    if (!loop.progress || !(last || seconds_since(clock.last_report) > 0.25)) return;
    clock.last_report = Clock::now();
    const double elapsed = seconds_since(clock.start);
    const auto global_len = std::min(plan.global_batch, plan.examples - b * plan.global_batch);
    const double done = static_cast<double>(b * plan.global_batch + global_len);
    Progress p;
    p.epoch = epoch + 1;
    p.epochs = loop.config.train.epochs;
    p.batch = b + 1;
    p.batches = plan.batches;
    p.loss = loss;
    p.lr = lr;
    p.examples_per_second = done / std::max(elapsed, 1e-9);
    const double remaining = static_cast<double>(plan.examples) - done +
                             static_cast<double>(plan.examples * (p.epochs - epoch - 1));
    p.eta_seconds = remaining / std::max(p.examples_per_second, 1e-9);
    loop.progress(p);
}

/// Trains 0-based `epoch` over the training set once: its row of history.csv but the errors.
EpochRow train_epoch(const EpochLoop& loop, Model& model, std::int64_t epoch, std::int64_t& steps) {
    const BatchPlan& plan = loop.plan;
    const std::uint64_t seed = epoch_seed(loop.config.seed, epoch);
    torch::manual_seed(seed);
    const double lr = lr_at(loop.config, epoch);
    set_lr(*model.optimizer, lr);
    model.train_mode();
    auto order = torch::randperm(plan.examples, torch::kLong);
    // Every rank draws the same order; dropout and augmentation draw per rank.
    if (loop.group) torch::manual_seed(seed * 7919ULL + static_cast<std::uint64_t>(plan.rank));
    EpochClock clock;
    double loss_sum = 0.0;
    std::int64_t local_done = 0;
    for (std::int64_t b = 0; b < plan.batches; ++b) {
        const auto global_len = std::min(plan.global_batch, plan.examples - b * plan.global_batch);
        const auto first = std::min(global_len, plan.rank * plan.batch_size);
        const auto len = std::min(plan.batch_size, global_len - first);
        model.optimizer->zero_grad();
        if (len > 0) {
            const double share =
                loop.group ? static_cast<double>(len) / static_cast<double>(global_len) : 1.0;
            const double loss =
                batch_loss(loop, model, order.narrow(0, b * plan.global_batch + first, len), share);
            loss_sum += loss * static_cast<double>(loop.group ? global_len : len);
            local_done += len;
        }
        if (loop.group) loop.group->sum_gradients(model.trainable);
        model.optimizer->step();
        ++steps;
        report_batch(loop, clock, epoch, b, lr,
                     loss_sum / static_cast<double>(std::max<std::int64_t>(local_done, 1)));
    }
    if (model.replicas) model.replicas->finish_steps();
    if (loop.group) {
        loss_sum = loop.group->sum(loss_sum);
        loop.group->average_buffers(model.net->buffers());
    }
    EpochRow row;
    row.epoch = epoch + 1;
    row.lr = lr;
    row.loss = loss_sum / static_cast<double>(plan.examples);
    row.seconds = seconds_since(clock.start);
    row.eps = static_cast<double>(plan.examples) / std::max(row.seconds, 1e-9);
    return row;
}

/// Early stopping's bookkeeping after an epoch: the best weights so far are kept, and the run
/// stops after train.early_stopping epochs without a better error on the watched split.
void watch_epoch(const EpochRow& row, const std::string& watch, std::int64_t patience, Model& model,
                 LoopState& state) {
    const double watched = watch == "dev" ? row.dev : watch == "train_dev" ? row.train_dev : NAN;
    if (std::isnan(watched)) return;
    if (watched < state.best_error) {
        state.best_error = watched;
        state.best_epoch = row.epoch;
        state.bad_epochs = 0;
        copy_weights(model.net, model.best);
    } else {
        ++state.bad_epochs;
        if (patience > 0 && state.bad_epochs >= patience) state.stopped_early = true;
    }
}

/// The progress at the end of an epoch: its loss and errors, and why the run stops early.
Progress epoch_progress(const EpochLoop& loop, const EpochRow& row, const LoopState& state,
                        const std::string& watch) {
    Progress p;
    p.kind = Progress::Kind::Epoch;
    p.epoch = row.epoch;
    p.epochs = loop.config.train.epochs;
    p.batch = loop.plan.batches;
    p.batches = loop.plan.batches;
    p.loss = row.loss;
    p.lr = row.lr;
    p.examples_per_second = row.eps;
    p.eta_seconds = row.seconds * static_cast<double>(p.epochs - row.epoch);
    p.errors["train"] = row.train;
    if (!std::isnan(row.train_dev)) p.errors["train_dev"] = row.train_dev;
    if (!std::isnan(row.dev)) p.errors["dev"] = row.dev;
    if (state.stopped_early) {
        p.message = fmt::format(
            "early stopping: no better {} error for {} epochs; keeping "
            "epoch {}",
            watch, state.bad_epochs, state.best_epoch);
    }
    return p;
}

}  // namespace

BatchPlan plan_batches(std::int64_t examples, std::int64_t batch_size, const Group* group) {
    BatchPlan plan;
    plan.examples = examples;
    plan.batch_size = batch_size;
    plan.world = group ? group->size() : 1;
    plan.rank = group ? group->rank() : 0;
    plan.global_batch = batch_size * plan.world;
    plan.batches = (examples + plan.global_batch - 1) / plan.global_batch;
    return plan;
}

std::uint64_t epoch_seed(std::int64_t seed, std::int64_t epoch) {
    return static_cast<std::uint64_t>(seed) * 1000003ULL + static_cast<std::uint64_t>(epoch) + 1;
}

std::string watched_split(const SplitTensors& tensors) {
    return tensors.count("dev") ? "dev" : tensors.count("train_dev") ? "train_dev" : "";
}

std::int64_t fit_epochs(const EpochLoop& loop, Model& model, LoopState& state,
                        std::int64_t session_epochs) {
    const LoopConfig& train = loop.config.train;
    const std::string watch = watched_split(loop.tensors);
    std::int64_t steps = 0;
    for (std::int64_t session = 0; state.epochs_done < train.epochs && !state.stopped_early;) {
        const std::int64_t epoch = state.epochs_done;  // 0-based
        EpochRow row = train_epoch(loop, model, epoch, steps);
        state.train_seconds += row.seconds;
        state.examples_seen += loop.plan.examples;
        evaluate_epoch(model.net, loop.tensors, train, loop.tasks.size(), row);
        state.history.push_back(row);
        state.epochs_done = epoch + 1;
        watch_epoch(row, watch, train.early_stopping, model, state);
        if (loop.folder.writer) {
            io::write_file_atomically(
                loop.folder.file("checkpoint.pt"),
                save_checkpoint(model.net, model.best, *model.optimizer, state));
            io::write_file_atomically(loop.folder.file("history.csv"),
                                      history_csv(state.history, loop.tasks));
        }
        if (loop.progress) loop.progress(epoch_progress(loop, row, state, watch));
        if (++session == session_epochs) break;  // as if killed: the checkpoint is what is left
    }
    return steps;
}

}  // namespace mlstrat::train
