// Honesty of the learning-curve fit on real data: on Fashion-MNIST with the MLP config, the curve
// fitted on the sizes up to 10,000 must predict the dev error measured at 40,000 within the
// prediction interval it states, and an interval too wide to use (over 10 points) must come with
// the note that the sizes do not pin the curve down. The figures go to bench/RESULTS.md.

#include <gtest/gtest.h>

#include <unistd.h>
#include <filesystem>
#include <iostream>

#include "mlstrat/learning_curve.hpp"
#include "mlstrat/train_curve.hpp"

namespace {

namespace fs = std::filesystem;
using namespace mlstrat;

TEST(CurveHonesty, FitUpTo10000PredictsTheDevErrorAt40000) {
    const fs::path config = fs::path(MLSTRAT_SOURCE_DIR) / "examples" / "fashion" / "mlp.toml";
    if (!fs::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")) {
        GTEST_SKIP() << "Fashion-MNIST is not installed (dataset-fashion-mnist)";
    }
    const fs::path root =
        fs::temp_directory_path() / ("mlstrat_curve_honesty_" + std::to_string(::getpid()));
    fs::remove_all(root);
    fs::create_directories(root);

    train::CurveRequest request;
    request.config_path = config.string();
    request.sizes = {1000, 2000, 5000, 10000, 40000};
    request.name = "honesty";
    request.runs_dir = (root / "runs").string();
    request.registry_path = (root / "mlstrat.db").string();
    const auto measured = train::learning_curve(request);
    ASSERT_EQ(measured.points.size(), 5u);
    ASSERT_EQ(measured.points.back().size, 40000u);
    const double at_40000 = measured.points.back().errors.at("dev").mean;

    std::vector<diagnose::CurveRun> small;
    for (const auto& run : measured.runs) {
        if (run.size <= 10000) small.push_back(run);
    }
    const auto fitted = diagnose::learning_curve("honesty-small", small, std::nullopt, "");
    ASSERT_TRUE(fitted.fit.has_value());
    const auto band = fitted.fit->band(40000, 0.95, /*prediction=*/true);
    ASSERT_TRUE(band.has_value());
    const double predicted = fitted.fit->error_at(40000);
    std::cout << "fit on 1,000-10,000: dev error = " << fitted.fit->a << " + " << fitted.fit->b
              << " n^-" << fitted.fit->c << "\n";
    for (const auto& p : measured.points) {
        std::cout << "  size " << p.size << ": dev " << p.errors.at("dev").mean << " (sd "
                  << p.errors.at("dev").sd << ", " << p.errors.at("dev").runs << " runs), train "
                  << p.errors.at("train").mean << "\n";
    }
    std::cout << "predicted at 40,000: " << predicted << ", 95% prediction interval [" << band->lo
              << ", " << band->hi << "]; measured " << at_40000 << "\n";
    EXPECT_GE(at_40000, band->lo);
    EXPECT_LE(at_40000, band->hi);
    if (band->hi - band->lo > 0.10) {
        EXPECT_FALSE(fitted.fit_note.empty()) << "a useless interval without a warning";
    }
    fs::remove_all(root);
}

}  // namespace
