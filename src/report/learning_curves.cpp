// The learning-curve section of the report: will more data help?

#include "report/learning_curves.hpp"

#include <fmt/format.h>

#include "diagnose/format.hpp"
#include "mlstrat/learning_curve.hpp"

namespace mlstrat::report::detail {

namespace {

using nlohmann::json;

const char* split_label(const std::string& split) {
    return split == "train_dev" ? "train-dev" : split == "train" ? "train" : "dev";
}

}  // namespace

void add_learning_curves(const std::string& db, Report& report) {
    for (const auto& name : diagnose::curve_names(db)) {
        report.learning_curves.push_back(diagnose::curve_from_registry(db, name, std::nullopt));
    }
}

std::string learning_curve_chart_id(std::size_t i) {
    return fmt::format("learning-curve-{}", i + 1);
}

json learning_curve_spec(const diagnose::LearningCurve& c) {
    json points = json::array();
    for (const auto& p : c.points) {
        for (const auto& [split, s] : p.errors) {
            points.push_back({{"size", p.size},
                              {"split", split_label(split)},
                              {"error", s.mean},
                              {"lo", s.min},
                              {"hi", s.max},
                              {"runs", s.runs}});
        }
    }
    const json x = {{"field", "size"},
                    {"type", "quantitative"},
                    {"title", "training-set size"},
                    {"scale", {{"type", "log"}}},
                    {"axis", {{"format", "~s"}}}};
    const json y = {{"field", "error"},
                    {"type", "quantitative"},
                    {"title", "error"},
                    {"axis", {{"format", ".0%"}}},
                    {"scale", {{"zero", true}}}};
    const json color = {{"field", "split"},
                        {"type", "nominal"},
                        {"title", nullptr},
                        {"scale",
                         {{"domain", {"train", "train-dev", "dev", "dev fit"}},
                          {"range", {"#4c8fd6", "#9c6ade", "#d9480f", "#d9480f"}}}}};
    json layers = json::array();
    if (c.fit) {
        json fit = json::array();
        fit = diagnose::fit_curve(c);
        layers.push_back({{"data", {{"values", fit}}},
                          {"mark", {{"type", "area"}, {"opacity", 0.12}, {"color", "#d9480f"}}},
                          {"encoding",
                           {{"x", x},
                            {"y", {{"field", "lo"}, {"type", "quantitative"}}},
                            {"y2", {{"field", "hi"}}}}}});
        layers.push_back(
            {{"data", {{"values", fit}}},
             {"mark", {{"type", "line"}, {"strokeDash", {2, 3}}, {"strokeWidth", 1.5}}},
             {"encoding", {{"x", x}, {"y", y}, {"color", {{"datum", "dev fit"}}}}}});
    }
    layers.push_back({{"data", {{"values", points}}},
                      {"mark", {{"type", "rule"}, {"opacity", 0.6}}},
                      {"encoding",
                       {{"x", x},
                        {"y", {{"field", "lo"}, {"type", "quantitative"}}},
                        {"y2", {{"field", "hi"}}},
                        {"color", color}}}});
    layers.push_back({{"data", {{"values", points}}},
                      {"mark", {{"type", "line"}, {"point", {{"size", 30}}}, {"strokeWidth", 2}}},
                      {"encoding",
                       {{"x", x},
                        {"y", y},
                        {"color", color},
                        {"tooltip", json::array({{{"field", "split"}},
                                                 {{"field", "size"}, {"format", ","}},
                                                 {{"field", "error"}, {"format", ".2%"}},
                                                 {{"field", "runs"}}})}}}});
    if (c.target) {
        layers.push_back(
            {{"mark", {{"type", "rule"}, {"strokeDash", {6, 4}}, {"color", "#5b6b7f"}}},
             {"encoding", {{"y", {{"datum", *c.target}}}}}});
    }
    json spec = {{"$schema", "https://vega.github.io/schema/vega-lite/v6.json"},
                 {"description", "Learning curve " + c.name},
                 {"background", "white"},
                 {"padding", 8},
                 {"width", 420},
                 {"height", 240},
                 {"layer", layers}};
    return spec;
}

std::string learning_curves_html(const Report& r) {
    if (r.learning_curves.empty()) return "";
    std::string out =
        "<section id=\"learning-curves\"><h2>Learning curves</h2>\n"
        "<p class=\"lead\">Error against the training-set size (log scale): will "
        "more data help? The dashed line is the target, the dotted line the fit "
        "a + b·n<sup>−c</sup> of the dev error and where it leads.</p>\n";
    for (std::size_t i = 0; i < r.learning_curves.size(); ++i) {
        const auto& c = r.learning_curves[i];
        out += "<h3>" + escape_html(c.name) + "</h3>\n";
        out += "<div class=\"chart\" id=\"chart-" + learning_curve_chart_id(i) + "\"></div>\n";
        out += "<p>" + escape_html(c.verdict.message) + "</p>\n";
        if (!c.fit_note.empty())
            out += "<p class=\"omitted\">" + escape_html(c.fit_note) + "</p>\n";
    }
    return out + "</section>\n";
}

}  // namespace mlstrat::report::detail
