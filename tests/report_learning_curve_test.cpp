// The report's learning-curve section: every curve `mlstrat curve` recorded, drawn against the
// training-set size on a log axis with the target dashed and the fit dotted; the per-epoch charts
// are training curves.

#include <gtest/gtest.h>

#include <algorithm>

#include "analysis_helpers.hpp"
#include "mlstrat/learning_curve.hpp"
#include "mlstrat/registry.hpp"
#include "mlstrat/report.hpp"

namespace {

using namespace mlstrat;
using test_util::TempDir;

TEST(ReportLearningCurves, EachCurveGetsItsChartAndAnswer) {
    TempDir dir;
    report::ReportOptions options;
    options.db = dir.file("mlstrat.db");
    options.db_given = true;
    options.runs_dir = (dir.path() / "runs").string();
    {
        auto registry = registry::Registry::open(options.db);
        // dev = 0.05 + 2/sqrt(n), train 1%: the target 7% is reached near n = 10,000.
        const std::vector<std::uint64_t> sizes = {100, 400, 1600, 6400};
        const std::vector<double> dev = {0.2505, 0.1495, 0.1003, 0.0749};
        for (std::size_t i = 0; i < sizes.size(); ++i) {
            registry::Run run;
            run.name = "c-n" + std::to_string(sizes[i]) + "-r1";
            run.kind = "curve";
            run.group = "c";
            run.errors = {{"train", 0.01}, {"dev", dev[i]}};
            registry.add_run(run);
            diagnose::mark_curve_run(options.db, run.name, "c", sizes[i], 1, 0.07);
        }
    }
    const auto r = report::build_report(options);
    ASSERT_EQ(r.learning_curves.size(), 1u);
    EXPECT_EQ(r.learning_curves[0].verdict.kind, "more_data");
    const auto specs = report::chart_specs(r);
    const auto it = std::find_if(specs.begin(), specs.end(),
                                 [](const auto& s) { return s.first == "learning-curve-1"; });
    ASSERT_NE(it, specs.end());
    const std::string spec = it->second.dump();
    EXPECT_NE(spec.find(R"("scale":{"type":"log"})"), std::string::npos);  // log x axis
    EXPECT_NE(spec.find(R"("strokeDash":[6,4])"), std::string::npos);      // the target, dashed
    EXPECT_NE(spec.find(R"("strokeDash":[2,3])"), std::string::npos);      // the fit, dotted
    EXPECT_NE(spec.find(R"("datum":0.07)"), std::string::npos);
    const std::string html = report::render_html(r);
    EXPECT_NE(html.find("<h2>Learning curves</h2>"), std::string::npos);
    EXPECT_NE(html.find("id=\"chart-learning-curve-1\""), std::string::npos);
    EXPECT_NE(html.find("more data helps: about"), std::string::npos);
    EXPECT_EQ(html.find("<h2>Learning curves</h2>\n<p class=\"lead\">Training"), std::string::npos);
    EXPECT_EQ(r.to_json().at("learning_curves").size(), 1u);
}

}  // namespace
