// synth: each degradation's effect measured on images whose answer is known by hand, the spec
// and its strengths, and whole runs (byte-identical for a seed, independent of threads and of
// the rows selected, nothing written on bad input).

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sndfile.h>
#include <stb_image.h>
#include <stb_image_write.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <set>
#include <sstream>

#include "mlstrat/support/error.hpp"
#include "mlstrat/support/io.hpp"
#include "mlstrat/synth.hpp"

namespace {

namespace fs = std::filesystem;
using mlstrat::Error;
using namespace mlstrat::synth;

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

class TempDir {
 public:
    explicit TempDir(const std::string& name)
        : path_(fs::temp_directory_path() /
                ("mlstrat_synth_" + name + "_" + std::to_string(::getpid()))) {
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    ~TempDir() { fs::remove_all(path_); }
    std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
    fs::path path_;
};

// Uniform random values in [lo, hi], fixed seed.
Image random_image(int w, int h, int channels, float lo = 0.0f, float hi = 1.0f,
                   unsigned seed = 5) {
    std::mt19937 gen(seed);
    std::uniform_real_distribution<float> u(lo, hi);
    Image im{w, h, channels, std::vector<float>(static_cast<std::size_t>(w) * h * channels)};
    for (float& v : im.pixels) v = u(gen);
    return im;
}

// Sum of squared differences between horizontal and vertical neighbours: the high-frequency
// energy that blur and a low-quality rescale remove.
double high_frequency_energy(const Image& im) {
    double e = 0.0;
    for (int y = 0; y < im.height; ++y) {
        for (int x = 0; x < im.width; ++x) {
            for (int c = 0; c < im.channels; ++c) {
                if (x + 1 < im.width) e += std::pow(im.at(x + 1, y, c) - im.at(x, y, c), 2);
                if (y + 1 < im.height) e += std::pow(im.at(x, y + 1, c) - im.at(x, y, c), 2);
            }
        }
    }
    return e;
}

double mean(const Image& im) {
    double s = 0.0;
    for (float v : im.pixels) s += v;
    return s / static_cast<double>(im.pixels.size());
}

}  // namespace

TEST(Spec, ParsesRangesAndFixedValuesInOrderOfApplication) {
    auto s =
        DegradeSpec::parse("noise=0.02:0.1, blur=0.5:2,contrast=0.4:0.9,rotate=-15:15,occlude=0.1");
    EXPECT_EQ(s.to_string(),
              "rotate=-15:15,blur=0.5:2,contrast=0.4:0.9,occlude=0.1,noise=0.02:0.1");
    EXPECT_FALSE(s.ranges[static_cast<std::size_t>(Kind::Brightness)].has_value());
    EXPECT_EQ(DegradeSpec::parse(DegradeSpec::defaults().to_string()).to_string(),
              DegradeSpec::defaults().to_string());
}

TEST(Spec, BadItemsNameTheItemAndTheRule) {
    auto bad = [](const char* text) { return error_of([&] { DegradeSpec::parse(text); }); };
    EXPECT_EQ(bad("blur=2:1"), "--degrade item 'blur=2:1': the range is reversed (2 > 1)");
    EXPECT_EQ(bad("sharpen=1"),
              "--degrade: unknown degradation 'sharpen' (known: rotate, rescale, blur, contrast, "
              "brightness, occlude, noise)");
    EXPECT_EQ(bad("blur=1,blur=2"), "--degrade: 'blur' is given twice");
    EXPECT_EQ(bad("rescale=0.5:1.5"),
              "--degrade item 'rescale=0.5:1.5': rescale_factor must lie in [0.05, 1]");
    EXPECT_NE(bad("blur=a:2").find("--degrade item 'blur=a:2'"), std::string::npos);
    EXPECT_NE(bad("blur").find("--degrade"), std::string::npos);
    EXPECT_NE(bad("").find("empty spec"), std::string::npos);
}

TEST(Spec, StrengthIsDistanceFromIdentityScaledWithinTheRange) {
    auto s = DegradeSpec::parse("contrast=0.4:0.9,rotate=-15:15,blur=0.5:2,noise=0.05");
    // Contrast: identity 1; 0.9 is nearest (0), 0.4 farthest (1).
    EXPECT_DOUBLE_EQ(s.strength(Kind::Contrast, 0.4), 1.0);
    EXPECT_DOUBLE_EQ(s.strength(Kind::Contrast, 0.9), 0.0);
    EXPECT_NEAR(s.strength(Kind::Contrast, 0.65), 0.5, 1e-12);
    // Rotation: the range holds the identity, so |angle| / 15 either way.
    EXPECT_DOUBLE_EQ(s.strength(Kind::Rotate, -15), 1.0);
    EXPECT_DOUBLE_EQ(s.strength(Kind::Rotate, 7.5), 0.5);
    EXPECT_DOUBLE_EQ(s.strength(Kind::Rotate, 0), 0.0);
    EXPECT_DOUBLE_EQ(s.strength(Kind::Blur, 1.25), 0.5);
    EXPECT_DOUBLE_EQ(s.strength(Kind::Noise, 0.05), 1.0);  // a fixed value counts as full strength
    EXPECT_DOUBLE_EQ(s.strength(Kind::Brightness, 0.1), 0.0);  // not in the spec
}

TEST(Spec, EveryDrawAppliesAtLeastOneKindWithValuesInRange) {
    auto spec = DegradeSpec::defaults();
    for (double p : {0.0, 0.35, 1.0}) {
        spec.probability = p;
        std::size_t total_applied = 0;
        for (std::uint64_t key = 0; key < 500; ++key) {
            const Setting s = draw_setting(spec, key);
            std::size_t applied = 0;
            for (Kind k : kAllKinds) {
                const auto i = static_cast<std::size_t>(k);
                const Range r = *spec.ranges[i];
                if (s.applied[i]) {
                    ++applied;
                    EXPECT_GE(s.value[i], r.lo);
                    EXPECT_LE(s.value[i], r.hi);
                    EXPECT_DOUBLE_EQ(s.strength[i], spec.strength(k, s.value[i]));
                } else {
                    EXPECT_EQ(s.value[i], identity_value(k));
                }
            }
            EXPECT_GE(applied, 1u);
            if (p == 0.0) {
                EXPECT_EQ(applied, 1u);
            }
            if (p == 1.0) {
                EXPECT_EQ(applied, kKinds);
            }
            EXPECT_TRUE(s.applied[static_cast<std::size_t>(s.main())]);
            total_applied += applied;
            const Setting again = draw_setting(spec, key);
            EXPECT_EQ(again.value, s.value);
            EXPECT_EQ(again.pattern_seed, s.pattern_seed);
        }
        // With p = 0.35 and 7 kinds, 7 p = 2.45 per draw, plus the rare forced pick.
        if (p == 0.35) {
            EXPECT_NEAR(total_applied / 500.0, 2.45 + std::pow(0.65, 7), 0.2);
        }
    }
}

TEST(Setting, MainIsTheStrongestAndKindsListsAllInOrder) {
    Setting s;
    s.applied[static_cast<std::size_t>(Kind::Blur)] = true;
    s.strength[static_cast<std::size_t>(Kind::Blur)] = 0.3;
    s.applied[static_cast<std::size_t>(Kind::Noise)] = true;
    s.strength[static_cast<std::size_t>(Kind::Noise)] = 0.8;
    s.applied[static_cast<std::size_t>(Kind::Rotate)] = true;
    s.strength[static_cast<std::size_t>(Kind::Rotate)] = 0.8;
    EXPECT_EQ(s.main(), Kind::Rotate);  // tie with noise: first in order of application
    EXPECT_EQ(s.kinds(), "rotate+blur+noise");
}

TEST(Degrade, BlurRemovesHighFrequenciesAndKeepsTheMean) {
    const Image im = random_image(32, 32, 1);
    Image b = im;
    gaussian_blur(b, 1.0);
    // White noise through a Gaussian of sigma 1: neighbour differences shrink about tenfold.
    EXPECT_LT(high_frequency_energy(b), 0.15 * high_frequency_energy(im));
    EXPECT_NEAR(mean(b), mean(im), 0.01);
    Image stronger = im;
    gaussian_blur(stronger, 2.0);
    EXPECT_LT(high_frequency_energy(stronger), high_frequency_energy(b));
    Image none = im;
    gaussian_blur(none, 0.0);
    EXPECT_EQ(none.pixels, im.pixels);
}

TEST(Degrade, NoiseHasTheRequestedStandardDeviation) {
    Image im{128, 128, 1, std::vector<float>(128 * 128, 0.5f)};
    add_noise(im, 0.05, 11);
    double sum = 0.0, sq = 0.0;
    for (float v : im.pixels) {
        sum += v;
        sq += (v - 0.5) * (v - 0.5);
    }
    const double n = static_cast<double>(im.pixels.size());
    EXPECT_NEAR(sum / n, 0.5, 0.002);              // 4 standard errors of the mean
    EXPECT_NEAR(std::sqrt(sq / n), 0.05, 0.0015);  // the std's standard error is 0.05 / sqrt(2n)
    Image again{128, 128, 1, std::vector<float>(128 * 128, 0.5f)};
    add_noise(again, 0.05, 11);
    EXPECT_EQ(again.pixels, im.pixels);
}

TEST(Degrade, ContrastScalesTheDeviationFromTheMean) {
    const Image im = random_image(16, 16, 3, 0.25f, 0.75f);
    Image c = im;
    scale_contrast(c, 0.4);
    for (int ch = 0; ch < 3; ++ch) {
        double m = 0.0;
        for (int y = 0; y < 16; ++y) {
            for (int x = 0; x < 16; ++x) m += im.at(x, y, ch);
        }
        m /= 256.0;
        for (int y = 0; y < 16; ++y) {
            for (int x = 0; x < 16; ++x) {
                EXPECT_NEAR(c.at(x, y, ch) - m, 0.4 * (im.at(x, y, ch) - m), 1e-6);
            }
        }
    }
}

TEST(Degrade, BrightnessShiftsAndClips) {
    Image im{3, 1, 1, {0.2f, 0.5f, 0.95f}};
    shift_brightness(im, 0.1);
    EXPECT_NEAR(im.pixels[0], 0.3f, 1e-6);
    EXPECT_NEAR(im.pixels[1], 0.6f, 1e-6);
    EXPECT_EQ(im.pixels[2], 1.0f);
}

TEST(Degrade, RotationByZeroIsIdentityAndByNinetyTurnsCounterclockwise) {
    const Image im = random_image(9, 9, 2);
    Image zero = im;
    rotate(zero, 0.0);
    EXPECT_EQ(zero.pixels, im.pixels);
    Image quarter = im;
    rotate(quarter, 90.0);
    // Counterclockwise as displayed: the source's right column becomes the top row.
    for (int y = 0; y < 9; ++y) {
        for (int x = 0; x < 9; ++x) {
            for (int c = 0; c < 2; ++c) EXPECT_NEAR(quarter.at(x, y, c), im.at(8 - y, x, c), 1e-5);
        }
    }
    Image full = im;
    rotate(full, 360.0);
    for (std::size_t i = 0; i < im.pixels.size(); ++i)
        EXPECT_NEAR(full.pixels[i], im.pixels[i], 1e-5);
}

TEST(Degrade, RotationFillsCornersWithTheBorderMean) {
    // A square ring of 1 on 0 inside: the border is all 1, so the corners that come from outside
    // after 45 degrees are 1, and the centre (a fixed point) keeps its 0.
    Image im{11, 11, 1, std::vector<float>(121, 0.0f)};
    for (int i = 0; i < 11; ++i)
        im.at(i, 0, 0) = im.at(i, 10, 0) = im.at(0, i, 0) = im.at(10, i, 0) = 1.0f;
    rotate(im, 45.0);
    EXPECT_EQ(im.at(0, 0, 0), 1.0f);
    EXPECT_EQ(im.at(10, 10, 0), 1.0f);
    EXPECT_EQ(im.at(5, 5, 0), 0.0f);
}

TEST(Degrade, OcclusionCoversTheRequestedShareWithOneShade) {
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
        const Rect r = occlusion_rect(40, 30, 0.1, seed);
        EXPECT_NEAR(static_cast<double>(r.w) * r.h / 1200.0, 0.1, 0.02) << seed;
        EXPECT_GE(r.x, 0);
        EXPECT_LE(r.x + r.w, 40);
        EXPECT_LE(r.y + r.h, 30);
        const Image im = random_image(40, 30, 1, 0.0f, 1.0f, static_cast<unsigned>(seed));
        Image o = im;
        occlude(o, 0.1, seed);
        const float shade = o.at(r.x, r.y, 0);
        for (int y = 0; y < 30; ++y) {
            for (int x = 0; x < 40; ++x) {
                const bool inside = x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h;
                EXPECT_EQ(o.at(x, y, 0), inside ? shade : im.at(x, y, 0));
            }
        }
    }
}

TEST(Degrade, LowQualityRescaleLosesDetailButNotTheMean) {
    const Image im = random_image(28, 28, 1);
    Image same = im;
    rescale(same, 1.0);
    EXPECT_EQ(same.pixels, im.pixels);
    Image half = im;
    rescale(half, 0.5);
    EXPECT_LT(high_frequency_energy(half), 0.3 * high_frequency_energy(im));
    EXPECT_NEAR(mean(half), mean(im), 0.01);
    // 2 x 2 blocks average exactly: a block-constant image comes back unchanged inside blocks'
    // centres' reach, and a constant image stays constant.
    Image flat{28, 28, 1, std::vector<float>(784, 0.3f)};
    rescale(flat, 0.37);
    for (float v : flat.pixels) EXPECT_NEAR(v, 0.3f, 1e-6);
}

// ---------------------------------------------------------------------------------------------
// Whole runs

namespace {

// n images of 10 x 12 pixels (a gradient that differs per image) and labels n % 4.
void write_tiny_idx(const std::string& images, const std::string& labels, std::uint32_t n,
                    std::uint32_t label_count) {
    mlstrat::io::IdxArray im;
    im.dims = {n, 12, 10};
    for (std::uint32_t i = 0; i < n; ++i) {
        for (int p = 0; p < 120; ++p)
            im.values.push_back(static_cast<float>((i * 37 + p * 2) % 256));
    }
    mlstrat::io::IdxArray lb;
    lb.dims = {label_count};
    for (std::uint32_t i = 0; i < label_count; ++i) lb.values.push_back(static_cast<float>(i % 4));
    for (auto [path, a] : {std::pair{images, &im}, std::pair{labels, &lb}}) {
        mlstrat::io::AtomicFile f(path);
        mlstrat::io::write_idx(f, *a);
        f.commit();
    }
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

}  // namespace

TEST(SynthImages, SameSeedGivesIdenticalBytesWhateverTheThreads) {
    TempDir dir("determinism");
    write_tiny_idx(dir / "i.idx", dir / "l.idx", 40, 40);
    ImageOptions o;
    o.images = dir / "i.idx";
    o.labels = dir / "l.idx";
    o.seed = 9;
    o.copies = 3;
    o.out = dir / "a";
    o.threads = 1;
    synthesize_images(o);
    o.out = dir / "b";
    o.threads = 2;
    synthesize_images(o);
    for (const char* f : {"images.idx.gz", "labels.idx.gz", "applied.csv"}) {
        EXPECT_TRUE(slurp(fs::path(dir / "a") / f) == slurp(fs::path(dir / "b") / f)) << f;
    }
    o.out = dir / "c";
    o.seed = 10;
    synthesize_images(o);
    EXPECT_FALSE(slurp(fs::path(dir / "a") / "images.idx.gz") ==
                 slurp(fs::path(dir / "c") / "images.idx.gz"));
}

TEST(SynthImages, OutputsMatchTheirRowsLabelsAndAppliedSettings) {
    TempDir dir("layout");
    write_tiny_idx(dir / "i.idx", dir / "l.idx", 20, 20);
    ImageOptions o;
    o.images = dir / "i.idx";
    o.labels = dir / "l.idx";
    o.first_row = 5;
    o.end_row = 9;
    o.copies = 2;
    o.seed = 4;
    o.out = dir / "out";
    const auto s = synthesize_images(o);
    EXPECT_EQ(s.outputs, 8u);
    EXPECT_EQ(s.settings.distinct, 8u);
    EXPECT_TRUE(s.warnings.empty());
    const auto images = mlstrat::io::read_idx(dir / "out/images.idx.gz");
    const auto labels = mlstrat::io::read_idx(dir / "out/labels.idx.gz");
    EXPECT_EQ(images.dims, (std::vector<std::uint32_t>{8, 12, 10}));
    EXPECT_EQ(labels.values, (std::vector<float>{1, 1, 2, 2, 3, 3, 0, 0}));  // rows 5..8, % 4
    const auto lines = lines_of(slurp(dir / "out/applied.csv"));
    ASSERT_EQ(lines.size(), 9u);
    EXPECT_EQ(lines[0],
              "id,image,label,source_index,degradation,strength,kinds,setting,rotate_degrees,"
              "rescale_factor,blur_sigma,contrast_factor,brightness_shift,occlude_share,noise_std");
    EXPECT_EQ(lines[3].rfind("2,images.idx.gz#2,2,6,", 0), 0u) << lines[3];
    // Each row's image is its source degraded by the setting the row records: redo it by hand.
    const auto source = mlstrat::io::read_idx(o.images);
    for (std::size_t n = 0; n < 8; ++n) {
        std::vector<std::string> cells;
        std::istringstream row(lines[n + 1]);
        for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
        ASSERT_EQ(cells.size(), 15u);
        Setting st;
        for (std::size_t k = 0; k < kKinds; ++k) {
            st.value[k] = std::stod(cells[8 + k]);
            st.applied[k] = cells[6].find(kind_name(kAllKinds[k])) != std::string::npos;
        }
        // The noise pattern and occlusion place are not in the CSV: compare only outputs whose
        // setting has neither.
        if (st.applied[static_cast<std::size_t>(Kind::Noise)] ||
            st.applied[static_cast<std::size_t>(Kind::Occlude)]) {
            continue;
        }
        Image im{10, 12, 1, {}};
        for (int p = 0; p < 120; ++p)
            im.pixels.push_back(source.values[(5 + n / 2) * 120 + p] / 255.0f);
        apply(st, im);
        for (int p = 0; p < 120; ++p) {
            // The CSV holds 6 significant digits: allow a grey level of difference.
            EXPECT_NEAR(images.values[n * 120 + p], im.pixels[p] * 255.0f, 1.01) << n << " " << p;
        }
    }
}

TEST(SynthImages, ReadAppliedGivesEachOutputsRecordWithItsImageInTheFolder) {
    TempDir dir("applied");
    write_tiny_idx(dir / "i.idx", dir / "l.idx", 20, 20);
    ImageOptions o;
    o.images = dir / "i.idx";
    o.labels = dir / "l.idx";
    o.first_row = 5;
    o.end_row = 8;
    o.seed = 4;
    o.out = dir / "out";
    synthesize_images(o);
    const auto rows = read_applied(dir / "out");
    const auto lines = lines_of(slurp(dir / "out/applied.csv"));
    ASSERT_EQ(rows.size(), 3u);
    ASSERT_EQ(lines.size(), 4u);
    for (std::size_t n = 0; n < rows.size(); ++n) {
        // The columns id,image,label,source_index,degradation,strength,kinds of the row's line.
        std::vector<std::string> cells;
        std::istringstream line(lines[n + 1]);
        for (std::string cell; std::getline(line, cell, ',');) cells.push_back(cell);
        EXPECT_EQ(rows[n].id, std::to_string(n));
        EXPECT_EQ(rows[n].image,
                  (fs::path(dir / "out") / ("images.idx.gz#" + std::to_string(n))).string());
        EXPECT_EQ(rows[n].label, std::to_string((5 + n) % 4));
        EXPECT_EQ(rows[n].degradation, cells[4]);
        EXPECT_EQ(rows[n].strength, cells[5]);
        EXPECT_EQ(rows[n].kinds, cells[6]);
        EXPECT_FALSE(split_kinds(rows[n].kinds).empty());  // every output is degraded
    }
    EXPECT_NE(error_of([&] { read_applied(dir / "missing"); }).find("applied.csv"),
              std::string::npos);
}

TEST(SynthImages, SplitKindsReadsTheKindsCell) {
    EXPECT_EQ(split_kinds("rotate+blur+noise"),
              (std::vector<std::string>{"rotate", "blur", "noise"}));
    EXPECT_EQ(split_kinds("blur"), (std::vector<std::string>{"blur"}));
    EXPECT_TRUE(split_kinds("none").empty());
    EXPECT_TRUE(split_kinds("").empty());
    EXPECT_EQ(split_kinds("a++b+"), (std::vector<std::string>{"a", "b"}));
}

TEST(SynthImages, AnOutputDependsOnlyOnSeedRowAndCopyNotOnTheRowsSelected) {
    TempDir dir("rows");
    write_tiny_idx(dir / "i.idx", dir / "l.idx", 12, 12);
    ImageOptions o;
    o.images = dir / "i.idx";
    o.labels = dir / "l.idx";
    o.seed = 2;
    o.out = dir / "all";
    synthesize_images(o);
    o.first_row = 7;
    o.end_row = 9;
    o.out = dir / "some";
    synthesize_images(o);
    const auto all = mlstrat::io::read_idx(dir / "all/images.idx.gz");
    const auto some = mlstrat::io::read_idx(dir / "some/images.idx.gz");
    ASSERT_EQ(some.items(), 2u);
    for (std::size_t p = 0; p < 2 * 120; ++p) EXPECT_EQ(some.values[p], all.values[7 * 120 + p]);
}

TEST(SynthImages, SmallPoolIsCountedAndWarnedAbout) {
    TempDir dir("pool");
    write_tiny_idx(dir / "i.idx", dir / "l.idx", 50, 50);
    ImageOptions o;
    o.images = dir / "i.idx";
    o.labels = dir / "l.idx";
    o.seed = 1;
    o.pool = 3;
    o.copies = 2;
    o.out = dir / "out";
    const auto s = synthesize_images(o);
    EXPECT_EQ(s.settings.distinct, 3u);
    EXPECT_NEAR(s.settings.reuse, 100.0 / 3.0, 1e-12);
    ASSERT_EQ(s.warnings.size(), 1u);
    EXPECT_NE(s.warnings[0].find("100 outputs share 3 distinct degradation settings"),
              std::string::npos);
    // Every output's setting column names one of the 3.
    std::set<std::string> settings;
    for (const auto& line : lines_of(slurp(dir / "out/applied.csv"))) {
        std::vector<std::string> cells;
        std::istringstream row(line);
        for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
        settings.insert(cells[7]);
    }
    EXPECT_EQ(settings, (std::set<std::string>{"setting", "0", "1", "2"}));
    o.out = dir / "wide";
    o.pool = 0;
    EXPECT_TRUE(synthesize_images(o).warnings.empty());
}

TEST(SynthImages, BadInputsFailBeforeAnythingIsWritten) {
    TempDir dir("bad");
    write_tiny_idx(dir / "i.idx", dir / "l.idx", 6, 5);
    std::ofstream(dir / "junk.idx") << "not idx";
    ImageOptions o;
    o.images = dir / "i.idx";
    o.labels = dir / "l.idx";
    o.out = dir / "out";
    EXPECT_EQ(error_of([&] { synthesize_images(o); }),
              (dir / "l.idx") + ": 5 labels for 6 images in " + (dir / "i.idx"));
    o.images = dir / "junk.idx";
    EXPECT_NE(error_of([&] { synthesize_images(o); }).find("not an IDX file"), std::string::npos);
    write_tiny_idx(dir / "i.idx", dir / "l.idx", 6, 6);
    o.images = dir / "i.idx";
    o.first_row = 3;
    o.end_row = 7;
    EXPECT_EQ(error_of([&] { synthesize_images(o); }),
              (dir / "i.idx") + ": --rows 3:7 is out of range: the input has 6 images");
    o.end_row.reset();
    o.first_row = 6;
    EXPECT_EQ(error_of([&] { synthesize_images(o); }),
              (dir / "i.idx") + ": --rows 6: is out of range: the input has 6 images");
    o.first_row = 0;
    o.images = dir / "l.idx";
    EXPECT_NE(error_of([&] { synthesize_images(o); }).find("N x H x W"), std::string::npos);
    EXPECT_FALSE(fs::exists(dir / "out"));
    EXPECT_EQ(error_of([] { parse_row_range("5", "--rows"); }),
              "--rows: '5' is not a row range A:B (rows A to B-1) or A: (A to the end)");
    EXPECT_EQ(error_of([] { parse_row_range("5:5", "--rows"); }),
              "--rows: '5:5' selects no rows (A must be below B)");
    EXPECT_EQ(parse_row_range("2:", "--rows").second, std::nullopt);
}

TEST(SynthImages, FolderOfClassesComesBackAsPngsWithRelativePaths) {
    TempDir dir("folder");
    const Image rgb = random_image(12, 9, 3);
    std::vector<unsigned char> bytes(rgb.pixels.size());
    for (std::size_t i = 0; i < bytes.size(); ++i)
        bytes[i] = static_cast<unsigned char>(rgb.pixels[i] * 255);
    for (const char* cls : {"cat", "dog"}) {
        fs::create_directories(fs::path(dir / "in") / cls);
        for (const char* name : {"a.png", "b.png"}) {
            const std::string p = (fs::path(dir / "in") / cls / name).string();
            ASSERT_NE(stbi_write_png(p.c_str(), 12, 9, 3, bytes.data(), 36), 0);
        }
    }
    std::ofstream(fs::path(dir / "in") / "cat" / "notes.txt") << "not an image";
    ImageOptions o;
    o.folder = dir / "in";
    o.out = dir / "out";
    o.seed = 5;
    o.copies = 2;
    const auto s = synthesize_images(o);
    EXPECT_EQ(s.outputs, 8u);
    const auto lines = lines_of(slurp(dir / "out/applied.csv"));
    ASSERT_EQ(lines.size(), 9u);
    EXPECT_EQ(lines[1].substr(0, 18), "0,cat/a_0.png,cat,");
    EXPECT_EQ(lines[8].substr(0, 18), "7,dog/b_1.png,dog,");
    int w = 0, h = 0, n = 0;
    unsigned char* back = stbi_load((dir / "out/dog/b_1.png").c_str(), &w, &h, &n, 0);
    ASSERT_NE(back, nullptr);
    EXPECT_EQ(w, 12);
    EXPECT_EQ(h, 9);
    EXPECT_EQ(n, 3);
    stbi_image_free(back);
    // A folder output refuses a non-empty target and leaves it as it was.
    EXPECT_NE(error_of([&] { synthesize_images(o); }).find("is not empty"), std::string::npos);
    // A broken image fails the run and leaves no output folder.
    std::ofstream(fs::path(dir / "in") / "dog" / "c.png") << "not a png";
    o.out = dir / "out2";
    EXPECT_NE(error_of([&] { synthesize_images(o); }).find("c.png: cannot decode the image"),
              std::string::npos);
    EXPECT_FALSE(fs::exists(dir / "out2"));
    for (const auto& e : fs::directory_iterator(dir / "")) {
        EXPECT_EQ(e.path().filename().string().find(".out2.partial"), std::string::npos);
    }
}

// ---------------------------------------------------------------------------------------------
// Audio

namespace {

// Writes `samples` (interleaved) as a WAV of the given subtype.
void write_wav(const std::string& path, const std::vector<float>& samples, int channels, int rate,
               int subtype = SF_FORMAT_FLOAT) {
    SF_INFO info{};
    info.channels = channels;
    info.samplerate = rate;
    info.format = SF_FORMAT_WAV | subtype;
    SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
    ASSERT_NE(f, nullptr) << sf_strerror(nullptr);
    sf_writef_float(f, samples.data(), static_cast<sf_count_t>(samples.size() / channels));
    sf_close(f);
}

std::vector<float> read_wav(const std::string& path, SF_INFO& info) {
    info = SF_INFO{};
    SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
    EXPECT_NE(f, nullptr) << path;
    std::vector<float> out(static_cast<std::size_t>(info.frames) * info.channels);
    if (f != nullptr) {
        sf_readf_float(f, out.data(), info.frames);
        sf_close(f);
    }
    return out;
}

std::vector<float> sine(std::size_t frames, double freq, double amplitude, int rate) {
    std::vector<float> s(frames);
    for (std::size_t t = 0; t < frames; ++t) {
        s[t] = static_cast<float>(amplitude * std::sin(2 * 3.141592653589793 * freq * t / rate));
    }
    return s;
}

std::vector<float> white(std::size_t frames, double amplitude, unsigned seed) {
    std::mt19937 gen(seed);
    std::uniform_real_distribution<float> u(-amplitude, amplitude);
    std::vector<float> s(frames);
    for (float& v : s) v = u(gen);
    return s;
}

double power(const std::vector<float>& v) {
    double acc = 0.0;
    for (float x : v) acc += static_cast<double>(x) * x;
    return acc / static_cast<double>(v.size());
}

}  // namespace

TEST(Audio, MixAtSnrSetsThePowerRatio) {
    for (double snr : {-5.0, 0.0, 12.5}) {
        std::vector<float> speech = sine(8000, 440, 0.3, 8000);
        const std::vector<float> clean = speech;
        const std::vector<float> noise = white(3000, 0.5, 1);  // shorter: cycled
        const double gain = mix_at_snr(speech, 1, noise, 1234, snr);
        std::vector<float> added(speech.size());
        for (std::size_t t = 0; t < speech.size(); ++t) {
            added[t] = speech[t] - clean[t];
            EXPECT_NEAR(added[t], gain * noise[(1234 + t) % 3000], 1e-6);
        }
        EXPECT_NEAR(10 * std::log10(power(clean) / power(added)), snr, 1e-3);
    }
    std::vector<float> silent(100, 0.0f);
    EXPECT_NE(
        error_of([&] { mix_at_snr(silent, 1, white(10, 0.5, 2), 0, 3); }).find("speech is silent"),
        std::string::npos);
}

TEST(SynthAudio, RealizedSnrMatchesTheDrawAndTheRunIsReproducible) {
    TempDir dir("audio");
    const int rate = 8000;
    fs::create_directories(dir / "speech");
    for (int i = 0; i < 4; ++i) {
        write_wav(fmt::format("{}/speech/s{}.wav", dir / "", i),
                  sine(4000 + 1000 * i, 200 + 50 * i, 0.25, rate), 1, rate,
                  i % 2 == 0 ? SF_FORMAT_FLOAT : SF_FORMAT_PCM_16);
    }
    write_wav(dir / "car.wav", white(6000, 0.4, 3), 1, rate);
    write_wav(dir / "cafe.wav", white(9000, 0.2, 4), 1, rate);
    AudioOptions o;
    o.speech = {dir / "speech"};
    o.noise = {dir / "car.wav", dir / "cafe.wav"};
    o.snr_lo = 0;
    o.snr_hi = 15;
    o.seed = 8;
    o.out = dir / "mixed";
    const auto s = synthesize_audio(o);
    EXPECT_EQ(s.outputs, 4u);
    EXPECT_NEAR(s.speech_seconds, (4000 + 5000 + 6000 + 7000) / 8000.0, 1e-12);
    EXPECT_TRUE(s.warnings.empty());
    const auto lines = lines_of(slurp(dir / "mixed/applied.csv"));
    ASSERT_EQ(lines.size(), 5u);
    EXPECT_EQ(lines[0], "id,file,speech,noise,snr_db,noise_start_seconds,gain");
    for (int i = 0; i < 4; ++i) {
        std::vector<std::string> cells;
        std::istringstream row(lines[i + 1]);
        for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
        ASSERT_EQ(cells.size(), 7u);
        EXPECT_EQ(cells[1], fmt::format("{}_s{}.wav", i, i));
        const double snr = std::stod(cells[4]);
        EXPECT_GE(snr, 0.0);
        EXPECT_LE(snr, 15.0);
        SF_INFO in_info, out_info;
        const auto clean = read_wav(cells[2], in_info);
        const auto mixed = read_wav(dir / ("mixed/" + cells[1]), out_info);
        EXPECT_EQ(out_info.format, in_info.format);  // written in the speech file's format
        ASSERT_EQ(mixed.size(), clean.size());
        std::vector<float> added(mixed.size());
        for (std::size_t t = 0; t < mixed.size(); ++t) added[t] = mixed[t] - clean[t];
        // 16-bit files quantize the mix: allow 0.05 dB there.
        EXPECT_NEAR(10 * std::log10(power(clean) / power(added)), snr, i % 2 == 0 ? 1e-3 : 0.05)
            << i;
    }
    o.out = dir / "again";
    o.threads = 1;
    synthesize_audio(o);
    for (const auto& e : fs::directory_iterator(dir / "mixed")) {
        EXPECT_TRUE(slurp(e.path()) == slurp(fs::path(dir / "again") / e.path().filename()))
            << e.path();
    }
}

TEST(SynthAudio, LittleNoiseForMuchSpeechIsWarnedAbout) {
    TempDir dir("audio_warn");
    const int rate = 8000;
    std::vector<std::string> speech;
    for (int i = 0; i < 12; ++i) {
        speech.push_back(dir / fmt::format("s{}.wav", i));
        write_wav(speech.back(), sine(8000, 300, 0.2, rate), 1, rate);
    }
    write_wav(dir / "car.wav", white(800, 0.3, 5), 1, rate);  // 0.1 s of noise for 12 s of speech
    AudioOptions o;
    o.speech = speech;
    o.noise = {dir / "car.wav"};
    o.snr_lo = o.snr_hi = 10;
    o.out = dir / "out";
    const auto s = synthesize_audio(o);
    EXPECT_EQ(s.noise.distinct, 1u);
    EXPECT_NEAR(s.noise.reuse, 120.0, 1e-9);
    ASSERT_EQ(s.warnings.size(), 1u);
    EXPECT_EQ(
        s.warnings[0].rfind("12.0 s of speech mixed with 0.1 s of noise from 1 distinct noise file "
                            "(120.0 s of speech per second of noise, above --max-reuse 10)",
                            0),
        0u)
        << s.warnings[0];
}

TEST(SynthAudio, BadInputsFailAndLeaveNoOutput) {
    TempDir dir("audio_bad");
    write_wav(dir / "s.wav", sine(800, 300, 0.2, 8000), 1, 8000);
    write_wav(dir / "n16k.wav", white(800, 0.3, 5), 1, 16000);
    write_wav(dir / "quiet.wav", std::vector<float>(800, 0.0f), 1, 8000);
    std::ofstream(dir / "text.wav") << "not RIFF";
    AudioOptions o;
    o.speech = {dir / "s.wav"};
    o.out = dir / "out";
    o.noise = {dir / "text.wav"};
    EXPECT_NE(error_of([&] {
                  synthesize_audio(o);
              }).find((dir / "text.wav") + ": cannot read the audio file"),
              std::string::npos);
    o.noise = {dir / "n16k.wav"};
    o.speech = {dir / "s.wav"};
    EXPECT_EQ(error_of([&] { synthesize_audio(o); }),
              (dir / "s.wav") + ": sample rate 8000 Hz, but " + (dir / "n16k.wav") +
                  " has 16000 Hz; resample to one rate first");
    o.noise = {dir / "quiet.wav"};
    EXPECT_EQ(error_of([&] { synthesize_audio(o); }),
              (dir / "quiet.wav") + ": the noise is silent");
    o.noise = {dir / "s.wav"};
    o.speech = {dir / "quiet.wav"};
    EXPECT_EQ(error_of([&] { synthesize_audio(o); }),
              (dir / "quiet.wav") + ": the speech is silent: no SNR can be set");
    EXPECT_FALSE(fs::exists(dir / "out"));
    for (const auto& e : fs::directory_iterator(dir / "")) {
        EXPECT_EQ(e.path().filename().string().find(".out.partial"), std::string::npos);
    }
    EXPECT_EQ(error_of([] { parse_snr_range("10:5", "--snr"); }),
              "--snr: '10:5' is reversed (10 > 5)");
    EXPECT_EQ(parse_snr_range("-5:20", "--snr"), (std::pair<double, double>{-5, 20}));
}
