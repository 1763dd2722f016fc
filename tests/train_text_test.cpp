// Texts and the sequence model: tokens, the train-only vocabulary, fixed-length id sequences,
// and an LSTM / GRU that learns whether a string holds the letter 'q' (chance: 50% error).

#include <gtest/gtest.h>
#include <torch/script.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "mlstrat/support/error.hpp"
#include "mlstrat/support/io.hpp"
#include "mlstrat/train.hpp"
#include "train/net.hpp"
#include "train/text.hpp"

namespace fs = std::filesystem;
using namespace mlstrat::train;

namespace {

fs::path temp_dir(const std::string& name) {
    auto dir = fs::temp_directory_path() / ("mlstrat_train_text_" + name);
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const mlstrat::Error& e) {
        return e.what();
    }
    return "(no error)";
}

/// label<TAB>text rows: random strings of 3-12 letters from "abcdq"; "yes" when one is 'q'.
void write_letters(const fs::path& path, int n, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> len(3, 12), letter(0, 3), coin(0, 1);
    std::ofstream out(path);
    out << "label\ttext\n";
    for (int i = 0; i < n; ++i) {
        std::string s;
        const int l = len(rng);
        for (int k = 0; k < l; ++k) s += "abcd"[letter(rng)];
        if (coin(rng)) s[std::uniform_int_distribution<int>(0, l - 1)(rng)] = 'q';
        out << (s.find('q') != std::string::npos ? "yes" : "no") << "\t" << s << "\n";
    }
}

Config config_of(const fs::path& dir, const std::string& text) {
    std::ofstream(dir / "c.toml") << text;
    return load_config((dir / "c.toml").string());
}

}  // namespace

TEST(Text, TokensAreUtf8CharactersOrWords) {
    EXPECT_EQ(tokenize("añ b", "char"), (std::vector<std::string>{"a", "ñ", " ", "b"}));
    EXPECT_EQ(tokenize("  the cat\tsat ", "word"), (std::vector<std::string>{"the", "cat", "sat"}));
}

TEST(Text, VocabularyCountsTrainTokensAndPadsSequences) {
    Vocabulary v({{"b", "a", "b"}, {"c", "b", "a"}}, 2);
    // <pad>, <unk>, then b (3 times), a (2); c (once) is below min_count.
    EXPECT_EQ(v.tokens(), (std::vector<std::string>{"<pad>", "<unk>", "b", "a"}));
    std::vector<float> out;
    encode({"a", "c", "b"}, v, 5, out);
    encode({"b", "b", "b", "b", "b", "a"}, v, 5, out);
    EXPECT_EQ(out, (std::vector<float>{3, 1, 2, 0, 0, 2, 2, 2, 2, 2}));
}

TEST(Text, TsvBecomesTokenIdsWithTheTrainVocabulary) {
    auto dir = temp_dir("data");
    std::ofstream(dir / "train.tsv") << "label\ttext\tsource\npos\tgood good film\tweb\n"
                                        "neg\tbad film\tapp\n";
    std::ofstream(dir / "dev.tsv") << "label\ttext\tsource\npos\tgood plot\tweb\n";
    auto data = load_dataset(
        config_of(dir,
                  "[data]\nformat = \"text\"\ntrain = \"train.tsv\"\ndev = \"dev.tsv\"\n"
                  "vocab = \"word\"\nkeep_cols = [\"source\"]\n"));
    // good (2), film (2), bad (1): ties in byte order.
    EXPECT_EQ(data.vocabulary, (std::vector<std::string>{"<pad>", "<unk>", "film", "good", "bad"}));
    EXPECT_EQ(data.shape, (std::vector<std::int64_t>{3}));  // the longest train text
    EXPECT_EQ(data.splits.at("train").x, (std::vector<float>{3, 3, 2, 4, 2, 0}));
    EXPECT_EQ(data.splits.at("dev").x, (std::vector<float>{3, 1, 0}));  // "plot" is unknown
    EXPECT_EQ(data.splits.at("dev").kept, (std::vector<std::string>{"web"}));
}

TEST(Text, EmptyTextAndRnnOnFeaturesAreErrors) {
    auto dir = temp_dir("bad");
    std::ofstream(dir / "t.tsv") << "label\ttext\nyes\tabc\nno\t   \n";
    const auto path = (dir / "t.tsv").string();
    EXPECT_EQ(error_of([&] {
                  load_dataset(config_of(dir,
                                         "[data]\nformat = \"text\"\ntrain = \"t.tsv\"\n"
                                         "vocab = \"word\"\n"));
              }),
              path + ":3: column 'text' is empty");
    EXPECT_EQ(error_of([&] {
                  load_dataset(config_of(dir,
                                         "[data]\nformat = \"text\"\ntrain = \"t.tsv\"\n"
                                         "text_col = \"body\"\n"));
              }).find(path + ":1: no column 'body'"),
              0u);
    std::ofstream(dir / "f.csv") << "a,label\n1,x\n2,y\n";
    std::ofstream(dir / "rnn.toml") << "[data]\ntrain = \"f.csv\"\n[model]\nkind = \"rnn\"\n";
    RunRequest r;
    r.config_path = (dir / "rnn.toml").string();
    r.runs_dir = (dir / "runs").string();
    EXPECT_EQ(error_of([&] { train_run(r); }),
              "key 'model.kind': rnn reads token sequences; use data.format = \"text\"");
}

class TextRun : public ::testing::TestWithParam<std::string> {};

TEST_P(TextRun, RnnLearnsWhetherAStringHoldsALetter) {
    auto dir = temp_dir("letters_" + GetParam());
    write_letters(dir / "train.tsv", 400, 1);
    write_letters(dir / "dev.tsv", 200, 2);
    const bool gru = GetParam() == "gru";
    std::ofstream(dir / "c.toml")
        << "seed = 1\nthreads = 1\n[data]\nformat = \"text\"\ntrain = \"train.tsv\"\n"
           "dev = \"dev.tsv\"\n[model]\nkind = \"rnn\"\ncell = \""
        << GetParam() << "\"\nbidirectional = " << (gru ? "true" : "false")
        << "\nembedding_dim = 8\nrnn_hidden = 16\nrnn_layers = " << (gru ? 1 : 2)
        << "\ndropout = 0.1\n[train]\nepochs = 12\nbatch_size = 16\n[optim]\nlr = 0.01\n";
    RunRequest r;
    r.config_path = (dir / "c.toml").string();
    r.runs_dir = (dir / "runs").string();
    auto result = train_run(r);
    EXPECT_LE(result.errors.at("dev"), 0.02);
    const auto run = dir / "runs" / "c";
    // The vocabulary of train: padding, unknown, then the letters, 'q' (in about half the
    // strings, once) the rarest.
    const std::string vocab = mlstrat::io::read_file((run / "vocab.txt").string());
    EXPECT_EQ(vocab.substr(0, 12), "<pad>\n<unk>\n");
    EXPECT_EQ(vocab.size(), 12u + 5 * 2);
    EXPECT_EQ(vocab.substr(vocab.size() - 2), "q\n");
    const std::string pred = mlstrat::io::read_file((run / "pred_dev.csv").string());
    EXPECT_EQ(pred.substr(0, pred.find('\n')), "id,label,pred,p_no,p_yes");
    // The TorchScript export computes what the trained model computes, padding included.
    auto config = load_config((run / "config.toml").string());
    Net net = make_net(config.model, {12}, 2, 7);
    load_module(*net, (run / "model.pt").string());
    net->eval();
    auto script = torch::jit::load((run / "model.torchscript.pt").string());
    auto x = torch::tensor({{2.f, 3.f, 4.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f},
                            {3.f, 5.f, 6.f, 6.f, 5.f, 4.f, 3.f, 2.f, 3.f, 3.f, 3.f, 3.f},
                            {4.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f}});
    EXPECT_TRUE(torch::allclose(net->forward(x), script.forward({x}).toTensor(), 1e-5, 1e-5));
}

INSTANTIATE_TEST_SUITE_P(Cells, TextRun, ::testing::Values("lstm", "gru"));
