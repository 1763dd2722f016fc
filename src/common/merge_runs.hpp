#pragma once
// Merges sorted runs into one sorted sequence on a worker pool. Runs are merged in pairs, round
// after round; each pairwise merge is cut by output position into one piece per worker (the cut
// points found by binary search on the two runs, the "merge path"), so every worker writes its
// own stretch of the output and no element is moved twice in a round.

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

#include "common/worker_pool.hpp"

namespace mlstrat::detail {

/// How many of the first `rank` merged elements of sorted a[0, na) and b[0, nb) come from a, with
/// ties going to a first (as std::merge orders them).
template <typename T, typename Less>
std::size_t merge_path_split(const T* a, std::size_t na, const T* b, std::size_t nb,
                             std::size_t rank, Less less) {
    std::size_t lo = rank > nb ? rank - nb : 0, hi = std::min(rank, na);
    while (lo < hi) {
        const std::size_t mid = lo + (hi - lo) / 2;  // take mid from a and rank - mid from b?
        if (less(b[rank - mid - 1], a[mid])) {
            hi = mid;  // b's element goes first: fewer than mid + 1 from a
        } else {
            lo = mid + 1;
        }
    }
    return lo;
}

/// Sorts `items` whose stretches [bounds[r], bounds[r + 1]) are each sorted by `less`, using
/// `scratch` (resized to items.size()) as the other buffer; the result ends in `items`.
template <typename T, typename Less>
void merge_runs(std::vector<T>& items, std::vector<T>& scratch, std::vector<std::size_t> bounds,
                WorkerPool& pool, Less less) {
    if (bounds.size() <= 2) return;
    scratch.resize(items.size());
    const unsigned workers = pool.size();
    std::vector<T>* from = &items;
    std::vector<T>* to = &scratch;
    while (bounds.size() > 2) {
        const std::size_t runs = bounds.size() - 1;
        pool.run(workers, [&](unsigned w) {
            for (std::size_t r = 0; r < runs; r += 2) {
                const T* a = from->data() + bounds[r];
                const std::size_t na = bounds[r + 1] - bounds[r];
                const std::size_t nb = r + 1 < runs ? bounds[r + 2] - bounds[r + 1] : 0;
                const T* b = a + na;
                const std::size_t total = na + nb;
                const std::size_t lo = total * w / workers, hi = total * (w + 1) / workers;
                const std::size_t a_lo = merge_path_split(a, na, b, nb, lo, less);
                const std::size_t a_hi = merge_path_split(a, na, b, nb, hi, less);
                std::merge(a + a_lo, a + a_hi, b + (lo - a_lo), b + (hi - a_hi),
                           to->data() + bounds[r] + lo, less);
            }
        });
        std::vector<std::size_t> merged;
        for (std::size_t r = 0; r < runs; r += 2) merged.push_back(bounds[r]);
        merged.push_back(bounds.back());
        bounds = std::move(merged);
        std::swap(from, to);
    }
    if (from != &items) items.swap(scratch);
}

}  // namespace mlstrat::detail
