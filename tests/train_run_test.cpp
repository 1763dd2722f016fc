// Training runs on small synthetic data: each model kind and optimizer learns a learnable toy
// task well above chance, --resume ends with the weights of an uninterrupted run, the run folder
// holds what other commands read, and the TorchScript export computes what the model computes.

#include <gtest/gtest.h>
#include <torch/script.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mlstrat/metrics.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/io.hpp"
#include "mlstrat/train.hpp"
#include "train/net.hpp"
#include "train/run.hpp"

namespace fs = std::filesystem;
using namespace mlstrat::train;

namespace {

fs::path temp_dir(const std::string& name) {
    auto dir = fs::temp_directory_path() / ("mlstrat_train_run_" + name);
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

void write_idx(const fs::path& path, const std::vector<std::uint32_t>& dims,
               const std::vector<unsigned char>& data) {
    std::ofstream out(path, std::ios::binary);
    const unsigned char head[4] = {0, 0, 0x08, static_cast<unsigned char>(dims.size())};
    out.write(reinterpret_cast<const char*>(head), 4);
    for (auto d : dims) {
        const unsigned char be[4] = {
            static_cast<unsigned char>(d >> 24), static_cast<unsigned char>(d >> 16),
            static_cast<unsigned char>(d >> 8), static_cast<unsigned char>(d)};
        out.write(reinterpret_cast<const char*>(be), 4);
    }
    out.write(reinterpret_cast<const char*>(data.data()),
              static_cast<std::streamsize>(data.size()));
}

/// 8x8 images of 3 classes: a horizontal bar, a vertical bar, or a 2x2 blob at a random place,
/// on noise. Chance is 2/3 error.
void write_images(const fs::path& dir, const std::string& prefix, int n, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> noise(0, 90), pos(0, 7), pos2(0, 6), cls(0, 2);
    std::vector<unsigned char> images(n * 64), labels(n);
    for (int i = 0; i < n; ++i) {
        unsigned char* img = images.data() + i * 64;
        for (int p = 0; p < 64; ++p) img[p] = static_cast<unsigned char>(noise(rng));
        const int c = cls(rng);
        labels[i] = static_cast<unsigned char>(c);
        if (c == 0) {
            const int r = pos(rng);
            for (int k = 0; k < 8; ++k) img[r * 8 + k] = 255;
        } else if (c == 1) {
            const int col = pos(rng);
            for (int k = 0; k < 8; ++k) img[k * 8 + col] = 255;
        } else {
            const int r = pos2(rng), col = pos2(rng);
            for (int a = 0; a < 2; ++a) {
                for (int b = 0; b < 2; ++b) img[(r + a) * 8 + col + b] = 255;
            }
        }
    }
    write_idx(dir / (prefix + "-images.idx"), {static_cast<std::uint32_t>(n), 8, 8}, images);
    write_idx(dir / (prefix + "-labels.idx"), {static_cast<std::uint32_t>(n)}, labels);
}

/// Points in the plane; the class is the quadrant (an XOR-like task no linear model solves).
void write_quadrants(const fs::path& path, int n, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(-1, 1);
    std::ofstream out(path);
    out << "x,y,label\n";
    for (int i = 0; i < n; ++i) {
        const double x = u(rng), y = u(rng);
        out << x << "," << y << "," << ((x > 0) == (y > 0) ? "same" : "diff") << "\n";
    }
}

fs::path image_project(const std::string& name) {
    auto dir = temp_dir(name);
    write_images(dir, "train", 1200, 1);
    write_images(dir, "test", 400, 2);
    return dir;
}

std::string image_config(const std::string& model) {
    return "seed = 3\nthreads = 1\n[data]\ntrain = \"train-images.idx\"\n"
           "train_labels = \"train-labels.idx\"\ntest = \"test-images.idx\"\n"
           "test_labels = \"test-labels.idx\"\ndev_size = 200\ntrain_dev_size = 200\n" +
           model;
}

RunResult run_config(const fs::path& dir, const std::string& name, const std::string& text,
                     std::vector<std::string> sets = {}, std::int64_t stop_after = 0,
                     bool resume = false) {
    std::ofstream(dir / (name + ".toml")) << text;
    RunRequest r;
    r.config_path = (dir / (name + ".toml")).string();
    r.runs_dir = (dir / "runs").string();
    r.overrides = std::move(sets);
    r.resume = resume;
    return stop_after > 0 ? train_run_stopped_after(r, stop_after) : train_run(r);
}

nlohmann::json read_json(const fs::path& path) {
    return nlohmann::json::parse(mlstrat::io::read_file(path.string()));
}

}  // namespace

TEST(TrainRun, CnnLearnsBarsAndWritesTheRunFolder) {
    auto dir = image_project("cnn");
    auto r = run_config(dir, "cnn",
                        image_config("[model]\nkind = \"cnn\"\nwidths = [8, 16]\nfc = [32]\n"
                                     "[train]\nepochs = 4\nbatch_size = 32\n"));
    ASSERT_TRUE(r.complete);
    EXPECT_LT(r.errors.at("dev"), 0.10);  // chance: 0.67
    EXPECT_LT(r.errors.at("test"), 0.10);
    EXPECT_EQ(r.sizes.at("train"), 1000u);
    EXPECT_EQ(r.sizes.at("train_dev"), 200u);
    EXPECT_EQ(r.sizes.at("dev"), 200u);
    EXPECT_EQ(r.sizes.at("test"), 200u);
    const auto run = dir / "runs" / "cnn";
    auto metrics = read_json(run / "metrics.json");
    for (const char* split : {"train", "train_dev", "dev", "test"}) {
        EXPECT_DOUBLE_EQ(metrics["errors"][split].get<double>(), r.errors.at(split)) << split;
        EXPECT_DOUBLE_EQ(metrics["accuracy"][split].get<double>(), 1.0 - r.errors.at(split));
        ASSERT_TRUE(fs::exists(run / (std::string("pred_") + split + ".csv")));
    }
    EXPECT_GT(metrics["examples_per_second"].get<double>(), 0.0);
    // mlstrat eval reads the predictions and finds the same error.
    auto report = mlstrat::metrics::evaluate((run / "pred_dev.csv").string(), {});
    EXPECT_EQ(report.rows, 200u);
    EXPECT_NEAR(report.error, r.errors.at("dev"), 1e-12);
    // history.csv: a header and one row per epoch.
    auto history = mlstrat::io::read_file((run / "history.csv").string());
    EXPECT_EQ(std::count(history.begin(), history.end(), '\n'), 5);
    // The config written back loads and names the same model.
    auto saved = load_config((run / "config.toml").string());
    EXPECT_EQ(saved.model.widths, (std::vector<std::int64_t>{8, 16}));
}

TEST(TrainRun, PredictionsReadBackToTheModelsFloats) {
    auto dir = image_project("pred_floats");
    auto r =
        run_config(dir, "floats",
                   image_config("[model]\nkind = \"cnn\"\nwidths = [4]\nfc = [8]\n"
                                "[train]\nepochs = 1\nbatch_size = 32\neval_batch_size = 512\n"));
    ASSERT_TRUE(r.complete);
    const auto run = dir / "runs" / "floats";
    // The model as saved, on the dev split as loaded for training (standardized), in one batch
    // as the run evaluated it.
    const Config config = load_config((run / "config.toml").string());
    const Dataset data = load_dataset(config);
    const Split& dev = data.splits.at("dev");
    Net net = make_net(config.model, data.shape, static_cast<std::int64_t>(data.classes.size()));
    load_module(*net, (run / "model.pt").string());
    net->eval();
    torch::NoGradGuard no_grad;
    std::vector<std::int64_t> dims = {static_cast<std::int64_t>(dev.size())};
    dims.insert(dims.end(), data.shape.begin(), data.shape.end());
    auto x = torch::from_blob(const_cast<float*>(dev.x.data()), dims, torch::kFloat).clone();
    auto probs = torch::softmax(net->forward(x), 1).contiguous();
    auto p = probs.accessor<float, 2>();
    // pred_dev.csv: id,label,pred,p_0,p_1,p_2; every probability reads back to the same float.
    std::istringstream lines(mlstrat::io::read_file((run / "pred_dev.csv").string()));
    std::string line;
    std::getline(lines, line);
    std::int64_t row = 0, inexact = 0;
    while (std::getline(lines, line)) {
        ASSERT_LT(row, probs.size(0));
        std::vector<std::string> cells;
        std::istringstream fields(line);
        for (std::string cell; std::getline(fields, cell, ',');) cells.push_back(cell);
        ASSERT_EQ(cells.size(), 3u + static_cast<std::size_t>(probs.size(1)));
        EXPECT_EQ(cells[0], dev.ids[static_cast<std::size_t>(row)]);
        for (std::int64_t k = 0; k < probs.size(1); ++k) {
            const float read = std::strtof(cells[3 + static_cast<std::size_t>(k)].c_str(), nullptr);
            inexact += std::memcmp(&read, &p[row][k], sizeof(float)) != 0;
        }
        ++row;
    }
    EXPECT_EQ(row, probs.size(0));
    EXPECT_EQ(inexact, 0) << "probabilities that do not read back bit for bit";
}

TEST(TrainRun, ResidualCnnWithAugmentationLearns) {
    auto dir = image_project("residual");
    auto r = run_config(dir, "res",
                        image_config("[model]\nkind = \"cnn\"\nresidual = true\nwidths = [8]\n"
                                     "fc = [16]\n[train]\nepochs = 4\nbatch_size = 32\n"
                                     "[augment]\nflip = true\nshift = 1\nnoise = 0.1\nblur = 0.2\n"
                                     "crop = 1\n"));
    EXPECT_LT(r.errors.at("dev"), 0.15);
}

TEST(TrainRun, EveryOptimizerTrainsTheMlpOnQuadrants) {
    auto dir = temp_dir("mlp");
    write_quadrants(dir / "train.csv", 2000, 5);
    write_quadrants(dir / "dev.csv", 500, 6);
    const std::vector<std::pair<std::string, std::string>> optimizers = {
        {"sgd", "0.5"}, {"momentum", "0.1"}, {"rmsprop", "0.01"}, {"adam", "0.01"}};
    for (const auto& [kind, lr] : optimizers) {
        auto r = run_config(dir, "mlp_" + kind,
                            "threads = 1\n[data]\ntrain = \"train.csv\"\ndev = \"dev.csv\"\n"
                            "[model]\nhidden = [32, 32]\n[train]\nepochs = 20\nbatch_size = 32\n",
                            {"optim.kind=" + kind, "optim.lr=" + lr});
        EXPECT_LT(r.errors.at("dev"), 0.10) << kind;  // chance: 0.5; a linear model: ~0.5
    }
}

TEST(TrainRun, AugmentationTheDataCannotTakeLeavesNoRunFolder) {
    auto dir = temp_dir("augment");
    write_quadrants(dir / "train.csv", 200, 5);
    write_quadrants(dir / "dev.csv", 50, 6);
    const std::string text =
        "threads = 1\n[data]\ntrain = \"train.csv\"\ndev = \"dev.csv\"\n"
        "[model]\nhidden = [8]\n[train]\nepochs = 1\n";
    try {
        run_config(dir, "flip", text, {"augment.flip=true"});
        FAIL() << "flipping feature vectors was accepted";
    } catch (const mlstrat::Error& e) {
        EXPECT_NE(std::string(e.what()).find("need image data"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(dir / "runs" / "flip"));
}

TEST(TrainRun, ResumeEndsWithTheWeightsOfAnUninterruptedRun) {
    auto dir = image_project("resume");
    const std::string text = image_config(
        "[model]\nkind = \"cnn\"\nwidths = [4]\nfc = [8]\ndropout = 0.2\n"
        "[train]\nepochs = 3\nbatch_size = 64\n[augment]\nflip = true\nshift = 1\n"
        "[schedule]\nkind = \"step\"\ngamma = 0.5\n");
    auto whole = run_config(dir, "whole", text);
    auto part = run_config(dir, "part", text, {}, 1);
    EXPECT_FALSE(part.complete);
    EXPECT_EQ(part.epochs, 1);
    EXPECT_FALSE(fs::exists(dir / "runs" / "part" / "model.pt"));
    auto part2 = run_config(dir, "part", text, {}, 1, true);
    EXPECT_FALSE(part2.complete);
    auto rest = run_config(dir, "part", text, {}, 0, true);
    ASSERT_TRUE(rest.complete);
    EXPECT_EQ(rest.errors, whole.errors);

    auto shape = std::vector<std::int64_t>{1, 8, 8};
    auto config = load_config((dir / "whole.toml").string());
    Net a = make_net(config.model, shape, 3), b = make_net(config.model, shape, 3);
    load_module(*a, (dir / "runs" / "whole" / "model.pt").string());
    load_module(*b, (dir / "runs" / "part" / "model.pt").string());
    auto pb = b->named_parameters();
    for (const auto& p : a->named_parameters()) {
        EXPECT_TRUE(torch::equal(p.value(), pb[p.key()])) << p.key();
    }
    EXPECT_EQ(mlstrat::io::read_file((dir / "runs" / "whole" / "pred_test.csv").string()),
              mlstrat::io::read_file((dir / "runs" / "part" / "pred_test.csv").string()));
    // A run that exists is neither overwritten nor resumed silently.
    EXPECT_THROW(run_config(dir, "whole", text), mlstrat::Error);
}

TEST(TrainRun, BatchSharesOnTwoCoresRepeatAndResumeExactly) {
    // A CNN without batch norm or dropout on 2 threads: each core trains on half of every batch
    // (train/replicas.hpp). Runs must still repeat bit for bit, and resume where they stopped.
    auto dir = image_project("shares");
    std::string text = image_config(
        "[model]\nkind = \"cnn\"\nwidths = [4, 6]\nfc = [8]\nbatch_norm = false\n"
        "[train]\nepochs = 3\nbatch_size = 30\n[augment]\nflip = true\nshift = 1\n");
    text.replace(text.find("threads = 1"), 11, "threads = 2");
    auto whole = run_config(dir, "whole", text);
    EXPECT_EQ(read_json(dir / "runs" / "whole" / "metrics.json")["batch_shares"], 2);
    auto again = run_config(dir, "again", text);
    auto part = run_config(dir, "part", text, {}, 1);
    auto rest = run_config(dir, "part", text, {}, 0, true);
    ASSERT_TRUE(rest.complete);
    EXPECT_EQ(again.errors, whole.errors);
    EXPECT_EQ(rest.errors, whole.errors);
    std::ofstream(dir / "model.toml") << text;
    auto config = load_config((dir / "model.toml").string());
    auto weights = [&](const char* run) {
        Net net = make_net(config.model, {1, 8, 8}, 3);
        load_module(*net, (dir / "runs" / run / "model.pt").string());
        return net;
    };
    Net reference = weights("whole");
    for (const char* run : {"again", "part"}) {
        Net other = weights(run);
        auto theirs = other->named_parameters();
        for (const auto& p : reference->named_parameters()) {
            EXPECT_TRUE(torch::equal(p.value(), theirs[p.key()])) << run << " " << p.key();
        }
        EXPECT_EQ(mlstrat::io::read_file((dir / "runs" / "whole" / "pred_test.csv").string()),
                  mlstrat::io::read_file((dir / "runs" / run / "pred_test.csv").string()))
            << run;
    }
    // It learned: the bars are easy.
    EXPECT_LT(whole.errors.at("test"), 0.2);
}

TEST(TrainRun, TorchScriptExportComputesWhatTheModelComputes) {
    torch::manual_seed(0);
    for (bool residual : {false, true}) {
        Net net(CnnOptions({1, 8, 8}, 3).widths({4, 6}).fc({5}).residual(residual).dropout(0.5));
        // Give batch norm non-trivial running statistics.
        net->train();
        for (int i = 0; i < 3; ++i) net->forward(torch::randn({16, 1, 8, 8}) * 2 + 1);
        net->eval();
        const std::string bytes = torchscript_bytes(net);
        std::istringstream in(bytes);
        auto script = torch::jit::load(in);
        auto x = torch::randn({4, 1, 8, 8});
        auto want = net->forward(x);
        auto got = script.forward({x}).toTensor();
        EXPECT_TRUE(torch::allclose(got, want, 1e-5, 1e-6)) << "residual=" << residual;
    }
}

TEST(TrainRun, EarlyStoppingKeepsBestWeightsAndSaysItCouplesKnobs) {
    auto dir = temp_dir("early");
    write_quadrants(dir / "train.csv", 400, 7);
    write_quadrants(dir / "dev.csv", 200, 8);
    // A learning rate far too large makes dev error wander, so patience 1 must stop the run.
    auto r = run_config(dir, "early",
                        "threads = 1\n[data]\ntrain = \"train.csv\"\ndev = \"dev.csv\"\n"
                        "[model]\nhidden = [16]\n[optim]\nkind = \"sgd\"\nlr = 0.3\n"
                        "[train]\nepochs = 40\nearly_stopping = 1\n");
    ASSERT_FALSE(r.notes.empty());
    EXPECT_NE(r.notes[0].find("couples the bias and variance knobs"), std::string::npos);
    EXPECT_TRUE(r.stopped_early);
    EXPECT_LT(r.epochs, 40);
    // The kept weights are those of the best dev epoch in history.csv.
    auto history = mlstrat::io::read_file((dir / "runs" / "early" / "history.csv").string());
    std::istringstream lines(history);
    std::string line;
    std::getline(lines, line);
    double best = 1.0;
    while (std::getline(lines, line)) {
        const auto dev = line.substr(0, line.rfind(','));
        const auto cell = dev.substr(0, dev.rfind(','));
        best = std::min(best, std::stod(cell.substr(cell.rfind(',') + 1)));
    }
    EXPECT_DOUBLE_EQ(r.errors.at("dev"), best);
}

TEST(TrainRun, TransferCopiesWeightsAndFrozenLayersStayBitForBit) {
    auto dir = image_project("transfer");
    const std::string model =
        "[model]\nkind = \"cnn\"\nwidths = [4, 8]\nfc = [16]\n[train]\nepochs = 2\n"
        "batch_size = 32\n";
    auto pre = run_config(dir, "pre", image_config(model));
    ASSERT_TRUE(pre.complete);
    const auto from = (dir / "runs" / "pre").string();
    // The source's [model] replaces this config's, so a different one here does not matter.
    auto fine = run_config(dir, "fine",
                           image_config("[model]\nkind = \"mlp\"\n[train]\nepochs = 2\n"
                                        "[transfer]\nfrom = \"" +
                                        from +
                                        "\"\nfreeze = 3\n"
                                        "new_head = 3\n"));
    ASSERT_TRUE(fine.complete);
    EXPECT_LT(fine.errors.at("dev"), 0.2);
    auto config = load_config((dir / "pre.toml").string());
    std::vector<std::int64_t> shape = {1, 8, 8};
    Net a = make_net(config.model, shape, 3), b = make_net(config.model, shape, 3);
    load_module(*a, from + "/model.pt");
    load_module(*b, (dir / "runs" / "fine" / "model.pt").string());
    // Layers with weights: conv, bn, conv, bn, fc, head. The first 3 are frozen.
    std::vector<std::shared_ptr<torch::nn::Module>> la, lb;
    for (const auto& c : a->layers()->children()) {
        if (!c->parameters().empty()) la.push_back(c);
    }
    for (const auto& c : b->layers()->children()) {
        if (!c->parameters().empty()) lb.push_back(c);
    }
    ASSERT_EQ(la.size(), 6u);
    for (std::size_t i = 0; i < la.size(); ++i) {
        auto pb = lb[i]->named_parameters();
        auto bb = lb[i]->named_buffers();
        bool same = true;
        for (const auto& p : la[i]->named_parameters())
            same = same && torch::equal(p.value(), pb[p.key()]);
        for (const auto& p : la[i]->named_buffers())
            same = same && torch::equal(p.value(), bb[p.key()]);
        EXPECT_EQ(same, i < 3) << "layer " << i;
    }
}

TEST(TrainRun, TransferChecksItsKeys) {
    auto dir = image_project("transfer_bad");
    try {
        run_config(dir, "bad",
                   image_config("[transfer]\nfrom = \"" + (dir / "nothing").string() + "\"\n"));
        FAIL() << "no error";
    } catch (const mlstrat::Error& e) {
        EXPECT_NE(std::string(e.what()).find("key 'transfer.from'"), std::string::npos);
    }
    EXPECT_THROW(parse_config("[transfer]\nfreeze = \"most\"\n", "cfg.toml"), mlstrat::Error);
    EXPECT_EQ(parse_config("[transfer]\nfreeze = 2\n", "cfg.toml").transfer.freeze, "2");
}
