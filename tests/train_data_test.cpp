// The training engine's inputs: the TOML config (every bad key gives one line naming it) and
// the CSV splits. The IDX reader they share with synth is tested in io_test.cpp.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "mlstrat/support/error.hpp"
#include "mlstrat/train.hpp"

namespace fs = std::filesystem;
using mlstrat::Error;
using namespace mlstrat::train;

namespace {

fs::path temp_dir(const std::string& name) {
    auto dir = fs::temp_directory_path() / ("mlstrat_train_data_" + name);
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST(Config, ParsesKeysAndOverrides) {
    auto c = parse_config("seed = 7\n[optim]\nkind = \"sgd\"\nlr = 0.1\n[model]\nhidden = [8, 4]\n",
                          "cfg.toml", {"optim.lr=3e-4", "model.kind=cnn", "augment.flip=true"});
    EXPECT_EQ(c.seed, 7);
    EXPECT_EQ(c.optim.kind, "sgd");
    EXPECT_DOUBLE_EQ(c.optim.lr, 3e-4);
    EXPECT_EQ(c.model.kind, "cnn");  // a bare word is a string
    EXPECT_EQ(c.model.hidden, (std::vector<std::int64_t>{8, 4}));
    EXPECT_TRUE(c.augment.flip);
}

TEST(Config, BadKeysGiveOneLineNamingTheKey) {
    auto err = [](const std::string& text, std::vector<std::string> sets = {}) {
        return error_of([&] { parse_config(text, "cfg.toml", sets); });
    };
    EXPECT_EQ(err("[optim]\n\nlrr = 1\n"),
              "cfg.toml:3: unknown key 'optim.lrr' (docs/train.md lists every key)");
    EXPECT_EQ(err("[model]\nlr = 1\n"),
              "cfg.toml:2: unknown key 'model.lr' (did you mean 'optim.lr'?)");
    EXPECT_EQ(err("[optim]\nlr = -1\n"), "cfg.toml:2: key 'optim.lr' must be > 0, got -1");
    EXPECT_EQ(err("[optim]\nlr = \"fast\"\n"),
              "cfg.toml:2: key 'optim.lr' must be a number, got 'fast'");
    EXPECT_EQ(err("[optim]\nkind = \"lbfgs\"\n"),
              "cfg.toml:2: key 'optim.kind' must be one of sgd, momentum, rmsprop, adam, got "
              "'lbfgs'");
    EXPECT_EQ(err("[model]\nhidden = [8, 0]\n"),
              "cfg.toml:2: key 'model.hidden' must hold integers > 0, got 0");
    EXPECT_EQ(err("[train]\nepochs = 1.5\n"),
              "cfg.toml:2: key 'train.epochs' must be an integer, got 1.5");
    EXPECT_EQ(err("", {"train.batch_size=0"}),
              "--set train.batch_size=0: key 'train.batch_size' must be >= 1, got 0");
    EXPECT_EQ(err("", {"optim.momentun=0.9"}),
              "--set optim.momentun=0.9: unknown key 'optim.momentun' (docs/train.md lists every "
              "key)");
    EXPECT_NE(err("[optim\n").find("cfg.toml:1: "), std::string::npos);
    for (const auto& message : {err("[optim]\nlr = -1\n"), err("[optim\n")}) {
        EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    }
}

TEST(Config, TomlRoundTripKeepsEveryKey) {
    auto c = parse_config("name = \"x\"\n[data]\nfeatures = [\"a\", \"b\"]\n[optim]\nlr = 0.025\n",
                          "cfg.toml", {"schedule.kind=cosine"});
    auto again = parse_config(c.to_toml(), "config.toml");
    EXPECT_EQ(again.to_toml(), c.to_toml());
    EXPECT_EQ(again.data.features, (std::vector<std::string>{"a", "b"}));
    EXPECT_DOUBLE_EQ(again.optim.lr, 0.025);
    EXPECT_EQ(again.schedule.kind, "cosine");
}

TEST(Config, TomlRoundTripKeepsStringsWithQuotesLineBreaksAndControlCharacters) {
    // Fuzzing found the first (fuzz/findings/config/): a class name starting with a line break
    // was written back as a multi-line string, whose first line break TOML drops.
    Config c;
    c.name = "both ' and \" quotes";
    c.data.class_names = {"\neaker", "it's",     "tab\there", "a\"b\\c",
                          "\r\n",    "bell\x07", "del\x7f",   "\xc3\x9cnicode \xe2\x9c\x93",
                          "",        "'''",      "\"\"\""};
    c.tasks = {{"it's", {"\nx"}}, {"a\tb", {"y"}}};
    const Config again = parse_config(c.to_toml(), "config.toml");
    EXPECT_EQ(again, c);
    EXPECT_EQ(again.to_toml(), c.to_toml());
    EXPECT_NE(c.to_toml().find("label_col = 'label'\n"), std::string::npos);  // plain stays plain

    const std::string finding = std::string(MLSTRAT_SOURCE_DIR) +
                                "/fuzz/findings/config/class-name-starting-with-line-break.toml";
    std::ifstream in(finding, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const Config found = parse_config(text, finding);
    ASSERT_EQ(found.data.class_names.at(7), "\neaker");
    EXPECT_EQ(parse_config(found.to_toml(), "config.toml"), found);
}

TEST(Config, SetValuesMustBeTextATomlFileCanHold) {
    // A bare --set word is a string; one that is not UTF-8 could not be written to config.toml.
    EXPECT_EQ(error_of([] { parse_config("", "cfg.toml", {"name=caf\xe9"}); }),
              "--set name=caf\xe9: key 'name' must be UTF-8 text");
    EXPECT_EQ(parse_config("", "cfg.toml", {"name=line\nbreak"}).name, "line\nbreak");
    const Config c = parse_config("", "cfg.toml", {"data.label_col=it's \"x\""});
    EXPECT_EQ(c.data.label_col, "it's \"x\"");
    EXPECT_EQ(parse_config(c.to_toml(), "config.toml"), c);
}

TEST(Config, EveryKeyIsDocumented) {
    std::ifstream in(std::string(MLSTRAT_SOURCE_DIR) + "/docs/train.md");
    std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_FALSE(doc.empty());
    for (const auto& k : config_keys()) {
        EXPECT_NE(doc.find("`" + k.key + "`"), std::string::npos) << k.key;
    }
}

TEST(Data, CsvSplitColumnHoldOutsAndClasses) {
    auto dir = temp_dir("csv");
    std::ofstream(dir / "t.csv") << "id,f1,f2,label,split\n"
                                    "a,1,2,cat,train\nb,3,4,dog,train\nc,5,6,cat,train\n"
                                    "d,7,8,dog,train\ne,0,1,cat,dev\nf,1,1,dog,test\n";
    auto c = parse_config(
        "[data]\ntrain = \"t.csv\"\nsplit_col = \"split\"\nid_col = \"id\"\n"
        "train_dev_size = 1\nstandardize = false\n",
        "cfg.toml");
    c.base_dir = dir.string();
    auto d = load_dataset(c);
    EXPECT_EQ(d.classes, (std::vector<std::string>{"cat", "dog"}));
    EXPECT_EQ(d.shape, (std::vector<std::int64_t>{2}));
    EXPECT_EQ(d.splits.at("train").size(), 3u);
    EXPECT_EQ(d.splits.at("train_dev").size(), 1u);
    EXPECT_EQ(d.splits.at("dev").ids, (std::vector<std::string>{"e"}));
    EXPECT_EQ(d.splits.at("dev").x, (std::vector<float>{0, 1}));
    EXPECT_EQ(d.splits.at("test").y, (std::vector<std::int64_t>{1}));
    // Hold-outs are disjoint and cover the train rows.
    std::vector<std::string> ids = d.splits.at("train").ids;
    ids.push_back(d.splits.at("train_dev").ids[0]);
    std::sort(ids.begin(), ids.end());
    EXPECT_EQ(ids, (std::vector<std::string>{"a", "b", "c", "d"}));
}

TEST(Data, SplitDirResolvesOnceAgainstARelativeConfigFolder) {
    // A config at configs/x.toml (a relative path, as the demo runs `mlstrat curve
    // configs/baseline.toml`) with split_dir = "../split": the split files are found once, not
    // under configs/configs/../split.
    auto dir = temp_dir("split_dir_relative");
    fs::create_directories(dir / "configs");
    fs::create_directories(dir / "split");
    std::ofstream(dir / "split" / "train.csv") << "f1,label\n1,cat\n2,dog\n3,cat\n4,dog\n";
    std::ofstream(dir / "split" / "dev.csv") << "f1,label\n5,cat\n6,dog\n";
    auto c = parse_config("[data]\nsplit_dir = \"../split\"\nstandardize = false\n", "x.toml");
    c.base_dir = fs::relative(dir / "configs", fs::current_path()).string();
    ASSERT_TRUE(fs::path(c.base_dir).is_relative());
    auto d = load_dataset(c);
    EXPECT_EQ(d.splits.at("train").size(), 4u);
    EXPECT_EQ(d.splits.at("dev").size(), 2u);
}

TEST(Data, UnknownDevLabelAndBadNumberNameTheLine) {
    auto dir = temp_dir("csvbad");
    std::ofstream(dir / "train.csv") << "f,label\n1,a\n2,b\n";
    std::ofstream(dir / "dev.csv") << "f,label\n1,a\n2,c\n";
    std::ofstream(dir / "test.csv") << "f,label\n1,a\nx,b\n";
    auto c = parse_config("[data]\ntrain = \"train.csv\"\ndev = \"dev.csv\"\n", "cfg.toml");
    c.base_dir = dir.string();
    EXPECT_EQ(error_of([&] { load_dataset(c); }),
              (dir / "dev.csv").string() + ":3: label 'c' never occurs in the train split");
    c = parse_config("[data]\ntrain = \"train.csv\"\ntest = \"test.csv\"\n", "cfg.toml");
    c.base_dir = dir.string();
    EXPECT_EQ(error_of([&] { load_dataset(c); }),
              (dir / "test.csv").string() + ":3: column 'f' is not a number: 'x'");
}
