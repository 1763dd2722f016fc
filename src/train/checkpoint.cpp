// checkpoint.pt and history.csv: the state of the epoch loop, saved after each epoch.

#include "train/checkpoint.hpp"

#include <fmt/format.h>

#include <sstream>

#include "mlstrat/support/io.hpp"

namespace mlstrat::train {

namespace {

/// The history as a [epochs, 8 + task errors] double tensor, one row per epoch.
torch::Tensor history_tensor(const std::vector<EpochRow>& rows) {
    const auto extra = static_cast<std::int64_t>(rows.empty() ? 0 : rows[0].task_errors.size());
    auto t = torch::zeros({static_cast<std::int64_t>(rows.size()), 8 + extra}, torch::kDouble);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& r = rows[i];
        const auto epoch = static_cast<double>(r.epoch);
        const double v[8] = {epoch, r.lr, r.loss, r.train, r.train_dev, r.dev, r.seconds, r.eps};
        for (int k = 0; k < 8; ++k) t[i][k] = v[k];
        for (std::int64_t k = 0; k < extra; ++k) t[i][8 + k] = r.task_errors[k];
    }
    return t;
}

/// The history history_tensor wrote.
std::vector<EpochRow> history_rows(const torch::Tensor& t) {
    std::vector<EpochRow> rows;
    auto a = t.accessor<double, 2>();
    for (std::int64_t i = 0; i < t.size(0); ++i) {
        const auto epoch = static_cast<std::int64_t>(a[i][0]);
        rows.push_back({epoch, a[i][1], a[i][2], a[i][3], a[i][4], a[i][5], a[i][6], a[i][7], {}});
        for (std::int64_t k = 8; k < t.size(1); ++k) rows.back().task_errors.push_back(a[i][k]);
    }
    return rows;
}

}  // namespace

std::string history_csv(const std::vector<EpochRow>& rows, const std::vector<std::string>& tasks) {
    std::string out =
        "epoch,lr,loss,train_error,train_dev_error,dev_error,seconds,"
        "examples_per_second";
    for (const char* split : kHistorySplits) {
        for (const auto& t : tasks)
            (out += ',') += io::quote_field(fmt::format("{}_error_{}", split, t));
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
    root.write("state",
               torch::tensor({static_cast<double>(s.epochs_done), s.best_error,
                              static_cast<double>(s.best_epoch), static_cast<double>(s.bad_epochs),
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

}  // namespace mlstrat::train
