// Ceiling analysis of a pipeline (1.2.4): replace stages 1..k by ground truth one after another;
// what the end-to-end accuracy gains at step k is the most that perfecting stage k can add.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "diagnose/format.hpp"
#include "mlstrat/diagnose.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/parse.hpp"

namespace mlstrat::diagnose {

using detail::pct;

CeilingReport ceiling(const std::vector<std::pair<std::string, double>>& rows,
                      const CeilingOptions& options) {
    MLSTRAT_CHECK(rows.size() >= 2,
                  "ceiling needs the system as it is (row 0) and at least one stage replaced by "
                  "ground truth; got ",
                  rows.size(), " row(s)");
    for (const auto& [name, acc] : rows) {
        MLSTRAT_CHECK(std::isfinite(acc) && acc >= 0.0 && acc <= 1.0, "ceiling: stage '", name,
                      "': accuracy ", acc, " is not a rate in [0%, 100%]");
    }
    MLSTRAT_CHECK(!options.rows || *options.rows > 0, "--rows: a set of 0 rows measures nothing");
    CeilingReport r;
    r.baseline_name = rows[0].first;
    r.baseline = rows[0].second;
    for (std::size_t k = 1; k < rows.size(); ++k) {
        StageCeiling s;
        s.stage = rows[k].first;
        s.accuracy = rows[k].second;
        s.gain = rows[k].second - rows[k - 1].second;
        if (options.rows) {
            double n = static_cast<double>(*options.rows);
            auto ci = stats::difference_interval(rows[k].second, n, rows[k - 1].second, n,
                                                 options.ci_level);
            s.interval = ci;
            s.noise = ci.lo <= 0.0 && ci.hi >= 0.0;
        }
        r.stages.push_back(s);
    }
    std::vector<const StageCeiling*> order;
    for (const auto& s : r.stages) order.push_back(&s);
    std::stable_sort(order.begin(), order.end(), [](const StageCeiling* a, const StageCeiling* b) {
        return a->gain > b->gain;
    });
    for (const auto* s : order) r.ranking.push_back(s->stage);

    const StageCeiling* best = nullptr;
    for (const auto* s : order) {
        if (s->gain > 0.0 && !s->noise) {
            best = s;
            break;
        }
    }
    if (best == nullptr) {
        r.notes.push_back(
            "No stage can add anything measurable: perfecting any one of them would not raise "
            "the end-to-end accuracy beyond noise; look elsewhere (the metric, the data).");
    } else {
        r.worth = best->stage;
        r.notes.push_back(fmt::format(
            "Perfecting {} could raise end-to-end accuracy by at most {} (the largest ceiling): "
            "it is the stage worth the team's time.",
            best->stage, pct(best->gain)));
        for (const auto* s : order) {
            if (s == best || s->gain <= 0.0) continue;
            r.notes.push_back(fmt::format("Perfecting {} could add at most {}{}.", s->stage,
                                          pct(s->gain), s->noise ? ", inside the noise" : ""));
        }
    }
    for (const auto& s : r.stages) {
        if (s.gain < 0.0) {
            r.notes.push_back(fmt::format(
                "Replacing {} by ground truth lowered accuracy ({}): noise, or the later stages "
                "were tuned to its mistakes.",
                s.stage, pct(s.gain)));
        }
    }
    const double total = r.stages.back().accuracy - r.baseline;
    std::string rest = r.stages.back().accuracy < 1.0
                           ? fmt::format("; the remaining {} is beyond these stages",
                                         pct(1.0 - r.stages.back().accuracy))
                           : std::string();
    r.notes.push_back(
        fmt::format("With every listed stage perfect the system reaches {} (from "
                    "{}, +{}){}.",
                    pct(r.stages.back().accuracy), pct(r.baseline), pct(total), rest));
    return r;
}

CeilingReport ceiling_from_file(const std::string& path, const CeilingOptions& options) {
    io::TableReader reader(path, options.table);
    std::vector<std::size_t> cols = {reader.column(options.stage_col),
                                     reader.column(options.accuracy_col)};
    std::vector<std::pair<std::string, double>> rows;
    reader.scan(
        cols,
        [&](unsigned, const io::RowBatch& b) {
            for (std::size_t i = 0; i < b.size(); ++i) {
                std::string name(trim(b.cell(i, 0)));
                MLSTRAT_CHECK(!name.empty(), where(path, b.line(i)), ": column '",
                              options.stage_col, "' is empty");
                rows.emplace_back(name,
                                  parse_rate(b.cell(i, 1), where(path, b.line(i)) + ": column '" +
                                                               options.accuracy_col + "'"));
            }
        },
        io::ScanOrder::File);
    MLSTRAT_CHECK(rows.size() >= 2, path,
                  ": needs row 0 (the system as it is) and at least one stage replaced by ground "
                  "truth; it has ",
                  rows.size(), " row(s)");
    return ceiling(rows, options);
}

nlohmann::json CeilingReport::to_json() const {
    nlohmann::json j;
    j["baseline"] = {{"name", baseline_name}, {"accuracy", baseline}};
    j["stages"] = nlohmann::json::array();
    for (const auto& s : stages) {
        nlohmann::json st = {
            {"stage", s.stage}, {"accuracy", s.accuracy}, {"gain", s.gain}, {"noise", s.noise}};
        if (s.interval) st["interval"] = {{"lo", s.interval->lo}, {"hi", s.interval->hi}};
        j["stages"].push_back(st);
    }
    j["ranking"] = ranking;
    j["worth"] = worth.empty() ? nlohmann::json(nullptr) : nlohmann::json(worth);
    j["notes"] = notes;
    return j;
}

}  // namespace mlstrat::diagnose
