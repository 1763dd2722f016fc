// Images as training examples: PNG/JPEG paths and IDX references in a table's image column,
// class folders, the columns kept into the predictions files, and the class filters
// (data.keep_classes, data.per_class). Expected pixels are computed by hand.

#include <gtest/gtest.h>
#include <stb/stb_image_write.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "mlstrat/support/error.hpp"
#include "mlstrat/support/io.hpp"
#include "mlstrat/train.hpp"
#include "train/images.hpp"

namespace fs = std::filesystem;
using mlstrat::Error;
using namespace mlstrat::train;

namespace {

fs::path temp_dir(const std::string& name) {
    auto dir = fs::temp_directory_path() / ("mlstrat_train_images_" + name);
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

/// A w x h PNG with every pixel `value` (gray) or (r, g, b).
void write_png(const fs::path& path, int w, int h, std::vector<unsigned char> pixel) {
    std::vector<unsigned char> data;
    for (int i = 0; i < w * h; ++i) data.insert(data.end(), pixel.begin(), pixel.end());
    const int n = static_cast<int>(pixel.size());
    ASSERT_NE(stbi_write_png(path.c_str(), w, h, n, data.data(), w * n), 0);
}

/// An IDX ubyte file of n images h x w, image i filled with values[i].
void write_idx_images(const fs::path& path, std::uint32_t h, std::uint32_t w,
                      const std::vector<unsigned char>& values) {
    std::ofstream out(path, std::ios::binary);
    const auto n = static_cast<std::uint32_t>(values.size());
    const unsigned char head[4] = {0, 0, 0x08, 3};
    out.write(reinterpret_cast<const char*>(head), 4);
    for (std::uint32_t d : {n, h, w}) {
        const unsigned char be[4] = {
            static_cast<unsigned char>(d >> 24), static_cast<unsigned char>(d >> 16),
            static_cast<unsigned char>(d >> 8), static_cast<unsigned char>(d)};
        out.write(reinterpret_cast<const char*>(be), 4);
    }
    for (auto v : values) {
        const std::string img(h * w, static_cast<char>(v));
        out.write(img.data(), static_cast<std::streamsize>(img.size()));
    }
}

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

Config config_of(const fs::path& dir, const std::string& text) {
    std::ofstream(dir / "c.toml") << text;
    return load_config((dir / "c.toml").string());
}

}  // namespace

TEST(Images, BilinearResizeMatchesHandComputedValues) {
    // One row [0, 1] widened to 4: pixel centres map to -0.25 (clamped to 0), 0.25, 0.75, 1.25
    // (clamped to 1) in the source.
    Image row{1, 1, 2, {0.0f, 1.0f}};
    auto wide = resize_bilinear(row, 1, 4);
    EXPECT_EQ(wide.pixels, (std::vector<float>{0.0f, 0.25f, 0.75f, 1.0f}));
    // 2x2 -> 1x1 averages the four pixels.
    Image square{1, 2, 2, {0.0f, 1.0f, 2.0f, 3.0f}};
    EXPECT_EQ(resize_bilinear(square, 1, 1).pixels, (std::vector<float>{1.5f}));
}

TEST(Images, ChannelConversionUsesLumaAndRepeatsGray) {
    Image red{3, 1, 1, {1.0f, 0.0f, 0.0f}};
    EXPECT_FLOAT_EQ(convert_channels(red, 1).pixels[0], 0.299f);
    Image gray{1, 1, 1, {0.5f}};
    EXPECT_EQ(convert_channels(gray, 3).pixels, (std::vector<float>{0.5f, 0.5f, 0.5f}));
}

TEST(Images, TableOfPngPathsAndIdxReferencesBecomesOneShape) {
    auto dir = temp_dir("table");
    fs::create_directories(dir / "img");
    write_png(dir / "img" / "a.png", 4, 4, {51});          // gray 0.2, already 4x4
    write_png(dir / "img" / "b.png", 8, 6, {255, 0, 0});   // red, resized and made gray
    write_idx_images(dir / "digits.idx", 2, 2, {0, 255});  // image #1 is white
    std::ofstream(dir / "index.csv") << "id,image,label,source\n"
                                        "x1,img/a.png,dark,web\n"
                                        "x2,img/b.png,dark,app\n"
                                        "x3,digits.idx#1,bright,app\n"
                                        "x4,digits.idx#0,dark,web\n";
    auto c = config_of(dir,
                       "[data]\ntrain = \"index.csv\"\nimage_col = \"image\"\nid_col = \"id\"\n"
                       "image_size = [4, 4]\nchannels = 1\nstandardize = false\n"
                       "keep_cols = [\"source\"]\n");
    auto data = load_dataset(c);
    EXPECT_EQ(data.shape, (std::vector<std::int64_t>{1, 4, 4}));
    EXPECT_EQ(data.classes, (std::vector<std::string>{"bright", "dark"}));
    const auto& train = data.splits.at("train");
    ASSERT_EQ(train.size(), 4u);
    EXPECT_EQ(train.y, (std::vector<std::int64_t>{1, 1, 0, 1}));
    EXPECT_EQ(train.ids, (std::vector<std::string>{"x1", "x2", "x3", "x4"}));
    EXPECT_EQ(train.kept, (std::vector<std::string>{"web", "app", "app", "web"}));
    EXPECT_FLOAT_EQ(train.x[0], 51.0f / 255.0f);
    EXPECT_FLOAT_EQ(train.x[16 + 5], 0.299f);  // red through luma
    EXPECT_FLOAT_EQ(train.x[32 + 15], 1.0f);
    EXPECT_FLOAT_EQ(train.x[48], 0.0f);
}

TEST(Images, DefaultShapeIsTheFirstImagesAndRgbStaysRgb) {
    auto dir = temp_dir("default_shape");
    write_png(dir / "a.png", 3, 2, {0, 255, 0});
    write_png(dir / "b.png", 6, 4, {0, 0, 255});
    std::ofstream(dir / "t.tsv") << "image\tlabel\na.png\tg\nb.png\tb\n";
    auto data = load_dataset(
        config_of(dir, "[data]\ntrain = \"t.tsv\"\nimage_col = \"image\"\nstandardize = false\n"));
    EXPECT_EQ(data.shape, (std::vector<std::int64_t>{3, 2, 3}));
    const auto& x = data.splits.at("train").x;
    EXPECT_FLOAT_EQ(x[6 * 1], 1.0f);       // a: green plane
    EXPECT_FLOAT_EQ(x[18 + 6 * 2], 1.0f);  // b: blue plane, downsized
}

TEST(Images, BadImagesNameTheTableAndLine) {
    auto dir = temp_dir("bad");
    write_png(dir / "ok.png", 2, 2, {0});
    write_idx_images(dir / "d.idx", 2, 2, {0, 255});
    std::ofstream(dir / "broken.png") << "not an image";
    const std::string table = (dir / "t.csv").string();
    auto error_for = [&](const std::string& ref) {
        std::ofstream(table) << "image,label\nok.png,a\n" << ref << ",b\n";
        auto c = config_of(dir, "[data]\ntrain = \"t.csv\"\nimage_col = \"image\"\n");
        return error_of([&] { load_dataset(c); });
    };
    EXPECT_EQ(error_for("missing.png"),
              table + ":3: image file not found: " + (dir / "missing.png").string());
    EXPECT_EQ(error_for("d.idx#2"), table + ":3: image #2 of " + (dir / "d.idx").string() +
                                        " does not exist (2 images, numbered from 0)");
    EXPECT_EQ(error_for("d.idx#x"), table + ":3: bad image reference '" + (dir / "d.idx").string() +
                                        "#x': after '#' comes the 0-based image number");
    EXPECT_EQ(error_for("d.idx"), table +
                                      ":3: bad image reference 'd.idx': an IDX file needs "
                                      "'#N', the 0-based image number");
    EXPECT_EQ(error_for("nothere.idx#0"),
              table + ":3: IDX file not found: " + (dir / "nothere.idx").string());
    EXPECT_EQ(error_for("\"\""), table + ":3: the image reference is empty");
    EXPECT_NE(error_for("broken.png")
                  .find(table + ":3: cannot decode image " + (dir / "broken.png").string() + ": "),
              std::string::npos);
}

TEST(Images, ClassFoldersGiveSortedClassesAndRelativeIds) {
    auto dir = temp_dir("folders");
    for (const char* cls : {"shirt", "bag", "coat"}) fs::create_directories(dir / "train" / cls);
    write_png(dir / "train" / "shirt" / "2.png", 2, 2, {10});
    write_png(dir / "train" / "shirt" / "1.PNG", 2, 2, {20});
    write_png(dir / "train" / "bag" / "x.png", 2, 2, {30});
    std::ofstream(dir / "train" / "bag" / "notes.txt") << "ignored";
    auto data = load_dataset(
        config_of(dir, "[data]\nformat = \"folders\"\ntrain = \"train\"\nstandardize = false\n"));
    EXPECT_EQ(data.classes, (std::vector<std::string>{"bag", "coat", "shirt"}));
    const auto& train = data.splits.at("train");
    EXPECT_EQ(train.ids, (std::vector<std::string>{"bag/x.png", "shirt/1.PNG", "shirt/2.png"}));
    EXPECT_EQ(train.y, (std::vector<std::int64_t>{0, 2, 2}));
    EXPECT_FLOAT_EQ(train.x[4], 20.0f / 255.0f);
    EXPECT_EQ(error_of([&] {
                  load_dataset(config_of(dir, "[data]\nformat = \"folders\"\ntrain = \"nope\"\n"));
              }),
              (dir / "nope").string() +
                  ": not a folder (data.format = \"folders\" needs one subfolder per class)");
}

TEST(Images, KeepClassesReordersAndDropsRowsFromEverySplit) {
    auto dir = temp_dir("keep_classes");
    std::ofstream t(dir / "t.csv");
    t << "x,label,split\n";
    const char* labels[] = {"a", "b", "c", "d"};
    for (int i = 0; i < 40; ++i)
        t << i << "," << labels[i % 4] << "," << (i < 32 ? "train" : "dev") << "\n";
    t.close();
    auto data = load_dataset(
        config_of(dir,
                  "[data]\ntrain = \"t.csv\"\nsplit_col = \"split\"\nstandardize = false\n"
                  "keep_classes = [\"c\", \"a\"]\nper_class = 3\nsplit_seed = 5\n"));
    EXPECT_EQ(data.classes, (std::vector<std::string>{"c", "a"}));
    const auto& train = data.splits.at("train");
    ASSERT_EQ(train.size(), 6u);
    int as = 0;
    for (std::size_t i = 0; i < train.size(); ++i) {
        const int x = static_cast<int>(train.x[i]);
        EXPECT_EQ(train.y[i], x % 4 == 2 ? 0 : 1) << x;
        EXPECT_TRUE(x % 4 == 0 || x % 4 == 2) << x;
        as += x % 4 == 0;
        if (i > 0) {
            EXPECT_LT(train.x[i - 1], train.x[i]);  // file order is kept
        }
    }
    EXPECT_EQ(as, 3);
    // per_class applies to train only: dev keeps its 2 + 2 rows of a and c.
    EXPECT_EQ(data.splits.at("dev").size(), 4u);
    EXPECT_EQ(error_of([&] {
                  load_dataset(config_of(dir,
                                         "[data]\ntrain = \"t.csv\"\nsplit_col = \"split\"\n"
                                         "keep_classes = [\"a\", \"z\"]\n"));
              }),
              "config: key 'data.keep_classes': class 'z' is not a class of the data (a, b, c, d)");
}

TEST(Images, ConfigChecksImageKeys) {
    auto dir = temp_dir("keys");
    EXPECT_EQ(error_of([&] { config_of(dir, "[data]\nchannels = 2\n"); }),
              (dir / "c.toml").string() +
                  ":2: key 'data.channels' must be 0 (the first image's), 1 or 3, got 2");
    EXPECT_EQ(error_of([&] { config_of(dir, "[data]\nimage_size = [28]\n"); }),
              (dir / "c.toml").string() +
                  ":2: key 'data.image_size' must be [H, W] (or [] for the first image's size), "
                  "got 1 numbers");
}

TEST(Images, SplitFolderOfAnIndexTrainsAndKeepsColumnsInPredictions) {
    // The index `mlstrat split` reads: id,image,label,source,degradation; the split folder
    // holds train.csv and dev.csv copied from it, and images resolve against the index's folder.
    auto dir = temp_dir("split_dir");
    fs::create_directories(dir / "images");
    fs::create_directories(dir / "splits");
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> dark(0, 80), bright(170, 255);
    std::ofstream train(dir / "splits" / "train.csv"), dev(dir / "splits" / "dev.csv");
    for (auto* f : {&train, &dev}) *f << "id,image,label,source,degradation\n";
    for (int i = 0; i < 120; ++i) {
        const bool is_bright = i % 2 == 0;
        const auto v = static_cast<unsigned char>(is_bright ? bright(rng) : dark(rng));
        const std::string name = "im" + std::to_string(i) + ".png";
        write_png(dir / "images" / name, 5, 5, {v});
        (i < 90 ? train : dev) << "r" << i << ",images/" << name << ","
                               << (is_bright ? "bright" : "dark") << "," << (i % 3 ? "web" : "app")
                               << ",\"blur, " << i % 4 << "\"\n";
    }
    train.close();
    dev.close();
    std::ofstream(dir / "c.toml")
        << "seed = 1\nthreads = 1\n[data]\nsplit_dir = \"splits\"\nimage_root = \".\"\n"
           "image_col = \"image\"\nid_col = \"id\"\nkeep_cols = [\"source\", \"degradation\"]\n"
           "[model]\nkind = \"mlp\"\nhidden = [8]\n[train]\nepochs = 5\nbatch_size = 16\n"
           "[optim]\nlr = 0.01\n";
    RunRequest r;
    r.config_path = (dir / "c.toml").string();
    r.runs_dir = (dir / "runs").string();
    auto result = train_run(r);
    EXPECT_LE(result.errors.at("dev"), 0.05);
    const std::string pred = mlstrat::io::read_file((dir / "runs" / "c" / "pred_dev.csv").string());
    EXPECT_EQ(pred.substr(0, pred.find('\n')), "id,label,pred,source,degradation,p_bright,p_dark");
    const std::string row = "\nr91,dark,dark,web,\"blur, 3\",";
    EXPECT_NE(pred.find(row), std::string::npos) << pred.substr(0, 300);
}
