// The fit of a learning curve, error ≈ a + b·n^(−c) with the floor a >= 0 (an error rate), and
// what it says about other sizes: its confidence and prediction bands, and the sizes where the
// band reaches a target. The numbers are those of scipy.optimize.curve_fit with bounds
// (tests/data/curve/make_fixtures.py).

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "mlstrat/learning_curve.hpp"
#include "mlstrat/support/error.hpp"

namespace mlstrat::diagnose {

namespace {

constexpr double kMinExponent = 0.01;
constexpr double kMaxExponent = 5.0;

/// The least-squares (a >= 0, b) for a fixed c, and the residual sum of squares they leave.
struct LinearFit {
    double a = 0.0, b = 0.0, rss = std::numeric_limits<double>::infinity();
    /// The unconstrained a was negative: a is 0 and b the fit through the origin.
    bool floor_at_zero = false;
};

LinearFit fit_for_exponent(const std::vector<double>& n, const std::vector<double>& y, double c) {
    const auto m = static_cast<double>(n.size());
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (std::size_t i = 0; i < n.size(); ++i) {
        const double x = std::pow(n[i], -c);
        sx += x;
        sy += y[i];
        sxx += x * x;
        sxy += x * y[i];
    }
    const double det = m * sxx - sx * sx;
    LinearFit f;
    if (!(det > 0)) return f;
    f.b = (m * sxy - sx * sy) / det;
    f.a = (sy - f.b * sx) / m;
    if (f.a < 0) {
        // The residual is convex in (a, b): with its minimum at a < 0, the minimum over a >= 0
        // lies on a = 0.
        f.a = 0;
        f.b = sxy / sxx;
        f.floor_at_zero = true;
    }
    f.rss = 0;
    for (std::size_t i = 0; i < n.size(); ++i) {
        const double r = y[i] - f.a - f.b * std::pow(n[i], -c);
        f.rss += r * r;
    }
    return f;
}

/// The gradient of a + b·n^(−c) with respect to (a, b, c).
std::array<double, 3> gradient(const PowerLawFit& f, double n) {
    const double x = std::pow(n, -f.c);
    return {1.0, x, -f.b * x * std::log(n)};
}

/// gᵀ Σ g.
double quadratic(const std::array<std::array<double, 3>, 3>& s, const std::array<double, 3>& g) {
    double v = 0;
    for (int i = 0; i < 3; ++i) {
        for (int j = 0; j < 3; ++j) v += g[i] * s[i][j] * g[j];
    }
    return v;
}

/// The inverse of a symmetric positive definite 3x3 matrix (by its adjugate); false if singular.
bool invert(const std::array<std::array<double, 3>, 3>& m,
            std::array<std::array<double, 3>, 3>& out) {
    auto cof = [&](int r, int c) {
        const int r1 = (r + 1) % 3, r2 = (r + 2) % 3, c1 = (c + 1) % 3, c2 = (c + 2) % 3;
        return m[r1][c1] * m[r2][c2] - m[r1][c2] * m[r2][c1];
    };
    const double det = m[0][0] * cof(0, 0) + m[0][1] * cof(0, 1) + m[0][2] * cof(0, 2);
    if (!(std::fabs(det) > 0) || !std::isfinite(det)) return false;
    for (int r = 0; r < 3; ++r) {
        for (int c = 0; c < 3; ++c) out[c][r] = cof(r, c) / det;
    }
    return true;
}

}  // namespace

double PowerLawFit::error_at(double n) const { return a + b * std::pow(n, -c); }

std::optional<stats::Interval> PowerLawFit::band(double n, double level, bool prediction) const {
    if (dof <= 0) return std::nullopt;
    const double var = quadratic(covariance, gradient(*this, n)) +
                       (prediction ? rss / static_cast<double>(dof) : 0.0);
    const double half =
        stats::student_t_quantile(0.5 + level / 2.0, dof) * std::sqrt(std::max(var, 0.0));
    const double centre = error_at(n);
    return stats::Interval{std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

std::optional<double> PowerLawFit::size_for(double error) const {
    if (!(error > a) || !(b > 0)) return std::nullopt;
    return std::pow(b / (error - a), 1.0 / c);
}

PowerLawFit fit_power_law(const std::vector<double>& sizes, const std::vector<double>& errors) {
    MLSTRAT_CHECK(sizes.size() == errors.size(), "a learning curve needs one error per size");
    const std::set<double> distinct(sizes.begin(), sizes.end());
    MLSTRAT_CHECK(distinct.size() >= 3, "fitting a learning curve needs at least three sizes, got ",
                  distinct.size());
    for (double n : sizes) MLSTRAT_CHECK(n >= 1, "a training-set size must be >= 1, got ", n);

    // The residual is a smooth function of c alone once (a, b) are solved for: a log-spaced
    // scan finds the basin, golden-section search its bottom.
    auto rss_at = [&](double log_c) {
        return fit_for_exponent(sizes, errors, std::exp(log_c)).rss;
    };
    const double lo = std::log(kMinExponent), hi = std::log(kMaxExponent);
    constexpr int kSteps = 400;
    int best = 0;
    double best_rss = std::numeric_limits<double>::infinity();
    for (int i = 0; i <= kSteps; ++i) {
        const double r = rss_at(lo + (hi - lo) * i / kSteps);
        if (r < best_rss) best_rss = r, best = i;
    }
    double left = lo + (hi - lo) * std::max(best - 1, 0) / kSteps;
    double right = lo + (hi - lo) * std::min(best + 1, kSteps) / kSteps;
    const double golden = (std::sqrt(5.0) - 1.0) / 2.0;
    double x1 = right - golden * (right - left), x2 = left + golden * (right - left);
    double f1 = rss_at(x1), f2 = rss_at(x2);
    for (int i = 0; i < 200 && right - left > 1e-13; ++i) {
        if (f1 <= f2) {
            right = x2, x2 = x1, f2 = f1;
            x1 = right - golden * (right - left), f1 = rss_at(x1);
        } else {
            left = x1, x1 = x2, f1 = f2;
            x2 = left + golden * (right - left), f2 = rss_at(x2);
        }
    }
    PowerLawFit fit;
    fit.c = std::exp(0.5 * (left + right));
    const LinearFit lin = fit_for_exponent(sizes, errors, fit.c);
    fit.a = lin.a;
    fit.b = lin.b;
    fit.rss = lin.rss;
    fit.floor_at_zero = lin.floor_at_zero;
    // On its bound the floor is no longer estimated: the model is b·n^(−c), two parameters.
    const int free = fit.floor_at_zero ? 2 : 3;
    fit.dof = static_cast<int>(sizes.size()) - free;
    fit.at_bound = best == 0 || best == kSteps;

    std::array<std::array<double, 3>, 3> jtj{};
    for (double n : sizes) {
        const auto g = gradient(fit, n);
        for (int i = 0; i < 3; ++i) {
            for (int j = 0; j < 3; ++j) jtj[i][j] += g[i] * g[j];
        }
    }
    std::array<std::array<double, 3>, 3> inverse{};
    if (fit.floor_at_zero) {
        // The (b, c) block alone; a's row and column stay 0.
        const double det = jtj[1][1] * jtj[2][2] - jtj[1][2] * jtj[2][1];
        if (std::fabs(det) > 0 && std::isfinite(det)) {
            inverse[1][1] = jtj[2][2] / det;
            inverse[2][2] = jtj[1][1] / det;
            inverse[1][2] = inverse[2][1] = -jtj[1][2] / det;
        } else {
            for (int i = 1; i < 3; ++i) {
                for (int j = 1; j < 3; ++j) inverse[i][j] = std::numeric_limits<double>::infinity();
            }
        }
    } else if (!invert(jtj, inverse)) {
        for (auto& row : inverse) row.fill(std::numeric_limits<double>::infinity());
    }
    const double scale = fit.dof > 0 ? fit.rss / fit.dof : std::numeric_limits<double>::infinity();
    for (int i = 0; i < 3; ++i) {
        for (int j = 0; j < 3; ++j) {
            fit.covariance[i][j] = inverse[i][j] == 0.0 ? 0.0 : scale * inverse[i][j];
        }
    }
    return fit;
}

std::optional<SizeInterval> size_interval(const PowerLawFit& fit, double target, double from,
                                          double level) {
    if (fit.dof <= 0) return std::nullopt;
    // The first size at or beyond `from` where one end of the band is at or below the target:
    // scanned on a log grid (100 steps a decade, to 10^15), then bisected.
    auto first = [&](bool upper) -> std::optional<double> {
        auto above = [&](double log_n) {
            const auto band = fit.band(std::exp(log_n), level);
            return (upper ? band->hi : band->lo) > target;
        };
        double prev = std::log(from);
        if (!above(prev)) return from;
        const double step = std::log(10.0) / 100.0, end = std::log(1e15);
        for (double x = prev + step; x <= end + step / 2; prev = x, x += step) {
            if (above(x)) continue;
            double l = prev, r = x;
            for (int i = 0; i < 100 && r - l > 1e-12; ++i) {
                const double mid = 0.5 * (l + r);
                (above(mid) ? l : r) = mid;
            }
            return std::exp(r);
        }
        return std::nullopt;
    };
    const auto lo = first(false);
    if (!lo) return std::nullopt;
    return SizeInterval{*lo, first(true)};
}

}  // namespace mlstrat::diagnose
