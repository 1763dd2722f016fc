#include "mlstrat/report.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "analysis_helpers.hpp"
#include "mlstrat/support/error.hpp"
#include "process_helpers.hpp"
#include "report/assets.hpp"
#include "report_helpers.hpp"

namespace {

namespace fs = std::filesystem;
using namespace mlstrat;
using report::build_report;
using report::ReportOptions;
using test_util::error_of;
using test_util::slurp;
using test_util::TempDir;

ReportOptions project_options(const TempDir& dir) {
    auto project = test_util::make_report_project(fs::path(dir.file("x")).parent_path());
    ReportOptions o;
    o.db = project.db;
    o.db_given = true;
    o.runs_dir = project.runs_dir;
    return o;
}

std::string omitted(const report::Report& r, const std::string& section) {
    for (const auto& o : r.omitted) {
        if (o.section == section) return o.note;
    }
    return "";
}

TEST(Report, EscapeHtmlReplacesTheFiveSpecialCharacters) {
    EXPECT_EQ(report::escape_html("<b>Tom & \"Jerry\"'s</b>"),
              "&lt;b&gt;Tom &amp; &quot;Jerry&quot;&#39;s&lt;/b&gt;");
    EXPECT_EQ(report::escape_html("plain 7% error"), "plain 7% error");
}

TEST(Report, ScriptJsonCannotCloseTheScriptElement) {
    const nlohmann::json value = {{"label", "</script><script>alert(1)</script> & \u2028"}};
    const std::string text = report::script_json(value);
    EXPECT_EQ(text.find('<'), std::string::npos);
    EXPECT_EQ(text.find('>'), std::string::npos);
    EXPECT_EQ(text.find('&'), std::string::npos);
    EXPECT_EQ(text.find("\xE2\x80\xA8"), std::string::npos);
    EXPECT_EQ(nlohmann::json::parse(text), value);  // the same value once parsed
}

TEST(Report, InlinedScriptsAreThePinnedNpmFiles) {
    const fs::path modules = fs::path(MLSTRAT_SOURCE_DIR) / "web" / "node_modules";
    EXPECT_EQ(report::assets::kVega, slurp(modules / "vega/build/vega.min.js"));
    EXPECT_EQ(report::assets::kVegaLite, slurp(modules / "vega-lite/build/vega-lite.min.js"));
    EXPECT_EQ(report::assets::kVegaEmbed, slurp(modules / "vega-embed/build/vega-embed.min.js"));
    const auto pinned =
        nlohmann::json::parse(slurp(fs::path(MLSTRAT_SOURCE_DIR) / "web/package.json"));
    EXPECT_EQ(report::vega_versions()["vega-lite"], pinned["dependencies"]["vega-lite"]);
    EXPECT_EQ(report::vega_versions()["vega"], pinned["dependencies"]["vega"]);
}

TEST(Report, WinnerIsDiagnosedWithTheNumbersOfDiagnoseAndSelect) {
    TempDir dir;
    ReportOptions o = project_options(dir);
    o.slice_cols = {"region"};
    const auto r = build_report(o);

    ASSERT_TRUE(r.leaderboard.has_value());
    const auto& sel = r.leaderboard->selection;
    EXPECT_EQ(sel.winner, "wide-cnn");  // resnet-50 is faster to err less but breaks 100 ms
    ASSERT_EQ(sel.ranking.size(), 3u);
    EXPECT_EQ(sel.ranking[2].name, "resnet-50");
    EXPECT_FALSE(sel.ranking[2].feasible);
    ASSERT_EQ(r.leaderboard->limits.size(), 1u);
    EXPECT_EQ(r.leaderboard->values[2][0], 180.0);

    EXPECT_EQ(r.diagnosed_run, "wide-cnn");
    ASSERT_TRUE(r.diagnosis.has_value());
    EXPECT_EQ(r.diagnosis->focus, "data_mismatch");
    EXPECT_NEAR(*r.diagnosis->gap(diagnose::Gap::AvoidableBias), 0.015, 1e-12);
    EXPECT_NEAR(*r.diagnosis->gap(diagnose::Gap::DataMismatch), 0.042, 1e-12);
    EXPECT_NEAR(*r.diagnosis->gap(diagnose::Gap::DevOverfitting), 0.004, 1e-12);
    // The same document `mlstrat diagnose --run wide-cnn` prints.
    diagnose::ProjectSource source{o.db, true, "wide-cnn"};
    EXPECT_EQ(r.diagnosis->to_json(), diagnose::diagnose_project({}, source).to_json());

    ASSERT_EQ(r.curves.size(), 3u);
    EXPECT_EQ(r.curves[1].epochs.size(), 12u);
    EXPECT_NEAR(*r.curves[1].epochs.back().dev_error, 0.07 + 0.28 * std::exp(-0.45 * 11), 1e-5);

    ASSERT_TRUE(r.eval.has_value());  // the winner's pred_dev.csv
    EXPECT_EQ(r.eval->rows, 2000u);
    EXPECT_NEAR(r.eval->error, 0.07, 1e-12);
    ASSERT_EQ(r.eval->slices.size(), 1u);
    EXPECT_EQ(r.eval->slices[0].values[r.eval->slices[0].worst].value, "India");
    EXPECT_NEAR(r.eval->slices[0].values[r.eval->slices[0].worst].error, 0.14, 1e-12);

    EXPECT_EQ(omitted(r, "ceilings").substr(0, 19), "no reviewed sheet (");
    EXPECT_EQ(omitted(r, "ladder"), "");
}

TEST(Report, OneRunIsTheRunDiagnosed) {
    TempDir dir;
    ReportOptions o = project_options(dir);
    o.runs = {"small-mlp"};
    const auto r = build_report(o);
    EXPECT_EQ(r.runs, std::vector<std::string>{"small-mlp"});
    EXPECT_EQ(r.diagnosed_run, "small-mlp");
    EXPECT_EQ(r.diagnosis->focus, "avoidable_bias");  // 8% - 0.5% = 7.5%
    // small-mlp has no pred_dev.csv: the confusion matrix is left out, not an error.
    EXPECT_NE(omitted(r, "confusion").find("small-mlp/pred_dev.csv"), std::string::npos);
}

TEST(Report, WithoutRegistryOnlyThePredictionsAndTheSheetAreShown) {
    TempDir dir;
    ReportOptions o;
    o.db = dir.file("absent.db");
    o.pred = std::string(MLSTRAT_SOURCE_DIR) + "/tests/data/eval/notes_algorithm_c.csv";
    o.slice_cols = {"region"};
    o.sheet = std::string(MLSTRAT_SOURCE_DIR) + "/tests/data/analysis/notes_sheet.csv";
    o.sheet_error = 0.10;
    const auto r = build_report(o);
    EXPECT_FALSE(fs::exists(o.db));  // never created by reading
    EXPECT_EQ(omitted(r, "ladder"), "no run registry (" + o.db + ")");
    EXPECT_EQ(omitted(r, "leaderboard"), "no run registry (" + o.db + ")");
    EXPECT_NEAR(r.eval->slices[0].average_error, 0.035, 1e-12);  // the notes' classifier C
    ASSERT_TRUE(r.tally.has_value());
    EXPECT_EQ(r.tally->categories[0].tag, "blurry");
    EXPECT_NEAR(r.tally->categories[0].error_if_fixed, 0.039, 1e-12);
    const auto specs = report::chart_specs(r);
    ASSERT_EQ(specs.size(), 3u);
    EXPECT_EQ(specs[0].first, "confusion");
    EXPECT_EQ(specs[1].first, "slices");
    EXPECT_EQ(specs[2].first, "ceilings");
}

TEST(Report, NamedRegistryMustExistAndRunsMustBeRegistered) {
    TempDir dir;
    ReportOptions o;
    o.db = dir.file("absent.db");
    o.db_given = true;
    EXPECT_EQ(error_of([&] { build_report(o); }),
              o.db + ": no such run registry (mlstrat runs add or mlstrat train create one)");
    ReportOptions p = project_options(dir);
    p.runs = {"wide-cnn", "nope"};
    EXPECT_EQ(error_of([&] { build_report(p); }),
              p.db + ": no run is called 'nope' (mlstrat runs list shows the runs)");
}

TEST(Report, MalformedHistoryNamesFileAndLine) {
    TempDir dir;
    ReportOptions o = project_options(dir);
    const std::string path = o.runs_dir + "/wide-cnn/history.csv";
    test_util::write_text(path, "epoch,train_error,dev_error\n1,0.3,0.4\n2,0.2,lots\n");
    EXPECT_EQ(error_of([&] { build_report(o); }),
              path + ":3: column 'dev_error': 'lots' is not a finite number");
}

TEST(Report, SheetNeedsTheDevError) {
    ReportOptions o;
    o.db = "/nonexistent/mlstrat.db";
    o.sheet = std::string(MLSTRAT_SOURCE_DIR) + "/tests/data/analysis/notes_sheet.csv";
    EXPECT_EQ(error_of([&] { build_report(o); }),
              "--sheet needs --error E, the dev error its errors were sampled from, or the "
              "reviewed run's predictions (--pred FILE, or the diagnosed run's pred_dev.csv)");
}

// The report tells one story: the leaderboard chooses on dev, and the ladder, confusion matrix,
// slices, examples and ceilings all show that run, or name the run and file they show.
TEST(Report, EverySectionShowsTheRunChosenOnDevOrNamesItsOwn) {
    TempDir dir;
    ReportOptions o = project_options(dir);
    o.slice_cols = {"region"};
    o.sheet = std::string(MLSTRAT_SOURCE_DIR) + "/tests/data/analysis/notes_sheet.csv";
    const auto r = build_report(o);
    const auto j = r.to_json();
    EXPECT_EQ(j["leaderboard"]["objective"]["name"], "dev_error");  // the project's, on dev
    EXPECT_EQ(j["leaderboard"]["winner"], "wide-cnn");
    EXPECT_EQ(j["diagnosed_run"], "wide-cnn");
    EXPECT_EQ(j["pred_run"], "wide-cnn");
    EXPECT_EQ(fs::path(j["pred"].get<std::string>()).parent_path().filename(), "wide-cnn");
    EXPECT_EQ(j["error_examples"]["run"], "wide-cnn");
    // The ceilings start from the reviewed run's own dev error (140 of 2,000 rows wrong).
    EXPECT_NEAR(j["tally"]["error"].get<double>(), 0.07, 1e-12);
    EXPECT_NEAR(j["eval"]["error"].get<double>(), 0.07, 1e-12);
    EXPECT_EQ(j["sheet_error_source"], "run wide-cnn, " + j["pred"].get<std::string>());
    const std::string page = report::render_html(r);
    EXPECT_NE(page.find("Run <b>wide-cnn</b>, <code>"), std::string::npos);
    EXPECT_NE(page.find("(from run wide-cnn, "), std::string::npos);

    // --pred of another run: the sections name it and a note says it is not the ladder's run;
    // an --error far from the shown predictions' is called out.
    const std::string other = o.runs_dir + "/small-mlp/pred_dev.csv";
    fs::copy_file(r.pred, other);
    o.pred = other;
    o.sheet_error = 0.20;
    const auto s = build_report(o);
    EXPECT_EQ(s.diagnosed_run, "wide-cnn");
    EXPECT_EQ(s.pred_run, "small-mlp");
    EXPECT_EQ(s.sheet_error_source, "--error");
    EXPECT_NEAR(s.tally->error, 0.20, 1e-12);
    const std::string notes = nlohmann::json(s.notes).dump();
    EXPECT_NE(notes.find("show run small-mlp (" + other + ", --pred), not wide-cnn"),
              std::string::npos)
        << notes;
    EXPECT_NE(notes.find("the sheet was reviewed on another run"), std::string::npos) << notes;
    EXPECT_NE(report::render_html(s).find("Run <b>small-mlp</b>"), std::string::npos);
}

TEST(Report, HtmlEscapesTextAndHoldsOneContainerPerChart) {
    TempDir dir;
    ReportOptions o = project_options(dir);
    o.title = "Cats & <dogs>";
    o.slice_cols = {"region"};
    auto r = build_report(o);
    r.notes.push_back("<img src=x onerror=alert(1)>");
    const std::string page = report::render_html(r);
    EXPECT_NE(page.find("<title>Cats &amp; &lt;dogs&gt;</title>"), std::string::npos);
    EXPECT_EQ(page.find("<img src=x"), std::string::npos);
    EXPECT_NE(page.find("&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
    for (const auto& [id, spec] : report::chart_specs(r)) {
        EXPECT_NE(page.find("<div class=\"chart\" id=\"chart-" + id + "\"></div>"),
                  std::string::npos)
            << id;
    }
    EXPECT_NE(page.find(report::assets::kVegaLite), std::string::npos);
    // Sections without data are one line each.
    EXPECT_NE(page.find("<b>Error-analysis ceilings</b> left out: no reviewed sheet"),
              std::string::npos);
}

TEST(Report, WriteHtmlLeavesNoFileWhenTheFolderIsMissing) {
    TempDir dir;
    ReportOptions o;
    o.db = dir.file("absent.db");
    const auto r = build_report(o);
    const std::string path = dir.file("no/such/folder/report.html");
    EXPECT_NE(error_of([&] { report::write_html(r, path); }), "(no error)");
    EXPECT_FALSE(fs::exists(path));
}

}  // namespace
