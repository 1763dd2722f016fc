// The transfer study (1.2.3): transfer from task A to task B pays when B has little data and A's
// low-level features help B. For each number of labels per class, B is trained from A's weights
// (fine-tuned), from random weights (scratch) and on A's frozen features (frozen, the head
// solved), each over several seeds; the gain of fine-tuning over scratch is judged by Welch's
// interval over the seeds, so a gain inside the seeds' noise is called a tie.

#include <fmt/format.h>

#include <chrono>
#include <filesystem>

#include "mlstrat/registry.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/text.hpp"
#include "mlstrat/train/config.hpp"
#include "mlstrat/train/run.hpp"
#include "mlstrat/train/seeds.hpp"
#include "mlstrat/train/transfer.hpp"

namespace mlstrat::train {

namespace {

namespace fs = std::filesystem;

std::string pct(double rate) { return text::percent(rate, 1); }

/// "12.3% ± 0.8" — the mean and the seeds' standard deviation.
std::string mean_sd(const registry::SeedSummary& s) {
    return fmt::format("{} ± {}", pct(s.mean), text::percent(s.sd, 1));
}

/// Fails before anything trains when the study could not compare like for like.
void check_request(const TransferStudyRequest& r) {
    MLSTRAT_CHECK(r.seeds.size() >= 2,
                  "a transfer study needs at least two seeds (the interval "
                  "on the gain comes from their spread), got ",
                  r.seeds.size());
    MLSTRAT_CHECK(!r.labels_per_class.empty(), "a transfer study needs labels per class");
    for (const auto n : r.labels_per_class) {
        MLSTRAT_CHECK(n >= 1, "labels per class must be 1 or more, got ", n);
    }
    MLSTRAT_CHECK(r.split == "train_dev" || r.split == "dev" || r.split == "test",
                  "a transfer study compares on train_dev, dev or test, not '", r.split, "'");
    const Config target = load_config(r.config_path, r.overrides);
    MLSTRAT_CHECK(target.transfer.from.empty(), r.config_path,
                  ": key 'transfer.from': the study sets it per arm; leave [transfer] out");
    const fs::path folder =
        fs::is_directory(r.source) ? fs::path(r.source) : fs::path(r.source).parent_path();
    MLSTRAT_CHECK(fs::exists(r.source), r.source, ": no such run folder or model");
    if (fs::exists(folder / "config.toml")) {
        const Config source = load_config((folder / "config.toml").string());
        MLSTRAT_CHECK(source.model == target.model, r.config_path,
                      ": [model] differs from the source run's (",
                      (folder / "config.toml").string(),
                      "): scratch would not train the model fine-tuning starts from");
    }
}

std::string size_verdict(const TransferSize& s, std::size_t seeds, double level) {
    const auto& fine = s.arms.at("fine-tuned");
    const auto& scratch = s.arms.at("scratch");
    std::string text =
        fmt::format("{} labels per class: fine-tuned {}, scratch {} (mean ± sd over {} seeds); ",
                    s.labels_per_class, mean_sd(fine), mean_sd(scratch), seeds);
    const std::string interval = fmt::format("{:.0f}% interval {} to {}, Welch", level * 100,
                                             pct(s.gain_interval.lo), pct(s.gain_interval.hi));
    if (s.pays) {
        text += fmt::format(
            "starting from task A lowers the error by {} ({}) — more than the "
            "seeds' noise: transfer pays.",
            pct(s.gain), interval);
    } else if (s.gain_interval.hi < 0.0) {
        text += fmt::format("starting from task A raises the error by {} ({}): transfer hurts.",
                            pct(-s.gain), interval);
    } else {
        text += fmt::format("the difference, {} ({}), is inside the seeds' noise: a tie.",
                            pct(s.gain), interval);
    }
    if (s.arms.count("frozen")) {
        text += fmt::format(" Frozen backbone, head solved: {}.", mean_sd(s.arms.at("frozen")));
    }
    return text;
}

std::string study_verdict(const std::vector<TransferSize>& sizes) {
    std::string pays, not_pays;
    for (const auto& s : sizes) {
        (s.pays ? pays : not_pays) +=
            (((s.pays ? pays : not_pays).empty()) ? "" : ", ") + std::to_string(s.labels_per_class);
    }
    if (not_pays.empty()) {
        return "Transfer pays at every size tried (" + pays +
               " labels per class): the gain is larger than the seeds' noise each time.";
    }
    if (pays.empty()) {
        return "Transfer does not beat the seeds' noise at any size tried (" + not_pays +
               " labels per class).";
    }
    return "Transfer pays at " + pays + " labels per class, beyond the seeds' noise; at " +
           not_pays + " the gain is not larger than that noise.";
}

}  // namespace

TransferStudy transfer_study(const TransferStudyRequest& request,
                             const TransferProgressFn& progress) {
    const auto start = std::chrono::steady_clock::now();
    check_request(request);
    TransferStudy study;
    study.source = request.source;
    study.split = request.split;
    study.seeds = request.seeds;
    study.level = request.level;
    const std::string from = fs::absolute(request.source).string();
    for (const auto n : request.labels_per_class) {
        TransferSize size;
        size.labels_per_class = n;
        for (const auto& arm : transfer_arms()) {
            if (arm == "frozen" && !request.frozen) continue;
            SeedsRequest seeds;
            seeds.seeds = request.seeds;
            seeds.draw_data = true;  // the same labelled examples for every arm at one seed
            seeds.level = request.level;
            RunRequest& run = seeds.run;
            run.config_path = request.config_path;
            run.runs_dir = request.runs_dir;
            run.registry_path = request.registry_path;
            run.force = request.force;
            run.threads = request.threads;
            run.name = fmt::format("{}-{}-{}", request.name, arm, n);
            run.overrides = request.overrides;
            run.overrides.push_back(fmt::format("data.per_class={}", n));
            if (arm != "scratch") {
                run.overrides.push_back("transfer.from=" + nlohmann::json(from).dump());
                run.overrides.push_back(arm == "frozen" ? "transfer.freeze=\"all-but-head\""
                                                        : "transfer.freeze=\"none\"");
            }
            // The frozen arm's head is solved after its epochs: one is enough.
            if (arm == "frozen") run.overrides.push_back("train.epochs=1");
            if (progress) progress(run.name);
            const SeedsResult result = train_seeds(seeds);
            MLSTRAT_CHECK(result.errors.count(request.split), request.config_path,
                          ": the runs have no ", request.split, " split to compare on");
            size.arms[arm] = result.errors.at(request.split);
            size.groups[arm] = result.group;
        }
        const auto& fine = size.arms.at("fine-tuned");
        const auto& scratch = size.arms.at("scratch");
        size.gain = scratch.mean - fine.mean;
        size.gain_interval = registry::welch_difference(scratch, fine, request.level);
        size.pays = size.gain_interval.lo > 0.0;
        size.verdict = size_verdict(size, request.seeds.size(), request.level);
        study.sizes.push_back(std::move(size));
    }
    study.verdict = study_verdict(study.sizes);
    study.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return study;
}

nlohmann::json TransferSize::to_json() const {
    nlohmann::json j = {{"labels_per_class", labels_per_class},
                        {"arms", nlohmann::json::object()},
                        {"groups", groups},
                        {"gain", gain},
                        {"gain_interval", {gain_interval.lo, gain_interval.hi}},
                        {"pays", pays},
                        {"verdict", verdict}};
    for (const auto& [arm, s] : arms) j["arms"][arm] = s.to_json();
    return j;
}

nlohmann::json TransferStudy::to_json() const {
    nlohmann::json j = {{"source", source},
                        {"split", split},
                        {"seeds", seeds},
                        {"level", level},
                        {"verdict", verdict},
                        {"seconds", seconds},
                        {"sizes", nlohmann::json::array()}};
    for (const auto& s : sizes) j["sizes"].push_back(s.to_json());
    return j;
}

}  // namespace mlstrat::train
