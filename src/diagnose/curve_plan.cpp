// What a learning curve trains: the sizes asked for, the repeats at each, and nested stratified
// subsets (each larger subset contains the smaller, every class in proportion).

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>

#include "common/random.hpp"
#include "mlstrat/learning_curve.hpp"
#include "mlstrat/support/error.hpp"

namespace mlstrat::diagnose {

std::vector<std::uint64_t> parse_curve_sizes(const std::string& text) {
    std::vector<std::uint64_t> sizes;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t end = std::min(text.find(',', start), text.size());
        const std::string item = text.substr(start, end - start);
        start = end + 1;
        std::uint64_t size = 0;
        if (item != "all") {
            const bool digits =
                !item.empty() && item.size() < 13 &&
                std::all_of(item.begin(), item.end(), [](char c) { return c >= '0' && c <= '9'; });
            MLSTRAT_CHECK(digits, "--sizes: '", item,
                          "' is not a training-set size (a whole "
                          "number of examples, or 'all')");
            size = std::stoull(item);
            MLSTRAT_CHECK(size > 0, "--sizes: a training-set size must be at least 1");
        }
        MLSTRAT_CHECK(std::find(sizes.begin(), sizes.end(), size) == sizes.end(), "--sizes: '",
                      item, "' is given twice");
        sizes.push_back(size);
    }
    MLSTRAT_CHECK(sizes.size() >= 3,
                  "--sizes: a fit of dev error ≈ a + b·n^(−c) needs at least "
                  "three sizes, got ",
                  sizes.size());
    return sizes;
}

std::int64_t default_repeats(std::uint64_t size, std::uint64_t total) {
    if (size * 10 <= total) return 3;
    if (size * 2 <= total) return 2;
    return 1;
}

std::vector<std::size_t> stratified_order(const std::vector<std::int64_t>& labels,
                                          std::uint64_t seed) {
    // Each class is shuffled; its k-th row gets the key (k + u) / count, u uniform in [0, 1):
    // sorted by key, the first n rows hold n·count/N ± 2 rows of each class.
    std::map<std::int64_t, std::vector<std::size_t>> by_class;
    for (std::size_t i = 0; i < labels.size(); ++i) by_class[labels[i]].push_back(i);
    detail::SplitMix64 rng(seed * 0x9E3779B97F4A7C15ull + 19);
    std::vector<std::pair<double, std::size_t>> keyed;
    keyed.reserve(labels.size());
    for (auto& [label, rows] : by_class) {
        for (std::size_t i = rows.size(); i > 1; --i) {
            std::swap(rows[i - 1], rows[rng.next() % i]);
        }
        const auto count = static_cast<double>(rows.size());
        for (std::size_t k = 0; k < rows.size(); ++k) {
            keyed.emplace_back((static_cast<double>(k) + rng.uniform()) / count, rows[k]);
        }
    }
    std::sort(keyed.begin(), keyed.end());
    std::vector<std::size_t> order;
    order.reserve(keyed.size());
    for (const auto& [key, row] : keyed) order.push_back(row);
    return order;
}

}  // namespace mlstrat::diagnose
