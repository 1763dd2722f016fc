// Sums and roundings in numpy's order (see numpy_order.hpp).

#include "analysis/labels/numpy_order.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "analysis/labels/row_rule.hpp"

namespace mlstrat::analysis::detail {

double pairwise_sum(const double* a, std::size_t n, std::size_t stride) {
    if (n < 8) {
        double res = 0.0;
        for (std::size_t i = 0; i < n; ++i) res += a[i * stride];
        return res;
    }
    if (n <= 128) {
        double r[8];
        for (std::size_t j = 0; j < 8; ++j) r[j] = a[j * stride];
        std::size_t i = 8;
        for (; i < n - (n % 8); i += 8) {
            for (std::size_t j = 0; j < 8; ++j) r[j] += a[(i + j) * stride];
        }
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; ++i) res += a[i * stride];
        return res;
    }
    std::size_t n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise_sum(a, n2, stride) + pairwise_sum(a + n2 * stride, n - n2, stride);
}

std::vector<std::int64_t> round_preserving_sum(const std::vector<double>& floats) {
    const std::size_t k = floats.size();
    std::vector<double> ints(k);
    for (std::size_t i = 0; i < k; ++i) ints[i] = std::nearbyint(floats[i]);
    const double orig_sum = std::nearbyint(pairwise_sum(floats.data(), k));
    double int_sum = std::nearbyint(pairwise_sum(ints.data(), k));
    while (std::abs(int_sum - orig_sum) > kFuzz) {
        const double diff = std::nearbyint(orig_sum - int_sum);
        const int increment = diff < 0.0 ? -1 : 1;
        const std::size_t changes =
            std::min<std::size_t>(static_cast<std::size_t>(std::abs(diff)), k);
        std::vector<std::size_t> order(k);
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return floats[a] - ints[a] < floats[b] - ints[b];
        });
        if (increment > 0) std::reverse(order.begin(), order.end());
        for (std::size_t c = 0; c < changes; ++c) ints[order[c]] += increment;
        int_sum = std::nearbyint(pairwise_sum(ints.data(), k));
    }
    std::vector<std::int64_t> out(k);
    for (std::size_t i = 0; i < k; ++i) out[i] = static_cast<std::int64_t>(ints[i]);
    return out;
}

}  // namespace mlstrat::analysis::detail
