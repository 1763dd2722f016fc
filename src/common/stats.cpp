#include "mlstrat/support/stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "mlstrat/support/error.hpp"

namespace mlstrat::stats {

double normal_quantile(double p) {
    MLSTRAT_CHECK(p > 0.0 && p < 1.0, "normal quantile: p = ", p, " is outside (0, 1)");
    // Acklam's rational approximation, then one Halley step on erfc for full double precision.
    static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                               -2.759285104469687e+02, 1.383577518672690e+02,
                               -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                               -1.556989798598866e+02, 6.680131188771972e+01,
                               -1.328068155288572e+01};
    static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                               -2.400758277161838e+00, -2.549732539343734e+00,
                               4.374664141464968e+00,  2.938163982698783e+00};
    static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                               3.754408661907416e+00};
    const double low = 0.02425;
    double x;
    if (p < low) {
        double q = std::sqrt(-2 * std::log(p));
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    } else if (p <= 1 - low) {
        double q = p - 0.5;
        double r = q * q;
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    } else {
        double q = std::sqrt(-2 * std::log(1 - p));
        x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    double e = 0.5 * std::erfc(-x / std::sqrt(2.0)) - p;
    double u = e * std::sqrt(2 * M_PI) * std::exp(x * x / 2);
    return x - u / (1 + x * u / 2);
}

double z_for_level(double level) {
    MLSTRAT_CHECK(level > 0.0 && level < 1.0, "confidence level ", level,
                  " is outside (0, 1); use 0.95 for 95%");
    return normal_quantile(0.5 + level / 2.0);
}

Interval wilson_interval(double successes, double n, double level) {
    if (n <= 0.0) return {0.0, 1.0};
    double z = z_for_level(level);
    double p = successes / n;
    double z2 = z * z;
    double denom = 1.0 + z2 / n;
    double centre = (p + z2 / (2.0 * n)) / denom;
    double half = z * std::sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denom;
    // With no successes the lower bound is exactly 0 (and with all, the upper exactly 1); the
    // subtraction above leaves a rounding residue such as 2.8e-17 that JSON would print.
    double lo = successes <= 0.0 ? 0.0 : std::max(0.0, centre - half);
    double hi = successes >= n ? 1.0 : std::min(1.0, centre + half);
    return {lo, hi};
}

Interval difference_interval(double p1, double n1, double p2, double n2, double level) {
    Interval a = n1 > 0.0 ? wilson_interval(p1 * n1, n1, level) : Interval{p1, p1};
    Interval b = n2 > 0.0 ? wilson_interval(p2 * n2, n2, level) : Interval{p2, p2};
    double d = p1 - p2;
    double lo = d - std::sqrt((p1 - a.lo) * (p1 - a.lo) + (b.hi - p2) * (b.hi - p2));
    double hi = d + std::sqrt((a.hi - p1) * (a.hi - p1) + (p2 - b.lo) * (p2 - b.lo));
    return {lo, hi};
}

std::uint64_t min_sample_size(double p, double margin, double level) {
    MLSTRAT_CHECK(margin > 0.0 && margin < 0.5, "margin ", margin, " must be in (0, 0.5)");
    auto half_width = [&](double n) {
        Interval ci = wilson_interval(p * n, n, level);
        return (ci.hi - ci.lo) / 2.0;
    };
    // The half-width shrinks as n grows; find the first n where it fits by doubling and bisection.
    std::uint64_t hi = 1;
    while (half_width(static_cast<double>(hi)) > margin) {
        MLSTRAT_CHECK(hi < (std::uint64_t{1} << 50), "margin ", margin,
                      " needs an impossibly large set");
        hi *= 2;
    }
    std::uint64_t lo = hi / 2;  // lo fails (or is 0), hi fits
    while (hi - lo > 1) {
        std::uint64_t mid = lo + (hi - lo) / 2;
        if (half_width(static_cast<double>(mid)) > margin) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return hi;
}

std::uint64_t normal_sample_size(double p, double margin, double level) {
    MLSTRAT_CHECK(margin > 0.0 && margin < 0.5, "margin ", margin, " must be in (0, 0.5)");
    double z = z_for_level(level);
    return static_cast<std::uint64_t>(std::ceil(z * z * p * (1.0 - p) / (margin * margin) - 1e-9));
}

namespace {

// Regularized upper incomplete gamma Q(a, x) (Numerical Recipes' series / continued fraction).
double gamma_q(double a, double x) {
    if (x <= 0.0) return 1.0;
    double gln = std::lgamma(a);
    if (x < a + 1.0) {
        double ap = a, sum = 1.0 / a, del = sum;
        for (int n = 0; n < 1000; ++n) {
            ap += 1.0;
            del *= x / ap;
            sum += del;
            if (std::fabs(del) < std::fabs(sum) * 1e-15) break;
        }
        return 1.0 - sum * std::exp(-x + a * std::log(x) - gln);
    }
    const double tiny = std::numeric_limits<double>::min() / std::numeric_limits<double>::epsilon();
    double b = x + 1.0 - a, c = 1.0 / tiny, d = 1.0 / b, h = d;
    for (int i = 1; i < 1000; ++i) {
        double an = -i * (i - a);
        b += 2.0;
        d = an * d + b;
        if (std::fabs(d) < tiny) d = tiny;
        c = b + an / c;
        if (std::fabs(c) < tiny) c = tiny;
        d = 1.0 / d;
        double del = d * c;
        h *= del;
        if (std::fabs(del - 1.0) < 1e-15) break;
    }
    return std::exp(-x + a * std::log(x) - gln) * h;
}

}  // namespace

double chi_square_sf(double x, double dof) {
    MLSTRAT_CHECK(dof > 0.0, "chi-square needs at least one degree of freedom");
    return gamma_q(dof / 2.0, x / 2.0);
}

namespace {

// Continued fraction of the regularized incomplete beta (Numerical Recipes' betacf, Lentz).
double beta_cf(double a, double b, double x) {
    const double tiny = std::numeric_limits<double>::min() / std::numeric_limits<double>::epsilon();
    double c = 1.0, d = 1.0 - (a + b) * x / (a + 1.0);
    if (std::fabs(d) < tiny) d = tiny;
    d = 1.0 / d;
    double h = d;
    for (int m = 1; m < 1000; ++m) {
        const double m2 = 2.0 * m;
        double aa = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));
        for (int half = 0; half < 2; ++half) {
            d = 1.0 + aa * d;
            if (std::fabs(d) < tiny) d = tiny;
            c = 1.0 + aa / c;
            if (std::fabs(c) < tiny) c = tiny;
            d = 1.0 / d;
            h *= d * c;
            aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
        }
        if (std::fabs(d * c - 1.0) < 1e-15) break;
    }
    return h;
}

// Regularized incomplete beta I_x(a, b), given x and y = 1 - x (each computed without the
// cancellation of 1 - x near 1).
double incomplete_beta(double a, double b, double x, double y) {
    if (x <= 0.0) return 0.0;
    if (y <= 0.0) return 1.0;
    const double front = std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) +
                                  a * std::log(x) + b * std::log(y));
    if (x < (a + 1.0) / (a + b + 2.0)) return front * beta_cf(a, b, x) / a;
    return 1.0 - front * beta_cf(b, a, y) / b;
}

double student_t_cdf(double t, double dof) {
    const double tail =
        0.5 * incomplete_beta(dof / 2.0, 0.5, dof / (dof + t * t), t * t / (dof + t * t));
    return t >= 0.0 ? 1.0 - tail : tail;
}

}  // namespace

double student_t_quantile(double p, double dof) {
    MLSTRAT_CHECK(p > 0.0 && p < 1.0, "a quantile needs 0 < p < 1, got ", p);
    MLSTRAT_CHECK(dof > 0.0, "Student's t needs at least one degree of freedom");
    double lo = -1e7, hi = 1e7;  // bisection: the cdf is monotone, 200 halvings reach 1e-50
    for (int i = 0; i < 200; ++i) {
        const double mid = 0.5 * (lo + hi);
        (student_t_cdf(mid, dof) < p ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

}  // namespace mlstrat::stats
