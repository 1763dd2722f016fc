// Overfitting the eyeball dev set (Machine Learning Yearning 17-19): the examples a team looks at
// during error analysis shape its ideas, so the error on them can fall faster than on the
// blackbox examples nobody looks at. When it does beyond noise, it is time for a fresh eyeball
// set.

#include <fmt/format.h>

#include <cmath>

#include "diagnose/format.hpp"
#include "mlstrat/diagnose.hpp"

namespace mlstrat::diagnose {

namespace {

constexpr const char* kEyeball = "eyeball_dev";
constexpr const char* kBlackbox = "blackbox_dev";

/// Variance of a binomial error measured on `rows` rows; 0 when the rows are unknown.
double variance(double error, const std::map<std::string, std::uint64_t>& sizes,
                const std::string& split) {
    auto it = sizes.find(split);
    if (it == sizes.end() || it->second == 0) return 0.0;
    return error * (1.0 - error) / static_cast<double>(it->second);
}

}  // namespace

std::optional<EyeballDrift> eyeball_drift(const std::vector<registry::Run>& runs, double level) {
    std::vector<const registry::Run*> both;
    for (const auto& run : runs) {
        if (run.errors.count(kEyeball) && run.errors.count(kBlackbox)) both.push_back(&run);
    }
    if (both.size() < 2) return std::nullopt;
    const registry::Run& a = *both.front();
    const registry::Run& b = *both.back();
    EyeballDrift d;
    d.first_run = a.name;
    d.last_run = b.name;
    d.eyeball_first = a.errors.at(kEyeball);
    d.eyeball_last = b.errors.at(kEyeball);
    d.blackbox_first = a.errors.at(kBlackbox);
    d.blackbox_last = b.errors.at(kBlackbox);
    const double eyeball_fall = d.eyeball_first - d.eyeball_last;
    const double blackbox_fall = d.blackbox_first - d.blackbox_last;
    d.excess = eyeball_fall - blackbox_fall;
    // The four errors treated as independent binomial measurements: an approximation (the runs
    // are scored on the same rows), said in the docs.
    const double var = variance(d.eyeball_first, a.sizes, kEyeball) +
                       variance(d.eyeball_last, b.sizes, kEyeball) +
                       variance(d.blackbox_first, a.sizes, kBlackbox) +
                       variance(d.blackbox_last, b.sizes, kBlackbox);
    const bool sized = a.sizes.count(kEyeball) && a.sizes.count(kBlackbox) &&
                       b.sizes.count(kEyeball) && b.sizes.count(kBlackbox);
    if (sized) {
        const double half = stats::z_for_level(level) * std::sqrt(var);
        d.interval = stats::Interval{d.excess - half, d.excess + half};
    }
    using detail::pct;
    // "Much faster": beyond noise when the rows are known, else more than twice as fast.
    d.overfit =
        eyeball_fall > 0 &&
        (d.interval ? d.interval->lo > 0 : eyeball_fall > 2.0 * std::max(blackbox_fall, 0.0));
    const std::string numbers = fmt::format(
        "from run {} to run {} the eyeball dev error went {} -> {} ({} lower) and the blackbox dev "
        "error {} -> {} ({} lower){}",
        d.first_run, d.last_run, pct(d.eyeball_first), pct(d.eyeball_last), pct(eyeball_fall),
        pct(d.blackbox_first), pct(d.blackbox_last), pct(blackbox_fall),
        d.interval
            ? fmt::format("; the difference, {}, has the {} interval {} to {}", pct(d.excess),
                          pct(level), pct(d.interval->lo), pct(d.interval->hi))
            : "");
    d.message = d.overfit
                    ? "the eyeball dev error has fallen much faster than the blackbox dev error: "
                      "the team is overfitting the examples it looks at; time to refresh the "
                      "eyeball set (mlstrat split --eyeball with a new --seed, or new dev data) "
                      "(Machine Learning Yearning 17-19): " +
                          numbers
                    : "eyeball and blackbox dev errors moved alike: " + numbers;
    return d;
}

}  // namespace mlstrat::diagnose
