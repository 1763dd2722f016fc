// The outputs of a finished run: predictions files, the exported model, metrics.json and the
// registry entry.

#include "train/outputs.hpp"

#include <fmt/format.h>

#include <cmath>

#include "mlstrat/metrics.hpp"
#include "mlstrat/registry.hpp"
#include "mlstrat/support/io.hpp"
#include "train/multitask.hpp"

namespace mlstrat::train {

namespace fs = std::filesystem;

namespace {

/// pred_<split>.csv of a single-label run: id, label, pred, the kept columns, then each class's
/// probability.
std::string predictions_csv(const Split& split, const Dataset& data, const torch::Tensor& probs) {
    const auto& classes = data.classes;
    const std::size_t kw = data.keep_cols.size();
    std::string out = "id,label,pred";
    for (const auto& k : data.keep_cols) (out += ',') += io::quote_field(k);
    for (const auto& c : classes) (out += ",p_") += io::quote_field(c);
    out += "\n";
    auto p = probs.accessor<float, 2>();
    auto pred = probs.argmax(1);
    auto pa = pred.accessor<std::int64_t, 1>();
    for (std::int64_t i = 0; i < probs.size(0); ++i) {
        out += io::quote_field(split.ids[i]) + "," + io::quote_field(classes[split.y[i]]) + "," +
               io::quote_field(classes[pa[i]]);
        for (std::size_t k = 0; k < kw; ++k)
            (out += ',') += io::quote_field(split.kept[i * kw + k]);
        for (std::int64_t k = 0; k < probs.size(1); ++k)
            out += fmt::format(",{}", p[i][k]);  // shortest text that reads back to the float
        out += "\n";
    }
    return out;
}

}  // namespace

std::vector<std::string> write_outputs(const RunFolder& folder, Net& net, const Dataset& data,
                                       const std::vector<SplitEvaluation>& evaluations) {
    std::vector<std::string> files = {"config.toml", "checkpoint.pt", "history.csv", "model.pt",
                                      "model.torchscript.pt"};
    for (const SplitEvaluation& e : evaluations) {
        const std::string file = "pred_" + e.split + ".csv";
        const Split& split = data.splits.at(e.split);
        io::write_file_atomically(folder.file(file),
                                  data.tasks.empty()
                                      ? predictions_csv(split, data, e.probs)
                                      : multitask_predictions_csv(split, data.tasks, e.probs));
        files.push_back(file);
    }
    net->eval();
    io::write_file_atomically(folder.file("model.pt"), save_module_bytes(*net));
    io::write_file_atomically(folder.file("model.torchscript.pt"),
                              torchscript_bytes(net, data.input_mean, data.input_scale));
    if (!data.vocabulary.empty()) {
        // Line i is token i: what a caller of model.torchscript.pt encodes texts with.
        std::string vocab;
        for (const auto& token : data.vocabulary) vocab += token + "\n";
        io::write_file_atomically(folder.file("vocab.txt"), vocab);
        files.push_back("vocab.txt");
    }
    return files;
}

nlohmann::json metrics_json(const RunResult& result, const Dataset& data,
                            const std::vector<SplitEvaluation>& evaluations, const BatchPlan& plan,
                            double train_seconds, double flops) {
    nlohmann::json metrics = {{"name", result.name},
                              {"errors", result.errors},
                              {"accuracy", result.accuracy},
                              {"sizes", result.sizes},
                              {"classes", data.classes},
                              {"examples_per_second", result.examples_per_second},
                              {"train_seconds", train_seconds},
                              {"seconds", result.seconds},
                              {"latency_ms", result.latency_ms},
                              {"forward_flops", flops},
                              {"epochs", result.epochs},
                              {"world_size", plan.world},
                              {"global_batch", plan.global_batch},
                              {"batch_shares", result.batch_shares},
                              {"stopped_early", result.stopped_early},
                              {"notes", result.notes},
                              {"backend", result.backend.to_json()}};
    if (!data.tasks.empty()) {
        nlohmann::json task_sizes = nlohmann::json::object();
        for (const SplitEvaluation& e : evaluations) {
            for (std::size_t t = 0; t < data.tasks.size(); ++t) {
                task_sizes[e.split][data.tasks[t]] = e.per_task.labelled[t];
            }
        }
        metrics["tasks"] = data.tasks;
        metrics["task_errors"] = result.task_errors;
        metrics["task_sizes"] = task_sizes;
    }
    return metrics;
}

void record_run(const RunRequest& request, const RunResult& result, const std::string& config_text,
                const std::vector<EpochRow>& history, const fs::path& dir) {
    registry::Run entry;
    entry.name = result.name;
    entry.kind = request.registry_kind;
    entry.group = request.group;
    entry.folder = dir.string();
    entry.errors = result.errors;
    entry.sizes = result.sizes;
    for (const auto& [split, error] : result.errors) {
        const fs::path pred = dir / ("pred_" + split + ".csv");
        if (result.tasks.empty() && fs::exists(pred)) {
            entry.split_metrics[split] =
                registry::split_metrics_of(metrics::evaluate(pred.string(), {}));
            entry.split_metrics[split].erase("error");  // the one computed in training stays
            entry.predictions[split] = pred.string();
        } else {
            entry.split_metrics[split]["accuracy"] = 1.0 - error;
        }
    }
    entry.metrics = {{"latency_ms", result.latency_ms},
                     {"examples_per_second", result.examples_per_second},
                     {"seconds", result.seconds}};
    entry.params = registry::flatten_config(config_text, (dir / "config.toml").string());
    entry.config = config_text;
    for (const auto& note : result.notes) entry.notes += (entry.notes.empty() ? "" : "\n") + note;
    auto registry = registry::Registry::open(request.registry_path);
    registry.add_run(entry, true);
    for (const auto& row : history) {
        registry::LogEntry step;
        step.step = row.epoch;
        step.metrics.push_back({"", "lr", row.lr});
        step.metrics.push_back({"train", "loss", row.loss});
        const double errors[] = {row.train, row.train_dev, row.dev};
        for (std::size_t k = 0; k < std::size(kHistorySplits); ++k) {
            if (!std::isnan(errors[k]))
                step.metrics.push_back({kHistorySplits[k], "error", errors[k]});
        }
        registry.log(result.name, step);
    }
}

}  // namespace mlstrat::train
