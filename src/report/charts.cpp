// The report's Vega-Lite specifications. Data go in as the values the commands computed; the
// only derived quantity, the row shares of the confusion matrix, is a Vega transform, so the
// chart cannot disagree with `mlstrat eval`.

#include <string>
#include <utility>

#include "mlstrat/report.hpp"
#include "report/format.hpp"
#include "report/learning_curves.hpp"

namespace mlstrat::report {

namespace {

using nlohmann::json;
// Rates in the report carry two decimals ("0.50%"), whichever module computed them.
std::string pct(double v) { return detail::rate(v); }

constexpr const char* kFont =
    "Inter, 'Segoe UI', 'Helvetica Neue', 'Liberation Sans', 'DejaVu Sans', Arial, sans-serif";
constexpr const char* kFocus = "#d9480f";
constexpr const char* kGap = "#4c8fd6";
constexpr const char* kNoise = "#b8c2cc";
constexpr const char* kLevel = "#dfe5ec";
constexpr const char* kHuman = "#5b6b7f";
constexpr const char* kGood = "#2f9e6e";
constexpr const char* kBad = "#c92a2a";

json base(const std::string& description) {
    json spec = {{"$schema", "https://vega.github.io/schema/vega-lite/v6.json"},
                 {"description", description},
                 {"background", "white"},
                 {"padding", 8}};
    spec["config"] = {
        {"font", kFont},
        {"view", {{"stroke", nullptr}}},
        {"axis",
         {{"labelFontSize", 11},
          {"titleFontSize", 11},
          {"titleFontWeight", 600},
          {"labelColor", "#3d4753"},
          {"titleColor", "#3d4753"},
          {"gridColor", "#edf0f3"},
          {"domainColor", "#aab4bf"},
          {"tickColor", "#aab4bf"}}},
        {"legend", {{"labelFontSize", 11}, {"titleFontSize", 11}, {"orient", "top"}}},
        {"header", {{"labelFontSize", 12}, {"labelFontWeight", 600}, {"title", nullptr}}},
        {"title", {{"fontSize", 13}, {"anchor", "start"}, {"fontWeight", 600}}}};
    return spec;
}

std::string gap_label(const std::string& gap) {
    std::string s = gap;
    for (char& c : s) {
        if (c == '_') c = ' ';
    }
    return s;
}

// The waterfall from the Bayes proxy up to the test error: a bar per level, its top coloured by
// the gap that step adds (as diagnose measured it), the focus in orange.
json ladder_spec(const Report& r) {
    const auto& d = *r.diagnosis;
    const auto& in = d.input;
    json levels = json::array();
    std::vector<std::string> order;
    auto level = [&](const std::string& step, const std::optional<double>& value, bool human) {
        if (!value) return;
        order.push_back(step);
        levels.push_back(
            {{"step", step}, {"error", *value}, {"human", human}, {"text", pct(*value)}});
    };
    if (d.bayes_proxy) level("human (" + d.bayes_proxy_name + ")", d.bayes_proxy, true);
    level("train", in.train_error, false);
    level("train-dev", in.train_dev_error, false);
    level("dev", in.dev_error, false);
    level("test", in.test_error, false);

    json gaps = json::array();
    for (const auto& g : d.gaps) {
        if (!g.value) continue;
        std::string step;
        std::optional<double> to;
        switch (g.gap) {
            case diagnose::Gap::AvoidableBias:
                step = "train";
                to = in.train_error;
                break;
            case diagnose::Gap::Variance:
                step = in.train_dev_error ? "train-dev" : "dev";
                to = in.train_dev_error ? in.train_dev_error : in.dev_error;
                break;
            case diagnose::Gap::DataMismatch:
                step = "dev";
                to = in.dev_error;
                break;
            case diagnose::Gap::DevOverfitting:
                step = "test";
                to = in.test_error;
                break;
        }
        const std::string name = diagnose::gap_name(g.gap);
        const std::string role = name == d.focus ? "focus" : g.noise ? "noise" : "other gap";
        gaps.push_back({{"step", step},
                        {"from", *to - *g.value},
                        {"to", *to},
                        {"role", role},
                        {"label", gap_label(name) + " " + (*g.value >= 0 ? "+" : "") +
                                      pct(*g.value) + (g.noise ? " (noise)" : "")}});
    }

    json spec = base("Error ladder of run " + r.diagnosed_run);
    spec["width"] = 130 * static_cast<int>(order.size());
    spec["height"] = 300;
    const json x = {
        {"field", "step"},
        {"type", "nominal"},
        {"sort", order},
        {"axis",
         {{"title", nullptr}, {"labelAngle", 0}, {"labelFontSize", 12}, {"labelFontWeight", 600}}}};
    const json y_axis = {{"title", "error"}, {"format", ".0%"}, {"tickCount", 6}};
    json layers = json::array();
    layers.push_back(
        {{"data", {{"values", levels}}},
         {"mark", {{"type", "bar"}, {"width", {{"band", 0.62}}}, {"cornerRadiusEnd", 2}}},
         {"encoding",
          {{"x", x},
           {"y",
            {{"field", "error"},
             {"type", "quantitative"},
             {"axis", y_axis},
             {"scale", {{"nice", true}}}}},
           {"color",
            {{"condition", {{"test", "datum.human"}, {"value", kHuman}}}, {"value", kLevel}}},
           {"tooltip",
            json::array({{{"field", "step"}}, {{"field", "text"}, {"title", "error"}}})}}}});
    layers.push_back(
        {{"data", {{"values", gaps}}},
         {"mark", {{"type", "bar"}, {"width", {{"band", 0.62}}}}},
         {"encoding",
          {{"x", x},
           {"y", {{"field", "from"}, {"type", "quantitative"}}},
           {"y2", {{"field", "to"}}},
           {"color",
            {{"field", "role"},
             {"type", "nominal"},
             {"title", nullptr},
             {"scale",
              {{"domain", {"focus", "other gap", "noise"}}, {"range", {kFocus, kGap, kNoise}}}}}},
           {"tooltip", json::array({{{"field", "label"}, {"title", "gap"}}})}}}});
    layers.push_back({{"data", {{"values", levels}}},
                      {"mark",
                       {{"type", "text"},
                        {"dy", -8},
                        {"fontSize", 12},
                        {"fontWeight", 700},
                        {"color", "#1f2933"}}},
                      {"encoding",
                       {{"x", x},
                        {"y", {{"field", "error"}, {"type", "quantitative"}}},
                        {"text", {{"field", "text"}}}}}});
    layers.push_back(
        {{"data", {{"values", gaps}}},
         {"mark", {{"type", "text"}, {"dy", -24}, {"fontSize", 11}, {"fontWeight", 600}}},
         {"encoding",
          {{"x", x},
           {"y", {{"field", "to"}, {"type", "quantitative"}}},
           {"text", {{"field", "label"}}},
           {"color",
            {{"field", "role"},
             {"type", "nominal"},
             {"legend", nullptr},
             {"scale",
              {{"domain", {"focus", "other gap", "noise"}},
               {"range", {kFocus, kGap, "#7b8794"}}}}}}}}});
    if (d.bayes_proxy) {
        layers.push_back({{"mark", {{"type", "rule"}, {"strokeDash", {4, 4}}, {"color", kHuman}}},
                          {"encoding", {{"y", {{"datum", *d.bayes_proxy}}}}}});
    }
    spec["layer"] = layers;
    spec["resolve"] = {{"scale", {{"color", "independent"}}}};
    return spec;
}

// select's ranking: the optimizing metric per run, and beside it one panel per satisficing
// limit with the limit drawn as a line.
json leaderboard_spec(const Report& r) {
    const auto& board = *r.leaderboard;
    const auto& sel = board.selection;
    json rows = json::array();
    json names = json::array();
    for (const auto& c : sel.ranking) {
        names.push_back(c.name);
        json row = {{"run", c.name},
                    {"status", c.feasible ? "meets every limit" : "breaks a limit"},
                    {"winner", sel.winner && *sel.winner == c.name}};
        if (c.value) {
            row["value"] = *c.value;
            row["text"] = detail::column_value(sel.objective.name, *c.value);
        }
        rows.push_back(row);
    }
    const int height = std::max(60, 34 * static_cast<int>(sel.ranking.size()));
    const json y = {
        {"field", "run"},
        {"type", "nominal"},
        {"sort", names},
        {"axis", {{"title", nullptr}, {"labelFontSize", 12}, {"labelFontWeight", 600}}}};
    const std::string objective = sel.objective.to_string();
    json objective_x = {{"field", "value"},
                        {"type", "quantitative"},
                        {"title", sel.objective.name},
                        {"scale", {{"zero", true}, {"nice", true}}}};
    if (detail::is_rate_column(sel.objective.name)) objective_x["axis"] = {{"format", ".0%"}};
    json panels = json::array();
    panels.push_back(
        {{"width", 320},
         {"height", height},
         {"title", objective},
         {"data", {{"values", rows}}},
         {"layer",
          json::array(
              {{{"mark", {{"type", "bar"}, {"height", {{"band", 0.6}}}, {"cornerRadiusEnd", 2}}},
                {"encoding",
                 {{"y", y},
                  {"x", objective_x},
                  {"color",
                   {{"field", "status"},
                    {"type", "nominal"},
                    {"title", nullptr},
                    {"scale",
                     {{"domain", {"meets every limit", "breaks a limit"}},
                      {"range", {kGood, kNoise}}}}}},
                  {"tooltip", json::array({{{"field", "run"}},
                                           {{"field", "text"}, {"title", sel.objective.name}},
                                           {{"field", "status"}}})}}}},
               {{"mark", {{"type", "text"}, {"align", "left"}, {"dx", 4}, {"fontSize", 11}}},
                {"encoding",
                 {{"y", y},
                  {"x", {{"field", "value"}, {"type", "quantitative"}}},
                  {"text", {{"field", "text"}}}}}},
               {{"transform", json::array({{{"filter", "datum.winner"}}})},
                {"mark",
                 {{"type", "text"},
                  {"align", "left"},
                  {"dx", 48},
                  {"fontSize", 11},
                  {"fontWeight", 700},
                  {"color", kGood}}},
                {"encoding",
                 {{"y", y},
                  {"x", {{"field", "value"}, {"type", "quantitative"}}},
                  {"text", {{"value", "winner"}}}}}}})}});
    // The limit panels share the runs' axis with the first panel, so they do not repeat it.
    json bare_y = y;
    bare_y["axis"] = {{"labels", false}, {"ticks", false}, {"title", nullptr}, {"domain", false}};
    for (std::size_t k = 0; k < board.limits.size(); ++k) {
        const auto& limit = board.limits[k];
        json values = json::array();
        for (std::size_t i = 0; i < sel.ranking.size(); ++i) {
            json row = {{"run", sel.ranking[i].name}};
            if (const auto& v = board.values[i][k]) {
                row["value"] = *v;
                row["text"] = detail::column_value(limit.column, *v);
                row["ok"] = limit.satisfied_by(*v) ? "within the limit" : "breaks the limit";
            }
            values.push_back(row);
        }
        panels.push_back(
            {{"width", 220},
             {"height", height},
             {"title", limit.text},
             {"layer",
              json::array(
                  {{{"data", {{"values", values}}},
                    {"transform", json::array({{{"filter", "isValid(datum.value)"}}})},
                    {"mark",
                     {{"type", "bar"}, {"height", {{"band", 0.6}}}, {"cornerRadiusEnd", 2}}},
                    {"encoding",
                     {{"y", bare_y},
                      {"x",
                       {{"field", "value"},
                        {"type", "quantitative"},
                        {"title", limit.column},
                        {"scale", {{"zero", true}, {"nice", true}}}}},
                      {"color",
                       {{"field", "ok"},
                        {"type", "nominal"},
                        {"legend", nullptr},
                        {"scale",
                         {{"domain", {"within the limit", "breaks the limit"}},
                          {"range", {"#8fb8de", kBad}}}}}},
                      {"tooltip", json::array({{{"field", "run"}},
                                               {{"field", "text"}, {"title", limit.column}},
                                               {{"field", "ok"}, {"title", limit.text}}})}}}},
                   {{"mark",
                     {{"type", "rule"},
                      {"color", kBad},
                      {"strokeDash", {5, 3}},
                      {"strokeWidth", 2}}},
                    {"encoding", {{"x", {{"datum", limit.limit}}}}}},
                   {{"mark",
                     {{"type", "text"},
                      {"color", kBad},
                      {"align", "left"},
                      {"dx", 4},
                      {"dy", -6},
                      {"fontWeight", 600},
                      {"fontSize", 11}}},
                    {"encoding",
                     {{"x", {{"datum", limit.limit}}},
                      {"y", {{"value", 0}}},
                      {"text", {{"value", "limit " + fmt::format("{:g}", limit.limit)}}}}}}})}});
    }
    json spec = base("Leaderboard: " + objective);
    spec["hconcat"] = panels;
    spec["spacing"] = 24;
    spec["resolve"] = {
        {"scale", {{"y", "shared"}, {"color", "independent"}, {"x", "independent"}}}};
    return spec;
}

// Train, train-dev and dev error per epoch, one panel per run, with the Bayes proxy as a line.
json curves_spec(const Report& r) {
    json rows = json::array();
    json runs = json::array();
    for (const auto& c : r.curves) {
        runs.push_back(c.run);
        for (const auto& e : c.epochs) {
            auto add = [&](const char* split, const std::optional<double>& v) {
                if (v)
                    rows.push_back(
                        {{"run", c.run}, {"epoch", e.epoch}, {"split", split}, {"error", *v}});
            };
            add("train", e.train_error);
            add("train-dev", e.train_dev_error);
            add("dev", e.dev_error);
        }
    }
    json layers = json::array();
    layers.push_back({{"mark", {{"type", "line"}, {"point", {{"size", 28}}}, {"strokeWidth", 2}}},
                      {"encoding",
                       {{"x",
                         {{"field", "epoch"},
                          {"type", "quantitative"},
                          {"axis", {{"tickMinStep", 1}, {"format", "d"}}}}},
                        {"y",
                         {{"field", "error"},
                          {"type", "quantitative"},
                          {"axis", {{"format", ".0%"}}},
                          {"scale", {{"zero", true}}}}},
                        {"color",
                         {{"field", "split"},
                          {"type", "nominal"},
                          {"title", nullptr},
                          {"scale",
                           {{"domain", {"train", "train-dev", "dev"}},
                            {"range", {"#4c8fd6", "#9c6ade", kFocus}}}}}},
                        {"tooltip", json::array({{{"field", "run"}},
                                                 {{"field", "epoch"}},
                                                 {{"field", "split"}},
                                                 {{"field", "error"}, {"format", ".2%"}}})}}}});
    if (r.diagnosis && r.diagnosis->bayes_proxy) {
        layers.push_back({{"mark", {{"type", "rule"}, {"strokeDash", {4, 4}}, {"color", kHuman}}},
                          {"encoding", {{"y", {{"datum", *r.diagnosis->bayes_proxy}}}}}});
    }
    json spec = base("Training curves");
    spec["data"] = {{"values", rows}};
    spec["facet"] = {{"field", "run"}, {"type", "nominal"}, {"sort", runs}};
    spec["columns"] = 3;
    spec["spec"] = {{"width", 250}, {"height", 170}, {"layer", layers}};
    spec["resolve"] = {{"scale", {{"x", "independent"}}}};
    return spec;
}

// The confusion matrix: counts as text, colour by the share of the true class's rows.
json confusion_spec(const Report& r) {
    const auto& e = *r.eval;
    json rows = json::array();
    json classes = json::array();
    for (const auto& c : e.classes) classes.push_back(c.name);
    for (std::size_t t = 0; t < e.classes.size(); ++t) {
        for (std::size_t p = 0; p < e.classes.size(); ++p) {
            rows.push_back({{"true", e.classes[t].name},
                            {"pred", e.classes[p].name},
                            {"count", e.confusion[t][p]},
                            {"correct", t == p}});
        }
    }
    const int side = std::clamp(46 * static_cast<int>(e.classes.size()), 160, 560);
    json spec = base("Confusion matrix of " + r.pred);
    spec["data"] = {{"values", rows}};
    spec["width"] = side;
    spec["height"] = side;
    spec["transform"] = json::array(
        {{{"joinaggregate", json::array({{{"op", "sum"}, {"field", "count"}, {"as", "support"}}})},
          {"groupby", {"true"}}},
         {{"calculate", "datum.support > 0 ? datum.count / datum.support : 0"}, {"as", "share"}}});
    const json x = {{"field", "pred"},
                    {"type", "nominal"},
                    {"sort", classes},
                    {"axis", {{"title", "predicted"}, {"orient", "top"}, {"labelAngle", -90}}}};
    const json y = {{"field", "true"},
                    {"type", "nominal"},
                    {"sort", classes},
                    {"axis", {{"title", "true label"}}}};
    spec["layer"] = json::array(
        {{{"mark", {{"type", "rect"}, {"stroke", "white"}, {"strokeWidth", 1}}},
          {"encoding",
           {{"x", x},
            {"y", y},
            {"color",
             {{"field", "share"},
              {"type", "quantitative"},
              {"title", "share of true class"},
              {"scale", {{"scheme", "blues"}, {"domain", {0, 1}}}},
              {"legend", {{"format", ".0%"}, {"orient", "right"}, {"gradientLength", 140}}}}},
            {"tooltip",
             json::array(
                 {{{"field", "true"}, {"title", "true"}},
                  {{"field", "pred"}, {"title", "predicted"}},
                  {{"field", "count"}},
                  {{"field", "share"}, {"format", ".2%"}, {"title", "share of true class"}}})}}}},
         {{"mark", {{"type", "text"}, {"fontSize", 11}}},
          {"encoding",
           {{"x", x},
            {"y", y},
            {"text", {{"field", "count"}, {"format", ","}}},
            {"color",
             {{"condition", {{"test", "datum.share > 0.55"}, {"value", "white"}}},
              {"value", "#1f2933"}}}}}}});
    return spec;
}

// eval's per-slice errors with their intervals, the average over values and the worst value.
json slices_spec(const Report& r) {
    json panels = json::array();
    for (const auto& s : r.eval->slices) {
        json rows = json::array();
        json order = json::array();
        for (std::size_t i = 0; i < s.values.size(); ++i) {
            const auto& v = s.values[i];
            order.push_back(v.value);
            rows.push_back(
                {{"value", v.value},
                 {"error", v.error},
                 {"lo", v.error_ci.lo},
                 {"hi", v.error_ci.hi},
                 {"rows", v.rows},
                 {"errors", v.errors},
                 {"text", fmt::format("{:.2f}%  ({} / {})", v.error * 100.0, v.errors, v.rows)},
                 {"kind", i == s.worst ? "worst" : "other"}});
        }
        const json y = {{"field", "value"},
                        {"type", "nominal"},
                        {"sort", order},
                        {"axis", {{"title", s.column}, {"labelFontWeight", 600}}}};
        const json x_scale = {{"zero", true}, {"nice", true}};
        panels.push_back(
            {{"width", 460},
             {"height", std::max(50, 30 * static_cast<int>(s.values.size()))},
             {"title",
              "error by " + s.column + fmt::format(" (average {:.2f}%)", s.average_error * 100.0)},
             {"data", {{"values", rows}}},
             {"layer",
              json::array(
                  {{{"mark",
                     {{"type", "bar"}, {"height", {{"band", 0.6}}}, {"cornerRadiusEnd", 2}}},
                    {"encoding",
                     {{"y", y},
                      {"x",
                       {{"field", "error"},
                        {"type", "quantitative"},
                        {"title", "error (95% interval)"},
                        {"axis", {{"format", ".0%"}}},
                        {"scale", x_scale}}},
                      {"color",
                       {{"field", "kind"},
                        {"type", "nominal"},
                        {"legend", nullptr},
                        {"scale",
                         {{"domain", {"worst", "other"}}, {"range", {kFocus, "#8fb8de"}}}}}},
                      {"tooltip",
                       json::array(
                           {{{"field", "value"}, {"title", s.column}},
                            {{"field", "text"}, {"title", "error"}},
                            {{"field", "lo"}, {"format", ".2%"}, {"title", "95% low"}},
                            {{"field", "hi"}, {"format", ".2%"}, {"title", "95% high"}}})}}}},
                   {{"mark", {{"type", "rule"}, {"color", "#1f2933"}, {"strokeWidth", 1.5}}},
                    {"encoding",
                     {{"y", y},
                      {"x", {{"field", "lo"}, {"type", "quantitative"}}},
                      {"x2", {{"field", "hi"}}}}}},
                   {{"mark", {{"type", "text"}, {"align", "left"}, {"dx", 6}, {"fontSize", 11}}},
                    {"encoding",
                     {{"y", y},
                      {"x", {{"field", "hi"}, {"type", "quantitative"}}},
                      {"text", {{"field", "text"}}}}}},
                   {{"mark", {{"type", "rule"}, {"strokeDash", {4, 4}}, {"color", kHuman}}},
                    {"encoding", {{"x", {{"datum", s.average_error}}}}}}})}});
    }
    json spec = base("Error by slice");
    spec["vconcat"] = panels;
    spec["spacing"] = 28;
    spec["resolve"] = {{"scale", {{"x", "independent"}}}};
    return spec;
}

// errors tally: for each idea, how far fixing all of its errors could take the dev error.
json ceilings_spec(const Report& r) {
    const auto& t = *r.tally;
    json rows = json::array();
    json order = json::array();
    auto add = [&](const std::string& idea, std::uint64_t count, double share,
                   const stats::Interval& ci, double ceiling, const char* kind) {
        order.push_back(idea);
        rows.push_back({{"idea", idea},
                        {"count", count},
                        {"share", share},
                        {"share_lo", ci.lo},
                        {"share_hi", ci.hi},
                        {"error", t.error},
                        {"ceiling", ceiling},
                        {"kind", kind},
                        {"text", pct(t.error) + " → " + pct(ceiling) + "  (" +
                                     fmt::format("{:.2f}", share * 100.0) + "% of errors)"}});
    };
    for (const auto& c : t.categories)
        add(c.tag, c.count, c.share, c.share_ci, c.error_if_fixed, "idea");
    if (t.mislabeled) {
        add("(mislabeled)", t.mislabeled->count, t.mislabeled->share, t.mislabeled->share_ci,
            t.mislabeled->other_causes, "mislabeled");
    }
    const json y = {
        {"field", "idea"},
        {"type", "nominal"},
        {"sort", order},
        {"axis", {{"title", nullptr}, {"labelFontSize", 12}, {"labelFontWeight", 600}}}};
    const json x = {{"field", "ceiling"},
                    {"type", "quantitative"},
                    {"title", "dev error if every such error were fixed"},
                    {"axis", {{"format", ".2%"}}},
                    {"scale", {{"zero", true}}}};
    json spec = base("Error-analysis ceilings");
    spec["data"] = {{"values", rows}};
    spec["width"] = 460;
    spec["height"] = std::max(60, 34 * static_cast<int>(rows.size()));
    spec["layer"] = json::array(
        {{{"mark", {{"type", "bar"}, {"height", {{"band", 0.55}}}}},
          {"encoding",
           {{"y", y},
            {"x", x},
            {"x2", {{"field", "error"}}},
            {"color",
             {{"field", "kind"},
              {"type", "nominal"},
              {"legend", nullptr},
              {"scale", {{"domain", {"idea", "mislabeled"}}, {"range", {kGap, "#9c6ade"}}}}}},
            {"tooltip",
             json::array(
                 {{{"field", "idea"}},
                  {{"field", "count"}, {"title", "errors"}},
                  {{"field", "share"}, {"format", ".2%"}},
                  {{"field", "share_lo"}, {"format", ".2%"}, {"title", "share 95% low"}},
                  {{"field", "share_hi"}, {"format", ".2%"}, {"title", "share 95% high"}},
                  {{"field", "ceiling"}, {"format", ".2%"}, {"title", "error if fixed"}}})}}}},
         {{"mark", {{"type", "tick"}, {"thickness", 3}, {"color", "#1f2933"}}},
          {"encoding", {{"y", y}, {"x", x}}}},
         {{"mark", {{"type", "text"}, {"align", "left"}, {"dx", 6}, {"fontSize", 11}}},
          {"encoding",
           {{"y", y},
            {"x", {{"field", "error"}, {"type", "quantitative"}}},
            {"text", {{"field", "text"}}}}}},
         {{"mark", {{"type", "rule"}, {"color", kFocus}, {"strokeWidth", 2}}},
          {"encoding", {{"x", {{"datum", t.error}}}}}}});
    return spec;
}

}  // namespace

std::vector<std::pair<std::string, nlohmann::json>> chart_specs(const Report& report) {
    std::vector<std::pair<std::string, nlohmann::json>> out;
    if (report.diagnosis) out.emplace_back("ladder", ladder_spec(report));
    if (report.leaderboard) out.emplace_back("leaderboard", leaderboard_spec(report));
    if (!report.curves.empty()) out.emplace_back("curves", curves_spec(report));
    for (std::size_t i = 0; i < report.learning_curves.size(); ++i) {
        out.emplace_back(detail::learning_curve_chart_id(i),
                         detail::learning_curve_spec(report.learning_curves[i]));
    }
    if (report.eval) out.emplace_back("confusion", confusion_spec(report));
    if (report.eval && !report.eval->slices.empty())
        out.emplace_back("slices", slices_spec(report));
    if (report.tally) out.emplace_back("ceilings", ceilings_spec(report));
    return out;
}

}  // namespace mlstrat::report
