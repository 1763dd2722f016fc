// The reduced demo end to end: every step runs, and the story's numbers agree with the files and
// the registry they come from (the gaps add up to the test error; the errors the synthesis step
// compares are the runs' own).

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "process_helpers.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

TEST(Demo, QuickRunTellsTheNumbersOfItsRuns) {
    if (!fs::exists(fs::path(MLSTRAT_BINARY).parent_path() / "mlstrat-train")) {
        GTEST_SKIP() << "built without the training engine";
    }
    if (!fs::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")) {
        GTEST_SKIP() << "Fashion-MNIST is not installed (scripts/bootstrap installs it)";
    }
    const fs::path tmp = fs::temp_directory_path() / ("mlstrat_demo_" + std::to_string(::getpid()));
    fs::remove_all(tmp);
    fs::create_directories(tmp);
    const auto o = mlstrat::test_util::run_mlstrat(
        {"demo", "--quick", "--dir", (tmp / "demo").string(), "--threads", "2", "--json"}, tmp);
    ASSERT_EQ(o.exit_code, 0) << o.err;
    const json summary = json::parse(o.out);

    for (const char* file : {"report.html", "analysis/sheet.csv", "analysis/sheet_reviewed.csv",
                             "analysis/label_issues.csv", "data/pool.csv", "data/split/dev.csv",
                             "configs/cnn_pool.toml", "mlstrat.db", "analysis/review.html",
                             "analysis/labels_review.html"}) {
        EXPECT_TRUE(fs::exists(tmp / "demo" / file)) << file;
    }
    // The review page holds a card per sampled error, each with its image.
    const std::string page = mlstrat::test_util::slurp(tmp / "demo" / "analysis" / "review.html");
    auto count = [&](const std::string& what) {
        std::size_t n = 0;
        for (auto at = page.find(what); at != std::string::npos; at = page.find(what, at + 1)) ++n;
        return n;
    };
    EXPECT_EQ(count("\"cells\":"), 40u);
    EXPECT_EQ(count("\"img\":\"data:image/png;base64,"), 40u);
    EXPECT_EQ(summary["error_analysis"]["review_pages"].size(), 2u);
    EXPECT_EQ(summary["split"]["train_dev"]["rows"], 300);
    // The baseline's learning curve: one point per quick size, and a verdict in words.
    EXPECT_EQ(summary["curve"]["points"], 4);
    EXPECT_FALSE(summary["curve"]["verdict"]["message"].get<std::string>().empty());
    EXPECT_FALSE(summary["curve"]["verdict"]["kind"].get<std::string>().empty());
    // The transfer study: two sizes, every arm over the two quick seeds, a verdict each.
    const json& transfer = summary["transfer"];
    ASSERT_EQ(transfer["sizes"].size(), 2u);
    EXPECT_EQ(transfer["sizes"][1]["labels_per_class"], 20);
    for (const auto& size : transfer["sizes"]) {
        for (const char* arm : {"fine-tuned", "scratch", "frozen"}) {
            EXPECT_EQ(size["arms"][arm]["n"], 2) << arm;
        }
        EXPECT_FALSE(size["verdict"].get<std::string>().empty());
    }
    EXPECT_TRUE(fs::exists(tmp / "demo" / "transfer.db"));

    for (const char* name : {"baseline", "cnn", "cnn_synth", "cnn_pool"}) {
        SCOPED_TRACE(name);
        const json& run = summary["runs"][name];
        const json metrics =
            json::parse(mlstrat::test_util::slurp(tmp / "demo" / "runs" / name / "metrics.json"));
        for (const char* split : {"train", "train_dev", "dev", "test"}) {
            EXPECT_DOUBLE_EQ(run["errors"][split].get<double>(),
                             metrics["errors"][split].get<double>())
                << split;
        }
        // The ladder: the four gaps add up to the distance from the Bayes proxy to test error.
        const json& g = run["gaps"];
        const double sum = g["avoidable_bias"].get<double>() + g["variance"].get<double>() +
                           g["data_mismatch"].get<double>() + g["dev_overfitting"].get<double>();
        EXPECT_NEAR(sum, run["errors"]["test"].get<double>() - run["bayes_proxy"].get<double>(),
                    1e-12);
        // The focus is the largest positive gap that is not noise (or unclear when none is).
        double largest = 0.0;
        std::string largest_name = "unclear";
        for (const auto& [key, value] : g.items()) {
            bool noise = false;
            for (const auto& n : run["noise"]) noise |= n == key;
            if (value.is_number() && !noise && value.get<double>() > largest) {
                largest = value.get<double>();
                largest_name = key;
            }
        }
        if (run["focus"] != "unclear") {
            EXPECT_EQ(run["focus"], largest_name);
        }
    }
    // What the data-mismatch step compares are the runs' own dev errors.
    EXPECT_TRUE(summary["runs"]["cnn_synth"]["errors"]["dev"].is_number());
    fs::remove_all(tmp);
}

}  // namespace
