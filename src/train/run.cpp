// A training run: the loop (mini-batches, optimizer, learning-rate schedule, augmentation,
// early stopping), a checkpoint each epoch so that --resume ends with the same weights as an
// uninterrupted run, and the run folder every other command reads.

#include <fmt/format.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <numbers>
#include <optional>
#include <regex>

#include "mlstrat/error.hpp"
#include "mlstrat/io.hpp"
#include "train/distributed.hpp"
#include "train/head_fit.hpp"
#include "train/multitask.hpp"
#include "train/net.hpp"
#include "train/replicas.hpp"
#include "train/run.hpp"
#if __has_include("mlstrat/registry.hpp")
#include "mlstrat/metrics.hpp"
#include "mlstrat/registry.hpp"
#define MLSTRAT_HAVE_REGISTRY 1
#endif

namespace mlstrat::train {

namespace fs = std::filesystem;

nlohmann::json Progress::to_json() const {
    static const char* kinds[] = {"start", "batch", "epoch", "done"};
    nlohmann::json j = {{"event", kinds[static_cast<int>(kind)]}, {"epoch", epoch},
                        {"epochs", epochs}};
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

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

/// A split as tensors: x is [N, shape...] float, y is [N] int64 (multi-task: [N, tasks] float).
struct Tensors {
    torch::Tensor x, y;
    std::int64_t size() const { return y.size(0); }
};

Tensors to_tensors(const Split& split, const std::vector<std::int64_t>& shape, std::size_t tasks) {
    std::vector<std::int64_t> dims = {static_cast<std::int64_t>(split.size())};
    dims.insert(dims.end(), shape.begin(), shape.end());
    auto x = torch::from_blob(const_cast<float*>(split.x.data()), dims, torch::kFloat).clone();
    auto y = torch::from_blob(const_cast<std::int64_t*>(split.y.data()),
                              {static_cast<std::int64_t>(split.size())}, torch::kLong)
                 .clone();
    return {x, tasks ? task_targets(split, tasks) : y};
}

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const OptimConfig& o, Net& net) {
    std::vector<torch::Tensor> params;
    for (auto& p : net->parameters()) {
        if (p.requires_grad()) params.push_back(p);  // frozen layers are not optimized
    }
    if (o.kind == "sgd" || o.kind == "momentum") {
        return std::make_unique<torch::optim::SGD>(
            params, torch::optim::SGDOptions(o.lr)
                        .momentum(o.kind == "momentum" ? o.momentum : 0.0)
                        .weight_decay(o.weight_decay));
    }
    if (o.kind == "rmsprop") {
        return std::make_unique<torch::optim::RMSprop>(
            params, torch::optim::RMSpropOptions(o.lr).alpha(o.alpha).eps(o.eps).weight_decay(
                        o.weight_decay));
    }
    return std::make_unique<torch::optim::Adam>(
        params, torch::optim::AdamOptions(o.lr)
                    .betas({o.beta1, o.beta2})
                    .eps(o.eps)
                    .weight_decay(o.weight_decay));
}

void set_lr(torch::optim::Optimizer& optimizer, double lr) {
    for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);
}

/// The learning rate of 0-based `epoch`: a pure function of the epoch, so resuming needs no
/// scheduler state.
double lr_at(const Config& c, std::int64_t epoch) {
    const auto& s = c.schedule;
    const double base = c.optim.lr;
    if (epoch < s.warmup_epochs) {
        return base * static_cast<double>(epoch + 1) / static_cast<double>(s.warmup_epochs + 1);
    }
    const auto e = static_cast<double>(epoch - s.warmup_epochs);
    const auto span = static_cast<double>(std::max<std::int64_t>(1, c.train.epochs - s.warmup_epochs));
    if (s.kind == "step") return base * std::pow(s.gamma, std::floor(e / s.step_epochs));
    if (s.kind == "exponential") return base * std::pow(s.gamma, e);
    if (s.kind == "cosine") {
        return s.min_lr + (base - s.min_lr) * 0.5 * (1.0 + std::cos(std::numbers::pi * e / span));
    }
    return base;
}

/// Random augmentation of an image batch [B, C, H, W] with LibTorch's (seeded) generator.
torch::Tensor augment(torch::Tensor x, const AugmentConfig& a) {
    const auto b = x.size(0), h = x.size(2), w = x.size(3);
    const auto fill = x.min().item<float>();  // the background after standardization
    if (a.flip) {
        auto mask = (torch::rand({b}) < 0.5).view({b, 1, 1, 1});
        x = torch::where(mask, x.flip({3}), x);
    }
    if (a.shift > 0 || a.crop > 0) {
        const std::int64_t s = a.shift, c = std::min<std::int64_t>(a.crop, std::min(h, w) / 2 - 1);
        auto offsets = torch::randint(0, 2 * s + 1, {b, 2}, torch::kLong);
        auto corners = torch::randint(0, 2 * std::max<std::int64_t>(c, 0) + 1, {b, 2}, torch::kLong);
        auto off = offsets.accessor<std::int64_t, 2>();
        auto cor = corners.accessor<std::int64_t, 2>();
        auto padded = s > 0 ? torch::constant_pad_nd(x, {s, s, s, s}, fill) : x;
        const std::int64_t ch = h - 2 * c, cw = w - 2 * c;
        auto out = torch::empty({b, x.size(1), ch, cw});
        for (std::int64_t i = 0; i < b; ++i) {
            out[i].copy_(padded[i]
                             .narrow(1, off[i][0] + cor[i][0], ch)
                             .narrow(2, off[i][1] + cor[i][1], cw));
        }
        // A crop is zoomed back to the image size.
        x = c > 0 ? torch::upsample_bilinear2d(out, {h, w}, false) : out;
    }
    if (a.blur > 0) {
        auto mask = (torch::rand({b}) < a.blur).view({b, 1, 1, 1});
        auto blurred = torch::avg_pool2d(x, {3, 3}, {1, 1}, {1, 1}, false, false);
        x = torch::where(mask, blurred, x);
    }
    if (a.noise > 0) x = x + torch::randn_like(x) * a.noise;
    return x;
}

/// Class probabilities [N, K] of the first `rows` examples.
torch::Tensor predict(Net& net, const Tensors& t, std::int64_t batch, std::int64_t rows = -1) {
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

/// The error of `probs`; for multi-task data the mean task error, each task's also in `per_task`.
double error_of(const torch::Tensor& probs, const torch::Tensor& y, TaskErrors* per_task = nullptr) {
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

/// One row of history.csv.
struct EpochRow {
    std::int64_t epoch = 0;
    double lr = 0, loss = 0, train = NAN, train_dev = NAN, dev = NAN, seconds = 0, eps = 0;
    /// Multi-task: the error of each task on train, train-dev and dev, in that order.
    std::vector<double> task_errors;
};

/// The splits history.csv follows.
constexpr const char* kHistorySplits[] = {"train", "train_dev", "dev"};

std::string history_csv(const std::vector<EpochRow>& rows, const std::vector<std::string>& tasks) {
    std::string out = "epoch,lr,loss,train_error,train_dev_error,dev_error,seconds,"
                      "examples_per_second";
    for (const char* split : kHistorySplits) {
        for (const auto& t : tasks) (out += ',') += io::quote_field(fmt::format("{}_error_{}", split, t));
    }
    out += "\n";
    auto cell = [](double v) { return std::isnan(v) ? std::string() : fmt::format("{:.6g}", v); };
    for (const auto& r : rows) {
        out += fmt::format("{},{:.6g},{:.6g},{},{},{},{:.3f},{:.1f}", r.epoch, r.lr, r.loss,
                           cell(r.train), cell(r.train_dev), cell(r.dev), r.seconds, r.eps);
        for (double e : r.task_errors) (out += ',') += cell(e);
        out += "\n";
    }
    return out;
}

/// What a checkpoint holds besides the weights and the optimizer.
struct LoopState {
    std::int64_t epochs_done = 0;
    std::vector<EpochRow> history;
    double best_error = INFINITY;
    std::int64_t best_epoch = 0;
    std::int64_t bad_epochs = 0;
    bool stopped_early = false;
    double train_seconds = 0;
    std::int64_t examples_seen = 0;
};

torch::Tensor history_tensor(const std::vector<EpochRow>& rows) {
    const auto extra = static_cast<std::int64_t>(rows.empty() ? 0 : rows[0].task_errors.size());
    auto t = torch::zeros({static_cast<std::int64_t>(rows.size()), 8 + extra}, torch::kDouble);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& r = rows[i];
        const double v[8] = {static_cast<double>(r.epoch), r.lr, r.loss, r.train, r.train_dev,
                             r.dev, r.seconds, r.eps};
        for (int k = 0; k < 8; ++k) t[i][k] = v[k];
        for (std::int64_t k = 0; k < extra; ++k) t[i][8 + k] = r.task_errors[k];
    }
    return t;
}

std::vector<EpochRow> history_rows(const torch::Tensor& t) {
    std::vector<EpochRow> rows;
    auto a = t.accessor<double, 2>();
    for (std::int64_t i = 0; i < t.size(0); ++i) {
        rows.push_back({static_cast<std::int64_t>(a[i][0]), a[i][1], a[i][2], a[i][3], a[i][4],
                        a[i][5], a[i][6], a[i][7], {}});
        for (std::int64_t k = 8; k < t.size(1); ++k) rows.back().task_errors.push_back(a[i][k]);
    }
    return rows;
}

std::string save_checkpoint(Net& net, Net& best, torch::optim::Optimizer& optimizer,
                            const LoopState& s) {
    torch::serialize::OutputArchive root, model, optim, best_model;
    net->save(model);
    optimizer.save(optim);
    best->save(best_model);
    root.write("model", model);
    root.write("optimizer", optim);
    root.write("best", best_model);
    root.write("history", history_tensor(s.history));
    root.write("state", torch::tensor({static_cast<double>(s.epochs_done), s.best_error,
                                       static_cast<double>(s.best_epoch),
                                       static_cast<double>(s.bad_epochs),
                                       s.stopped_early ? 1.0 : 0.0, s.train_seconds,
                                       static_cast<double>(s.examples_seen)},
                                      torch::kDouble));
    std::ostringstream out;
    root.save_to(out);
    return out.str();
}

LoopState load_checkpoint(const std::string& bytes, Net& net, Net& best,
                          torch::optim::Optimizer& optimizer) {
    torch::serialize::InputArchive root, model, optim, best_model;
    root.load_from(bytes.data(), bytes.size());
    root.read("model", model);
    root.read("optimizer", optim);
    root.read("best", best_model);
    net->load(model);
    optimizer.load(optim);
    best->load(best_model);
    torch::Tensor history, state;
    root.read("history", history);
    root.read("state", state);
    LoopState s;
    s.history = history_rows(history);
    auto v = state.accessor<double, 1>();
    s.epochs_done = static_cast<std::int64_t>(v[0]);
    s.best_error = v[1];
    s.best_epoch = static_cast<std::int64_t>(v[2]);
    s.bad_epochs = static_cast<std::int64_t>(v[3]);
    s.stopped_early = v[4] != 0.0;
    s.train_seconds = v[5];
    s.examples_seen = static_cast<std::int64_t>(v[6]);
    return s;
}

void copy_weights(Net& from, Net& to) {
    torch::NoGradGuard no_grad;
    auto src = from->named_parameters();
    for (auto& p : to->named_parameters()) p.value().copy_(src[p.key()]);
    auto bufs = from->named_buffers();
    for (auto& b : to->named_buffers()) b.value().copy_(bufs[b.key()]);
}

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
        for (std::size_t k = 0; k < kw; ++k) (out += ',') += io::quote_field(split.kept[i * kw + k]);
        for (std::int64_t k = 0; k < probs.size(1); ++k)
            out += fmt::format(",{}", p[i][k]);  // shortest text that reads back to the float
        out += "\n";
    }
    return out;
}

#ifdef MLSTRAT_HAVE_REGISTRY
/// The run's registry entry, through the calls `mlstrat runs log` uses: per split every metric
/// eval computes (read back from pred_SPLIT.csv; the error alone for multi-task runs), the
/// config's typed parameters, the epochs as steps, the folder and its prediction files.
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
            entry.split_metrics[split] = registry::split_metrics_of(metrics::evaluate(pred.string(), {}));
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
            if (!std::isnan(errors[k])) step.metrics.push_back({kHistorySplits[k], "error", errors[k]});
        }
        registry.log(result.name, step);
    }
}
#endif

/// The run a transfer starts from (1.2.3).
struct TransferSource {
    std::string model_path;
    Config config;
    std::int64_t classes = 0;
    /// A TorchScript module (torch.jit.save) to use as the backbone under a new head.
    bool script = false;
};

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

/// The layers that hold weights, in order: what transfer.freeze counts.
std::vector<std::shared_ptr<torch::nn::Module>> weighted_layers(Net& net) {
    std::vector<std::shared_ptr<torch::nn::Module>> out;
    for (const auto& child : net->layers()->children()) {
        if (!child->parameters().empty()) out.push_back(child);
    }
    return out;
}

/// Copies the source run's weights into `net` (all but the head when a new head is needed) and
/// freezes the first layers; returns how many are frozen.
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
        MLSTRAT_CHECK(frozen < n, "key 'transfer.freeze': ", frozen, " layers would freeze all ",
                      n, " layers with weights; nothing would train");
    }
    for (std::int64_t i = 0; i < frozen; ++i) {
        for (auto& p : to[i]->parameters()) p.set_requires_grad(false);
    }
    return frozen;
}

/// Resolves the config's data paths so that runs/NAME/config.toml stands on its own.
void make_paths_absolute(Config& c) {
    for (std::string* p : {&c.data.train, &c.data.train_labels, &c.data.train_dev,
                           &c.data.train_dev_labels, &c.data.dev, &c.data.dev_labels, &c.data.test,
                           &c.data.test_labels, &c.data.split_dir, &c.data.image_root,
                           &c.transfer.from}) {
        if (!p->empty() && fs::path(*p).is_relative()) {
            *p = fs::absolute(fs::path(c.base_dir) / *p).lexically_normal().string();
        }
    }
    c.base_dir = ".";
}

constexpr const char* kEarlyStoppingNote =
    "early stopping couples the bias and variance knobs (1.1.1): stopping sooner fits the "
    "training set less (bias) at the same time as it regularizes (variance); to turn one knob at "
    "a time prefer L2 or dropout for variance and train longer or a bigger model for bias";

RunResult run(const RunRequest& request, const ProgressFn& progress, const Dataset* preloaded) {
    const auto run_start = Clock::now();
    Config config = load_config(request.config_path, request.overrides);
    if (!request.name.empty()) config.name = request.name;
    if (request.threads) config.threads = *request.threads;
    if (request.seed) config.seed = *request.seed;
    MLSTRAT_CHECK(std::regex_match(config.name, std::regex("[A-Za-z0-9_][A-Za-z0-9_.-]*")),
                  request.config_path, ": key 'name': run name '", config.name,
                  "' must be letters, digits, '_', '-' or '.'");
    make_paths_absolute(config);
    // Transfer learning (1.2.3): the architecture is the source run's.
    std::optional<TransferSource> source;
    if (!config.transfer.from.empty()) {
        source = open_transfer_source(config.transfer.from);
        if (!source->script) config.model = source->config.model;
    }
    auto emit = [&](const Progress& p) {
        if (progress) progress(p);
    };

    // A data-parallel job: every rank trains on its share of each global batch; rank 0 alone
    // touches the run folder (docs/distributed.md).
    const std::unique_ptr<Group> group = Group::join(request.distributed);
    const bool writer = !group || group->rank() == 0;

    // Bad data fails before the run folder exists.
    Dataset loaded;
    if (preloaded == nullptr) loaded = load_dataset(config);
    const Dataset& data = preloaded != nullptr ? *preloaded : loaded;
    // Outputs: one per class, or one sigmoid per task (1.2.3).
    const std::int64_t classes =
        static_cast<std::int64_t>(data.tasks.empty() ? data.classes.size() : data.tasks.size());
    auto new_net = [&] {
        return source && source->script
                   ? make_backbone_net(source->model_path, data.shape, classes)
                   : make_net(config.model, data.shape, classes,
                              static_cast<std::int64_t>(data.vocabulary.size()));
    };
    new_net();  // a model that cannot take this data fails before the run folder exists

    RunResult result;
    result.name = config.name;
    result.notes = request.notes;
    result.backend = configure_backend(static_cast<unsigned>(config.threads));
    const fs::path dir = fs::path(request.runs_dir) / config.name;
    result.dir = dir.string();
    const std::string config_text = config.to_toml();
    const fs::path checkpoint_path = dir / "checkpoint.pt";
    std::string checkpoint;
    if (writer && request.resume && fs::exists(checkpoint_path)) {
        checkpoint = io::read_file(checkpoint_path.string());
    }
    if (group) {
        Config same = config;
        same.threads = 0;  // threads may differ between hosts
        group->check_same(std::hash<std::string>{}(same.to_toml() + "\n" +
                                                   std::to_string(data.splits.at("train").size())),
                          "the config and the training set");
        checkpoint = group->broadcast(checkpoint);
    }
    const bool resuming = !checkpoint.empty();
    if (!writer) {
        // Only rank 0 writes; the other ranks start from what it sent.
    } else if (request.resume && fs::exists(dir / "config.toml")) {
        // A resumed run may be given more epochs (successive halving in mlstrat tune does).
        const std::string started_path = (dir / "config.toml").string();
        Config started = parse_config(io::read_file(started_path), started_path);
        MLSTRAT_CHECK(started.train.epochs <= config.train.epochs, started_path,
                      ": the run was started with train.epochs = ", started.train.epochs,
                      "; a resumed run can have more epochs, not fewer");
        started.train.epochs = config.train.epochs;
        MLSTRAT_CHECK(started.to_toml() == config_text, started_path,
                      ": the run was started with another config; resume with the same config "
                      "and --set values (only train.epochs may grow)");
    } else if (!request.resume && fs::exists(dir)) {
        MLSTRAT_CHECK(request.force, dir.string(),
                      ": the run exists; use --resume to continue it, --force to replace it, or "
                      "another --name");
        fs::remove_all(dir);
    }
    if (writer) {
        fs::create_directories(dir);
        io::write_file_atomically((dir / "config.toml").string(), config_text);
    }

    const bool images = data.shape.size() == 3;
    const auto& a = config.augment;
    MLSTRAT_CHECK(data.vocabulary.empty() || a.noise == 0, request.config_path,
                  ": key 'augment.noise' cannot apply to text (token ids)");
    MLSTRAT_CHECK(images || (!a.flip && a.shift == 0 && a.crop == 0 && a.blur == 0),
                  request.config_path, ": key 'augment': flip, shift, crop and blur need image "
                  "data; only augment.noise applies to feature vectors");
    std::map<std::string, Tensors> tensors;
    for (const auto& [name, split] : data.splits) {
        tensors[name] = to_tensors(split, data.shape, data.tasks.size());
    }
    const Tensors& train = tensors.at("train");
    for (const auto& [name, split] : data.splits) result.sizes[name] = split.size();

    torch::manual_seed(static_cast<std::uint64_t>(config.seed));
    Net net = new_net();
    Net best = new_net();
    std::int64_t frozen = 0;
    if (source) {
        frozen = start_from(*source, config.transfer, data.shape, classes, net);
        result.notes.push_back(fmt::format("transfer from {}: {} first layers frozen{}",
                                           config.transfer.from, frozen,
                                           source->script || source->classes != classes ||
                                                   config.transfer.new_head
                                               ? ", new head"
                                               : ""));
    }
    // Frozen layers stay in evaluation mode, so batch norm keeps its statistics too.
    auto train_mode = [&] {
        net->train();
        auto layers = weighted_layers(net);
        for (std::int64_t i = 0; i < frozen; ++i) layers[i]->eval();
    };
    copy_weights(net, best);
    auto optimizer = make_optimizer(config.optim, net);
    LoopState state;
    if (resuming) state = load_checkpoint(checkpoint, net, best, *optimizer);
    std::vector<torch::Tensor> trainable;
    for (auto& p : net->parameters()) {
        if (p.requires_grad()) trainable.push_back(p);
    }

    // Each core trains on its share of every batch where that gives the same gradients
    // (train/replicas.hpp); otherwise LibTorch splits each operation between the cores.
    std::optional<Replicas> replicas;
    if (can_split_batches(config.model, data.tasks.empty(), !data.vocabulary.empty(),
                          source && source->script, group != nullptr, at::get_num_threads())) {
        replicas.emplace(net, new_net, static_cast<unsigned>(at::get_num_threads()));
    }
    result.batch_shares = replicas ? static_cast<int>(replicas->workers()) : 1;

    const auto& loop = config.train;
    const std::int64_t n = train.size();
    // The global batch is train.batch_size on each of the world's ranks; rank r takes rows
    // [r * batch_size, (r + 1) * batch_size) of each global batch.
    const std::int64_t world = group ? group->size() : 1;
    const std::int64_t rank = group ? group->rank() : 0;
    const std::int64_t global_batch = loop.batch_size * world;
    const std::int64_t batches = (n + global_batch - 1) / global_batch;
    result.world_size = static_cast<int>(world);
    result.rank = static_cast<int>(rank);
    const std::string watch = tensors.count("dev") ? "dev" : tensors.count("train_dev") ? "train_dev"
                                                                                       : "";
    Progress start;
    start.kind = Progress::Kind::Start;
    start.epoch = state.epochs_done;
    start.epochs = loop.epochs;
    start.batches = batches;
    start.message = resuming ? fmt::format("resuming after epoch {}", state.epochs_done)
                             : fmt::format("{} examples, {} classes, {} parameters", n, classes,
                                           [&] {
                                               std::int64_t p = 0;
                                               for (auto& t : net->parameters()) p += t.numel();
                                               return p;
                                           }());
    emit(start);

    std::int64_t session_epochs = 0;
    while (state.epochs_done < loop.epochs && !state.stopped_early) {
        const std::int64_t epoch = state.epochs_done;  // 0-based
        // Every random draw of an epoch comes from a generator seeded by (seed, epoch), so an
        // epoch run after --resume draws what it would have drawn in one go.
        torch::manual_seed(static_cast<std::uint64_t>(config.seed) * 1000003ULL +
                           static_cast<std::uint64_t>(epoch) + 1);
        const double lr = lr_at(config, epoch);
        set_lr(*optimizer, lr);
        train_mode();
        auto order = torch::randperm(n, torch::kLong);
        // Every rank draws the same order; dropout and augmentation draw per rank.
        if (group) {
            torch::manual_seed((static_cast<std::uint64_t>(config.seed) * 1000003ULL +
                                static_cast<std::uint64_t>(epoch) + 1) * 7919ULL +
                               static_cast<std::uint64_t>(rank));
        }
        const auto epoch_start = Clock::now();
        auto last_report = epoch_start;
        double loss_sum = 0.0;
        std::int64_t local_done = 0;
        for (std::int64_t b = 0; b < batches; ++b) {
            const auto global_len = std::min(global_batch, n - b * global_batch);
            const auto first = std::min(global_len, rank * loop.batch_size);
            const auto len = std::min(loop.batch_size, global_len - first);
            optimizer->zero_grad();
            if (len > 0) {
                auto idx = order.narrow(0, b * global_batch + first, len);
                auto xb = train.x.index_select(0, idx);
                auto yb = train.y.index_select(0, idx);
                if (images) {
                    xb = augment(xb, a);
                } else if (a.noise > 0) {
                    xb = xb + torch::randn_like(xb) * a.noise;
                }
                // Both losses are means over the batch; weighted by the rank's share of the
                // global batch and summed over the ranks, the gradients are the global batch's.
                const double share =
                    group ? static_cast<double>(len) / static_cast<double>(global_len) : 1.0;
                double loss_value = 0.0;
                if (replicas) {
                    loss_value = replicas->backward(xb, yb, share);
                } else {
                    auto logits = net->forward(xb);
                    auto loss = (multi_label(yb) ? multitask_loss(logits, yb)
                                                 : torch::cross_entropy_loss(logits, yb)) *
                                share;
                    loss.backward();
                    loss_value = loss.item<double>();
                }
                loss_sum += loss_value * static_cast<double>(group ? global_len : len);
                local_done += len;
            }
            if (group) group->sum_gradients(trainable);
            optimizer->step();
            ++result.steps;
            const bool last = b + 1 == batches;
            if (progress && (last || seconds_since(last_report) > 0.25)) {
                last_report = Clock::now();
                const double elapsed = seconds_since(epoch_start);
                const double done = static_cast<double>(b * global_batch + global_len);
                Progress p;
                p.epoch = epoch + 1;
                p.epochs = loop.epochs;
                p.batch = b + 1;
                p.batches = batches;
                p.loss = loss_sum / static_cast<double>(std::max<std::int64_t>(local_done, 1));
                p.lr = lr;
                p.examples_per_second = done / std::max(elapsed, 1e-9);
                const double remaining = static_cast<double>(n) - done +
                                         static_cast<double>(n * (loop.epochs - epoch - 1));
                p.eta_seconds = remaining / std::max(p.examples_per_second, 1e-9);
                emit(p);
            }
        }
        if (replicas) replicas->finish_steps();
        if (group) {
            loss_sum = group->sum(loss_sum);
            group->average_buffers(net->buffers());
        }
        const double epoch_seconds = seconds_since(epoch_start);
        state.train_seconds += epoch_seconds;
        state.examples_seen += n;

        EpochRow row;
        row.epoch = epoch + 1;
        row.lr = lr;
        row.loss = loss_sum / static_cast<double>(n);
        row.seconds = epoch_seconds;
        row.eps = static_cast<double>(n) / std::max(epoch_seconds, 1e-9);
        const std::size_t nt = data.tasks.size();
        row.task_errors.assign(3 * nt, NAN);
        TaskErrors per_task;
        auto record_tasks = [&](std::size_t slot) {
            std::copy(per_task.error.begin(), per_task.error.end(),
                      row.task_errors.begin() + static_cast<std::ptrdiff_t>(slot * nt));
        };
        row.train = error_of(predict(net, train, loop.eval_batch_size, loop.eval_train_rows),
                             train.y, &per_task);
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
        state.history.push_back(row);
        state.epochs_done = epoch + 1;
        const double watched = watch == "dev" ? row.dev : watch == "train_dev" ? row.train_dev : NAN;
        if (!std::isnan(watched) && watched < state.best_error) {
            state.best_error = watched;
            state.best_epoch = epoch + 1;
            state.bad_epochs = 0;
            copy_weights(net, best);
        } else if (!std::isnan(watched)) {
            ++state.bad_epochs;
            if (loop.early_stopping > 0 && state.bad_epochs >= loop.early_stopping) {
                state.stopped_early = true;
            }
        }
        if (writer) {
            io::write_file_atomically(checkpoint_path.string(),
                                      save_checkpoint(net, best, *optimizer, state));
            io::write_file_atomically((dir / "history.csv").string(),
                                      history_csv(state.history, data.tasks));
        }

        Progress p;
        p.kind = Progress::Kind::Epoch;
        p.epoch = epoch + 1;
        p.epochs = loop.epochs;
        p.batch = batches;
        p.batches = batches;
        p.loss = row.loss;
        p.lr = lr;
        p.examples_per_second = row.eps;
        p.eta_seconds = epoch_seconds * static_cast<double>(loop.epochs - epoch - 1);
        p.errors["train"] = row.train;
        if (!std::isnan(row.train_dev)) p.errors["train_dev"] = row.train_dev;
        if (!std::isnan(row.dev)) p.errors["dev"] = row.dev;
        if (state.stopped_early) {
            p.message = fmt::format("early stopping: no better {} error for {} epochs; keeping "
                                    "epoch {}",
                                    watch, state.bad_epochs, state.best_epoch);
        }
        emit(p);
        ++session_epochs;
        if (request.stop_after_epochs > 0 && session_epochs >= request.stop_after_epochs &&
            state.epochs_done < loop.epochs && !state.stopped_early) {
            result.epochs = state.epochs_done;
            result.seconds = seconds_since(run_start);
            result.examples_per_second =
                static_cast<double>(state.examples_seen) / std::max(state.train_seconds, 1e-9);
            if (writer) result.files = {"config.toml", "checkpoint.pt", "history.csv"};
            if (group) result.allreduce_seconds = group->gradient_seconds();
            return result;  // as if killed: the checkpoint is all that is left
        }
    }
    if (group) result.allreduce_seconds = group->gradient_seconds();
    if (!writer) {
        // Rank 0 writes the predictions, the models and the registry entry.
        result.epochs = state.epochs_done;
        result.stopped_early = state.stopped_early;
        result.complete = true;
        result.examples_per_second =
            static_cast<double>(state.examples_seen) / std::max(state.train_seconds, 1e-9);
        result.seconds = seconds_since(run_start);
        return result;
    }

    if (loop.early_stopping > 0) {
        copy_weights(best, net);
        result.notes.push_back(kEarlyStoppingNote);
        if (state.stopped_early) {
            result.notes.push_back(fmt::format("stopped early after epoch {}; weights of epoch {} "
                                               "(best {} error)",
                                               state.epochs_done, state.best_epoch, watch));
        }
    }
    if (source && config.transfer.freeze == "all-but-head") {
        // A linear head on frozen features is a convex problem: solve it, so that frozen and
        // fine-tuned runs compare like for like whatever train.epochs is.
        const HeadFit fit =
            fit_head(net, train.x, train.y, config.optim.weight_decay, loop.eval_batch_size);
        result.notes.push_back(fmt::format(
            "transfer.freeze = all-but-head: the head was solved on the frozen features after the "
            "epochs (L-BFGS, {} evaluations, train loss {:.6g}{})",
            fit.evaluations, fit.loss,
            fit.converged ? "" : "; stopped when the loss no longer fell"));
    }
    result.epochs = state.epochs_done;
    result.stopped_early = state.stopped_early;

    nlohmann::json errors = nlohmann::json::object(), accuracy = nlohmann::json::object();
    nlohmann::json task_sizes = nlohmann::json::object();
    result.tasks = data.tasks;
    for (const auto& name : split_names()) {
        if (!tensors.count(name)) continue;
        const auto probs = predict(net, tensors.at(name), loop.eval_batch_size);
        TaskErrors per_task;
        const double err = error_of(probs, tensors.at(name).y, &per_task);
        result.errors[name] = err;
        result.accuracy[name] = 1.0 - err;
        errors[name] = err;
        accuracy[name] = 1.0 - err;
        for (std::size_t t = 0; t < data.tasks.size(); ++t) {
            result.task_errors[name][data.tasks[t]] = per_task.error[t];
            task_sizes[name][data.tasks[t]] = per_task.labelled[t];
        }
        if (name == "dev" && data.tasks.empty()) {
            // split --eyeball: the dev error on the part the team looks at and on the rest.
            const auto wrong = probs.argmax(1).ne(tensors.at(name).y).to(torch::kBool).contiguous();
            const std::vector<bool> flags(wrong.data_ptr<bool>(), wrong.data_ptr<bool>() + wrong.numel());
            for (const auto& [part, e] : divided_dev_errors(config, data.splits.at(name), flags)) {
                result.errors[part] = e.first;
                result.sizes[part] = e.second;
                errors[part] = e.first;
            }
        }
        const std::string file = "pred_" + name + ".csv";
        io::write_file_atomically(
            (dir / file).string(),
            data.tasks.empty() ? predictions_csv(data.splits.at(name), data, probs)
                               : multitask_predictions_csv(data.splits.at(name), data.tasks, probs));
        result.files.push_back(file);
    }
    {
        // Latency of one example, the satisficing metric of a deployed model (1.1.2).
        torch::NoGradGuard no_grad;
        net->eval();
        auto one = train.x.narrow(0, 0, 1);
        net->forward(one);
        const auto t0 = Clock::now();
        constexpr int kRepeats = 20;
        for (int i = 0; i < kRepeats; ++i) net->forward(one);
        result.latency_ms = seconds_since(t0) * 1000.0 / kRepeats;
        net->train();
    }
    net->eval();
    io::write_file_atomically((dir / "model.pt").string(), save_module_bytes(*net));
    io::write_file_atomically((dir / "model.torchscript.pt").string(),
                              torchscript_bytes(net, data.input_mean, data.input_scale));
    result.files.insert(result.files.begin(),
                        {"config.toml", "checkpoint.pt", "history.csv", "model.pt",
                         "model.torchscript.pt"});
    if (!data.vocabulary.empty()) {
        // Line i is token i: what a caller of model.torchscript.pt encodes texts with.
        std::string vocab;
        for (const auto& token : data.vocabulary) vocab += token + "\n";
        io::write_file_atomically((dir / "vocab.txt").string(), vocab);
        result.files.push_back("vocab.txt");
    }
    result.examples_per_second =
        static_cast<double>(state.examples_seen) / std::max(state.train_seconds, 1e-9);
    result.seconds = seconds_since(run_start);
    result.complete = true;
    const double flops = forward_flops(net, data.shape);
    nlohmann::json metrics = {{"name", result.name},
                              {"errors", errors},
                              {"accuracy", accuracy},
                              {"sizes", result.sizes},
                              {"classes", data.classes},
                              {"examples_per_second", result.examples_per_second},
                              {"train_seconds", state.train_seconds},
                              {"seconds", result.seconds},
                              {"latency_ms", result.latency_ms},
                              {"forward_flops", flops},
                              {"epochs", result.epochs},
                              {"world_size", world},
                              {"global_batch", global_batch},
                              {"batch_shares", result.batch_shares},
                              {"stopped_early", result.stopped_early},
                              {"notes", result.notes},
                              {"backend", result.backend.to_json()}};
    if (!data.tasks.empty()) {
        metrics["tasks"] = data.tasks;
        metrics["task_errors"] = result.task_errors;
        metrics["task_sizes"] = task_sizes;
    }
    io::write_file_atomically((dir / "metrics.json").string(), metrics.dump(2) + "\n");
    result.files.push_back("metrics.json");
#ifdef MLSTRAT_HAVE_REGISTRY
    if (!request.registry_path.empty()) record_run(request, result, config_text, state.history, dir);
#endif
    Progress done;
    done.kind = Progress::Kind::Done;
    done.epoch = state.epochs_done;
    done.epochs = loop.epochs;
    done.errors = result.errors;
    emit(done);
    return result;
}

}  // namespace

RunResult train_run(const RunRequest& request, const ProgressFn& progress) {
    try {
        return run(request, progress, nullptr);
    } catch (const c10::Error& e) {
        throw Error(ErrorCode::Training, "LibTorch: " + std::string(e.what_without_backtrace()));
    }
}

RunResult train_run_on(const RunRequest& request, const Dataset& data, const ProgressFn& progress) {
    try {
        return run(request, progress, &data);
    } catch (const c10::Error& e) {
        throw Error(ErrorCode::Training, "LibTorch: " + std::string(e.what_without_backtrace()));
    }
}

}  // namespace mlstrat::train
