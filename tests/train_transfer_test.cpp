// Transfer measured over seeds (1.2.3): --seeds records a registry group and its mean; on a task
// where A's features help B, fine-tuning beats scratch by more than the seeds' spread; a frozen
// backbone's head reaches the loss of scikit-learn's converged logistic regression.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mlstrat/registry.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/io.hpp"
#include "mlstrat/train.hpp"
#include "train/head_fit.hpp"
#include "train/net.hpp"

namespace fs = std::filesystem;
using namespace mlstrat::train;

namespace {

fs::path temp_dir(const std::string& name) {
    auto dir = fs::temp_directory_path() / ("mlstrat_train_transfer_" + name);
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

/// Points in the plane with 6 distracting coordinates; the class is the quadrant's sign pattern
/// (XOR, which no linear model solves and few labels do not teach). `noise` blurs the two
/// coordinates that matter: task B is task A's input, degraded.
void write_points(const fs::path& path, int n, unsigned seed, double noise) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(-1, 1);
    std::normal_distribution<double> g(0.0, 1.0);
    std::ofstream out(path);
    out << "x,y,d1,d2,d3,d4,d5,d6,label\n";
    for (int i = 0; i < n; ++i) {
        const double x = u(rng), y = u(rng);
        out << x + noise * g(rng) << "," << y + noise * g(rng);
        for (int k = 0; k < 6; ++k) out << "," << u(rng);
        out << "," << ((x > 0) == (y > 0) ? "same" : "diff") << "\n";
    }
}

const char* kModel = "[model]\nkind = \"mlp\"\nhidden = [32, 32]\n";

}  // namespace

TEST(TrainSeeds, ParseSeedsRefusesMalformedLists) {
    EXPECT_EQ(parse_seeds("1, 2,30", "--seeds"), (std::vector<std::int64_t>{1, 2, 30}));
    for (const char* bad : {"", "1,", ",1", "1,,2", "x", "-1", "1.5", "2,2", "1 2"}) {
        EXPECT_THROW(parse_seeds(bad, "--seeds"), mlstrat::Error) << bad;
    }
}

TEST(TrainSeeds, RecordsAGroupAndItsMean) {
    auto dir = temp_dir("seeds");
    write_points(dir / "train.csv", 300, 1, 0.0);
    write_points(dir / "dev.csv", 200, 2, 0.0);
    std::ofstream(dir / "pts.toml")
        << "name = \"pts\"\nthreads = 1\n[data]\ntrain = \"train.csv\"\n"
           "dev = \"dev.csv\"\n"
        << kModel << "[train]\nepochs = 3\n";
    SeedsRequest request;
    request.run.config_path = (dir / "pts.toml").string();
    request.run.runs_dir = (dir / "runs").string();
    request.run.registry_path = (dir / "mlstrat.db").string();
    request.seeds = {4, 5, 6};
    const SeedsResult result = train_seeds(request);
    ASSERT_EQ(result.runs.size(), 3u);
    EXPECT_EQ(result.group, "pts");
    EXPECT_EQ(result.runs[1].name, "pts-s5");
    // The seeds change the runs, and the summary is their mean and sample spread (by hand).
    std::vector<double> dev;
    for (const auto& r : result.runs) dev.push_back(r.errors.at("dev"));
    EXPECT_FALSE(dev[0] == dev[1] && dev[1] == dev[2]);
    const double mean = (dev[0] + dev[1] + dev[2]) / 3.0;
    double ss = 0.0;
    for (double v : dev) ss += (v - mean) * (v - mean);
    EXPECT_NEAR(result.errors.at("dev").mean, mean, 1e-15);
    EXPECT_NEAR(result.errors.at("dev").sd, std::sqrt(ss / 2.0), 1e-15);
    // The registry holds the three runs in one group with the same mean.
    auto registry = mlstrat::registry::Registry::open(request.run.registry_path);
    const auto runs = registry.runs();
    const auto groups =
        mlstrat::registry::summarize_groups(runs, {mlstrat::registry::parse_key("dev.error")});
    ASSERT_EQ(groups.size(), 1u);
    EXPECT_EQ(groups[0].group, "pts");
    EXPECT_EQ(groups[0].runs.size(), 3u);
    EXPECT_NEAR(groups[0].values.at("dev.error").mean, mean, 1e-15);
}

TEST(TrainTransfer, FineTuningBeatsScratchByMoreThanTheSeedsSpread) {
    auto dir = temp_dir("study");
    // Task A: plenty of clean points; task B: the same classes, blurred inputs, few labels.
    write_points(dir / "a_train.csv", 2000, 11, 0.0);
    write_points(dir / "b_train.csv", 600, 12, 0.08);
    write_points(dir / "b_dev.csv", 400, 13, 0.08);
    const std::string common =
        std::string(kModel) + "[optim]\nlr = 0.01\n[train]\nbatch_size = 16\n";
    std::ofstream(dir / "a.toml") << "name = \"a\"\nthreads = 1\n[data]\ntrain = \"a_train.csv\"\n"
                                     "standardize = false\n"
                                  << common << "epochs = 20\n";
    RunRequest pre;
    pre.config_path = (dir / "a.toml").string();
    pre.runs_dir = (dir / "runs").string();
    ASSERT_TRUE(train_run(pre).complete);
    std::ofstream(dir / "b.toml") << "name = \"b\"\nthreads = 1\n[data]\ntrain = \"b_train.csv\"\n"
                                     "dev = \"b_dev.csv\"\nstandardize = false\n"
                                  << common << "epochs = 10\n";
    TransferStudyRequest request;
    request.config_path = (dir / "b.toml").string();
    request.source = (dir / "runs" / "a").string();
    request.labels_per_class = {5};
    request.seeds = {1, 2, 3};
    request.runs_dir = (dir / "runs").string();
    request.registry_path = (dir / "transfer.db").string();
    const TransferStudy study = transfer_study(request);
    ASSERT_EQ(study.sizes.size(), 1u);
    const auto& s = study.sizes[0];
    const auto& fine = s.arms.at("fine-tuned");
    const auto& scratch = s.arms.at("scratch");
    EXPECT_EQ(fine.n, 3u);
    EXPECT_EQ(scratch.n, 3u);
    // More than the seeds' spread: the means are apart by more than both standard deviations.
    EXPECT_GT(scratch.mean - fine.mean, fine.sd + scratch.sd)
        << "fine-tuned " << fine.mean << " ± " << fine.sd << ", scratch " << scratch.mean << " ± "
        << scratch.sd;
    EXPECT_TRUE(s.pays) << s.verdict;
    EXPECT_GT(s.gain_interval.lo, 0.0);
    EXPECT_NE(s.verdict.find("transfer pays"), std::string::npos) << s.verdict;
    EXPECT_TRUE(s.arms.count("frozen"));
    // Every arm is a seed group in the registry.
    auto registry = mlstrat::registry::Registry::open(request.registry_path);
    const auto groups = mlstrat::registry::summarize_groups(
        registry.runs(), {mlstrat::registry::parse_key("dev.error")});
    EXPECT_EQ(groups.size(), 3u);
}

TEST(TrainTransfer, StudyRefusesWhatCannotCompareLikeForLike) {
    auto dir = temp_dir("study_bad");
    write_points(dir / "train.csv", 100, 1, 0.0);
    std::ofstream(dir / "a.toml") << "threads = 1\n[data]\ntrain = \"train.csv\"\n"
                                  << kModel << "[train]\nepochs = 1\n";
    RunRequest pre;
    pre.config_path = (dir / "a.toml").string();
    pre.runs_dir = (dir / "runs").string();
    ASSERT_TRUE(train_run(pre).complete);
    std::ofstream(dir / "other.toml") << "threads = 1\n[data]\ntrain = \"train.csv\"\n"
                                         "[model]\nkind = \"mlp\"\nhidden = [8]\n";
    TransferStudyRequest request;
    request.config_path = (dir / "other.toml").string();
    request.source = (dir / "runs" / "a").string();
    request.runs_dir = (dir / "runs").string();
    try {
        transfer_study(request);
        FAIL() << "a different [model] was accepted";
    } catch (const mlstrat::Error& e) {
        EXPECT_NE(std::string(e.what()).find("[model] differs from the source run's"),
                  std::string::npos)
            << e.what();
    }
    request.config_path = (dir / "a.toml").string();
    request.seeds = {1};
    EXPECT_THROW(transfer_study(request), mlstrat::Error);
    EXPECT_FALSE(fs::exists(dir / "runs" / "transfer-fine-tuned-10-s1"));
}

TEST(TrainTransfer, FrozenHeadReachesTheConvergedLinearHead) {
    auto dir = temp_dir("frozen");
    const double weight_decay = 0.01;
    const std::string script =
        std::string(MLSTRAT_SOURCE_DIR) + "/tests/data/train/frozen_head_oracle.py";
    const std::string cmd = "/usr/bin/python3 " + script + " " + dir.string() + " 0.01 2>/dev/null";
    if (std::system(cmd.c_str()) != 0 || !fs::exists(dir / "oracle.json")) {
        GTEST_SKIP() << "needs Debian's python3 with torch and scikit-learn";
    }
    const auto oracle =
        nlohmann::json::parse(mlstrat::io::read_file((dir / "oracle.json").string()));
    // One epoch of SGD leaves the head far from converged; the solve must finish the job.
    std::ofstream(dir / "frozen.toml")
        << "seed = 3\nthreads = 1\n[data]\ntrain = \"train.csv\"\nstandardize = false\n"
           "[optim]\nkind = \"sgd\"\nlr = 0.001\nweight_decay = 0.01\n[train]\nepochs = 1\n"
           "[transfer]\nfrom = \"backbone.pt\"\nfreeze = \"all-but-head\"\n";
    RunRequest r;
    r.config_path = (dir / "frozen.toml").string();
    r.runs_dir = (dir / "runs").string();
    const RunResult result = train_run(r);
    ASSERT_TRUE(result.complete);
    // The saved model's objective on the train features, against scikit-learn's optimum.
    const Config config = load_config((dir / "runs" / "frozen" / "config.toml").string());
    const Dataset data = load_dataset(config);
    const Split& train = data.splits.at("train");
    Net net = make_backbone_net((dir / "backbone.pt").string(), data.shape, 3);
    load_module(*net, (dir / "runs" / "frozen" / "model.pt").string());
    const auto x = torch::from_blob(const_cast<float*>(train.x.data()),
                                    {static_cast<std::int64_t>(train.size()), 4}, torch::kFloat)
                       .clone();
    const auto y = torch::tensor(train.y, torch::kLong);
    const double loss = head_objective(net, x, y, weight_decay, 64);
    // Tolerance: float32 features and weights against scikit-learn's float64 solve.
    EXPECT_NEAR(loss, oracle["loss"].get<double>(), 1e-5);
    bool noted = false;
    for (const auto& note : result.notes)
        noted |= note.find("head was solved") != std::string::npos;
    EXPECT_TRUE(noted);
}
