// Uses mlstrat as another project would: headers from the install prefix, mlstrat::core linked.
// Prints the version and the 95% Wilson interval of a dev error of 8% on 100 examples:
// (0.0411, 0.1500) by hand, as in tests/common_test.cpp's interval checks.

#include <cstdio>

#include <mlstrat/support/parse.hpp>
#include <mlstrat/support/stats.hpp>
#include <mlstrat/version.hpp>

int main() {
    const double error = mlstrat::parse_rate("8%", "--error");
    const mlstrat::stats::Interval ci = mlstrat::stats::wilson_interval(error * 100, 100, 0.95);
    std::printf("mlstrat %s: %.4f %.4f\n", mlstrat::kVersion, ci.lo, ci.hi);
    return 0;
}
