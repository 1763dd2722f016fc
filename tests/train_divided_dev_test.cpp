// A run's dev error divided by the eyeball and blackbox dev sets (split --eyeball): the errors a
// training run records for `diagnose` to compare across runs. Counted by hand.

#include <gtest/gtest.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>

#include "train/run.hpp"

namespace {

namespace fs = std::filesystem;
using namespace mlstrat::train;

TEST(DividedDev, ErrorsOfTheEyeballAndBlackboxParts) {
    const fs::path dir =
        fs::temp_directory_path() / ("mlstrat_divided_dev_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "eyeball_dev.csv") << "id,x,label\na,1,cat\nb,2,dog\n";
    std::ofstream(dir / "blackbox_dev.csv") << "id,x,label\nc,1,cat\nd,2,dog\ne,3,cat\n";
    Config config;
    config.data.split_dir = dir.string();
    config.data.id_col = "id";
    Split dev;
    dev.ids = {"a", "b", "c", "d", "e"};
    dev.y = {0, 1, 0, 1, 0};
    const auto errors = divided_dev_errors(config, dev, {true, false, false, false, true});
    ASSERT_EQ(errors.size(), 2u);
    EXPECT_DOUBLE_EQ(errors.at("eyeball_dev").first, 0.5);
    EXPECT_EQ(errors.at("eyeball_dev").second, 2u);
    EXPECT_DOUBLE_EQ(errors.at("blackbox_dev").first, 1.0 / 3.0);
    EXPECT_EQ(errors.at("blackbox_dev").second, 3u);

    config.data.id_col.clear();  // rows named by their index cannot be matched
    EXPECT_TRUE(divided_dev_errors(config, dev, {true, false, false, false, true}).empty());
    fs::remove(dir / "blackbox_dev.csv");  // no division: nothing to record
    config.data.id_col = "id";
    EXPECT_TRUE(divided_dev_errors(config, dev, {true, false, false, false, true}).empty());
    fs::remove_all(dir);
}

}  // namespace
