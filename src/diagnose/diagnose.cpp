// The bias/variance diagnosis of 1.1.3 and 1.2.2: proxy -> train -> train-dev -> dev -> test,
// one gap per step, and the largest gap that is real (not noise, and not possibly smaller than
// an avoidable bias we cannot measure) is the focus.

#include "mlstrat/diagnose.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "diagnose/format.hpp"
#include "mlstrat/support/error.hpp"

namespace mlstrat::diagnose {

using detail::pct;

namespace {

std::string words(Gap gap) {
    switch (gap) {
        case Gap::AvoidableBias:
            return "avoidable bias";
        case Gap::Variance:
            return "variance";
        case Gap::DataMismatch:
            return "data mismatch";
        case Gap::DevOverfitting:
            return "overfitting to the dev set";
    }
    return "";
}

// A note starts with a capital letter even when it starts with a gap's name.
std::string sentence(std::string text) {
    if (!text.empty() && text[0] >= 'a' && text[0] <= 'z')
        text[0] = static_cast<char>(text[0] - 32);
    return text;
}

std::vector<std::string> tactics_for(Gap gap) {
    switch (gap) {
        case Gap::AvoidableBias:
            return {"train a bigger model",
                    "train longer, or with a better optimization algorithm (Momentum, RMSprop, "
                    "Adam)",
                    "search for a better neural network architecture and hyperparameters"};
        case Gap::Variance:
            return {"get more training data", "regularize: L2, dropout, data augmentation",
                    "search for a better neural network architecture and hyperparameters"};
        case Gap::DataMismatch:
            return {
                "carry out manual error analysis to understand how the training data differs "
                "from dev/test (mlstrat errors sample)",
                "make the training data more similar to dev/test, or collect more data like "
                "dev/test",
                "synthesize training data that looks like dev/test (mlstrat synth); caution: "
                "the model may overfit synthesized data that covers only a small subset of "
                "all possible examples"};
        case Gap::DevOverfitting:
            return {
                "get a bigger dev set: the model (or the team's choices) has overfit the dev "
                "set, so its error no longer predicts the test error"};
    }
    return {};
}

void check_rate(const std::optional<double>& rate, const char* what) {
    if (!rate) return;
    MLSTRAT_CHECK(std::isfinite(*rate) && *rate >= 0.0 && *rate <= 1.0, what, ": ", *rate,
                  " is not a rate in [0%, 100%]");
}

void check_size(const std::optional<std::uint64_t>& size, const char* what) {
    MLSTRAT_CHECK(!size || *size > 0, what, ": a set of 0 rows measures no error");
}

// The difference a - b with an interval when both sizes are known (a size of 0 marks an exact
// value, such as the human-level proxy).
GapValue make_gap(Gap gap, std::optional<double> a, std::optional<double> b,
                  std::optional<std::uint64_t> na, std::optional<std::uint64_t> nb, double level) {
    GapValue out;
    out.gap = gap;
    if (!a || !b) return out;
    out.value = *a - *b;
    if (na && nb) {
        out.interval = stats::difference_interval(*a, static_cast<double>(*na), *b,
                                                  static_cast<double>(*nb), level);
        out.noise = out.interval->lo <= 0.0 && out.interval->hi >= 0.0;
    }
    return out;
}

}  // namespace

const char* gap_name(Gap gap) {
    switch (gap) {
        case Gap::AvoidableBias:
            return "avoidable_bias";
        case Gap::Variance:
            return "variance";
        case Gap::DataMismatch:
            return "data_mismatch";
        case Gap::DevOverfitting:
            return "dev_overfitting";
    }
    return "";
}

bool comparable(const DiagnoseInput& in) {
    const bool proxy = !in.human_levels.empty();
    const bool train = in.train_error.has_value(), train_dev = in.train_dev_error.has_value();
    const bool dev = in.dev_error.has_value(), test = in.test_error.has_value();
    // The neighbours make_gap pairs up below: with no train-dev error, dev is train's neighbour.
    return (proxy && train) || (train && train_dev) || (train_dev && dev) ||
           (!train_dev && train && dev) || (dev && test);
}

DiagnoseReport diagnose(const DiagnoseInput& in) {
    for (const auto& h : in.human_levels) {
        MLSTRAT_CHECK(!h.name.empty(), "--human: a human level needs a name");
        MLSTRAT_CHECK(std::isfinite(h.error) && h.error >= 0.0 && h.error <= 1.0, "--human ",
                      h.name, ": ", h.error, " is not a rate in [0%, 100%]");
    }
    for (std::size_t i = 0; i < in.human_levels.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) {
            MLSTRAT_CHECK(in.human_levels[i].name != in.human_levels[j].name,
                          "--human: the level '", in.human_levels[i].name,
                          "' is given twice; name each level (--human doctor=1%)");
        }
    }
    check_rate(in.train_error, "--train");
    check_rate(in.train_dev_error, "--train-dev");
    check_rate(in.dev_error, "--dev");
    check_rate(in.test_error, "--test");
    check_rate(in.human_target_error, "--human-target");
    check_rate(in.train_target_error, "--train-target");
    check_size(in.train_size, "--train-size");
    check_size(in.train_dev_size, "--train-dev-size");
    check_size(in.dev_size, "--dev-size");
    check_size(in.test_size, "--test-size");
    check_size(in.train_target_size, "--train-target-size");
    MLSTRAT_CHECK(in.ci_level > 0.0 && in.ci_level < 1.0, "--ci-level: ", in.ci_level,
                  " is not in (0, 1)");

    DiagnoseReport r;
    r.input = in;
    r.human_levels = in.human_levels;

    // The Bayes proxy: the best human level, or the one the product aims at.
    const HumanLevel* best = nullptr;
    for (const auto& h : in.human_levels) {
        if (best == nullptr || h.error < best->error) best = &h;
    }
    const HumanLevel* proxy = best;
    if (in.human_goal) {
        auto it = std::find_if(in.human_levels.begin(), in.human_levels.end(),
                               [&](const HumanLevel& h) { return h.name == *in.human_goal; });
        MLSTRAT_CHECK(it != in.human_levels.end(), "--human-goal: no human level is called '",
                      *in.human_goal, "' (give it with --human ", *in.human_goal, "=RATE)");
        proxy = &*it;
    }
    if (proxy != nullptr) {
        r.bayes_proxy = proxy->error;
        r.bayes_proxy_name = proxy->name;
    }

    const double level = in.ci_level;
    const bool have_train_dev = in.train_dev_error.has_value();
    r.gaps.push_back(make_gap(Gap::AvoidableBias, in.train_error, r.bayes_proxy, in.train_size,
                              std::uint64_t{0}, level));
    if (have_train_dev) {
        r.gaps.push_back(make_gap(Gap::Variance, in.train_dev_error, in.train_error,
                                  in.train_dev_size, in.train_size, level));
        r.gaps.push_back(make_gap(Gap::DataMismatch, in.dev_error, in.train_dev_error, in.dev_size,
                                  in.train_dev_size, level));
    } else {
        // Without a train-dev set, dev - train is all we have: variance and mismatch together.
        r.gaps.push_back(make_gap(Gap::Variance, in.dev_error, in.train_error, in.dev_size,
                                  in.train_size, level));
        r.gaps.push_back(GapValue{Gap::DataMismatch, std::nullopt, std::nullopt, false});
    }
    r.gaps.push_back(make_gap(Gap::DevOverfitting, in.test_error, in.dev_error, in.test_size,
                              in.dev_size, level));

    MLSTRAT_CHECK(comparable(in),
                  "nothing to compare: give at least two neighbouring errors of the chain "
                  "human level -> --train -> --train-dev -> --dev -> --test (e.g. --human 1% "
                  "--train 8% --dev 10%)");

    // Ranking: every measured gap, largest first (ties keep the chain's order).
    std::vector<const GapValue*> measured;
    for (const auto& g : r.gaps) {
        if (g.value) measured.push_back(&g);
    }
    std::stable_sort(measured.begin(), measured.end(),
                     [](const GapValue* a, const GapValue* b) { return *a->value > *b->value; });
    for (const auto* g : measured) r.ranking.emplace_back(gap_name(g->gap));

    // Notes about the proxy.
    if (proxy != nullptr && in.human_levels.size() > 1) {
        if (proxy == best) {
            r.notes.push_back(fmt::format(
                "Bayes proxy: {} ('{}'), the best of {} human levels; the Bayes error is at most "
                "that.",
                pct(proxy->error), proxy->name, in.human_levels.size()));
        } else {
            r.notes.push_back(fmt::format(
                "Bayes proxy: {} ('{}', the level the product aims at); the best human level is "
                "{} ('{}'), so the Bayes error is at most {} and another {} could be gained "
                "beyond the goal.",
                pct(proxy->error), proxy->name, pct(best->error), best->name, pct(best->error),
                pct(proxy->error - best->error)));
        }
    }

    // Can the avoidable bias be measured? Not without a proxy, and not once training error is
    // below it: the Bayes error is then somewhere in [0, train] and unknown. Either way the
    // training error bounds it, since the Bayes error is at least 0.
    bool bias_unknown = false;
    std::optional<double> bias_bound;
    if (in.train_error && !r.bayes_proxy) {
        bias_unknown = true;
        bias_bound = *in.train_error;
        r.notes.push_back(fmt::format(
            "No human level given: avoidable bias cannot be measured; it is at most the training "
            "error, {}. Give --human (e.g. --human 0% when humans are nearly perfect).",
            pct(*in.train_error)));
    } else if (in.train_error && *in.train_error < *r.bayes_proxy) {
        bias_unknown = true;
        bias_bound = *in.train_error;
        r.notes.push_back(fmt::format(
            "Training error {} is below the human-level proxy {} ('{}'): the model has "
            "surpassed human level, so the Bayes error is somewhere below {} and unknown. "
            "Whether the model is overfitting by {} or the Bayes error is lower still cannot be "
            "told from these numbers, and the tools that rely on humans (labels from people, "
            "asking why a person got an example right) help less from here.",
            pct(*in.train_error), pct(*r.bayes_proxy), r.bayes_proxy_name, pct(*in.train_error),
            pct(*r.bayes_proxy - *in.train_error)));
    }

    if (!have_train_dev && in.train_error && in.dev_error) {
        r.notes.push_back(fmt::format(
            "No train-dev error: dev - train = {} is reported as variance, but variance and data "
            "mismatch cannot be told apart. If training data comes from a different distribution "
            "than dev/test, carve a train-dev set (training-distribution data the model does not "
            "train on; mlstrat split --target) and give its error with --train-dev.",
            pct(*in.dev_error - *in.train_error)));
    }

    for (const auto& g : r.gaps) {
        if (g.noise) {
            r.notes.push_back(sentence(fmt::format(
                "{} ({}) is inside the noise: its {} interval, {} to {}, holds 0, so call it "
                "noise, not a gap.",
                words(g.gap), pct(*g.value), pct(level), pct(g.interval->lo),
                pct(g.interval->hi))));
        }
    }
    for (const auto& g : r.gaps) {
        if (!g.value || *g.value >= 0.0 || g.noise || g.gap == Gap::AvoidableBias) continue;
        const char* later = g.gap == Gap::Variance       ? (have_train_dev ? "train-dev" : "dev")
                            : g.gap == Gap::DataMismatch ? "dev"
                                                         : "test";
        r.notes.push_back(sentence(fmt::format(
            "{} is negative ({}): the {} data is easier for this model than the data before it "
            "in the chain.",
            words(g.gap), pct(*g.value), later)));
    }

    // The focus: the largest real gap, and larger than any avoidable bias we cannot measure.
    std::vector<const GapValue*> candidates;
    for (const auto* g : measured) {
        if (g->noise || *g->value <= 0.0) continue;
        if (g->gap == Gap::AvoidableBias && bias_unknown) continue;
        candidates.push_back(g);
    }
    if (candidates.empty()) {
        r.focus = "unclear";
        if (bias_unknown && bias_bound) {
            r.notes.push_back("No other gap is large enough to act on, so the focus is unclear.");
        } else if (std::any_of(measured.begin(), measured.end(),
                               [](const GapValue* g) { return g->noise; })) {
            r.notes.push_back(
                "Every positive gap is inside the noise: measure on bigger sets before choosing "
                "a focus.");
        } else {
            r.notes.push_back(
                "No gap is positive: the model does as well as the human-level proxy on every "
                "set measured; the focus is unclear.");
        }
    } else if (bias_unknown && bias_bound && *candidates.front()->value <= *bias_bound) {
        const GapValue& top = *candidates.front();
        r.focus = "unclear";
        r.notes.push_back(sentence(fmt::format(
            "{} is {}, but the avoidable bias, which cannot be measured, could be as large as {}; "
            "so the focus is unclear. What can be said: {} is {}{}.",
            words(top.gap), pct(*top.value), pct(*bias_bound), words(top.gap), pct(*top.value),
            r.bayes_proxy ? "" : "; give a human level to decide")));
    } else {
        const GapValue& top = *candidates.front();
        r.focus = gap_name(top.gap);
        r.tactics = tactics_for(top.gap);
        std::string why =
            fmt::format("The largest gap is {} ({})", words(top.gap), pct(*top.value));
        if (candidates.size() > 1) {
            why += fmt::format(", ahead of {} ({})", words(candidates[1]->gap),
                               pct(*candidates[1]->value));
        }
        if (bias_unknown && bias_bound) {
            why +=
                fmt::format(", and larger than any avoidable bias could be ({})", pct(*bias_bound));
        }
        r.notes.insert(r.notes.begin(), why + ": work on " + words(top.gap) + " first.");
        for (std::size_t i = 1; i < candidates.size(); ++i) {
            if (*candidates[i]->value >= 0.5 * *top.value) {
                r.secondary.emplace_back(gap_name(candidates[i]->gap));
                r.notes.push_back(
                    sentence(fmt::format("{} ({}) is also large: work on it next.",
                                         words(candidates[i]->gap), pct(*candidates[i]->value))));
            }
        }
    }

    // The general formulation (figure 17): the same two rows for target-distribution data.
    if (in.human_target_error && r.bayes_proxy) {
        double harder = *in.human_target_error - *r.bayes_proxy;
        r.target_gaps.emplace_back("target_difficulty", harder);
        r.notes.push_back(fmt::format(
            "Humans err {} on target data against {} on training-distribution data: the target "
            "data is {} for humans.",
            pct(*in.human_target_error), pct(*r.bayes_proxy),
            harder > 0 ? "harder" : (harder < 0 ? "easier" : "as hard")));
    }
    if (in.human_target_error && in.train_target_error) {
        r.target_gaps.emplace_back("target_avoidable_bias",
                                   *in.train_target_error - *in.human_target_error);
    }
    if (in.train_target_error && in.dev_error) {
        r.target_gaps.emplace_back("target_variance", *in.dev_error - *in.train_target_error);
    }
    if (in.human_target_error && in.dev_error) {
        double left = *in.dev_error - *in.human_target_error;
        r.target_gaps.emplace_back("dev_to_human_target", left);
        r.notes.push_back(fmt::format("On target data the dev error {} is {} {} human level ({}).",
                                      pct(*in.dev_error), pct(std::fabs(left)),
                                      left >= 0 ? "above" : "below", pct(*in.human_target_error)));
    }

    bool sizes_given = in.train_size || in.train_dev_size || in.dev_size || in.test_size;
    if (!sizes_given) {
        r.notes.push_back(
            "No set sizes given: the gaps have no intervals; give --train-size, --dev-size... to "
            "tell a gap from noise.");
    }
    if (in.test_peeks > 0 && in.test_error) {
        r.notes.push_back(fmt::format(
            "The test set has been used to choose {} time{}: the test error {} is an optimistic "
            "estimate of the chosen system, and so is the dev-overfitting gap; keep a fresh test "
            "set for the final estimate.",
            in.test_peeks, in.test_peeks == 1 ? "" : "s", pct(*in.test_error)));
    }
    return r;
}

nlohmann::json DiagnoseReport::to_json() const {
    auto opt = [](const std::optional<double>& v) {
        return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
    };
    nlohmann::json j;
    j["bayes_proxy"] = opt(bayes_proxy);
    j["bayes_proxy_name"] =
        bayes_proxy ? nlohmann::json(bayes_proxy_name) : nlohmann::json(nullptr);
    j["human_levels"] = nlohmann::json::object();
    for (const auto& h : human_levels) j["human_levels"][h.name] = h.error;
    j["errors"] = {{"train", opt(input.train_error)},
                   {"train_dev", opt(input.train_dev_error)},
                   {"dev", opt(input.dev_error)},
                   {"test", opt(input.test_error)}};
    if (input.human_target_error) j["errors"]["human_target"] = *input.human_target_error;
    if (input.train_target_error) j["errors"]["train_target"] = *input.train_target_error;
    j["sizes"] = nlohmann::json::object();
    auto size = [&](const char* name, const std::optional<std::uint64_t>& n) {
        if (n) j["sizes"][name] = *n;
    };
    size("train", input.train_size);
    size("train_dev", input.train_dev_size);
    size("dev", input.dev_size);
    size("test", input.test_size);
    size("train_target", input.train_target_size);
    j["gaps"] = nlohmann::json::object();
    j["intervals"] = nlohmann::json::object();
    j["noise"] = nlohmann::json::array();
    for (const auto& g : gaps) {
        j["gaps"][gap_name(g.gap)] = opt(g.value);
        if (g.interval) {
            j["intervals"][gap_name(g.gap)] = {{"lo", g.interval->lo}, {"hi", g.interval->hi}};
        }
        if (g.noise) j["noise"].push_back(gap_name(g.gap));
    }
    j["ci_level"] = input.ci_level;
    j["ranking"] = ranking;
    j["focus"] = focus;
    j["secondary"] = secondary;
    j["tactics"] = tactics;
    j["target_gaps"] = nlohmann::json::object();
    for (const auto& [name, v] : target_gaps) j["target_gaps"][name] = v;
    j["notes"] = notes;
    return j;
}

}  // namespace mlstrat::diagnose
