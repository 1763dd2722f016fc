// Optimizing + satisficing selection over a small table of candidate models.

#include "mlstrat/select.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "mlstrat/support/error.hpp"
#include "mlstrat/support/parse.hpp"
#include "mlstrat/support/stats.hpp"
#include "mlstrat/support/text.hpp"

namespace mlstrat::select {

namespace {

const char* op_text(Constraint::Op op) {
    switch (op) {
        case Constraint::Op::Less:
            return "<";
        case Constraint::Op::LessEqual:
            return "<=";
        case Constraint::Op::Greater:
            return ">";
        case Constraint::Op::GreaterEqual:
            return ">=";
        case Constraint::Op::Equal:
            return "==";
    }
    return "";
}

std::string number_text(double v) { return fmt::format("{:g}", v); }

std::size_t column_index(const std::vector<std::string>& columns, const std::string& name,
                         const std::string& source, const char* role) {
    auto it = std::find(columns.begin(), columns.end(), name);
    MLSTRAT_CHECK(it != columns.end(), source, ": no column '", name, "' for ", role,
                  " (columns: ", text::join(columns), ")");
    return static_cast<std::size_t>(it - columns.begin());
}

// The test set is for the final estimate: a column read on it chooses only when asked.
void check_not_test(const std::string& column, const std::string& on, const char* role) {
    const bool test = column.rfind("test.", 0) == 0 || column.rfind("test_", 0) == 0;
    MLSTRAT_CHECK(!test || on == "test", role, " '", column, "' chooses on the test set; ",
                  registry::kTestPeekReason, ". Name the dev value, or say --on test");
}

}  // namespace

std::string resolve_column(const std::vector<std::string>& columns, const std::string& name,
                           const std::string& on) {
    const bool bare =
        std::find(std::begin(registry::kSplitMetrics), std::end(registry::kSplitMetrics), name) !=
        std::end(registry::kSplitMetrics);
    if (bare) {
        const std::string on_split = on + "." + name;
        if (std::find(columns.begin(), columns.end(), on_split) != columns.end()) return on_split;
    }
    return name;
}

std::optional<double> cell_value(const Candidates& c, std::size_t row, std::size_t col) {
    std::string_view text = trim(c.cells[row][col]);
    if (text.empty()) return std::nullopt;
    bool percent = text.back() == '%';
    auto value = try_parse_number(percent ? text.substr(0, text.size() - 1) : text);
    std::string place = c.lines[row] > 0 ? where(c.source, c.lines[row]) : c.source;
    MLSTRAT_CHECK(value.has_value(), place, ": ", c.names[row], ", column '", c.columns[col],
                  "': '", c.cells[row][col], "' is not a number");
    return percent ? *value / 100.0 : *value;
}

std::string Objective::to_string() const {
    return (direction == Direction::Maximize ? "maximize " : "minimize ") + name;
}

Objective parse_objective(std::string_view text, std::string_view what) {
    std::string_view t = trim(text);
    for (auto [word, dir] :
         {std::pair{"maximize", Direction::Maximize}, std::pair{"minimize", Direction::Minimize}}) {
        std::string_view w = word;
        if (t.substr(0, w.size()) == w && t.size() > w.size() + 1 && t[w.size()] == ' ') {
            std::string name(trim(t.substr(w.size() + 1)));
            return {name, dir};
        }
    }
    throw Error(detail::concat(what, ": '", text, "' is not 'maximize COL' or 'minimize COL'"));
}

bool Constraint::satisfied_by(double value) const {
    switch (op) {
        case Op::Less:
            return value < limit;
        case Op::LessEqual:
            return value <= limit;
        case Op::Greater:
            return value > limit;
        case Op::GreaterEqual:
            return value >= limit;
        case Op::Equal:
            return value == limit;
    }
    return false;
}

Constraint parse_constraint(std::string_view text) {
    auto pos = text.find_first_of("<>=");
    MLSTRAT_CHECK(pos != std::string_view::npos && pos > 0, "--require: '", text,
                  "' is not COL<=X (operators <, <=, >, >=, ==)");
    Constraint c;
    c.column = std::string(trim(text.substr(0, pos)));
    std::string_view rest = text.substr(pos);
    std::size_t op_len = 1;
    if (rest.substr(0, 2) == "<=") {
        c.op = Constraint::Op::LessEqual, op_len = 2;
    } else if (rest.substr(0, 2) == ">=") {
        c.op = Constraint::Op::GreaterEqual, op_len = 2;
    } else if (rest.substr(0, 2) == "==") {
        c.op = Constraint::Op::Equal, op_len = 2;
    } else if (rest[0] == '<') {
        c.op = Constraint::Op::Less;
    } else if (rest[0] == '>') {
        c.op = Constraint::Op::Greater;
    } else {
        throw Error(
            detail::concat("--require: '", text,
                           "' has no operator (use <, <=, >, >=, ==; '=' alone is not one)"));
    }
    MLSTRAT_CHECK(!c.column.empty(), "--require: '", text, "' names no column");
    std::string_view limit = trim(rest.substr(op_len));
    MLSTRAT_CHECK(!limit.empty() && limit.find_first_of("<>=") == std::string_view::npos,
                  "--require: '", text, "' is not COL<=X (operators <, <=, >, >=, ==)");
    c.limit = limit.back() == '%' ? parse_rate(limit, "--require " + c.column)
                                  : parse_number(limit, "--require " + c.column);
    c.text = c.column + op_text(c.op) + std::string(limit);
    return c;
}

std::vector<Constraint> parse_constraint_list(std::string_view text) {
    std::vector<Constraint> out;
    while (!text.empty()) {
        auto semi = text.find(';');
        std::string_view item = trim(text.substr(0, semi));
        text = semi == std::string_view::npos ? std::string_view() : text.substr(semi + 1);
        if (!item.empty()) out.push_back(parse_constraint(item));
    }
    return out;
}

Combination parse_combination(std::string_view text) {
    auto colon = text.find(':');
    MLSTRAT_CHECK(colon != std::string_view::npos, "--combine: '", text,
                  "' is not mean:COL1,COL2,... / f1:PREC_COL,REC_COL / weighted:COL=W,...");
    std::string_view kind = trim(text.substr(0, colon));
    Combination c;
    if (kind == "mean") {
        c.kind = Combination::Kind::Mean;
    } else if (kind == "f1") {
        c.kind = Combination::Kind::F1;
    } else if (kind == "weighted") {
        c.kind = Combination::Kind::Weighted;
    } else {
        throw Error(detail::concat("--combine: '", kind, "' is not mean, f1 or weighted"));
    }
    c.name = std::string(kind);
    std::string_view list = text.substr(colon + 1);
    while (!list.empty()) {
        auto comma = list.find(',');
        std::string_view item = trim(list.substr(0, comma));
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
        MLSTRAT_CHECK(!item.empty(), "--combine: '", text, "' has an empty column name");
        if (c.kind == Combination::Kind::Weighted) {
            auto [col, w] = split_assignment(item, "--combine weighted");
            double weight = parse_number(w, "--combine weight of " + col);
            MLSTRAT_CHECK(weight >= 0.0, "--combine: the weight of ", col, " is negative (", w,
                          ")");
            c.columns.emplace_back(std::string(trim(col)), weight);
        } else {
            c.columns.emplace_back(std::string(item), 1.0);
        }
    }
    MLSTRAT_CHECK(!c.columns.empty(), "--combine: '", text, "' names no columns");
    MLSTRAT_CHECK(c.kind != Combination::Kind::F1 || c.columns.size() == 2, "--combine: '", text,
                  "': f1 takes exactly two columns, precision then recall");
    if (c.kind == Combination::Kind::Weighted) {
        double total = 0.0;
        for (const auto& [col, w] : c.columns) total += w;
        MLSTRAT_CHECK(total > 0.0, "--combine: '", text, "': the weights sum to 0");
    }
    return c;
}

Candidates read_candidates(const std::string& path, const std::string& name_col,
                           const io::TableOptions& table) {
    io::TableReader reader(path, table);
    Candidates c;
    c.source = path;
    c.columns = reader.header();
    std::size_t name_index = reader.find_column(name_col).value_or(0);
    std::vector<std::size_t> all(c.columns.size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    reader.scan(
        all,
        [&](unsigned, const io::RowBatch& b) {
            for (std::size_t r = 0; r < b.size(); ++r) {
                std::vector<std::string> row(all.size());
                for (std::size_t k = 0; k < all.size(); ++k) row[k] = std::string(b.cell(r, k));
                std::string name(trim(row[name_index]));
                MLSTRAT_CHECK(!name.empty(), where(path, b.line(r)), ": column '",
                              c.columns[name_index], "' is empty: every model needs a name");
                c.names.push_back(name);
                c.cells.push_back(std::move(row));
                c.lines.push_back(b.line(r));
            }
        },
        io::ScanOrder::File);
    MLSTRAT_CHECK(!c.names.empty(), path, ": no models (the file has a header but no rows)");
    for (std::size_t i = 0; i < c.names.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) {
            MLSTRAT_CHECK(c.names[i] != c.names[j], where(path, c.lines[i]), ": model '",
                          c.names[i], "' is listed twice (first on line ", c.lines[j], ")");
        }
    }
    return c;
}

Candidates candidates_from_runs(const std::vector<registry::Run>& runs, const std::string& source) {
    Candidates c;
    c.source = source;
    std::vector<std::string> columns = {"name", "kind"};
    auto add_column = [&](const std::string& name) {
        if (std::find(columns.begin(), columns.end(), name) == columns.end()) {
            columns.push_back(name);
        }
    };
    // SPLIT.METRIC for every per-split metric; SPLIT_error and SPLIT_rows as version 1 named
    // them, so stored objectives keep working.
    for (const auto& run : runs) {
        for (const auto& [split, e] : run.errors) add_column(split + ".error");
        for (const auto& [split, values] : run.split_metrics) {
            for (const auto& [metric, v] : values) add_column(split + "." + metric);
        }
        for (const auto& [split, e] : run.errors) add_column(split + "_error");
        for (const auto& [split, n] : run.sizes) add_column(split + "_rows");
        for (const auto& [metric, v] : run.metrics) add_column(metric);
    }
    c.columns = columns;
    for (const auto& run : runs) {
        std::vector<std::string> row(columns.size());
        row[0] = run.name;
        row[1] = run.kind;
        auto set = [&](const std::string& col, std::string value) {
            auto it = std::find(columns.begin(), columns.end(), col);
            row[static_cast<std::size_t>(it - columns.begin())] = std::move(value);
        };
        for (const auto& [split, e] : run.errors) {
            set(split + ".error", fmt::format("{:.17g}", e));
            set(split + "_error", fmt::format("{:.17g}", e));
        }
        for (const auto& [split, values] : run.split_metrics) {
            for (const auto& [metric, v] : values) {
                set(split + "." + metric, fmt::format("{:.17g}", v));
            }
        }
        for (const auto& [split, n] : run.sizes) set(split + "_rows", std::to_string(n));
        for (const auto& [metric, v] : run.metrics) set(metric, fmt::format("{:.17g}", v));
        c.names.push_back(run.name);
        c.cells.push_back(std::move(row));
        c.lines.push_back(0);
    }
    MLSTRAT_CHECK(!c.names.empty(), source, ": no runs registered (mlstrat runs add NAME ...)");
    return c;
}

SelectReport select(const Candidates& input, const SelectOptions& options) {
    Candidates c = input;
    // Combinations become new columns, computed row by row.
    for (const auto& comb : options.combinations) {
        MLSTRAT_CHECK(std::find(c.columns.begin(), c.columns.end(), comb.name) == c.columns.end(),
                      c.source, ": --combine would add a column '", comb.name,
                      "', but the table already has one");
        std::vector<std::size_t> idx;
        for (const auto& [col, w] : comb.columns) {
            idx.push_back(column_index(c.columns, col, c.source, "--combine"));
        }
        for (std::size_t r = 0; r < c.names.size(); ++r) {
            std::vector<double> v;
            for (std::size_t k : idx) {
                if (auto x = cell_value(c, r, k)) v.push_back(*x);
            }
            std::string cell;
            if (v.size() == idx.size()) {
                double out = 0.0;
                if (comb.kind == Combination::Kind::F1) {
                    out = v[0] + v[1] > 0.0 ? 2.0 * v[0] * v[1] / (v[0] + v[1]) : 0.0;
                } else {
                    double total = 0.0;
                    for (std::size_t k = 0; k < v.size(); ++k) {
                        out += comb.columns[k].second * v[k];
                        total += comb.columns[k].second;
                    }
                    out /= total;
                }
                cell = fmt::format("{:.17g}", out);
            }
            c.cells[r].push_back(cell);
        }
        c.columns.push_back(comb.name);
    }

    SelectReport report;
    if (options.objective) {
        report.objective = *options.objective;
    } else if (options.combinations.size() == 1 &&
               options.combinations[0].kind == Combination::Kind::F1) {
        report.objective = {"f1", Direction::Maximize};
    } else {
        throw Error(options.combinations.empty()
                        ? "select needs the one optimizing metric: --maximize COL or --minimize COL"
                        : detail::concat("select needs a direction for the combined metric: "
                                         "--minimize ",
                                         options.combinations.back().name, " or --maximize ",
                                         options.combinations.back().name));
    }
    report.on = options.on;
    report.objective.name = resolve_column(c.columns, report.objective.name, options.on);
    check_not_test(report.objective.name, options.on, "the optimizing metric");
    const std::size_t objective_col =
        column_index(c.columns, report.objective.name, c.source, "the optimizing metric");
    std::vector<std::size_t> constraint_cols;
    for (const auto& k : options.constraints) {
        const std::string column = resolve_column(c.columns, k.column, options.on);
        check_not_test(column, options.on, "--require");
        constraint_cols.push_back(column_index(c.columns, column, c.source, "--require"));
        report.constraints.push_back(k.text);
    }
    if (options.on == "test") {
        report.notes.push_back(fmt::format("Chosen on the test set, as asked (--on test): {}.",
                                           registry::kTestPeekReason));
    }

    const bool maximize = report.objective.direction == Direction::Maximize;
    for (std::size_t r = 0; r < c.names.size(); ++r) {
        RankedCandidate cand;
        cand.name = c.names[r];
        cand.value = cell_value(c, r, objective_col);
        if (!cand.value) cand.violations.push_back("no value for " + report.objective.name);
        for (std::size_t k = 0; k < options.constraints.size(); ++k) {
            const auto& limit = options.constraints[k];
            auto v = cell_value(c, r, constraint_cols[k]);
            if (!v) {
                cand.violations.push_back("no value for " + limit.column + " (" + limit.text + ")");
            } else if (!limit.satisfied_by(*v)) {
                cand.violations.push_back(
                    fmt::format("{} = {} breaks {}", limit.column, number_text(*v), limit.text));
            }
        }
        cand.feasible = cand.violations.empty();
        report.ranking.push_back(std::move(cand));
    }
    // Feasible first, then by value (missing last); ties keep the input order.
    std::stable_sort(report.ranking.begin(), report.ranking.end(),
                     [&](const RankedCandidate& a, const RankedCandidate& b) {
                         if (a.feasible != b.feasible) return a.feasible;
                         if (a.value.has_value() != b.value.has_value()) return a.value.has_value();
                         if (!a.value) return false;
                         return maximize ? *a.value > *b.value : *a.value < *b.value;
                     });

    std::size_t feasible = static_cast<std::size_t>(
        std::count_if(report.ranking.begin(), report.ranking.end(),
                      [](const RankedCandidate& x) { return x.feasible; }));
    if (feasible == 0) {
        report.notes.push_back(fmt::format(
            "No model meets every satisficing limit ({}): there is no winner; relax a limit or "
            "build a model that meets them.",
            text::join(report.constraints)));
        return report;
    }
    const auto& best = report.ranking[0];
    report.winner = best.name;
    report.notes.push_back(fmt::format(
        "{} wins: the {} {} ({}) among the {} of {} models that meet every satisficing limit.",
        best.name, maximize ? "highest" : "lowest", report.objective.name, number_text(*best.value),
        feasible, c.names.size()));
    if (feasible >= 2) {
        const auto& second = report.ranking[1];
        double lead = std::fabs(*best.value - *second.value);
        report.lead = lead;
        if (options.dev_size) {
            MLSTRAT_CHECK(*options.dev_size > 0,
                          "--dev-size: a dev set of 0 rows measures nothing");
            bool rates = *best.value >= 0.0 && *best.value <= 1.0 && *second.value >= 0.0 &&
                         *second.value <= 1.0;
            if (rates) {
                double n = static_cast<double>(*options.dev_size);
                auto ci = stats::difference_interval(std::max(*best.value, *second.value), n,
                                                     std::min(*best.value, *second.value), n,
                                                     options.ci_level);
                report.lead_interval = std::pair{ci.lo, ci.hi};
                report.lead_is_noise = ci.lo <= 0.0;
                if (report.lead_is_noise) {
                    report.notes.push_back(fmt::format(
                        "The lead of {} over {} ({}) is inside the dev-set noise: with {} dev "
                        "rows its {:g}% interval is {:.4g} to {:.4g}. The dev set cannot tell "
                        "them apart; a bigger dev set can (mlstrat eval --min-test-size).",
                        best.name, second.name, number_text(lead), *options.dev_size,
                        options.ci_level * 100.0, ci.lo, ci.hi));
                }
            } else {
                report.notes.push_back(fmt::format(
                    "{} is not a rate in [0, 1], so --dev-size cannot tell the lead from noise.",
                    report.objective.name));
            }
        }
    }
    return report;
}

SelectReport select_from_file(const std::string& path, const SelectOptions& options,
                              const std::string& name_col) {
    return select(read_candidates(path, name_col), options);
}

SelectOptions with_project_settings(SelectOptions options, const registry::Registry& registry) {
    if (!options.objective && options.combinations.empty()) {
        if (auto stored = registry.setting(registry::kObjective)) {
            options.objective =
                parse_objective(*stored, registry.path() + ": project setting objective");
        }
    }
    if (options.constraints.empty()) {
        if (auto stored = registry.setting(registry::kRequire)) {
            options.constraints = parse_constraint_list(*stored);
        }
    }
    return options;
}

SelectReport select_from_registry(const std::string& db, SelectOptions options) {
    auto registry = registry::Registry::open(db);
    options = with_project_settings(std::move(options), registry);
    MLSTRAT_CHECK(options.objective || !options.combinations.empty(),
                  "select needs the one optimizing metric: --maximize COL or --minimize COL "
                  "(or store it with mlstrat project set --maximize COL)");
    const auto runs = options.by_group ? registry::group_means(registry.runs()) : registry.runs();
    auto report = select(candidates_from_runs(runs, db), options);
    pair_winner(report, runs, options.on, options.ci_level);
    if (options.on == "test") {
        const auto peeks = registry.record_test_peek();
        report.notes.push_back(fmt::format(
            "The test set of this project has now been used to choose {} time{}; its error is no "
            "longer an unbiased estimate.",
            peeks, peeks == 1 ? "" : "s"));
    }
    return report;
}

nlohmann::json SelectReport::to_json() const {
    nlohmann::json j;
    j["winner"] = winner ? nlohmann::json(*winner) : nlohmann::json(nullptr);
    j["objective"] = {
        {"name", objective.name},
        {"direction", objective.direction == Direction::Maximize ? "maximize" : "minimize"}};
    j["constraints"] = constraints;
    j["ranking"] = nlohmann::json::array();
    j["excluded"] = nlohmann::json::array();
    for (const auto& r : ranking) {
        j["ranking"].push_back({{"name", r.name},
                                {"value", r.value ? nlohmann::json(*r.value) : nlohmann::json()},
                                {"feasible", r.feasible}});
        if (!r.feasible) j["excluded"].push_back({{"name", r.name}, {"violations", r.violations}});
    }
    j["lead"] = lead ? nlohmann::json(*lead) : nlohmann::json(nullptr);
    if (lead_interval) {
        j["lead_interval"] = {{"lo", lead_interval->first}, {"hi", lead_interval->second}};
    }
    j["lead_is_noise"] = lead_is_noise;
    j["runner_up"] = runner_up ? nlohmann::json(*runner_up) : nlohmann::json(nullptr);
    j["paired"] = paired ? paired->to_json() : nlohmann::json(nullptr);
    j["on"] = on;
    j["notes"] = notes;
    return j;
}

}  // namespace mlstrat::select
