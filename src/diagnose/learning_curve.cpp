// A learning curve from its runs: the errors per size with their spread over the repeats, the fit
// of the dev error, and the answer to "will more data help, and how much?" (Machine Learning
// Yearning 28-32; course 1.1.3).

#include "mlstrat/learning_curve.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <utility>

#include "diagnose/format.hpp"
#include "mlstrat/support/error.hpp"

namespace mlstrat::diagnose {

namespace {

using detail::examples;
using detail::pct;

/// The splits a learning curve draws; test stays for the final estimate (1.1.2).
const std::vector<std::string>& curve_splits() {
    static const std::vector<std::string> splits = {"train", "train_dev", "dev"};
    return splits;
}

SplitSpread spread_of(const std::vector<double>& values) {
    SplitSpread s;
    s.runs = static_cast<std::int64_t>(values.size());
    s.min = *std::min_element(values.begin(), values.end());
    s.max = *std::max_element(values.begin(), values.end());
    double sum = 0;
    for (double v : values) sum += v;
    s.mean = sum / static_cast<double>(values.size());
    if (values.size() > 1) {
        double ss = 0;
        for (double v : values) ss += (v - s.mean) * (v - s.mean);
        s.sd = std::sqrt(ss / static_cast<double>(values.size() - 1));
    }
    return s;
}

std::vector<CurvePoint> points_of(const std::vector<CurveRun>& runs) {
    std::map<std::uint64_t, std::map<std::string, std::vector<double>>> by_size;
    for (const auto& run : runs) {
        for (const auto& split : curve_splits()) {
            auto it = run.errors.find(split);
            if (it != run.errors.end()) by_size[run.size][split].push_back(it->second);
        }
    }
    std::vector<CurvePoint> points;
    for (const auto& [size, splits] : by_size) {
        CurvePoint p;
        p.size = size;
        for (const auto& [split, values] : splits) p.errors[split] = spread_of(values);
        points.push_back(std::move(p));
    }
    return points;
}

std::string size_range(const SizeInterval& s) {
    return s.hi ? fmt::format("{} to {}", examples(s.lo, 2), examples(*s.hi, 2))
                : fmt::format("{} to no bound (the floor's interval reaches the target)",
                              examples(s.lo, 2));
}

/// The verdict once the target and the fit are known.
CurveVerdict decide(const LearningCurve& c) {
    CurveVerdict v;
    const CurvePoint& last = c.points.back();
    const double dev = last.errors.at("dev").mean;
    const auto train_error = last.errors.find("train");
    const double* train = train_error != last.errors.end() ? &train_error->second.mean : nullptr;
    const std::string at = examples(static_cast<double>(last.size));
    if (!c.target) {
        v.kind = "no_target";
        v.message =
            "no target to reach: give --target RATE, or a human level for the project "
            "(mlstrat project set --human NAME=RATE) as the Bayes proxy";
        return v;
    }
    const double target = *c.target;
    if (train && *train > target) {
        v.kind = "bias";
        v.message = fmt::format(
            "train error above the target: more data alone will not help. At {} examples the "
            "training error is {}, already above the target {} ({}). ",
            at, pct(*train), pct(target), c.target_source);
        // A model trained to convergence fits a larger set less well, so its training error
        // rises with the size. When it fell instead, the runs were not trained to convergence
        // (the same epochs are more steps on more data), and the curve says so.
        const CurvePoint& first = c.points.front();
        const auto first_train = first.errors.find("train");
        if (first_train != first.errors.end() && first_train->second.mean - *train > 0.005) {
            v.message += fmt::format(
                "Here it fell from {} at {} examples as the set grew: the same epochs are more "
                "steps on more data, so the runs are not trained to convergence. Train longer "
                "(or a bigger model, a better optimizer) until the training error stops falling; "
                "that is avoidable bias (1.1.3), and more data does not remove it.",
                pct(first_train->second.mean), examples(static_cast<double>(first.size)));
        } else {
            v.message +=
                "Training error only grows as the training set does, so this is "
                "avoidable bias (1.1.3): a bigger model, training longer or a better "
                "optimizer first.";
        }
        return v;
    }
    if (dev <= target) {
        v.kind = "reached";
        v.message = fmt::format("the dev error at {} examples, {}, already meets the target {}", at,
                                pct(dev), pct(target));
        return v;
    }
    if (!c.fit) {
        v.kind = "no_fit";
        v.message = c.fit_note;
        return v;
    }
    const PowerLawFit& f = *c.fit;
    if (!f.size_for(target)) {
        v.kind = "floor";
        v.message = fmt::format(
            "more of this data will not get there: the fitted dev error levels off at {} (the "
            "floor a of a + b·n^(−c)), above the target {}, while the training error at {} "
            "examples ({}) is below it; the rest of the gap is variance or data mismatch that "
            "more data like this does not close: regularization, another architecture, or data "
            "like the dev set (1.2.2)",
            pct(f.a), pct(target), at, train ? pct(*train) : "not measured");
        return v;
    }
    v.kind = "more_data";
    v.size_needed = *f.size_for(target);
    v.more_examples = std::max(0.0, *v.size_needed - static_cast<double>(last.size));
    v.interval = size_interval(f, target, static_cast<double>(last.size), c.level);
    const double per_doubling = f.error_at(static_cast<double>(last.size)) -
                                f.error_at(2.0 * static_cast<double>(last.size));
    v.message = fmt::format(
        "more data helps: about {} more examples to reach {} ({} in all); the dev error is still "
        "falling ({} per doubling at {} examples) and the training error ({}) is below the target",
        examples(*v.more_examples, 2), pct(target), examples(*v.size_needed, 2), pct(per_doubling),
        at, train ? pct(*train) : "not measured");
    if (v.interval) {
        v.message +=
            fmt::format("; {} interval of the size: {}", pct(c.level), size_range(*v.interval));
    }
    return v;
}

nlohmann::json fit_json(const LearningCurve& c) {
    const PowerLawFit& f = *c.fit;
    nlohmann::json j = {{"a", f.a},
                        {"b", f.b},
                        {"c", f.c},
                        {"covariance", f.covariance},
                        {"rss", f.rss},
                        {"dof", f.dof},
                        {"at_bound", f.at_bound},
                        {"floor_at_zero", f.floor_at_zero}};
    j["curve"] = fit_curve(c);
    return j;
}

}  // namespace

nlohmann::json fit_curve(const LearningCurve& c) {
    nlohmann::json curve = nlohmann::json::array();
    if (!c.fit) return curve;
    const PowerLawFit& f = *c.fit;
    const double first = static_cast<double>(c.points.front().size);
    double end = 4.0 * static_cast<double>(c.points.back().size);
    if (c.verdict.size_needed) end = std::max(end, 1.25 * *c.verdict.size_needed);
    end = std::min(end, 1e9);
    constexpr int kSteps = 40;
    for (int i = 0; i <= kSteps; ++i) {
        const double n = first * std::pow(end / first, static_cast<double>(i) / kSteps);
        nlohmann::json p = {{"size", n}, {"error", f.error_at(n)}};
        if (auto band = f.band(n, c.level)) {
            p["lo"] = band->lo;
            p["hi"] = band->hi;
        }
        curve.push_back(p);
    }
    return curve;
}

std::vector<double> LearningCurve::means(const std::string& split) const {
    std::vector<double> out;
    for (const auto& p : points) {
        auto it = p.errors.find(split);
        out.push_back(it == p.errors.end() ? NAN : it->second.mean);
    }
    return out;
}

LearningCurve learning_curve(std::string name, std::vector<CurveRun> runs,
                             std::optional<double> target, std::string target_source,
                             double level) {
    MLSTRAT_CHECK(!runs.empty(), "learning curve '", name, "' has no runs");
    for (const auto& run : runs) {
        MLSTRAT_CHECK(run.errors.count("dev"), "run '", run.name, "' of learning curve '", name,
                      "' has no dev error");
    }
    LearningCurve c;
    c.name = std::move(name);
    c.runs = std::move(runs);
    c.target = target;
    c.target_source = std::move(target_source);
    c.level = level;
    c.points = points_of(c.runs);
    if (c.points.size() < 3) {
        c.fit_note = fmt::format("{} size{}: a fit of a + b·n^(−c) needs at least three",
                                 c.points.size(), c.points.size() == 1 ? "" : "s");
    } else {
        std::vector<double> sizes;
        for (const auto& p : c.points) sizes.push_back(static_cast<double>(p.size));
        c.fit = fit_power_law(sizes, c.means("dev"));
        if (c.fit->dof == 0) {
            c.fit_note =
                "three sizes fit the curve exactly and leave no scatter to give its "
                "extrapolation an interval: add a size";
        } else if (c.fit->at_bound) {
            c.fit_note = fmt::format(
                "the exponent c ended at the edge of its range ({:.3g}): "
                "these sizes do not pin the curve down; add sizes or repeats",
                c.fit->c);
        } else if (c.fit->floor_at_zero) {
            c.fit_note =
                "the fitted floor a is at zero, its bound (an error rate is not "
                "negative): the curve has not begun to level off at these sizes, so an "
                "extrapolation far past the largest size is optimistic";
        }
    }
    c.verdict = decide(c);
    return c;
}

nlohmann::json LearningCurve::to_json() const {
    nlohmann::json j = {{"name", name},
                        {"target", target ? nlohmann::json(*target) : nlohmann::json(nullptr)},
                        {"target_source", target_source},
                        {"level", level}};
    nlohmann::json pts = nlohmann::json::array();
    for (const auto& p : points) {
        nlohmann::json errors = nlohmann::json::object();
        for (const auto& [split, s] : p.errors) {
            errors[split] = {
                {"mean", s.mean}, {"sd", s.sd}, {"min", s.min}, {"max", s.max}, {"runs", s.runs}};
        }
        pts.push_back({{"size", p.size}, {"errors", errors}});
    }
    j["points"] = pts;
    j["fit"] = fit ? fit_json(*this) : nlohmann::json(nullptr);
    j["fit_note"] = fit_note;
    nlohmann::json v = {{"kind", verdict.kind}, {"message", verdict.message}};
    auto opt = [](const std::optional<double>& x) {
        return x ? nlohmann::json(*x) : nlohmann::json(nullptr);
    };
    v["size_needed"] = opt(verdict.size_needed);
    v["more_examples"] = opt(verdict.more_examples);
    v["size_interval"] =
        verdict.interval ? nlohmann::json::array({verdict.interval->lo, opt(verdict.interval->hi)})
                         : nlohmann::json(nullptr);
    j["verdict"] = v;
    nlohmann::json rs = nlohmann::json::array();
    for (const auto& r : runs) {
        rs.push_back(
            {{"name", r.name}, {"size", r.size}, {"repeat", r.repeat}, {"errors", r.errors}});
    }
    j["runs"] = rs;
    return j;
}

}  // namespace mlstrat::diagnose
