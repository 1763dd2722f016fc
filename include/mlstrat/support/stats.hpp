#pragma once
/// The statistics every module shares: normal quantiles, binomial (Wilson) intervals, the
/// sample size a confidence target needs, and the chi-square tail.

#include <cstdint>

#include <nlohmann/json.hpp>

namespace mlstrat::stats {

/// A closed interval [lo, hi].
struct Interval {
    double lo = 0.0;
    double hi = 0.0;
};

/// The p-quantile of the standard normal distribution, 0 < p < 1.
double normal_quantile(double p);

/// The two-sided z for a confidence level (0.95 -> 1.959964).
double z_for_level(double level);

/// Wilson score interval for `successes` out of `n` trials at confidence `level`; for n = 0 it
/// is [0, 1]. Used for every error rate mlstrat reports.
Interval wilson_interval(double successes, double n, double level);

/// Newcombe's hybrid score interval for the difference p1 - p2 of two independent error rates
/// measured on n1 and n2 rows (built from their Wilson intervals); n = 0 marks a rate known
/// exactly (a target such as a human level), which adds no uncertainty.
Interval difference_interval(double p1, double n1, double p2, double n2, double level);

/// The smallest n whose Wilson interval around an error of `p` has a half-width of at most
/// `margin` at confidence `level` ("how big must my test set be").
std::uint64_t min_sample_size(double p, double margin, double level);

/// The classic normal-approximation size z^2 p (1 - p) / margin^2, rounded up.
std::uint64_t normal_sample_size(double p, double margin, double level);

/// An interval in JSON is [lo, hi], the shape every mlstrat document uses (found by ADL, so
/// `j["error_ci"] = interval;` works).
inline void to_json(nlohmann::json& j, const Interval& ci) {
    j = nlohmann::json::array({ci.lo, ci.hi});
}

/// The p-quantile of Student's t distribution with `dof` degrees of freedom (the interval of a
/// mean over a few seeds).
double student_t_quantile(double p, double dof);

/// Upper tail P[X >= x] of a chi-square distribution with `dof` degrees of freedom.
double chi_square_sf(double x, double dof);

}  // namespace mlstrat::stats
