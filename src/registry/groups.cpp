// Seed groups: runs of one configuration trained with different seeds. A group's number is the
// mean over its seeds with a Student-t interval; two groups compare by Welch's interval for
// the difference of their means.

#include <fmt/format.h>

#include <cmath>
#include <set>

#include "mlstrat/registry.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/text.hpp"

namespace mlstrat::registry {

SeedSummary summarize_seeds(const std::vector<double>& values, double level) {
    SeedSummary s;
    s.n = values.size();
    if (s.n == 0) return s;
    for (double v : values) s.mean += v;
    s.mean /= static_cast<double>(s.n);
    if (s.n < 2) return s;  // one seed: no spread to measure, no interval
    double ss = 0.0;
    for (double v : values) ss += (v - s.mean) * (v - s.mean);
    s.sd = std::sqrt(ss / static_cast<double>(s.n - 1));
    const double half = stats::student_t_quantile(0.5 + level / 2.0, static_cast<double>(s.n - 1)) *
                        s.sd / std::sqrt(static_cast<double>(s.n));
    s.interval = stats::Interval{s.mean - half, s.mean + half};
    return s;
}

std::vector<GroupSummary> summarize_groups(const std::vector<Run>& runs,
                                           const std::vector<Key>& keys, double level) {
    std::vector<GroupSummary> out;
    std::set<std::string> names;
    for (const auto& r : runs) {
        if (!r.group.empty()) names.insert(r.group);
    }
    for (const auto& name : names) {
        GroupSummary g;
        g.group = name;
        std::vector<const Run*> members;
        for (const auto& r : runs) {
            if (r.group == name) {
                members.push_back(&r);
                g.runs.push_back(r.name);
            }
        }
        for (const auto& key : keys) {
            std::vector<double> values;
            for (const Run* r : members) {
                const auto v = value_of(*r, key);
                if (v.is_number()) values.push_back(v.get<double>());
            }
            if (!values.empty()) g.values[key.text()] = summarize_seeds(values, level);
        }
        out.push_back(std::move(g));
    }
    return out;
}

stats::Interval welch_difference(const SeedSummary& a, const SeedSummary& b, double level) {
    MLSTRAT_CHECK(a.n >= 2 && b.n >= 2,
                  "an interval on a difference of means needs at least two "
                  "seeds on each side (",
                  a.n, " and ", b.n, ")");
    // Welch: the difference of means with the Welch-Satterthwaite degrees of freedom.
    const double va = a.sd * a.sd / static_cast<double>(a.n);
    const double vb = b.sd * b.sd / static_cast<double>(b.n);
    const double diff = a.mean - b.mean;
    const double se = std::sqrt(va + vb);
    const double dof =
        se > 0.0
            ? (va + vb) * (va + vb) /
                  (va * va / static_cast<double>(a.n - 1) + vb * vb / static_cast<double>(b.n - 1))
            : 1.0;
    const double half = stats::student_t_quantile(0.5 + level / 2.0, dof) * se;
    return {diff - half, diff + half};
}

std::string group_verdict(const std::string& a, const std::string& b, const std::string& key,
                          const SeedSummary& sa, const SeedSummary& sb, double level) {
    MLSTRAT_CHECK(sa.n >= 2 && sb.n >= 2, "comparing groups ", a, " and ", b, " on ", key,
                  " needs at least two seeds in each (", sa.n, " and ", sb.n, ")");
    const double diff = sa.mean - sb.mean;  // positive: B's error is lower
    const auto [lo, hi] = welch_difference(sa, sb, level);
    const auto pct = [](double v) { return text::percent(v); };
    if (lo <= 0.0 && hi >= 0.0) {
        return fmt::format(
            "a tie within noise: the mean {} of {} ({} seeds) and {} ({} seeds) differ by {} "
            "({} to {}, Welch). More seeds or a bigger dev set can tell them apart — mlstrat eval "
            "--min-test-size.",
            key, a, sa.n, b, sb.n, pct(std::fabs(diff)), pct(lo), pct(hi));
    }
    const bool b_better = diff > 0;
    return fmt::format("{} is better by {} on the mean {} ({} to {}, Welch; {} and {} seeds).",
                       b_better ? b : a, pct(std::fabs(diff)), key, pct(b_better ? lo : -hi),
                       pct(b_better ? hi : -lo), sa.n, sb.n);
}

nlohmann::json SeedSummary::to_json() const {
    nlohmann::json j = {{"n", n}, {"mean", mean}, {"sd", sd}};
    j["interval"] = interval ? nlohmann::json(*interval) : nlohmann::json();
    return j;
}

nlohmann::json GroupSummary::to_json() const {
    nlohmann::json j = {{"group", group}, {"runs", runs}, {"values", nlohmann::json::object()}};
    for (const auto& [k, v] : values) j["values"][k] = v.to_json();
    return j;
}

}  // namespace mlstrat::registry
