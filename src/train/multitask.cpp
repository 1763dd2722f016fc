// Multi-task learning (1.2.3): unlike softmax, one example can be positive for several tasks,
// and an example missing some labels still teaches the tasks it has.

#include "train/multitask.hpp"

#include <fmt/format.h>

#include <cmath>

#include "mlstrat/support/io.hpp"

namespace mlstrat::train {

torch::Tensor task_targets(const Split& split, std::size_t tasks) {
    const auto n = static_cast<std::int64_t>(split.size());
    auto labels = torch::from_blob(const_cast<std::int8_t*>(split.task_labels.data()),
                                   {n, static_cast<std::int64_t>(tasks)}, torch::kChar);
    return labels.to(torch::kFloat);
}

torch::Tensor multitask_loss(const torch::Tensor& logits, const torch::Tensor& targets) {
    const auto present = targets.ge(0).to(torch::kFloat);
    const auto loss = torch::binary_cross_entropy_with_logits(logits, targets.clamp_min(0), present,
                                                              {}, at::Reduction::Sum);
    return loss / static_cast<double>(std::max<std::int64_t>(1, logits.size(0)));
}

double TaskErrors::mean() const {
    double sum = 0.0;
    int count = 0;
    for (double e : error) {
        if (!std::isnan(e)) {
            sum += e;
            ++count;
        }
    }
    return count ? sum / count : NAN;
}

TaskErrors task_errors(const torch::Tensor& probs, const torch::Tensor& targets) {
    const auto present = targets.ge(0);
    const auto wrong = probs.ge(0.5).to(torch::kFloat).ne(targets).logical_and(present);
    const auto wrong_per_task = wrong.sum(0).to(torch::kLong);
    const auto labelled_per_task = present.sum(0).to(torch::kLong);
    TaskErrors out;
    for (std::int64_t t = 0; t < targets.size(1); ++t) {
        const auto labelled = labelled_per_task[t].item<std::int64_t>();
        out.labelled.push_back(labelled);
        out.error.push_back(labelled ? static_cast<double>(wrong_per_task[t].item<std::int64_t>()) /
                                           static_cast<double>(labelled)
                                     : NAN);
    }
    return out;
}

std::string multitask_predictions_csv(const Split& split, const std::vector<std::string>& tasks,
                                      const torch::Tensor& probs) {
    std::string out = "id";
    for (const auto& t : tasks) (out += ',') += io::quote_field(t);
    for (const auto& t : tasks) (out += ',') += io::quote_field("pred_" + t);
    for (const auto& t : tasks) (out += ',') += io::quote_field("p_" + t);
    out += "\n";
    const auto p = probs.accessor<float, 2>();
    const std::size_t nt = tasks.size();
    for (std::int64_t i = 0; i < probs.size(0); ++i) {
        out += io::quote_field(split.ids[i]);
        for (std::size_t t = 0; t < nt; ++t) {
            const auto label = split.task_labels[i * nt + t];
            out += label == kMissingLabel ? ",?" : label ? ",1" : ",0";
        }
        for (std::size_t t = 0; t < nt; ++t) out += p[i][t] >= 0.5f ? ",1" : ",0";
        for (std::size_t t = 0; t < nt; ++t)
            out += fmt::format(",{}", p[i][t]);  // reads back to the float
        out += "\n";
    }
    return out;
}

}  // namespace mlstrat::train
