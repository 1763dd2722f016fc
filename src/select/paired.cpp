// Is the winner really better than the runner-up? When both kept per-example predictions on the
// split chosen on, McNemar's exact test of their paired errors (registry::compare_predictions,
// the test `runs compare` runs) tells a lead from the dev set's noise (course 1.1.2).

#include <fmt/format.h>

#include <algorithm>

#include "mlstrat/select.hpp"
#include "mlstrat/support/error.hpp"

namespace mlstrat::select {

void pair_winner(SelectReport& report, const std::vector<registry::Run>& runs,
                 const std::string& split, double level) {
    if (!report.winner || report.ranking.size() < 2 || !report.ranking[1].feasible) return;
    const std::string& winner = *report.winner;
    const std::string& second = report.ranking[1].name;
    auto find = [&](const std::string& name) -> const registry::Run* {
        auto it = std::find_if(runs.begin(), runs.end(),
                               [&](const registry::Run& r) { return r.name == name; });
        return it == runs.end() ? nullptr : &*it;
    };
    const registry::Run* a = find(second);
    const registry::Run* b = find(winner);
    if (a == nullptr || b == nullptr) return;
    auto pa = a->predictions.find(split);
    auto pb = b->predictions.find(split);
    if (pa == a->predictions.end() || pb == b->predictions.end()) return;
    registry::PairedTest test;
    try {
        test = registry::compare_predictions(pa->second, pb->second, level);
    } catch (const Error& e) {
        // The choice stands; only the paired check is not possible.
        report.notes.push_back(
            fmt::format("No paired test of {} against {}: {}.", winner, second, e.what()));
        return;
    }
    report.runner_up = second;
    report.paired = test;
    const std::string words = registry::verdict(second, winner, test);
    if (!test.significant) {
        report.lead_is_noise = true;
        report.notes.push_back(
            fmt::format("{} is not significantly better than {} on the same {} {} examples: {}",
                        winner, second, test.examples, split, words));
    } else {
        report.notes.push_back(
            fmt::format("Paired on the same {} {} examples: {}", test.examples, split, words));
    }
}

}  // namespace mlstrat::select
