#pragma once
// A small project for the report tests, made from scratch: a registry with three runs and the
// project's settings, and run folders with history.csv, metrics.json and pred_dev.csv, as
// `mlstrat train` would leave them (no LibTorch needed).
//
// The numbers, worked by hand (docs/report.md uses them):
//   human level "team" 0.5%; objective minimize dev_error; limit latency_ms <= 100.
//   small-mlp  train 8%   train-dev 9%   dev 12%  test 12.5%  latency 12 ms
//   wide-cnn   train 2%   train-dev 2.8% dev 7%   test 7.4%   latency 45 ms   <- winner
//   resnet-50  train 0.9% train-dev 1.5% dev 5.5%             latency 180 ms (breaks the limit)
//   wide-cnn's ladder: avoidable bias 1.5%, variance 0.8%, data mismatch 4.2% (the focus),
//   dev overfitting 0.4%.
//   wide-cnn/pred_dev.csv: 2,000 rows, 140 errors (7%): region India 70 of 500 (14%), US 15,
//   China 25, Other 30 of 500 each.

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "mlstrat/registry.hpp"

namespace mlstrat::test_util {

struct ReportProject {
    std::string db;
    std::string runs_dir;
};

inline void write_text(const std::filesystem::path& path, const std::string& text) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

/// Writes the project under `dir` and returns where its registry and runs are.
inline ReportProject make_report_project(const std::filesystem::path& dir) {
    namespace fs = std::filesystem;
    ReportProject p{(dir / "mlstrat.db").string(), (dir / "runs").string()};
    auto registry = registry::Registry::open(p.db);
    registry.set_setting(std::string(registry::kHumanPrefix) + "team", "0.005");
    registry.set_setting(registry::kObjective, "minimize dev_error");
    registry.set_setting(registry::kRequire, "latency_ms<=100");

    struct Spec {
        const char* name;
        double train, train_dev, dev, test, latency;
    };
    const std::vector<Spec> specs = {{"small-mlp", 0.08, 0.09, 0.12, 0.125, 12},
                                     {"wide-cnn", 0.02, 0.028, 0.07, 0.074, 45},
                                     {"resnet-50", 0.009, 0.015, 0.055, NAN, 180}};
    for (const auto& s : specs) {
        registry::Run run;
        run.name = s.name;
        run.kind = "train";
        run.errors = {{"train", s.train}, {"train_dev", s.train_dev}, {"dev", s.dev}};
        run.sizes = {{"train", 20000}, {"train_dev", 2000}, {"dev", 2000}};
        if (!std::isnan(s.test)) {
            run.errors["test"] = s.test;
            run.sizes["test"] = 2000;
        }
        run.metrics = {{"latency_ms", s.latency}};
        registry.add_run(run);

        // Twelve epochs that close in on the final errors from above.
        std::string history =
            "epoch,lr,loss,train_error,train_dev_error,dev_error,seconds,"
            "examples_per_second\n";
        for (int epoch = 1; epoch <= 12; ++epoch) {
            const double left = std::exp(-0.45 * (epoch - 1));
            history += fmt::format("{},0.001,{:.4f},{:.5f},{:.5f},{:.5f},{:.1f},5000.0\n", epoch,
                                   0.3 + 1.5 * left, s.train + 0.30 * left,
                                   s.train_dev + 0.30 * left, s.dev + 0.28 * left, 4.0 * epoch);
        }
        write_text(fs::path(p.runs_dir) / s.name / "history.csv", history);
        write_text(fs::path(p.runs_dir) / s.name / "metrics.json",
                   fmt::format("{{\"name\": \"{}\", \"errors\": {{\"train\": {}, \"dev\": {}}}, "
                               "\"latency_ms\": {}}}\n",
                               s.name, s.train, s.dev, s.latency));
    }

    // The winner's dev predictions: three classes, four regions of 500 rows.
    const std::vector<std::string> classes = {"cat", "dog", "rabbit"};
    const std::vector<std::string> regions = {"US", "China", "India", "Other"};
    const std::vector<int> wrong = {15, 25, 70, 30};
    std::string pred = "id,label,pred,region,device\n";
    for (int r = 0; r < 4; ++r) {
        for (int i = 0; i < 500; ++i) {
            const int k = (i * 7 + r) % 3;
            const int p_class = i < wrong[r] ? (k + 1 + i % 2) % 3 : k;
            pred += fmt::format("{}-{},{},{},{},{}\n", regions[r], i, classes[k], classes[p_class],
                                regions[r], i % 3 == 0 ? "web" : "phone");
        }
    }
    write_text(fs::path(p.runs_dir) / "wide-cnn" / "pred_dev.csv", pred);
    return p;
}

}  // namespace mlstrat::test_util
