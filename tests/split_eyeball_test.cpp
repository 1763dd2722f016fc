// Eyeball and blackbox dev sets (Machine Learning Yearning 17-19): the sizes (auto: about 100
// errors at the expected error), the division written by split (each dev row in exactly one of
// the two files), the manifest, and split --check finding a division that is not one.

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "analysis_helpers.hpp"
#include "mlstrat/analysis.hpp"
#include "mlstrat/diagnose.hpp"
#include "mlstrat/split.hpp"
#include "mlstrat/support/error.hpp"
#include "process_helpers.hpp"

namespace {

using namespace mlstrat::split;
using mlstrat::parse_count_or_share;
using mlstrat::test_util::error_of;
using mlstrat::test_util::slurp;
using mlstrat::test_util::TempDir;

std::vector<std::string> rows_of(const std::string& path) {
    std::istringstream in(slurp(path));
    std::vector<std::string> rows;
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) rows.push_back(line);
    return rows;
}

std::string table(int n) {
    std::string t = "id,label,x\n";
    for (int i = 0; i < n; ++i) {
        t += std::to_string(i) + "," + (i % 4 == 0 ? "dog" : "cat") + "," +
             std::to_string(i * 7 % 13) + "\n";
    }
    return t;
}

TEST(Eyeball, SizesFollowTheBook) {
    // 100 errors at 5% take 2,000 examples; at 2%, 5,000.
    EXPECT_EQ(resolve_eyeball(parse_eyeball("auto"), 10000, 0.05), 2000u);
    EXPECT_EQ(resolve_eyeball(parse_eyeball("auto"), 10000, 0.02), 5000u);
    EXPECT_EQ(resolve_eyeball(parse_eyeball("30%"), 1000, 0.05), 300u);
    EXPECT_EQ(resolve_eyeball(parse_eyeball("250"), 1000, 0.05), 250u);
    EXPECT_EQ(error_of([] { resolve_eyeball(parse_eyeball("100%"), 1000, 0.05); }),
              "--eyeball: 1000 of dev's 1000 rows leaves no blackbox set; the blackbox dev set "
              "needs at least one row");
    EXPECT_EQ(error_of([] { resolve_eyeball(parse_eyeball("auto"), 1500, 0.05); }),
              "--eyeball auto: about 100 errors at an expected error of 5% need 2000 eyeball "
              "rows, and dev has 1500, which would leave no blackbox set; give --eyeball a "
              "smaller count or share, or a larger --dev");
}

TEST(Eyeball, RowsAreADrawOfTheRightSize) {
    const auto rows = eyeball_rows(1000, 300, 4);
    EXPECT_EQ(rows.size(), 300u);
    EXPECT_TRUE(std::is_sorted(rows.begin(), rows.end()));
    EXPECT_EQ(std::set<std::uint64_t>(rows.begin(), rows.end()).size(), 300u);
    EXPECT_LT(rows.back(), 1000u);
    EXPECT_EQ(eyeball_rows(1000, 300, 4), rows);
    EXPECT_NE(eyeball_rows(1000, 300, 5), rows);
}

TEST(Eyeball, SplitDividesDevIntoEyeballAndBlackbox) {
    TempDir dir;
    const std::string in = dir.file("in.csv", table(1000));
    const std::string out = (dir.path() / "out").string();
    SplitOptions o;
    o.seed = 3;
    o.dev = parse_count_or_share("400", "--dev");
    o.test = parse_count_or_share("200", "--test");
    o.eyeball = parse_eyeball("25%");
    const SplitReport r = split_table(in, out, o);
    ASSERT_TRUE(r.dev_division.has_value());
    EXPECT_EQ(r.dev_division->eyeball_rows, 100u);
    EXPECT_EQ(r.dev_division->blackbox_rows, 300u);
    const auto dev = rows_of(out + "/dev.csv"), eye = rows_of(out + "/eyeball_dev.csv"),
               black = rows_of(out + "/blackbox_dev.csv");
    EXPECT_EQ(eye.size(), 100u);
    EXPECT_EQ(black.size(), 300u);
    std::multiset<std::string> joined(eye.begin(), eye.end());
    joined.insert(black.begin(), black.end());
    EXPECT_EQ(joined, std::multiset<std::string>(dev.begin(), dev.end()));
    const auto manifest = nlohmann::json::parse(slurp(out + "/manifest.json"));
    EXPECT_EQ(manifest.at("eyeball").at("eyeball_dev").at("rows"), 100);
    EXPECT_EQ(manifest.at("eyeball").at("blackbox_dev").at("file"), "blackbox_dev.csv");

    const SplitReport checked = check_splits(out, {});
    ASSERT_TRUE(checked.dev_division.has_value());
    EXPECT_EQ(checked.dev_division->eyeball_rows, 100u);
    EXPECT_EQ(checked.dev_division->eyeball_sha256, r.dev_division->eyeball_sha256);
    auto about_division = [](const SplitReport& r) {
        std::vector<std::string> out;
        for (const auto& w : r.warnings) {
            if (w.find("eyeball_dev") != std::string::npos) out.push_back(w);
        }
        return out;
    };
    EXPECT_TRUE(about_division(checked).empty());

    // A row of the eyeball set copied into the blackbox set: both checks fire.
    std::ofstream(out + "/blackbox_dev.csv", std::ios::app) << eye.front() << "\n";
    const auto bad = about_division(check_splits(out, {}));
    ASSERT_EQ(bad.size(), 2u);
    EXPECT_EQ(bad[0],
              "1 rows are in both eyeball_dev.csv and blackbox_dev.csv: the "
              "blackbox set must hold rows nobody has looked at");
    EXPECT_NE(bad[1].find("are not a division of dev (400 rows)"), std::string::npos);
}

TEST(Eyeball, NoBlackboxLeftFailsBeforeAnyFileIsWritten) {
    TempDir dir;
    const std::string in = dir.file("in.csv", table(200));
    const std::string out = (dir.path() / "out").string();
    SplitOptions o;
    o.eyeball = parse_eyeball("100%");
    EXPECT_EQ(error_of([&] { split_table(in, out, o); }),
              in + ": --eyeball: 40 of dev's 40 rows leaves no blackbox set; the blackbox dev set "
                   "needs at least one row");
    EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(Eyeball, ErrorsSampleDrawsOnlyFromTheEyeballSet) {
    TempDir dir;
    // Rows 0..99; every third is misclassified; the eyeball set holds ids 0..39.
    std::string pred = "id,label,pred\n";
    for (int i = 0; i < 100; ++i)
        pred += std::to_string(i) + ",cat," + (i % 3 == 0 ? "dog" : "cat") + "\n";
    const std::string pred_path = dir.file("pred_dev.csv", pred);
    std::string eye = "id,label,x\n";
    for (int i = 0; i < 40; ++i) eye += std::to_string(i) + ",cat,1\n";
    const std::string split_dir = (dir.path() / "split").string();
    std::filesystem::create_directories(split_dir);
    std::ofstream(split_dir + "/eyeball_dev.csv") << eye;
    mlstrat::analysis::SampleOptions o;
    o.errors = 100;
    o.keep_cols = {"id"};
    o.eyeball_ids = division_ids(split_dir, "eyeball_dev", "id");
    ASSERT_TRUE(o.eyeball_ids.has_value());
    const auto r = mlstrat::analysis::sample_errors(pred_path, dir.file("sheet.csv"), o);
    EXPECT_EQ(r.rows, 40u);
    EXPECT_EQ(r.errors, 14u);  // 0, 3, ..., 39
    EXPECT_EQ(r.sampled_errors, 14u);
    EXPECT_EQ(*r.file_rows, 100u);
    EXPECT_EQ(r.to_json().at("drawn_from"), "eyeball_dev");
    const auto sheet = rows_of(dir.file("sheet.csv"));
    EXPECT_EQ(sheet.size(), 14u);
    for (const auto& row : sheet) EXPECT_LT(std::stoi(row), 40) << row;  // index = id here
    EXPECT_FALSE(division_ids(split_dir, "blackbox_dev", "id").has_value());
}

mlstrat::registry::Run divided_run(const std::string& name, double eyeball, double blackbox) {
    mlstrat::registry::Run run;
    run.name = name;
    run.errors = {{"eyeball_dev", eyeball}, {"blackbox_dev", blackbox}};
    run.sizes = {{"eyeball_dev", 2000}, {"blackbox_dev", 8000}};
    return run;
}

TEST(Eyeball, DiagnoseWarnsWhenTheEyeballErrorFallsMuchFaster) {
    // By hand: the eyeball error fell 5 points, the blackbox error 0.5; the excess 4.5 points has
    // the half-width 1.959964 * sqrt(.1*.9/2000 + .05*.95/2000 + .1*.9/8000 + .095*.905/8000)
    // = 1.8671 points.
    mlstrat::registry::Run other;
    other.name = "no-division";
    other.errors = {{"dev", 0.2}};
    const auto d = mlstrat::diagnose::eyeball_drift(
        {divided_run("a", 0.10, 0.10), other, divided_run("b", 0.05, 0.095)});
    ASSERT_TRUE(d && d->interval);
    EXPECT_EQ(d->first_run, "a");
    EXPECT_EQ(d->last_run, "b");
    EXPECT_NEAR(d->excess, 0.045, 1e-12);
    EXPECT_NEAR(d->interval->lo, 0.045 - 0.018671, 2e-6);
    EXPECT_TRUE(d->overfit);
    EXPECT_NE(d->message.find("time to refresh the eyeball set"), std::string::npos);
    EXPECT_NE(d->message.find("10% -> 5% (5% lower)"), std::string::npos);

    const auto alike = mlstrat::diagnose::eyeball_drift(
        {divided_run("a", 0.10, 0.10), divided_run("b", 0.09, 0.095)});
    ASSERT_TRUE(alike.has_value());
    EXPECT_FALSE(alike->overfit);
    EXPECT_FALSE(mlstrat::diagnose::eyeball_drift({divided_run("a", 0.1, 0.1)}).has_value());
}

}  // namespace
