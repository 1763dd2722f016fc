// A TorchScript module saved from Python as the transfer backbone: frozen it keeps its weights
// bit for bit and only the new head learns; fine-tuned it changes; the exported model computes
// what the trained one computes. Skipped when /usr/bin/python3 has no torch to make the module.

#include <gtest/gtest.h>
#include <torch/script.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "mlstrat/support/error.hpp"
#include "mlstrat/train.hpp"
#include "train/net.hpp"

namespace fs = std::filesystem;
using namespace mlstrat::train;

namespace {

fs::path temp_dir(const std::string& name) {
    auto dir = fs::temp_directory_path() / ("mlstrat_train_backbone_" + name);
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

/// Makes backbone.pt in `dir` with tests/data/train/make_backbone.py; false without torch.
bool make_backbone(const fs::path& dir) {
    const std::string script =
        std::string(MLSTRAT_SOURCE_DIR) + "/tests/data/train/make_backbone.py";
    const std::string cmd =
        "/usr/bin/python3 " + script + " " + (dir / "backbone.pt").string() + " 2>/dev/null";
    return std::system(cmd.c_str()) == 0 && fs::exists(dir / "backbone.pt");
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

/// n 6x6 IDX images, class 1 bright (150-255) and class 0 dark (0-100), alternating.
void write_images(const fs::path& dir, const std::string& prefix, int n, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> u(0, 100);
    std::vector<unsigned char> images, labels;
    for (int i = 0; i < n; ++i) {
        labels.push_back(static_cast<unsigned char>(i % 2));
        for (int p = 0; p < 36; ++p)
            images.push_back(static_cast<unsigned char>(u(rng) + 150 * (i % 2)));
    }
    write_idx(dir / (prefix + "-images.idx"), {static_cast<std::uint32_t>(n), 6, 6}, images);
    write_idx(dir / (prefix + "-labels.idx"), {static_cast<std::uint32_t>(n)}, labels);
}

RunResult run(const fs::path& dir, const std::string& name, const std::string& freeze) {
    std::ofstream(dir / (name + ".toml"))
        << "seed = 2\nthreads = 1\n[data]\ntrain = \"train-images.idx\"\n"
           "train_labels = \"train-labels.idx\"\ndev = \"dev-images.idx\"\n"
           "dev_labels = \"dev-labels.idx\"\n[train]\nepochs = 4\nbatch_size = 16\n"
           "[optim]\nlr = 0.02\n[transfer]\nfrom = \"backbone.pt\"\nfreeze = \""
        << freeze << "\"\n";
    RunRequest r;
    r.config_path = (dir / (name + ".toml")).string();
    r.runs_dir = (dir / "runs").string();
    return train_run(r);
}

/// The parameters of a TorchScript module by name.
std::map<std::string, torch::Tensor> params_of(const torch::jit::Module& m) {
    std::map<std::string, torch::Tensor> out;
    for (const auto& p : m.named_parameters(true)) out[p.name] = p.value.clone();
    for (const auto& b : m.named_buffers(true)) out[b.name] = b.value.clone();
    return out;
}

}  // namespace

TEST(Backbone, FrozenTorchScriptModuleKeepsItsWeightsAndTheNewHeadLearns) {
    auto dir = temp_dir("frozen");
    if (!make_backbone(dir)) GTEST_SKIP() << "/usr/bin/python3 with torch is not available";
    write_images(dir, "train", 200, 1);
    write_images(dir, "dev", 100, 2);
    auto result = run(dir, "frozen", "all-but-head");
    EXPECT_LE(result.errors.at("dev"), 0.05);
    EXPECT_EQ(result.notes.at(0), "transfer from " + (dir / "backbone.pt").string() +
                                      ": 1 first layers frozen, new head");
    // The exported model holds the backbone, bit for bit as Python saved it, under the head.
    auto original = params_of(torch::jit::load((dir / "backbone.pt").string()));
    auto exported = torch::jit::load((dir / "runs" / "frozen" / "model.torchscript.pt").string());
    auto after = params_of(exported.attr("backbone").toModule());
    ASSERT_EQ(after.size(), original.size());
    for (const auto& [name, t] : original) EXPECT_TRUE(torch::equal(after.at(name), t)) << name;
    // The new head has the backbone's 6 features as inputs and the 2 classes as outputs.
    Net net = make_backbone_net((dir / "backbone.pt").string(), {1, 6, 6}, 2);
    load_module(*net, (dir / "runs" / "frozen" / "model.pt").string());
    auto head = net->layers()->children().back()->as<torch::nn::Linear>();
    ASSERT_NE(head, nullptr);
    EXPECT_EQ(head->weight.sizes(), (std::vector<std::int64_t>{2, 6}));
    net->eval();
    exported.eval();
    // The export takes pixels as read and standardizes them first, as the run's data was.
    auto x = torch::rand({5, 1, 6, 6});
    auto standardized =
        (x - exported.attr("input_mean").toTensor()) * exported.attr("input_scale").toTensor();
    EXPECT_TRUE(
        torch::allclose(net->forward(standardized), exported.forward({x}).toTensor(), 1e-5, 1e-6));
}

TEST(Backbone, FineTunedTorchScriptModuleChanges) {
    auto dir = temp_dir("tuned");
    if (!make_backbone(dir)) GTEST_SKIP() << "/usr/bin/python3 with torch is not available";
    write_images(dir, "train", 200, 1);
    write_images(dir, "dev", 100, 2);
    auto result = run(dir, "tuned", "none");
    EXPECT_LE(result.errors.at("dev"), 0.05);
    auto original = params_of(torch::jit::load((dir / "backbone.pt").string()));
    auto exported = torch::jit::load((dir / "runs" / "tuned" / "model.torchscript.pt").string());
    auto after = params_of(exported.attr("backbone").toModule());
    EXPECT_FALSE(torch::equal(after.at("conv.weight"), original.at("conv.weight")));
}

TEST(Backbone, BadModulesGiveOneLine) {
    auto dir = temp_dir("bad");
    if (!make_backbone(dir)) GTEST_SKIP() << "/usr/bin/python3 with torch is not available";
    std::ofstream(dir / "t.csv") << "a,b,label\n1,2,x\n3,4,y\n5,6,x\n";
    std::ofstream(dir / "junk.pt") << "not a module";
    auto error_for = [&](const std::string& from) {
        std::ofstream(dir / "c.toml")
            << "[data]\ntrain = \"t.csv\"\n[transfer]\nfrom = \"" << from << "\"\n";
        RunRequest r;
        r.config_path = (dir / "c.toml").string();
        r.runs_dir = (dir / "runs").string();
        try {
            train_run(r);
        } catch (const mlstrat::Error& e) {
            return std::string(e.what());
        }
        return std::string("(no error)");
    };
    // A convolution cannot take the table's [N, 2] feature vectors.
    const auto shape = error_for("backbone.pt");
    EXPECT_EQ(shape.find("key 'transfer.from': the TorchScript module fails on one example of "
                         "this data's shape [1, 2]: "),
              0u)
        << shape;
    EXPECT_EQ(shape.find('\n'), std::string::npos);
    const auto junk = error_for("junk.pt");
    EXPECT_EQ(junk.find((dir / "junk.pt").string() +
                        ": key 'transfer.from': neither a run folder "
                        "nor its model.pt, nor a TorchScript module (torch.jit.save): "),
              0u)
        << junk;
    EXPECT_FALSE(fs::exists(dir / "runs" / "c"));
}
