// The report page: text escaped for HTML, chart specifications embedded as JSON, the Vega
// scripts inlined, and a small script that renders every chart and records the outcome on the
// <html> element (data-report="rendered" or "error") so a browser test can read it.

#include <fmt/format.h>

#include <string>

#include "mlstrat/report.hpp"
#include "report/assets.hpp"
#include "report/examples.hpp"
#include "report/format.hpp"
#include "report/learning_curves.hpp"

namespace mlstrat::report {

namespace {

// Rates in the report carry two decimals ("0.50%"), whichever module computed them.
std::string pct(double v) { return detail::rate(v); }

std::string h(std::string_view text) { return escape_html(text); }

using detail::column_value;
using detail::rate;

std::string gap_words(const std::string& gap) {
    std::string s = gap;
    for (char& c : s) {
        if (c == '_') c = ' ';
    }
    return s;
}

constexpr const char* kStyle = R"css(
:root { --ink:#1f2933; --muted:#5f6b7a; --line:#e3e8ee; --focus:#d9480f; --good:#2f9e6e; --bad:#c92a2a; }
* { box-sizing: border-box; }
body { margin: 0; background: #f5f7fa; color: var(--ink);
  font: 14px/1.5 Inter, 'Segoe UI', 'Helvetica Neue', 'Liberation Sans', 'DejaVu Sans', Arial, sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 28px 32px 40px; }
header h1 { font-size: 26px; margin: 0 0 4px; letter-spacing: -0.01em; }
header .meta { color: var(--muted); margin: 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 14px; margin: 22px 0 8px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; }
.card .k { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .06em; }
.card .v { font-size: 22px; font-weight: 700; margin-top: 2px; }
.card .d { color: var(--muted); font-size: 13px; }
.card.focus .v { color: var(--focus); }
section { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 18px 22px 20px; margin-top: 18px; }
section h2 { font-size: 17px; margin: 0 0 4px; }
section .lead { margin: 0 0 10px; color: #3d4753; }
.chart { margin: 8px 0 4px; overflow-x: auto; }
.cols { display: flex; flex-wrap: wrap; gap: 8px 40px; }
.cols > div { min-width: 260px; flex: 1; }
.cols > div.fit { flex: 0 0 auto; } /* as wide as its chart: the next column wraps below, never under it */
h3 { font-size: 13px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); margin: 12px 0 4px; }
ul { margin: 4px 0; padding-left: 20px; }
li { margin: 2px 0; }
table { border-collapse: collapse; margin-top: 10px; font-size: 13px; }
th, td { padding: 5px 12px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
th { color: var(--muted); font-weight: 600; }
th:first-child, td:first-child { text-align: left; }
td.why { text-align: left; white-space: normal; color: var(--muted); }
.yes { color: var(--good); font-weight: 600; } .no { color: var(--bad); font-weight: 600; }
tr.winner td { background: #f0faf5; }
.omitted { color: var(--muted); margin: 14px 4px 0; }
.omitted b { color: #3d4753; }
.notes li { color: #3d4753; }
footer { color: var(--muted); font-size: 12px; margin-top: 22px; }
/* strips of examples (report/examples.cpp) */
.strip { display: grid; grid-template-columns: repeat(auto-fill, minmax(104px, 1fr)); gap: 10px; margin-top: 8px; }
.example { margin: 0; min-width: 0; }
.example img { display: block; width: 80px; height: 80px; object-fit: contain; image-rendering: pixelated; background: #eef1f4; border-radius: 4px; }
.example figcaption { font-size: 12px; line-height: 1.3; margin-top: 3px; overflow-wrap: anywhere; }
.example .p { color: var(--bad); } .example .i { display: block; color: var(--muted); }
#report-status:empty { display: none; }
#report-status { color: #fff; background: var(--bad); padding: 8px 12px; border-radius: 6px; }
)css";

// Runs inside <head> before anything else: every error, warning and unhandled rejection on the
// page is recorded, so a chart that fails quietly still marks the report as failed.
constexpr const char* kCapture = R"js(
window.mlstratProblems = [];
(function () {
  var problems = window.mlstratProblems;
  window.addEventListener('error', function (e) { problems.push('error: ' + (e.message || e.type)); });
  window.addEventListener('unhandledrejection', function (e) {
    problems.push('unhandled rejection: ' + (e.reason && e.reason.message ? e.reason.message : e.reason));
  });
  ['error', 'warn'].forEach(function (level) {
    var original = console[level];
    console[level] = function () {
      problems.push(level + ': ' + Array.prototype.map.call(arguments, String).join(' '));
      return original.apply(console, arguments);
    };
  });
})();
)js";

// Renders each chart and records the outcome: data-report on <html> is "rendered" when every
// chart resolved into an <svg> and nothing was logged, else "error" with the reason shown.
constexpr const char* kRender = R"js(
(function () {
  var root = document.documentElement;
  function finish(state, detail) {
    var problems = window.mlstratProblems;
    if (state === 'rendered' && problems.length) state = 'error';
    root.setAttribute('data-report', state);
    root.setAttribute('data-problems', String(problems.length));
    root.setAttribute('data-height', String(Math.ceil(root.scrollHeight)));
    var text = detail ? [detail].concat(problems) : problems;
    document.getElementById('report-status').textContent =
      state === 'rendered' ? '' : 'Some charts could not be drawn: ' + text.join(' | ');
  }
  try {
    var charts = JSON.parse(document.getElementById('report-specs').textContent);
    Promise.all(charts.map(function (chart) {
      var el = document.getElementById('chart-' + chart.id);
      return vegaEmbed(el, chart.spec, { renderer: 'svg', actions: false }).then(function () {
        if (!el.querySelector('svg')) throw new Error('chart ' + chart.id + ' drew nothing');
        el.setAttribute('data-rendered', 'svg');
      });
    })).then(function () { finish('rendered'); },
             function (e) { finish('error', String(e && e.message ? e.message : e)); });
  } catch (e) {
    finish('error', String(e && e.message ? e.message : e));
  }
})();
)js";

const char* section_title(const std::string& id) {
    if (id == "ladder") return "Where the error comes from";
    if (id == "leaderboard") return "Leaderboard";
    if (id == "curves") return "Training curves";
    if (id == "confusion") return "Confusion matrix";
    if (id == "slices") return "Error by slice";
    return "Error-analysis ceilings";
}

std::string omitted_line(const Report& r, const std::string& id) {
    for (const auto& o : r.omitted) {
        if (o.section == id) {
            return "<p class=\"omitted\"><b>" + h(section_title(id)) +
                   "</b> left out: " + h(o.note) + ".</p>\n";
        }
    }
    return "";
}

std::string list(const std::vector<std::string>& items, const char* cls = nullptr) {
    if (items.empty()) return "";
    std::string out = cls ? std::string("<ul class=\"") + cls + "\">" : "<ul>";
    for (const auto& i : items) out += "<li>" + h(detail::two_decimals(i)) + "</li>";
    return out + "</ul>\n";
}

std::string chart_div(const std::string& id) {
    return "<div class=\"chart\" id=\"chart-" + id + "\"></div>\n";
}

std::string cards(const Report& r) {
    std::string out;
    auto card = [&](const char* key, const std::string& value, const std::string& detail,
                    const char* cls = "") {
        out += std::string("<div class=\"card ") + cls + "\"><div class=\"k\">" + key +
               "</div><div class=\"v\">" + h(value) + "</div><div class=\"d\">" + h(detail) +
               "</div></div>";
    };
    if (r.leaderboard) {
        const auto& sel = r.leaderboard->selection;
        if (sel.winner) {
            std::string value;
            for (const auto& c : sel.ranking) {
                if (c.name == *sel.winner && c.value) {
                    value = column_value(sel.objective.name, *c.value);
                }
            }
            card("best run", *sel.winner, sel.objective.to_string() + ": " + value);
        } else {
            card("best run", "none", "no run meets every satisficing limit");
        }
    }
    if (r.diagnosis) {
        const auto& d = *r.diagnosis;
        std::string detail = "run " + r.diagnosed_run;
        for (const auto& g : d.gaps) {
            if (g.value && d.focus == diagnose::gap_name(g.gap)) {
                detail = "+" + pct(*g.value) + " on run " + r.diagnosed_run;
            }
        }
        card("focus", gap_words(d.focus), detail, "focus");
        if (d.input.dev_error) {
            card("dev error", pct(*d.input.dev_error),
                 d.bayes_proxy
                     ? "Bayes proxy " + pct(*d.bayes_proxy) + " (" + d.bayes_proxy_name + ")"
                     : std::string("no human level given"));
        }
    }
    if (r.tally && !r.tally->categories.empty()) {
        const auto& top = r.tally->categories.front();
        card("largest ceiling", top.tag,
             pct(r.tally->error) + " → " + pct(top.error_if_fixed) + " if all fixed");
    }
    return out.empty() ? "" : "<div class=\"cards\">" + out + "</div>\n";
}

std::string ladder(const Report& r) {
    if (!r.diagnosis) return omitted_line(r, "ladder");
    const auto& d = *r.diagnosis;
    std::string out = "<section id=\"ladder\"><h2>Where the error comes from</h2>\n";
    std::string focus_gap;
    for (const auto& g : d.gaps) {
        if (g.value && d.focus == diagnose::gap_name(g.gap))
            focus_gap = " (+" + pct(*g.value) + ")";
    }
    out += "<p class=\"lead\">Run <b>" + h(r.diagnosed_run) + "</b>, from " +
           (d.bayes_proxy ? "human level (" + h(d.bayes_proxy_name) + ", the Bayes proxy)"
                          : std::string("the training error")) +
           " up to the last error measured. Each coloured block is the gap that step adds; the "
           "focus is <b style=\"color:var(--focus)\">" +
           h(gap_words(d.focus)) + "</b>" + h(focus_gap) + ".</p>\n";
    out += chart_div("ladder");
    out += "<div class=\"cols\">";
    if (!d.tactics.empty()) {
        out +=
            "<div><h3>Tactics for " + h(gap_words(d.focus)) + "</h3>" + list(d.tactics) + "</div>";
    }
    if (!d.notes.empty()) out += "<div><h3>Notes</h3>" + list(d.notes, "notes") + "</div>";
    out += "</div></section>\n";
    return out;
}

std::string leaderboard(const Report& r) {
    if (!r.leaderboard) return omitted_line(r, "leaderboard");
    const auto& board = *r.leaderboard;
    const auto& sel = board.selection;
    std::string out = "<section id=\"leaderboard\"><h2>Leaderboard</h2>\n";
    std::string limits;
    for (const auto& c : sel.constraints) limits += (limits.empty() ? "" : ", ") + c;
    out += "<p class=\"lead\">Optimizing metric: <b>" + h(sel.objective.to_string()) + "</b>; " +
           (limits.empty() ? std::string("no satisficing limits")
                           : "satisficing limits: <b>" + h(limits) + "</b> (dashed red lines)") +
           ". Winner: <b>" + h(sel.winner ? *sel.winner : std::string("none")) + "</b>.</p>\n";
    out += chart_div("leaderboard");
    out += "<table><tr><th>run</th><th>" + h(sel.objective.name) + "</th>";
    for (const auto& l : board.limits) out += "<th>" + h(l.column) + "</th>";
    out += "<th>meets limits</th><th>why not</th></tr>\n";
    for (std::size_t i = 0; i < sel.ranking.size(); ++i) {
        const auto& c = sel.ranking[i];
        const bool winner = sel.winner && *sel.winner == c.name;
        out += std::string(winner ? "<tr class=\"winner\">" : "<tr>") + "<td>" + h(c.name) +
               "</td><td>" + (c.value ? column_value(sel.objective.name, *c.value) : "-") + "</td>";
        for (std::size_t k = 0; k < board.limits.size(); ++k) {
            const auto& v = board.values[i][k];
            out += "<td>" + (v ? column_value(board.limits[k].column, *v) : "-") + "</td>";
        }
        std::string why;
        for (const auto& v : c.violations) why += (why.empty() ? "" : "; ") + v;
        out += std::string("<td class=\"") + (c.feasible ? "yes\">yes" : "no\">no") +
               "</td><td class=\"why\">" + h(why) + "</td></tr>\n";
    }
    out += "</table>\n" + list(sel.notes, "notes") + "</section>\n";
    return out;
}

std::string curves(const Report& r) {
    if (r.curves.empty()) return omitted_line(r, "curves");
    std::string out = "<section id=\"curves\"><h2>Training curves</h2>\n";
    out += "<p class=\"lead\">Training, train-dev and dev error per epoch of each run";
    if (r.diagnosis && r.diagnosis->bayes_proxy) {
        out += "; the dashed line is human level (" + h(pct(*r.diagnosis->bayes_proxy)) + ")";
    }
    out += ".</p>\n" + chart_div("curves") + "</section>\n";
    return out;
}

std::string confusion(const Report& r) {
    if (!r.eval) return omitted_line(r, "confusion");
    const auto& e = *r.eval;
    std::string out = "<section id=\"confusion\"><h2>Confusion matrix</h2>\n";
    out += "<p class=\"lead\">" + (r.pred_run.empty() ? "" : "Run <b>" + h(r.pred_run) + "</b>, ") +
           "<code>" + h(r.pred) + "</code>: " + fmt::format("{}", e.rows) + " rows, accuracy <b>" +
           h(rate(e.accuracy)) + "</b>, error <b>" + h(rate(e.error)) + "</b> (" +
           h(detail::level(e.ci_level)) + " interval " + h(rate(e.error_ci.lo)) + " to " +
           h(rate(e.error_ci.hi)) + ").</p>\n";
    out += "<div class=\"cols\"><div class=\"fit\">" + chart_div("confusion") + "</div><div>";
    out +=
        "<table><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>rows</th></tr>\n";
    for (const auto& c : e.classes) {
        out += "<tr><td>" + h(c.name) + "</td><td>" + h(rate(c.precision)) + "</td><td>" +
               h(rate(c.recall)) + "</td><td>" + h(rate(c.f1)) + "</td><td>" +
               fmt::format("{}", c.support) + "</td></tr>\n";
    }
    out += "</table>" + list(e.warnings, "notes") + "</div></div></section>\n";
    return out;
}

std::string slices(const Report& r) {
    if (!r.eval || r.eval->slices.empty()) return omitted_line(r, "slices");
    std::string out = "<section id=\"slices\"><h2>Error by slice</h2>\n<p class=\"lead\">";
    if (!r.pred_run.empty()) out += "Run <b>" + h(r.pred_run) + "</b>. ";
    for (const auto& s : r.eval->slices) {
        const auto& worst = s.values[s.worst];
        out += "By <b>" + h(s.column) + "</b>: worst <b>" + h(worst.value) + "</b> at " +
               h(rate(worst.error)) + ", average over " + fmt::format("{}", s.values.size()) +
               " values " + h(rate(s.average_error)) + ". ";
    }
    out += "Bars show the error, black lines its 95% interval, the dashed line the average.</p>\n";
    return out + chart_div("slices") + "</section>\n";
}

std::string ceilings(const Report& r) {
    if (!r.tally) return omitted_line(r, "ceilings");
    const auto& t = *r.tally;
    std::string out = "<section id=\"ceilings\"><h2>Error-analysis ceilings</h2>\n";
    out += "<p class=\"lead\"><code>" + h(r.sheet) + "</code>: " + fmt::format("{}", t.reviewed) +
           " misclassified examples reviewed";
    if (t.correct_reviewed > 0) out += fmt::format(" (and {} correct ones)", t.correct_reviewed);
    out += ", dev error " + h(pct(t.error)) +
           (r.sheet_error_source.empty() ? "" : " (from " + h(r.sheet_error_source) + ")") +
           " (orange line). Each bar runs from the error today down to the best it can get by "
           "fixing every error of that kind.</p>\n";
    out += chart_div("ceilings");
    std::vector<std::string> notes;
    if (t.mislabeled) notes.push_back(t.mislabeled->reason);
    notes.insert(notes.end(), t.reminders.begin(), t.reminders.end());
    out += list(notes, "notes") + "</section>\n";
    return out;
}

}  // namespace

std::string escape_html(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string script_json(const nlohmann::json& value) {
    const std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '<') {
            out += "\\u003c";
        } else if (c == '>') {
            out += "\\u003e";
        } else if (c == '&') {
            out += "\\u0026";
        } else if (c == '\xE2' && i + 2 < text.size() && text[i + 1] == '\x80' &&
                   (text[i + 2] == '\xA8' || text[i + 2] == '\xA9')) {
            out += text[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

std::string render_html(const Report& r) {
    nlohmann::json charts = nlohmann::json::array();
    for (auto& [id, spec] : chart_specs(r)) charts.push_back({{"id", id}, {"spec", spec}});

    std::string page =
        "<!doctype html>\n<html lang=\"en\" data-report=\"pending\">\n<head>\n"
        "<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta name=\"generator\" content=\"mlstrat report\">\n<title>" +
        h(r.title) + "</title>\n<script>" + kCapture + "</script>\n<style>" + kStyle +
        "</style>\n</head>\n<body>\n<main>\n";
    page += "<header><h1>" + h(r.title) + "</h1><p class=\"meta\">Generated " + h(r.generated);
    if (!r.db.empty()) {
        page += " from <code>" + h(r.db) + "</code> · " + fmt::format("{}", r.runs.size()) +
                (r.runs.size() == 1 ? " run" : " runs");
    }
    page += "</p></header>\n<p id=\"report-status\" role=\"status\"></p>\n";
    page += cards(r);
    page += ladder(r) + leaderboard(r) + curves(r) + detail::learning_curves_html(r) +
            confusion(r) + slices(r) + ceilings(r);
    page += detail::examples_html(r);
    if (!r.notes.empty())
        page += "<section><h2>Notes</h2>" + list(r.notes, "notes") + "</section>\n";
    const auto versions = vega_versions();
    page += "<footer>Made by <code>mlstrat report</code>. Charts drawn with Vega " +
            h(versions["vega"].get<std::string>()) + ", Vega-Lite " +
            h(versions["vega-lite"].get<std::string>()) + " and Vega-Embed " +
            h(versions["vega-embed"].get<std::string>()) +
            ", inlined in this file: it opens without a network.</footer>\n</main>\n";
    page += "<script type=\"application/json\" id=\"report-specs\">" + script_json(charts) +
            "</script>\n";
    for (std::string_view script : {assets::kVega, assets::kVegaLite, assets::kVegaEmbed}) {
        page += "<script>";
        page += script;
        page += "</script>\n";
    }
    page += std::string("<script>") + kRender + "</script>\n</body>\n</html>\n";
    return page;
}

std::uint64_t write_html(const Report& report, const std::string& path) {
    const std::string page = render_html(report);
    io::write_file_atomically(path, page);
    return page.size();
}

}  // namespace mlstrat::report
