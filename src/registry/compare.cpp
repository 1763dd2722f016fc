// Is run B really better than run A? The parameters that differ, every metric side by side, and
// on per-example predictions matched by id, McNemar's exact test of the paired errors with an
// interval for their difference (course 1.1.2: a lead inside the dev set's noise is a tie).

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <unordered_map>

#include "mlstrat/registry.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/io.hpp"
#include "mlstrat/support/parse.hpp"
#include "mlstrat/support/stats.hpp"
#include "mlstrat/support/text.hpp"

namespace mlstrat::registry {

namespace {

// id -> whether the prediction is right, read from an id,label,pred file.
std::unordered_map<std::string, bool> read_correct(const std::string& path) {
    io::TableReader reader(path);
    const std::vector<std::size_t> cols = {reader.column("id"), reader.column("label"),
                                           reader.column("pred")};
    std::unordered_map<std::string, bool> out;
    reader.scan(
        cols,
        [&](unsigned, const io::RowBatch& b) {
            for (std::size_t r = 0; r < b.size(); ++r) {
                std::string id(trim(b.cell(r, 0)));
                MLSTRAT_CHECK(!id.empty(), where(path, b.line(r)), ": column 'id' is empty");
                const bool right = trim(b.cell(r, 1)) == trim(b.cell(r, 2));
                MLSTRAT_CHECK(out.emplace(std::move(id), right).second, where(path, b.line(r)),
                              ": id '", trim(b.cell(r, 0)), "' appears twice");
            }
        },
        io::ScanOrder::File);
    MLSTRAT_CHECK(!out.empty(), path, ": no predictions (the file has a header but no rows)");
    return out;
}

}  // namespace

double mcnemar_p(std::uint64_t only_a_right, std::uint64_t only_b_right) {
    const std::uint64_t n = only_a_right + only_b_right;
    if (n == 0) return 1.0;
    const std::uint64_t k = std::min(only_a_right, only_b_right);
    if (2 * k == n) return 1.0;
    // 2 P[X <= k] for X ~ Binomial(n, 1/2), summed in log space so large n stays exact enough.
    const double log_half_n = static_cast<double>(n) * std::log(0.5);
    const double lg_n1 = std::lgamma(static_cast<double>(n) + 1.0);
    double max_log = -INFINITY;
    std::vector<double> terms;
    terms.reserve(k + 1);
    for (std::uint64_t i = 0; i <= k; ++i) {
        const double t = lg_n1 - std::lgamma(static_cast<double>(i) + 1.0) -
                         std::lgamma(static_cast<double>(n - i) + 1.0) + log_half_n;
        terms.push_back(t);
        max_log = std::max(max_log, t);
    }
    double sum = 0.0;
    for (double t : terms) sum += std::exp(t - max_log);
    return std::min(1.0, 2.0 * std::exp(max_log + std::log(sum)));
}

PairedTest paired_test(std::uint64_t both_right, std::uint64_t only_a_right,
                       std::uint64_t only_b_right, std::uint64_t both_wrong, double level) {
    PairedTest t;
    t.examples = both_right + only_a_right + only_b_right + both_wrong;
    MLSTRAT_CHECK(t.examples > 0, "a paired comparison needs at least one example");
    t.both_right = both_right;
    t.only_a_right = only_a_right;
    t.only_b_right = only_b_right;
    t.both_wrong = both_wrong;
    const double n = static_cast<double>(t.examples);
    t.error_a = static_cast<double>(only_b_right + both_wrong) / n;
    t.error_b = static_cast<double>(only_a_right + both_wrong) / n;
    t.difference = t.error_a - t.error_b;
    // Agresti-Min interval for a paired difference: half a count added to each cell.
    const double b = static_cast<double>(only_a_right) + 0.5;
    const double c = static_cast<double>(only_b_right) + 0.5;
    const double m = n + 2.0;
    const double d = (c - b) / m;
    const double se = std::sqrt(std::max(0.0, (b + c) - (c - b) * (c - b) / m)) / m;
    const double z = stats::z_for_level(level);
    t.interval = {std::max(-1.0, d - z * se), std::min(1.0, d + z * se)};
    t.p_value = mcnemar_p(only_a_right, only_b_right);
    t.level = level;
    t.significant = t.p_value < 1.0 - level;
    return t;
}

std::string verdict(const std::string& a, const std::string& b, const PairedTest& t) {
    if (!t.significant) {
        return fmt::format(
            "a tie within noise: {} and {} differ by {} ({} to {}; McNemar p = {:.3g}, {} "
            "examples where exactly one is right). A bigger dev set can tell them apart — "
            "mlstrat eval --min-test-size.",
            a, b, text::percent(std::fabs(t.difference)), text::percent(t.interval.lo),
            text::percent(t.interval.hi), t.p_value, t.only_a_right + t.only_b_right);
    }
    const bool b_better = t.difference > 0;
    const double lo = b_better ? t.interval.lo : -t.interval.hi;
    const double hi = b_better ? t.interval.hi : -t.interval.lo;
    return fmt::format("{} is better by {} ({} to {}; McNemar p = {:.3g}).", b_better ? b : a,
                       text::percent(std::fabs(t.difference)), text::percent(lo), text::percent(hi),
                       t.p_value);
}

PairedTest compare_predictions(const std::string& file_a, const std::string& file_b, double level) {
    const auto a = read_correct(file_a);
    const auto b = read_correct(file_b);
    std::uint64_t both = 0, only_a = 0, only_b = 0, neither = 0, matched = 0;
    for (const auto& [id, right_a] : a) {
        auto it = b.find(id);
        if (it == b.end()) continue;
        ++matched;
        const bool right_b = it->second;
        if (right_a && right_b) ++both;
        if (right_a && !right_b) ++only_a;
        if (!right_a && right_b) ++only_b;
        if (!right_a && !right_b) ++neither;
    }
    MLSTRAT_CHECK(matched == a.size() && matched == b.size(), file_a, " (", a.size(), " ids) and ",
                  file_b, " (", b.size(), " ids) share ", matched,
                  " ids: a paired comparison needs predictions on the same examples");
    return paired_test(both, only_a, only_b, neither, level);
}

Comparison compare_runs(const Run& a, const Run& b, const std::string& split, double level) {
    Comparison c;
    c.a = a.name;
    c.b = b.name;
    c.split = split;
    std::set<std::string> keys;
    for (const auto& [k, v] : a.params) keys.insert(k);
    for (const auto& [k, v] : b.params) keys.insert(k);
    for (const auto& k : keys) {
        auto ia = a.params.find(k);
        auto ib = b.params.find(k);
        nlohmann::json va = ia == a.params.end() ? nlohmann::json() : ia->second;
        nlohmann::json vb = ib == b.params.end() ? nlohmann::json() : ib->second;
        if (va != vb) c.params.push_back({k, va, vb});
    }
    for (const auto& key : all_columns({a, b})) {
        if (key.kind != Key::Kind::SplitMetric && key.kind != Key::Kind::Metric) continue;
        c.metrics.push_back({key.text(), value_of(a, key), value_of(b, key)});
    }
    auto pa = a.predictions.find(split);
    auto pb = b.predictions.find(split);
    if (pa != a.predictions.end() && pb != b.predictions.end()) {
        c.paired = compare_predictions(pa->second, pb->second, level);
        c.verdict = verdict(a.name, b.name, *c.paired);
    } else {
        c.verdict = fmt::format(
            "no paired test: {} kept no {} predictions (mlstrat runs predictions NAME --split {} "
            "FILE attaches them)",
            pa == a.predictions.end() ? a.name : b.name, split, split);
    }
    return c;
}

nlohmann::json PairedTest::to_json() const {
    return {
        {"examples", examples},         {"both_right", both_right}, {"only_a_right", only_a_right},
        {"only_b_right", only_b_right}, {"both_wrong", both_wrong}, {"error_a", error_a},
        {"error_b", error_b},           {"difference", difference}, {"interval", interval},
        {"p_value", p_value},           {"level", level},           {"significant", significant}};
}

nlohmann::json Comparison::to_json() const {
    nlohmann::json j = {{"a", a}, {"b", b}, {"split", split}, {"verdict", verdict}};
    j["params"] = nlohmann::json::array();
    for (const auto& p : params) j["params"].push_back({{"key", p.key}, {"a", p.a}, {"b", p.b}});
    j["metrics"] = nlohmann::json::array();
    for (const auto& m : metrics) j["metrics"].push_back({{"key", m.key}, {"a", m.a}, {"b", m.b}});
    j["paired"] = paired ? paired->to_json() : nlohmann::json();
    return j;
}

}  // namespace mlstrat::registry
