#pragma once
// The tests confident learning makes on each row of probabilities: which class an example is
// confidently in, its most probable class, whether its given label is its most probable one.
// With the number of classes known at compile time they are bit masks, two values per SSE2
// instruction.

#include <bit>
#include <cstddef>
#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace mlstrat::analysis::detail {

// cleanlab's fuzz of every probability comparison.
constexpr double kFuzz = 1e-6;

// Comparisons of a row's K values (K <= 32) as bit masks, bit c for value c, two values per
// instruction where SSE2 is there. `test(v, c)` compares the values from c on: its arguments are
// SSE2 vectors of two doubles or plain doubles, and the helpers below take either. A NaN compares
// false, as in scalar code.
template <typename V>
V load(const double* p) {
    return *p;
}
template <typename V>
V splat(double x) {
    return x;
}
inline double sub(double a, double b) { return a - b; }
inline bool ge(double a, double b) { return a >= b; }
inline bool eq(double a, double b) { return a == b; }
inline bool lt(double a, double b) { return a < b; }
inline bool le(double a, double b) { return a <= b; }
#if defined(__SSE2__)
template <>
inline __m128d load<__m128d>(const double* p) {
    return _mm_loadu_pd(p);
}
template <>
inline __m128d splat<__m128d>(double x) {
    return _mm_set1_pd(x);
}
inline __m128d sub(__m128d a, __m128d b) { return _mm_sub_pd(a, b); }
inline __m128d ge(__m128d a, __m128d b) { return _mm_cmpge_pd(a, b); }
inline __m128d eq(__m128d a, __m128d b) { return _mm_cmpeq_pd(a, b); }
inline __m128d lt(__m128d a, __m128d b) { return _mm_cmplt_pd(a, b); }
inline __m128d le(__m128d a, __m128d b) { return _mm_cmple_pd(a, b); }
#endif

template <std::size_t K, typename Test>
std::uint32_t bits(const double* row, Test&& test) {
    std::uint32_t out = 0;
    std::size_t c = 0;
#if defined(__SSE2__)
    for (; c + 2 <= K; c += 2) {
        out |= static_cast<std::uint32_t>(_mm_movemask_pd(test(load<__m128d>(row + c), c))) << c;
    }
#endif
    for (; c < K; ++c) out |= static_cast<std::uint32_t>(test(row[c], c)) << c;
    return out;
}

// The largest of K values, for rows free of NaN.
template <std::size_t K>
double largest(const double* row) {
    double most = row[0];
    for (std::size_t c = 1; c < K; ++c) most = row[c] > most ? row[c] : most;
    return most;
}

// How an example counts, given the per-class cuts (threshold - fuzz): the class it is confidently
// in (`k` when none), the most probable of those its probability reaches; and whether its given
// label is its most probable class once the label's probability gets the fuzz (cleanlab then never
// flags it). Written without branches: which classes pass is unpredictable.
struct RowRule {
    std::size_t k;
    const double* cut;

    struct Facts {
        std::size_t confident;
        std::size_t most_probable;  // the first of equals
        bool given_is_top;
    };
    /// K: the number of classes when known at compile time, else 0. With K known the classes'
    /// tests are bit masks over unrolled loops, two values per SSE2 instruction. A row holding NaN
    /// (find_label_issues refuses them) takes the plain loop below, so that both ways give the
    /// same answer for every row.
    template <std::size_t K = 0>
    Facts apply(const double* row, std::size_t given) const {
        if constexpr (K != 0) {
            static_assert(K <= 32);
            const std::uint32_t all = K == 32 ? ~std::uint32_t{0} : (std::uint32_t{1} << K) - 1;
            const std::uint32_t numbers =
                bits<K>(row, [&]<typename V>(V v, std::size_t) { return eq(v, v); });
            if (numbers != all) return apply<0>(row, given);  // NaN: the loop's rules, below
            const double most = largest<K>(row);
            const double fuzzed = row[given] + kFuzz;
            const std::uint32_t reach = bits<K>(
                row, [&]<typename V>(V v, std::size_t c) { return ge(v, load<V>(cut + c)); });
            const std::uint32_t is_most =
                bits<K>(row, [&]<typename V>(V v, std::size_t) { return eq(v, splat<V>(most)); });
            const std::uint32_t below =
                bits<K>(row, [&]<typename V>(V v, std::size_t) { return lt(v, splat<V>(fuzzed)); });
            const std::uint32_t at_most =
                bits<K>(row, [&]<typename V>(V v, std::size_t) { return le(v, splat<V>(fuzzed)); });
            const auto best = static_cast<std::size_t>(std::countr_zero(is_most));
            const std::size_t first =
                reach != 0 ? static_cast<std::size_t>(std::countr_zero(reach)) : K;
            // The given label, fuzzed, is the first most probable class: above every class
            // before it and at least every class after it.
            const std::uint32_t before = (std::uint32_t{1} << given) - 1;
            const bool given_is_top = ((below & before) | (at_most & ~before & all)) == all;
            const bool several = (reach & (reach - 1)) != 0;
            return {several ? best : first, best, given_is_top};
        }
        std::size_t confident = 0, first = k, best = 0, top = 0;
        double top_p = given == 0 ? row[0] + kFuzz : row[0];
        for (std::size_t c = 0; c < k; ++c) {
            const bool hit = row[c] >= cut[c];
            first = hit && confident == 0 ? c : first;
            confident += hit ? 1 : 0;
            best = row[c] > row[best] ? c : best;
            const double v = c == given ? row[c] + kFuzz : row[c];
            top = v > top_p ? c : top;
            top_p = v > top_p ? v : top_p;
        }
        return {confident > 1 ? best : first, best, top == given};
    }
    Facts operator()(const double* row, std::size_t given) const { return apply(row, given); }
};

}  // namespace mlstrat::analysis::detail
