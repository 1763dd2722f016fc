// Evaluation: probabilities and errors of the model on the splits, after each epoch and at the end.

#include "train/evaluate.hpp"

#include <algorithm>

#include "train/run.hpp"
#include "train/stopwatch.hpp"

namespace mlstrat::train {

namespace {

/// One split as tensors (a copy of its examples).
Tensors to_tensors(const Split& split, const std::vector<std::int64_t>& shape, std::size_t tasks) {
    std::vector<std::int64_t> dims = {static_cast<std::int64_t>(split.size())};
    dims.insert(dims.end(), shape.begin(), shape.end());
    auto x = torch::from_blob(const_cast<float*>(split.x.data()), dims, torch::kFloat).clone();
    auto y = torch::from_blob(const_cast<std::int64_t*>(split.y.data()),
                              {static_cast<std::int64_t>(split.size())}, torch::kLong)
                 .clone();
    return {x, tasks ? task_targets(split, tasks) : y};
}

/// The dev error divided by the eyeball and blackbox dev sets (split --eyeball) into `result`.
void divide_dev_error(const Config& config, const Split& dev, const torch::Tensor& probs,
                      const torch::Tensor& y, RunResult& result) {
    const auto wrong = probs.argmax(1).ne(y).to(torch::kBool).contiguous();
    const std::vector<bool> flags(wrong.data_ptr<bool>(), wrong.data_ptr<bool>() + wrong.numel());
    for (const auto& [part, e] : divided_dev_errors(config, dev, flags)) {
        result.errors[part] = e.first;
        result.sizes[part] = e.second;
    }
}

}  // namespace

SplitTensors split_tensors(const Dataset& data) {
    SplitTensors tensors;
    for (const auto& [name, split] : data.splits) {
        tensors[name] = to_tensors(split, data.shape, data.tasks.size());
    }
    return tensors;
}

torch::Tensor predict(Net& net, const Tensors& t, std::int64_t batch, std::int64_t rows) {
    torch::NoGradGuard no_grad;
    net->eval();
    const std::int64_t n = rows < 0 ? t.size() : std::min(rows, t.size());
    std::vector<torch::Tensor> parts;
    for (std::int64_t i = 0; i < n; i += batch) {
        const auto len = std::min(batch, n - i);
        const auto out = net->forward(t.x.narrow(0, i, len));
        parts.push_back(multi_label(t.y) ? torch::sigmoid(out) : torch::softmax(out, 1));
    }
    net->train();
    return torch::cat(parts);
}

double error_of(const torch::Tensor& probs, const torch::Tensor& y, TaskErrors* per_task) {
    const auto n = probs.size(0);
    if (multi_label(y)) {
        TaskErrors e = task_errors(probs, y.narrow(0, 0, n));
        if (per_task) *per_task = e;
        return e.mean();
    }
    if (n == 0) return 0.0;
    auto wrong = probs.argmax(1).ne(y.narrow(0, 0, n)).sum().item<std::int64_t>();
    return static_cast<double>(wrong) / static_cast<double>(n);
}

void evaluate_epoch(Net& net, const SplitTensors& tensors, const LoopConfig& loop,
                    std::size_t tasks, EpochRow& row) {
    row.task_errors.assign(3 * tasks, NAN);
    TaskErrors per_task;
    auto record_tasks = [&](std::size_t slot) {
        std::copy(per_task.error.begin(), per_task.error.end(),
                  row.task_errors.begin() + static_cast<std::ptrdiff_t>(slot * tasks));
    };
    const Tensors& train = tensors.at("train");
    row.train = error_of(predict(net, train, loop.eval_batch_size, loop.eval_train_rows), train.y,
                         &per_task);
    record_tasks(0);
    if (tensors.count("train_dev")) {
        const auto& t = tensors.at("train_dev");
        row.train_dev = error_of(predict(net, t, loop.eval_batch_size), t.y, &per_task);
        record_tasks(1);
    }
    if (tensors.count("dev")) {
        const auto& t = tensors.at("dev");
        row.dev = error_of(predict(net, t, loop.eval_batch_size), t.y, &per_task);
        record_tasks(2);
    }
}

std::vector<SplitEvaluation> evaluate_splits(Net& net, const SplitTensors& tensors,
                                             const Dataset& data, const Config& config,
                                             RunResult& result) {
    std::vector<SplitEvaluation> evaluations;
    result.tasks = data.tasks;
    for (const auto& name : split_names()) {
        if (!tensors.count(name)) continue;
        const Tensors& t = tensors.at(name);
        SplitEvaluation e{name, predict(net, t, config.train.eval_batch_size), {}};
        const double err = error_of(e.probs, t.y, &e.per_task);
        result.errors[name] = err;
        result.accuracy[name] = 1.0 - err;
        for (std::size_t k = 0; k < data.tasks.size(); ++k) {
            result.task_errors[name][data.tasks[k]] = e.per_task.error[k];
        }
        if (name == "dev" && data.tasks.empty()) {
            divide_dev_error(config, data.splits.at(name), e.probs, t.y, result);
        }
        evaluations.push_back(std::move(e));
    }
    return evaluations;
}

double latency_ms(Net& net, const torch::Tensor& example) {
    torch::NoGradGuard no_grad;
    net->eval();
    net->forward(example);
    const auto t0 = Clock::now();
    constexpr int kRepeats = 20;
    for (int i = 0; i < kRepeats; ++i) net->forward(example);
    const double ms = seconds_since(t0) * 1000.0 / kRepeats;
    net->train();
    return ms;
}

}  // namespace mlstrat::train
