// Multi-task (multi-label) predictions: every number against scikit-learn on the masked labels
// (tests/data/eval_tasks/make_fixtures.py), task detection, thread independence, bad cells.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <tuple>

#include "mlstrat/metrics.hpp"
#include "mlstrat/support/error.hpp"

namespace {

namespace fs = std::filesystem;
using namespace mlstrat::metrics;
using nlohmann::json;

const fs::path kData = fs::path(MLSTRAT_SOURCE_DIR) / "tests" / "data";
const std::string kTasks = (kData / "eval_tasks" / "tasks.csv").string();

fs::path write_temp(const std::string& name, const std::string& text) {
    const fs::path p = fs::temp_directory_path() / ("mlstrat_multilabel_" + name);
    std::ofstream(p) << text;
    return p;
}

TEST(MultiLabel, ParsesTaskLabels) {
    EXPECT_EQ(parse_task_label("1"), TaskLabel::Positive);
    EXPECT_EQ(parse_task_label(" Yes "), TaskLabel::Positive);
    EXPECT_EQ(parse_task_label("TRUE"), TaskLabel::Positive);
    EXPECT_EQ(parse_task_label("0"), TaskLabel::Negative);
    EXPECT_EQ(parse_task_label("no"), TaskLabel::Negative);
    EXPECT_EQ(parse_task_label("?"), TaskLabel::Missing);
    EXPECT_EQ(parse_task_label(""), TaskLabel::Missing);
    EXPECT_EQ(parse_task_label("2"), TaskLabel::Invalid);
    EXPECT_EQ(parse_task_label("yess"), TaskLabel::Invalid);
}

TEST(MultiLabel, DetectsTasksFromTheHeader) {
    EXPECT_EQ(detect_tasks(kTasks, "label"),
              (std::vector<std::string>{"pedestrian", "car", "stop_sign", "traffic_light"}));
    // A single-label file (label, pred) has no tasks.
    EXPECT_TRUE(detect_tasks((kData / "eval" / "multiclass.csv").string(), "label").empty());
}

TEST(MultiLabel, MatchesScikitLearn) {
    std::ifstream in(kData / "eval_tasks" / "expected.json");
    const json e = json::parse(in);
    const TaskReport r = evaluate_tasks(kTasks, detect_tasks(kTasks, "label"));
    ASSERT_EQ(r.rows, e.at("rows").get<std::uint64_t>());
    ASSERT_EQ(r.tasks.size(), e.at("tasks").size());
    std::uint64_t missing = 0;
    for (std::size_t t = 0; t < r.tasks.size(); ++t) {
        const auto& m = r.tasks[t];
        const json& x = e["tasks"][t];
        SCOPED_TRACE(m.task);
        EXPECT_EQ(m.task, x.at("task").get<std::string>());
        EXPECT_EQ(m.labelled, x.at("labelled").get<std::uint64_t>());
        EXPECT_EQ(m.missing, x.at("missing").get<std::uint64_t>());
        EXPECT_EQ(m.support, x.at("support").get<std::uint64_t>());
        EXPECT_NEAR(m.accuracy, x.at("accuracy").get<double>(), 1e-12);
        EXPECT_NEAR(m.error, 1.0 - x.at("accuracy").get<double>(), 1e-12);
        EXPECT_NEAR(m.precision, x.at("precision").get<double>(), 1e-12);
        EXPECT_NEAR(m.recall, x.at("recall").get<double>(), 1e-12);
        EXPECT_NEAR(m.f1, x.at("f1").get<double>(), 1e-12);
        EXPECT_NEAR(m.error_ci.lo, x.at("error_ci")[0].get<double>(), 1e-9);
        EXPECT_NEAR(m.error_ci.hi, x.at("error_ci")[1].get<double>(), 1e-9);
        missing += m.missing;
    }
    EXPECT_EQ(r.missing, missing);
    for (const char* k : {"accuracy", "precision", "recall", "f1"}) {
        SCOPED_TRACE(k);
        const auto& mean = r.mean;
        const double got = std::string(k) == "accuracy"    ? mean.accuracy
                           : std::string(k) == "precision" ? mean.precision
                           : std::string(k) == "recall"    ? mean.recall
                                                           : mean.f1;
        EXPECT_NEAR(got, e["mean"][k].get<double>(), 1e-12);
        const auto& micro = r.micro;
        const double pooled = std::string(k) == "accuracy"    ? micro.accuracy
                              : std::string(k) == "precision" ? micro.precision
                              : std::string(k) == "recall"    ? micro.recall
                                                              : micro.f1;
        EXPECT_NEAR(pooled, e["micro"][k].get<double>(), 1e-12);
    }
    EXPECT_NEAR(r.mean.error, 1.0 - e["mean"]["accuracy"].get<double>(), 1e-12);
    // traffic_light is never predicted positive: precision 0/0 is reported as 0 with a warning.
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_NE(r.warnings[0].find("traffic_light"), std::string::npos);
}

TEST(MultiLabel, CountsDoNotDependOnThreads) {
    mlstrat::io::TableOptions one, two;
    one.threads = 1;
    two.threads = 2;
    const auto tasks = detect_tasks(kTasks, "label");
    const auto a = count_task_predictions(kTasks, tasks, one);
    const auto b = count_task_predictions(kTasks, tasks, two);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t t = 0; t < a.size(); ++t) {
        EXPECT_EQ(std::make_tuple(a[t].tp, a[t].fp, a[t].fn, a[t].tn, a[t].missing),
                  std::make_tuple(b[t].tp, b[t].fp, b[t].fn, b[t].tn, b[t].missing));
    }
}

TEST(MultiLabel, HandComputedSmallCase) {
    // a: labels 1,1,0,? predicted 1,0,0,1 -> tp 1, fn 1, tn 1, missing 1: error 1/3,
    // precision 1, recall 1/2, F1 2/3. b: every label 0, predicted 0: error 0, precision and
    // recall 0/0.
    const auto p = write_temp("small.csv",
                              "id,a,b,pred_a,pred_b\n1,1,0,1,0\n2,1,0,0,0\n"
                              "3,0,0,0,0\n4,?,,1,0\n");
    const TaskReport r = evaluate_tasks(p.string(), {"a", "b"});
    EXPECT_EQ(r.rows, 4u);
    EXPECT_EQ(r.tasks[0].labelled, 3u);
    EXPECT_EQ(r.tasks[0].missing, 1u);
    EXPECT_DOUBLE_EQ(r.tasks[0].error, 1.0 / 3);
    EXPECT_DOUBLE_EQ(r.tasks[0].precision, 1.0);
    EXPECT_DOUBLE_EQ(r.tasks[0].recall, 0.5);
    EXPECT_DOUBLE_EQ(r.tasks[0].f1, 2.0 / 3);
    EXPECT_EQ(r.tasks[1].missing, 1u);
    EXPECT_DOUBLE_EQ(r.tasks[1].error, 0.0);
    EXPECT_DOUBLE_EQ(r.mean.error, 1.0 / 6);
    // Pooled: 6 labelled cells, 1 wrong.
    EXPECT_EQ(r.labelled, 6u);
    EXPECT_DOUBLE_EQ(r.micro.error, 1.0 / 6);
    EXPECT_EQ(r.warnings.size(), 2u);  // b: never predicted positive, no positive label
}

TEST(MultiLabel, BadCellsNameTheLine) {
    const auto label = write_temp("bad_label.csv", "id,a,pred_a\n1,1,1\n2,maybe,0\n");
    try {
        evaluate_tasks(label.string(), {"a"});
        FAIL() << "no error";
    } catch (const mlstrat::Error& e) {
        EXPECT_NE(std::string(e.what()).find("bad_label.csv:3: column 'a' holds 'maybe'"),
                  std::string::npos)
            << e.what();
    }
    const auto pred = write_temp("bad_pred.csv", "id,a,pred_a\n1,1,1\n2,0,?\n");
    try {
        evaluate_tasks(pred.string(), {"a"});
        FAIL() << "no error";
    } catch (const mlstrat::Error& e) {
        EXPECT_NE(std::string(e.what()).find("bad_pred.csv:3: column 'pred_a' holds '?'"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_THROW(evaluate_tasks(kTasks, {"bus"}), mlstrat::Error);  // no such column
    const auto empty = write_temp("header_only.csv", "id,a,pred_a\n");
    EXPECT_THROW(evaluate_tasks(empty.string(), {"a"}), mlstrat::Error);
}

}  // namespace
