// Multi-task learning (1.2.3): the course's cost with missing labels masked out, tasks read from
// CSV columns or derived from a class label, a seeded share of labels hidden, per-task errors in
// metrics.json and history.csv that `mlstrat eval --tasks` reproduces from the predictions.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>

#include "mlstrat/metrics.hpp"
#include "mlstrat/registry.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/io.hpp"
#include "mlstrat/train.hpp"
#include "train/multitask.hpp"
#include "train/run.hpp"

namespace fs = std::filesystem;
using namespace mlstrat::train;

namespace {

fs::path temp_dir(const std::string& name) {
    auto dir = fs::temp_directory_path() / ("mlstrat_train_multitask_" + name);
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

/// Points with four quadrant classes q1..q4 (counter-clockwise from x > 0, y > 0).
void write_quadrant_classes(const fs::path& path, int n, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(-1, 1);
    std::ofstream out(path);
    out << "x,y,label\n";
    for (int i = 0; i < n; ++i) {
        const double x = u(rng), y = u(rng);
        const int q = x > 0 ? (y > 0 ? 1 : 4) : (y > 0 ? 2 : 3);
        out << x << "," << y << ",q" << q << "\n";
    }
}

Config config_in(const fs::path& dir, const std::string& text, std::vector<std::string> sets = {}) {
    std::ofstream(dir / "c.toml") << text;
    return load_config((dir / "c.toml").string(), sets);
}

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const mlstrat::Error& e) {
        return e.what();
    }
    return "";
}

const std::string kSource = MLSTRAT_SOURCE_DIR;
const std::string kTasksConfig = kSource + "/tests/data/train/tasks.toml";

}  // namespace

TEST(MultiTask, LossSumsTheLabelsPresentOverExamples) {
    // BCE(z, y) = log(1 + e^z) - y z; the cell with -1 is missing and adds nothing.
    auto logits = torch::tensor({{0.0f, 2.0f}, {1.0f, -1.0f}});
    auto targets = torch::tensor({{1.0f, -1.0f}, {0.0f, 1.0f}});
    const double expected =
        (std::log(2.0) + std::log(1.0 + std::exp(1.0)) + (std::log(1.0 + std::exp(-1.0)) + 1.0)) /
        2.0;
    EXPECT_NEAR(multitask_loss(logits, targets).item<double>(), expected, 1e-6);
    // Changing the logit of the missing cell changes nothing.
    auto other = torch::tensor({{0.0f, -7.0f}, {1.0f, -1.0f}});
    EXPECT_NEAR(multitask_loss(other, targets).item<double>(), expected, 1e-6);
}

TEST(MultiTask, TaskErrorsCountOnlyLabelledCells) {
    auto probs = torch::tensor({{0.9f, 0.2f}, {0.4f, 0.7f}, {0.6f, 0.1f}});
    auto targets = torch::tensor({{1.0f, 1.0f}, {1.0f, -1.0f}, {0.0f, -1.0f}});
    const TaskErrors e = task_errors(probs, targets);
    EXPECT_DOUBLE_EQ(e.error[0], 2.0 / 3);  // rows 2 and 3 wrong
    EXPECT_DOUBLE_EQ(e.error[1], 1.0);      // one labelled cell, wrong
    EXPECT_EQ(e.labelled, (std::vector<std::int64_t>{3, 1}));
    EXPECT_DOUBLE_EQ(e.mean(), (2.0 / 3 + 1.0) / 2);
}

TEST(MultiTask, DerivesTasksFromClasses) {
    auto dir = temp_dir("derive");
    write_quadrant_classes(dir / "train.csv", 200, 1);
    Config c = config_in(dir,
                         "[tasks]\nright = [\"q1\", \"q4\"]\ntop = [\"q1\", \"q2\"]\n"
                         "[data]\ntrain = \"train.csv\"\nstandardize = false\n");
    Dataset d = load_dataset(c);
    ASSERT_EQ(d.tasks, (std::vector<std::string>{"right", "top"}));  // in name order
    const Split& s = d.splits.at("train");
    ASSERT_EQ(s.task_labels.size(), 2 * s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        EXPECT_EQ(s.task_labels[2 * i], s.x[2 * i] > 0 ? 1 : 0) << i;
        EXPECT_EQ(s.task_labels[2 * i + 1], s.x[2 * i + 1] > 0 ? 1 : 0) << i;
    }
    // The config written back to config.toml parses to the same tasks.
    Config again = parse_config(c.to_toml(), "config.toml");
    EXPECT_EQ(again.tasks, c.tasks);
    EXPECT_EQ(again.to_toml(), c.to_toml());
}

TEST(MultiTask, HidesASeededShareOfTrainLabels) {
    auto dir = temp_dir("hide");
    write_quadrant_classes(dir / "train.csv", 300, 2);
    write_quadrant_classes(dir / "dev.csv", 100, 3);
    const std::string text =
        "[tasks]\nright = [\"q1\", \"q4\"]\ntop = [\"q1\", \"q2\"]\n"
        "[data]\ntrain = \"train.csv\"\ndev = \"dev.csv\"\nmissing_share = 0.25\n";
    Dataset a = load_dataset(config_in(dir, text));
    Dataset b = load_dataset(config_in(dir, text));
    Dataset other = load_dataset(config_in(dir, text, {"data.split_seed=5"}));
    auto missing = [](const Split& s) {
        return std::count(s.task_labels.begin(), s.task_labels.end(), kMissingLabel);
    };
    EXPECT_EQ(missing(a.splits.at("train")), 150);  // a quarter of 600 labels
    EXPECT_EQ(missing(a.splits.at("dev")), 0);      // evaluation splits keep theirs
    EXPECT_EQ(a.splits.at("train").task_labels, b.splits.at("train").task_labels);
    EXPECT_NE(a.splits.at("train").task_labels, other.splits.at("train").task_labels);
}

TEST(MultiTask, ConfigErrorsNameTheKey) {
    auto dir = temp_dir("errors");
    write_quadrant_classes(dir / "train.csv", 50, 4);
    EXPECT_NE(error_of([&] {
                  load_dataset(config_in(dir,
                                         "[tasks]\nright = [\"q9\"]\n[data]\n"
                                         "train = \"train.csv\"\n"));
              }).find("key 'tasks': task 'right' names class 'q9'"),
              std::string::npos);
    EXPECT_NE(error_of([&] {
                  load_dataset(config_in(dir,
                                         "[data]\ntrain = \"train.csv\"\n"
                                         "missing_share = 0.1\n"));
              }).find("data.missing_share"),
              std::string::npos);
    EXPECT_NE(error_of([&] {
                  config_in(dir, "[tasks]\nright = []\n");
              }).find("key 'tasks' task 'right' lists no classes"),
              std::string::npos);
    EXPECT_NE(error_of([&] { config_in(dir, "tasks = 3\n"); }).find("key 'tasks' must be a table"),
              std::string::npos);
    EXPECT_NE(error_of([&] {
                  config_in(dir, "[data]\nmissing_share = 1.5\n");
              }).find("key 'data.missing_share' must be in [0, 1]"),
              std::string::npos);
    std::ofstream(dir / "both.csv") << "x,a,label\n0.5,1,q1\n-0.5,0,q2\n";
    EXPECT_NE(error_of([&] {
                  load_dataset(config_in(dir,
                                         "[tasks]\nright = [\"q1\"]\n[data]\n"
                                         "train = \"both.csv\"\nlabel_cols = [\"a\"]\n"
                                         "features = [\"x\"]\n"));
              }).find("exclude each other"),
              std::string::npos);
    // Every train label hidden leaves a task nothing to learn from.
    EXPECT_NE(error_of([&] {
                  load_dataset(config_in(dir,
                                         "[tasks]\nright = [\"q1\"]\n[data]\n"
                                         "train = \"train.csv\"\nmissing_share = 1\n"));
              }).find("task 'right' has no label left in the train split"),
              std::string::npos);
    std::ofstream(dir / "bad.csv") << "x,a\n0.5,1\n0.2,maybe\n";
    EXPECT_NE(
        error_of([&] {
            load_dataset(config_in(dir, "[data]\ntrain = \"bad.csv\"\nlabel_cols = [\"a\"]\n"));
        }).find("bad.csv:3: column 'a' holds 'maybe'"),
        std::string::npos);
}

TEST(MultiTask, CsvRunLearnsEveryTaskAndEvalAgrees) {
    auto dir = temp_dir("run");
    RunRequest r;
    r.config_path = kTasksConfig;
    r.runs_dir = (dir / "runs").string();
    r.registry_path = (dir / "mlstrat.db").string();
    const RunResult result = train_run(r);
    ASSERT_EQ(result.tasks, (std::vector<std::string>{"right", "top", "same"}));
    // Chance is about 50% per task; the linear tasks are easy, "same" is XOR-like.
    EXPECT_LT(result.task_errors.at("dev").at("right"), 0.1);
    EXPECT_LT(result.task_errors.at("dev").at("top"), 0.1);
    EXPECT_LT(result.task_errors.at("dev").at("same"), 0.3);
    const double mean =
        (result.task_errors.at("dev").at("right") + result.task_errors.at("dev").at("top") +
         result.task_errors.at("dev").at("same")) /
        3;
    EXPECT_DOUBLE_EQ(result.errors.at("dev"), mean);

    // The predictions file reads back through mlstrat eval's multi-task path with the same errors.
    const fs::path run = dir / "runs" / "tasks";
    const std::string pred = (run / "pred_dev.csv").string();
    std::ifstream in(pred);
    std::string header;
    std::getline(in, header);
    EXPECT_EQ(header, "id,right,top,same,pred_right,pred_top,pred_same,p_right,p_top,p_same");
    const auto tasks = mlstrat::metrics::detect_tasks(pred, "label");
    const auto report = mlstrat::metrics::evaluate_tasks(pred, tasks);
    for (const auto& m : report.tasks) {
        EXPECT_NEAR(m.error, result.task_errors.at("dev").at(m.task), 1e-12) << m.task;
    }
    EXPECT_NEAR(report.mean.error, result.errors.at("dev"), 1e-12);
    // dev has '?' cells, which stay missing.
    EXPECT_GT(report.missing, 0u);

    auto metrics = nlohmann::json::parse(mlstrat::io::read_file((run / "metrics.json").string()));
    EXPECT_EQ(metrics.at("tasks"), nlohmann::json({"right", "top", "same"}));
    EXPECT_NEAR(metrics["task_errors"]["dev"]["top"].get<double>(),
                result.task_errors.at("dev").at("top"), 1e-15);
    EXPECT_EQ(metrics["task_sizes"]["dev"]["right"].get<std::uint64_t>(), report.tasks[0].labelled);

    std::ifstream history(run / "history.csv");
    std::getline(history, header);
    EXPECT_NE(header.find(",train_error_right,train_error_top,train_error_same,"
                          "train_dev_error_right"),
              std::string::npos);
    EXPECT_NE(header.find(",dev_error_same"), std::string::npos);

    auto entry = mlstrat::registry::Registry::open(r.registry_path).find_run("tasks");
    ASSERT_TRUE(entry.has_value());
    EXPECT_DOUBLE_EQ(entry->errors.at("dev"), result.errors.at("dev"));
}

TEST(MultiTask, ResumeKeepsPerTaskHistory) {
    auto dir = temp_dir("resume");
    RunRequest r;
    r.config_path = kTasksConfig;
    r.runs_dir = (dir / "runs").string();
    r.overrides = {"train.epochs=2"};
    EXPECT_FALSE(train_run_stopped_after(r, 1).complete);
    r.resume = true;
    const RunResult resumed = train_run(r);
    EXPECT_TRUE(resumed.complete);
    r.resume = false;
    r.name = "straight";
    const RunResult straight = train_run(r);
    EXPECT_EQ(resumed.task_errors, straight.task_errors);
    // Both epochs of the resumed run have every task's errors.
    std::ifstream history(dir / "runs" / "tasks" / "history.csv");
    std::string line;
    std::getline(history, line);
    int rows = 0;
    while (std::getline(history, line)) {
        ++rows;
        EXPECT_EQ(line.find(",,"), std::string::npos) << line;
    }
    EXPECT_EQ(rows, 2);
}
