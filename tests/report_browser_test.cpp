// mlstrat report in a real browser: headless Chromium opens the HTML from disk (no network), and
// the test reads back the DOM after the charts had time to render. The page marks itself
// (html[data-report]) "rendered" only when every vegaEmbed promise resolved into an <svg> and
// nothing was logged; Chromium's own log (--enable-logging=stderr) must hold no console line.
// A screenshot of the whole page is kept in build/tests/browser/report.png.

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis_helpers.hpp"
#include "process_helpers.hpp"
#include "report_helpers.hpp"

namespace {

namespace fs = std::filesystem;
using mlstrat::test_util::Outcome;
using mlstrat::test_util::run_command;
using mlstrat::test_util::slurp;
using mlstrat::test_util::TempDir;

// The first of the Chromium names on PATH, or "".
std::string find_chromium() {
    const char* path = std::getenv("PATH");
    if (path == nullptr) return "";
    for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
        std::string dirs = path;
        for (std::size_t start = 0; start <= dirs.size();) {
            std::size_t end = dirs.find(':', start);
            if (end == std::string::npos) end = dirs.size();
            const fs::path candidate = fs::path(dirs.substr(start, end - start)) / name;
            if (!candidate.empty() && access(candidate.c_str(), X_OK) == 0) return candidate;
            start = end + 1;
        }
    }
    return "";
}

// Headless Chromium on `page` with `extra` flags, killed after two minutes.
Outcome chromium(const std::string& binary, const fs::path& page, const fs::path& scratch,
                 const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"120",
                                     binary,
                                     "--headless",
                                     "--no-sandbox",
                                     "--disable-gpu",
                                     "--disable-dev-shm-usage",
                                     "--hide-scrollbars",
                                     "--no-first-run",
                                     "--user-data-dir=" + (scratch / "profile").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back("file://" + page.string());
    return run_command("timeout", args, scratch);
}

// The value of attribute `name` on the <html> element of a DOM dump.
std::string html_attribute(const std::string& dom, const std::string& name) {
    std::smatch m;
    const std::regex tag("<html[^>]*>");
    if (!std::regex_search(dom, m, tag)) return "";
    const std::string html = m.str();
    const std::regex attr(name + "=\"([^\"]*)\"");
    return std::regex_search(html, m, attr) ? m[1].str() : "";
}

// Chromium's log lines for the page's console (every level is logged as INFO:CONSOLE).
std::vector<std::string> console_lines(const std::string& log) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < log.size()) {
        std::size_t end = log.find('\n', start);
        if (end == std::string::npos) end = log.size();
        const std::string line = log.substr(start, end - start);
        if (line.find(":CONSOLE") != std::string::npos) lines.push_back(line);
        start = end + 1;
    }
    return lines;
}

// The width and height a PNG's IHDR chunk gives.
std::pair<std::uint32_t, std::uint32_t> png_size(const std::string& bytes) {
    if (bytes.size() < 24 || bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0) return {0, 0};
    auto be32 = [&](std::size_t at) {
        return (std::uint32_t(std::uint8_t(bytes[at])) << 24) |
               (std::uint32_t(std::uint8_t(bytes[at + 1])) << 16) |
               (std::uint32_t(std::uint8_t(bytes[at + 2])) << 8) |
               std::uint32_t(std::uint8_t(bytes[at + 3]));
    };
    return {be32(16), be32(20)};
}

class ReportBrowser : public ::testing::Test {
 protected:
    void SetUp() override {
        binary_ = find_chromium();
        if (binary_.empty()) {
            GTEST_SKIP() << "chromium is not installed (apt-get install chromium; "
                            "scripts/bootstrap installs it): the report was not opened in a "
                            "browser";
        }
    }

    // Writes the test project's report into `dir` and returns its --json document.
    nlohmann::json make_report(const TempDir& dir, const fs::path& html) {
        const fs::path root = fs::path(dir.file("x")).parent_path();
        const auto project = mlstrat::test_util::make_report_project(root);
        const Outcome o = run_command(
            MLSTRAT_BINARY,
            {"report", "--out", html.string(), "--db", project.db, "--runs-dir", project.runs_dir,
             "--slice-col", "region", "--slice-col", "device", "--sheet",
             std::string(MLSTRAT_SOURCE_DIR) + "/tests/data/analysis/notes_sheet.csv", "--error",
             "7%", "--title", "Pet classifier — week 12 <review>", "--json"},
            root);
        EXPECT_EQ(o.exit_code, 0) << o.err;
        return nlohmann::json::parse(o.out);
    }

    std::string binary_;
};

TEST_F(ReportBrowser, EveryChartRendersWithoutConsoleMessages) {
    TempDir dir;
    const fs::path scratch = fs::path(dir.file("x")).parent_path();
    const fs::path html = scratch / "report.html";
    const auto doc = make_report(dir, html);
    const std::vector<std::string> charts = doc["charts"];
    ASSERT_EQ(charts, (std::vector<std::string>{"ladder", "leaderboard", "curves", "confusion",
                                                "slices", "ceilings"}));

    const Outcome dom = chromium(binary_, html, scratch,
                                 {"--enable-logging=stderr", "--v=0", "--window-size=1280,900",
                                  "--virtual-time-budget=30000", "--dump-dom"});
    ASSERT_EQ(dom.exit_code, 0) << dom.err;
    EXPECT_EQ(html_attribute(dom.out, "data-report"), "rendered")
        << "status: " << dom.out.substr(dom.out.find("report-status"), 600);
    EXPECT_EQ(html_attribute(dom.out, "data-problems"), "0");
    EXPECT_EQ(console_lines(dom.err), std::vector<std::string>{});
    for (const auto& id : charts) {
        const std::string open = "id=\"chart-" + id + "\"";
        const std::size_t at = dom.out.find(open);
        ASSERT_NE(at, std::string::npos) << id;
        const std::size_t tag_end = dom.out.find('>', at);
        EXPECT_NE(dom.out.substr(at, tag_end - at).find("data-rendered=\"svg\""), std::string::npos)
            << id;
        // The chart's own <svg> comes before the next chart's container.
        const std::size_t svg = dom.out.find("<svg", tag_end);
        const std::size_t next = dom.out.find("id=\"chart-", tag_end);
        EXPECT_TRUE(svg != std::string::npos && svg < next) << id << " holds no svg";
    }
    // Escaped text reached the page as text.
    EXPECT_NE(dom.out.find("Pet classifier — week 12 &lt;review&gt;"), std::string::npos);

    // A screenshot of the whole page, as tall as the page said it is.
    const int height = std::stoi("0" + html_attribute(dom.out, "data-height"));
    ASSERT_GT(height, 1000);
    const fs::path out_dir = MLSTRAT_TEST_OUTPUT_DIR;
    fs::create_directories(out_dir);
    const fs::path png = out_dir / "report.png";
    fs::remove(png);
    fs::copy_file(html, out_dir / "report.html", fs::copy_options::overwrite_existing);
    const Outcome shot =
        chromium(binary_, html, scratch,
                 {"--virtual-time-budget=30000", "--window-size=1280," + std::to_string(height),
                  "--screenshot=" + png.string()});
    ASSERT_EQ(shot.exit_code, 0) << shot.err;
    const auto [w, h] = png_size(slurp(png));
    EXPECT_EQ(w, 1280u);
    EXPECT_EQ(h, static_cast<std::uint32_t>(height));
}

TEST_F(ReportBrowser, BrokenChartIsCaught) {
    TempDir dir;
    const fs::path scratch = fs::path(dir.file("x")).parent_path();
    const fs::path html = scratch / "report.html";
    make_report(dir, html);
    // A mark type Vega-Lite does not know: the confusion chart must fail, and the page say so.
    std::string page = slurp(html);
    const std::string mark = "\"mark\":{\"stroke\":\"white\",\"strokeWidth\":1,\"type\":\"rect\"}";
    const std::size_t at = page.find(mark);
    ASSERT_NE(at, std::string::npos);
    page.replace(at, mark.size(), "\"mark\":{\"type\":\"no-such-mark\"}");
    mlstrat::test_util::write_text(html, page);

    const Outcome dom =
        chromium(binary_, html, scratch, {"--virtual-time-budget=30000", "--dump-dom"});
    ASSERT_EQ(dom.exit_code, 0) << dom.err;
    EXPECT_EQ(html_attribute(dom.out, "data-report"), "error");
    EXPECT_NE(dom.out.find("Some charts could not be drawn: "), std::string::npos);
    EXPECT_NE(dom.out.find("no-such-mark"), std::string::npos);
}

}  // namespace
