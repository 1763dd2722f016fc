// mlstrat tune: random search over config keys (sampled, not a grid, and learning rates on a log
// scale), optionally with successive halving; the best trial is picked by select under the
// project's optimizing metric and satisficing limits. No LibTorch here: trials are train_run.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>

#include "mlstrat/registry.hpp"
#include "mlstrat/select.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/parse.hpp"
#include "mlstrat/train/config.hpp"
#include "mlstrat/train/run.hpp"
#include "mlstrat/train/tune.hpp"
#include "train/search_space.hpp"

namespace mlstrat::train {

namespace {

[[noreturn]] void bad_space(const std::string& text, const std::string& what) {
    throw Error(ErrorCode::InvalidInput, "--space '" + text + "': " + what);
}

/// Splits "a,[1,2],'x,y'" at the commas outside brackets, braces and quotes.
std::vector<std::string> split_args(std::string_view args) {
    std::vector<std::string> out(1);
    int depth = 0;
    char quote = 0;
    for (char c : args) {
        if (quote) {
            quote = c == quote ? 0 : quote;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '[' || c == '{') {
            ++depth;
        } else if (c == ']' || c == '}') {
            --depth;
        } else if (c == ',' && depth == 0) {
            out.emplace_back();
            continue;
        }
        out.back() += c;
    }
    for (auto& a : out) a = std::string(trim(a));
    return out;
}

/// A uniform draw in [0, 1) from the top 53 bits, the same on every standard library.
double unit(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

std::string number_text(double v, bool integer) {
    return integer ? std::to_string(std::llround(v)) : fmt::format("{:.4g}", v);
}

/// Trial names: NAME-t01... (three digits from 100 trials on).
std::string trial_name(const std::string& name, std::int64_t i, std::int64_t trials) {
    const int width = std::max<int>(2, static_cast<int>(std::to_string(trials).size()));
    return fmt::format("{}-t{:0{}}", name, i + 1, width);
}

/// A trial's runs: the trial itself, or TRIAL-s<SEED> for seeds seed, seed+1... with repeats.
std::vector<std::string> repeat_names(const std::string& trial, std::int64_t seed,
                                      std::int64_t repeats) {
    if (repeats == 1) return {trial};
    std::vector<std::string> out;
    for (std::int64_t k = 0; k < repeats; ++k)
        out.push_back(fmt::format("{}-s{}", trial, seed + k));
    return out;
}

}  // namespace

SearchDimension parse_search_dimension(const std::string& text) {
    SearchDimension d;
    d.text = text;
    const auto eq = text.find('=');
    if (eq == std::string::npos)
        bad_space(text, "expected KEY=log(LO,HI), uniform(LO,HI), int(LO,HI) or choice(V,...)");
    d.key = std::string(trim(std::string_view(text).substr(0, eq)));
    const std::string spec(trim(std::string_view(text).substr(eq + 1)));
    const auto open = spec.find('(');
    if (open == std::string::npos || spec.back() != ')') {
        bad_space(text,
                  "expected log(LO,HI), uniform(LO,HI), int(LO,HI) or choice(V,...) after '='");
    }
    const std::string fn = spec.substr(0, open);
    const auto args = split_args(std::string_view(spec).substr(open + 1, spec.size() - open - 2));
    const KeyInfo* info = nullptr;
    static const auto keys = config_keys();
    for (const auto& k : keys) {
        if (k.key == d.key) info = &k;
    }
    if (info == nullptr)
        bad_space(text, "unknown key '" + d.key + "' (mlstrat train --keys lists them)");
    d.integer = info->type == "integer";
    const bool numeric = d.integer || info->type == "number";
    auto number = [&](const std::string& a) {
        auto v = try_parse_number(a);
        if (!v || !std::isfinite(*v)) bad_space(text, "'" + a + "' is not a number");
        return *v;
    };
    if (fn == "log" || fn == "uniform" || fn == "int") {
        if (args.size() != 2 || args[0].empty() || args[1].empty()) {
            bad_space(text, fn + " needs two numbers: " + fn + "(LO,HI)");
        }
        if (!numeric) {
            bad_space(text, "key '" + d.key + "' is " + info->type + "; use choice(V,...)");
        }
        d.lo = number(args[0]);
        d.hi = number(args[1]);
        d.kind = fn == "log"   ? SearchDimension::Kind::Log
                 : fn == "int" ? SearchDimension::Kind::Int
                               : SearchDimension::Kind::Uniform;
        if (d.kind == SearchDimension::Kind::Log && !(d.lo > 0 && d.lo < d.hi)) {
            bad_space(text, "log needs 0 < LO < HI");
        }
        if (d.kind == SearchDimension::Kind::Uniform && !(d.lo < d.hi)) {
            bad_space(text, "uniform needs LO < HI");
        }
        if (d.kind == SearchDimension::Kind::Int &&
            (d.lo != std::floor(d.lo) || d.hi != std::floor(d.hi) || d.lo > d.hi)) {
            bad_space(text, "int needs integers LO <= HI");
        }
    } else if (fn == "choice") {
        for (const auto& a : args) {
            if (a.empty()) bad_space(text, "choice has an empty value");
        }
        d.kind = SearchDimension::Kind::Choice;
        d.choices = args;
    } else {
        bad_space(text, "unknown distribution '" + fn + "' (log, uniform, int or choice)");
    }
    // Every drawable value must pass the key's rule; the ends of a range stand for the rest.
    std::vector<std::string> probes = d.choices;
    if (d.kind != SearchDimension::Kind::Choice) {
        probes = {number_text(d.lo, d.integer), number_text(d.hi, d.integer)};
    }
    for (const auto& v : probes) {
        try {
            parse_config("", "--space", {d.key + "=" + v});
        } catch (const Error& e) {
            bad_space(text, e.what());
        }
    }
    return d;
}

std::vector<std::vector<std::string>> sample_trials(const std::vector<SearchDimension>& space,
                                                    std::int64_t trials, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<std::vector<std::string>> out;
    for (std::int64_t t = 0; t < trials; ++t) {
        std::vector<std::string> sets;
        for (const auto& d : space) {
            const double u = unit(rng);
            std::string value;
            switch (d.kind) {
                case SearchDimension::Kind::Log:
                    value = number_text(
                        std::exp(std::log(d.lo) + u * (std::log(d.hi) - std::log(d.lo))),
                        d.integer);
                    break;
                case SearchDimension::Kind::Uniform:
                    value = number_text(d.lo + u * (d.hi - d.lo), d.integer);
                    break;
                case SearchDimension::Kind::Int:
                    value = std::to_string(static_cast<std::int64_t>(d.lo) +
                                           static_cast<std::int64_t>(u * (d.hi - d.lo + 1)));
                    break;
                case SearchDimension::Kind::Choice:
                    value = d.choices[static_cast<std::size_t>(
                        u * static_cast<double>(d.choices.size()))];
                    break;
            }
            sets.push_back(d.key + "=" + value);
        }
        out.push_back(std::move(sets));
    }
    return out;
}

nlohmann::json TrialResult::to_json() const {
    return {{"name", name},
            {"overrides", overrides},
            {"epochs", epochs},
            {"rung", rung},
            {"value", value ? nlohmann::json(*value) : nlohmann::json()},
            {"feasible", feasible},
            {"violations", violations},
            {"errors", errors},
            {"latency_ms", latency_ms},
            {"runs", runs}};
}

nlohmann::json TuneResult::to_json() const {
    nlohmann::json j = {{"name", name},
                        {"objective", objective},
                        {"constraints", constraints},
                        {"halving", halving},
                        {"best", best ? nlohmann::json(*best) : nlohmann::json()},
                        {"best_overrides", best_overrides}};
    j["leaderboard"] = nlohmann::json::array();
    for (const auto& t : leaderboard) j["leaderboard"].push_back(t.to_json());
    j["rungs"] = nlohmann::json::array();
    for (const auto& r : rungs) {
        j["rungs"].push_back({{"epochs", r.epochs}, {"trials", r.trials}, {"kept", r.kept}});
    }
    return j;
}

TuneResult tune(const TuneRequest& request, const TuneProgressFn& progress) {
    namespace fs = std::filesystem;
    MLSTRAT_CHECK(request.trials >= 1, "--trials must be at least 1, got ", request.trials);
    MLSTRAT_CHECK(request.repeats >= 1, "--repeats must be at least 1, got ", request.repeats);
    MLSTRAT_CHECK(!request.space.empty(), "tune needs at least one --space KEY=DISTRIBUTION");
    MLSTRAT_CHECK(request.eta >= 2, "--eta must be at least 2, got ", request.eta);
    MLSTRAT_CHECK(request.min_epochs >= 1, "--min-epochs must be at least 1, got ",
                  request.min_epochs);
    std::vector<SearchDimension> space;
    for (const auto& text : request.space) space.push_back(parse_search_dimension(text));
    const Config base = load_config(request.config_path, request.overrides);
    TuneResult result;
    result.name = request.name.empty() ? base.name : request.name;
    result.halving = request.halving;

    // Rungs: min_epochs, x eta, ... up to train.epochs; one rung without halving.
    std::vector<std::int64_t> budgets = {base.train.epochs};
    if (request.halving && request.min_epochs < base.train.epochs) {
        budgets = {request.min_epochs};
        while (budgets.back() < base.train.epochs) {
            budgets.push_back(std::min(base.train.epochs, budgets.back() * request.eta));
        }
    }

    std::vector<TrialResult> trials;
    std::vector<std::int64_t> seeds;  // each trial's first seed: its config's
    const auto draws = sample_trials(space, request.trials, request.seed);
    for (std::int64_t i = 0; i < request.trials; ++i) {
        TrialResult t;
        t.name = trial_name(result.name, i, request.trials);
        t.overrides = draws[i];
        // Every trial's config is checked before anything trains.
        auto sets = request.overrides;
        sets.insert(sets.end(), t.overrides.begin(), t.overrides.end());
        seeds.push_back(load_config(request.config_path, sets).seed);
        t.runs = repeat_names(t.name, seeds.back(), request.repeats);
        for (const auto& run : t.runs) {
            const fs::path dir = fs::path(request.runs_dir) / run;
            MLSTRAT_CHECK(request.force || !fs::exists(dir), dir.string(),
                          ": the trial's run exists; use --force to replace the trials or another "
                          "--name");
        }
        trials.push_back(std::move(t));
    }

    auto registry = registry::Registry::open(request.registry_path);
    select::SelectOptions options;
    options = select::with_project_settings(std::move(options), registry);
    if (!options.objective && options.combinations.empty()) {
        options.objective = select::Objective{"dev.error", select::Direction::Minimize};
    }
    result.objective = options.objective->to_string();
    for (const auto& c : options.constraints) result.constraints.push_back(c.text);

    std::vector<std::size_t> alive(trials.size());
    for (std::size_t i = 0; i < alive.size(); ++i) alive[i] = i;
    std::vector<std::vector<std::size_t>> stopped_at;  // per rung, best first
    for (std::size_t r = 0; r < budgets.size(); ++r) {
        Rung rung;
        rung.epochs = budgets[r];
        for (std::size_t i : alive) rung.trials.push_back(trials[i].name);
        std::vector<registry::Run> runs;
        for (std::size_t i : alive) {
            TrialResult& t = trials[i];
            for (std::size_t k = 0; k < t.runs.size(); ++k) {
                RunRequest run;
                run.config_path = request.config_path;
                run.overrides = request.overrides;
                run.overrides.insert(run.overrides.end(), t.overrides.begin(), t.overrides.end());
                if (request.halving) {
                    run.overrides.push_back(fmt::format("train.epochs={}", rung.epochs));
                }
                run.name = t.runs[k];
                run.runs_dir = request.runs_dir;
                run.resume = r > 0;
                run.force = r == 0 && request.force;
                run.threads = request.threads;
                run.registry_path = request.registry_path;
                run.registry_kind = "tune";
                std::string sets;
                for (const auto& o : t.overrides) sets += " --set " + o;
                run.notes = {fmt::format("tune {} trial {} of {}:{}", result.name, i + 1,
                                         request.trials, sets)};
                if (t.runs.size() > 1) {
                    run.seed = seeds[i] + static_cast<std::int64_t>(k);
                    run.group = t.name;
                    run.notes.push_back(fmt::format("seed {} of {} (seed = {}), group {}", k + 1,
                                                    t.runs.size(), *run.seed, t.name));
                }
                if (request.halving) {
                    run.notes.push_back(fmt::format("successive halving rung {} of {}: {} epochs",
                                                    r + 1, budgets.size(), rung.epochs));
                }
                const RunResult done = train_run(run);
                t.epochs = done.epochs;
                t.rung = static_cast<std::int64_t>(r);
                t.errors = done.errors;
                t.latency_ms = done.latency_ms;
                runs.push_back(*registry.find_run(run.name));
                if (progress) {
                    TrialResult each = t;
                    each.name = run.name;
                    progress(each, rung);
                }
            }
        }
        // A trial of several seeds is its group's means (course 1.1.2: choose on dev, and on
        // more than one seed's luck).
        if (request.repeats > 1) {
            runs = registry::group_means(runs);
            for (std::size_t i : alive) {
                for (const auto& g : runs) {
                    if (g.name != trials[i].name) continue;
                    trials[i].errors = g.errors;
                    auto latency = g.metrics.find("latency_ms");
                    if (latency != g.metrics.end()) trials[i].latency_ms = latency->second;
                }
            }
        }
        // The registry's entries, as select sees every other run.
        const auto report =
            select::select(select::candidates_from_runs(runs, request.registry_path), options);
        std::vector<std::size_t> order;
        for (const auto& ranked : report.ranking) {
            for (std::size_t i : alive) {
                if (trials[i].name != ranked.name) continue;
                trials[i].value = ranked.value;
                trials[i].feasible = ranked.feasible;
                trials[i].violations = ranked.violations;
                order.push_back(i);
            }
        }
        const bool last = r + 1 == budgets.size();
        const std::size_t keep =
            last ? order.size() : std::max<std::size_t>(1, order.size() / request.eta);
        alive.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(keep));
        stopped_at.emplace_back(order.begin() + static_cast<std::ptrdiff_t>(keep), order.end());
        if (!last) {
            for (std::size_t i : alive) rung.kept.push_back(trials[i].name);
        }
        result.rungs.push_back(rung);
        if (last && report.winner) {
            result.best = report.winner;
        }
    }
    for (std::size_t i : alive) result.leaderboard.push_back(trials[i]);
    for (auto r = stopped_at.rbegin(); r != stopped_at.rend(); ++r) {
        for (std::size_t i : *r) result.leaderboard.push_back(trials[i]);
    }
    if (result.best) {
        for (const auto& t : trials) {
            if (t.name == *result.best) result.best_overrides = t.overrides;
        }
    }
    return result;
}

}  // namespace mlstrat::train
