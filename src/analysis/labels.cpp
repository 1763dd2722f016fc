// labels: confident learning (Northcutt, Jiang, Chuang, JAIR 2021) with pruning by noise rate.
// Each step follows cleanlab's find_label_issues with its defaults, including its floating-point
// order where a rounding could flip a count: per-class thresholds are means summed the way numpy
// sums (pairwise), the calibrated joint is rounded half to even with row totals preserved, and
// the prune counts are truncated the way cleanlab casts them. Ties in a ranking go to the lower
// row index.

#include <fnmatch.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cfenv>
#include <charconv>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <thread>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "common/interner.hpp"
#include "common/page_block.hpp"
#include "common/worker_pool.hpp"
#include "mlstrat/analysis.hpp"
#include "analysis/label_rows.hpp"
#include "mlstrat/error.hpp"
#include "mlstrat/metrics.hpp"
#include "mlstrat/parse.hpp"

namespace mlstrat::analysis {

namespace {

// cleanlab's constants: the fuzz of every probability comparison and the thresholds' floor.
constexpr double kFuzz = 1e-6;
constexpr double kThresholdFloor = 2 * kFuzz;
constexpr double kTiny = 1e-100;

// numpy's pairwise summation of n doubles `stride` apart (add.reduce on float64).
double pairwise_sum(const double* a, std::size_t n, std::size_t stride = 1) {
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

double round_half_even(double x) { return std::nearbyint(x); }

// Rounds a row to whole numbers keeping its (rounded) total: the entries whose rounding lost
// the most are bumped first.
std::vector<std::int64_t> round_preserving_sum(const std::vector<double>& floats) {
    const std::size_t k = floats.size();
    std::vector<double> ints(k);
    for (std::size_t i = 0; i < k; ++i) ints[i] = round_half_even(floats[i]);
    const double orig_sum = round_half_even(pairwise_sum(floats.data(), k));
    double int_sum = round_half_even(pairwise_sum(ints.data(), k));
    while (std::abs(int_sum - orig_sum) > kFuzz) {
        const double diff = round_half_even(orig_sum - int_sum);
        const int increment = diff < 0.0 ? -1 : 1;
        const std::size_t changes = std::min<std::size_t>(static_cast<std::size_t>(std::abs(diff)), k);
        std::vector<std::size_t> order(k);
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return floats[a] - ints[a] < floats[b] - ints[b];
        });
        if (increment > 0) std::reverse(order.begin(), order.end());
        for (std::size_t c = 0; c < changes; ++c) ints[order[c]] += increment;
        int_sum = round_half_even(pairwise_sum(ints.data(), k));
    }
    std::vector<std::int64_t> out(k);
    for (std::size_t i = 0; i < k; ++i) out[i] = static_cast<std::int64_t>(ints[i]);
    return out;
}


// Where the items of a list grouped by key go, when each of `parts` parts has counts[part * keys
// + key] items of each key: group `key` is [start[key], start[key + 1]), and within it each part's
// items come after those of the parts before it, from next[part * keys + key] on. A part that
// moves its items in its own order thus keeps them in that order within each group.
struct GroupedLayout {
    std::vector<std::size_t> start;
    std::vector<std::size_t> next;
};

template <typename Count>
GroupedLayout group_layout(const std::vector<Count>& counts, unsigned parts, std::size_t keys) {
    GroupedLayout layout{std::vector<std::size_t>(keys + 1, 0), std::vector<std::size_t>(parts * keys)};
    std::size_t at = 0;
    for (std::size_t key = 0; key < keys; ++key) {
        layout.start[key] = at;
        for (unsigned part = 0; part < parts; ++part) {
            layout.next[part * keys + key] = at;
            at += counts[part * keys + key];
        }
    }
    layout.start[keys] = at;
    return layout;
}

// Rows are read in pieces of about this many bytes, which stay in a core's cache while used.
constexpr std::size_t kPieceBytes = 256 << 10;

// Calls fn(first, rows, count) for consecutive pieces [first, first + count) of rows
// [begin, end), the rows read into `buffer` when they are not in memory.
template <typename Fn>
void for_each_piece(const ProbMatrix& m, std::size_t begin, std::size_t end,
                    std::vector<double>& buffer, Fn&& fn) {
    const std::size_t step = std::max<std::size_t>(1, kPieceBytes / (m.classes * sizeof(double)));
    for (std::size_t first = begin; first < end; first += step) {
        const std::size_t count = std::min(step, end - first);
        fn(first, m.read_rows(first, count, buffer), count);
    }
}

// The passes over the rows: one contiguous range per worker, each read a piece at a time. What
// the parts count is merged in part order, so no result depends on the number of workers.
class RowPasses {
 public:
    RowPasses(const ProbMatrix& probs, unsigned threads)
        : probs_(probs),
          parts_(static_cast<unsigned>(std::clamp<std::size_t>(
              probs.rows / kRowsPerPart, 1,
              threads != 0 ? threads : std::max(1u, std::thread::hardware_concurrency())))),
          pool_(parts_),
          buffers_(parts_) {}

    unsigned parts() const { return parts_; }
    std::pair<std::size_t, std::size_t> range(unsigned part) const {
        return {probs_.rows * part / parts_, probs_.rows * (part + 1) / parts_};
    }
    /// Runs fn(part) for every part, each on its own worker.
    void run(const std::function<void(unsigned)>& fn) { pool_.run(parts_, fn); }
    /// Calls fn(first, rows, count) over the part's rows, piece by piece.
    template <typename Fn>
    void pieces(unsigned part, Fn&& fn) {
        const auto [begin, end] = range(part);
        for_each_piece(probs_, begin, end, buffers_[part], fn);
    }

 private:
    static constexpr std::size_t kRowsPerPart = 1 << 15;
    const ProbMatrix& probs_;
    unsigned parts_;
    detail::WorkerPool pool_;
    std::vector<std::vector<double>> buffers_;
};

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
__m128d load<__m128d>(const double* p) {
    return _mm_loadu_pd(p);
}
template <>
__m128d splat<__m128d>(double x) {
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
            const std::uint32_t numbers = bits<K>(row, [&]<typename V>(V v, std::size_t) { return eq(v, v); });
            if (numbers != all) return apply<0>(row, given);  // NaN: the loop's rules, below
            const double most = largest<K>(row);
            const double fuzzed = row[given] + kFuzz;
            const std::uint32_t reach = bits<K>(row, [&]<typename V>(V v, std::size_t c) { return ge(v, load<V>(cut + c)); });
            const std::uint32_t is_most = bits<K>(row, [&]<typename V>(V v, std::size_t) { return eq(v, splat<V>(most)); });
            const std::uint32_t below = bits<K>(row, [&]<typename V>(V v, std::size_t) { return lt(v, splat<V>(fuzzed)); });
            const std::uint32_t at_most = bits<K>(row, [&]<typename V>(V v, std::size_t) { return le(v, splat<V>(fuzzed)); });
            const auto best = static_cast<std::size_t>(std::countr_zero(is_most));
            const std::size_t first = reach != 0 ? static_cast<std::size_t>(std::countr_zero(reach)) : K;
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


// A margin P(t) - P(g) and its row; a candidate of a cell (given g, true t).
using Margin = std::pair<double, std::size_t>;
struct Candidate {
    double margin;
    std::uint32_t row;
    std::uint32_t cell;  // g * k + t
};
// Flag the `take` strongest of `size` margins from `begin`.
struct Selection {
    Margin* begin;
    std::size_t size;
    std::size_t take;
};

constexpr double kNever = std::numeric_limits<double>::infinity();  // a margin none reaches
constexpr std::uint8_t kGivenIsTop = 2;  // in is_issue while flagging: never an issue
constexpr std::size_t kMostGuessedClasses = 256;

// What the second pass of confident_learning writes, and reads besides the rows.
struct SecondPass {
    std::size_t k;
    const std::uint32_t* labels;
    const RowRule& rule;
    const double* guess;           // per cell g * k + t; kNever for t == g
    std::int64_t* joint;           // this part's confident joint
    std::uint64_t* found;          // this part's candidates per cell
    std::vector<Candidate>& kept;  // this part's candidates
    std::uint8_t* is_issue;
    std::uint32_t* suggested;
    double* given_probability;

    /// Rows [first, first + count) of K classes (0: k, known only at run time).
    template <std::size_t K>
    void piece(std::size_t first, const double* rows, std::size_t count) const {
        const std::size_t classes = K != 0 ? K : k;
        for (std::size_t r = 0; r < count; ++r) {
            const std::size_t i = first + r;
            const double* row = rows + r * classes;
            const std::size_t g = labels[i];
            const RowRule::Facts facts = rule.apply<K>(row, g);
            if (facts.confident < classes) ++joint[g * classes + facts.confident];
            if (facts.given_is_top) is_issue[i] = kGivenIsTop;
            suggested[i] = static_cast<std::uint32_t>(facts.most_probable);
            given_probability[i] = row[g];
            const double* cell_guess = &guess[g * classes];
            if constexpr (K != 0 && K <= 32) {  // which cells keep the row, as bits; few do
                const double given_p = row[g];
                std::uint32_t keep = bits<K>(row, [&]<typename V>(V v, std::size_t t) {
                    return ge(sub(v, splat<V>(given_p)), load<V>(cell_guess + t));
                });
                for (; keep != 0; keep &= keep - 1) add(i, g * K + static_cast<std::size_t>(std::countr_zero(keep)), row[std::countr_zero(keep)] - row[g]);
            } else {
                for (std::size_t t = 0; t < classes; ++t) {
                    const double margin = row[t] - row[g];
                    if (margin >= cell_guess[t]) add(i, g * classes + t, margin);
                }
            }
        }
    }

    void add(std::size_t row, std::size_t cell, double margin) const {
        kept.push_back({margin, static_cast<std::uint32_t>(row), static_cast<std::uint32_t>(cell)});
        ++found[cell];
    }
};

// Calls fn(std::integral_constant<std::size_t, K>{}) with K = k for 2 to 16 classes, else K = 0.
template <typename Fn>
void with_classes(std::size_t k, Fn&& fn) {
    [&]<std::size_t... K>(std::index_sequence<K...>) {
        const bool fixed = ((k == K + 2 ? (fn(std::integral_constant<std::size_t, K + 2>{}), true) : false) || ...);
        if (!fixed) fn(std::integral_constant<std::size_t, 0>{});
    }(std::make_index_sequence<15>{});
}

struct Guesses {
    std::vector<double> margin;  // per cell g * k + t; kNever: search the cell exactly
    std::size_t expected = 0;    // candidates the guesses keep, about
};

// Guesses from the sample (every `stride`-th row) a margin per cell (given g, true t) that more
// examples of g reach than the cell will flag. A cell flags about the share of g's examples that
// its entry holds of g's row of the confident joint; the guess is the sample's margin at that
// share raised by three standard errors and ten examples, so a guess is rarely too high (the cell
// is then searched exactly). With too many classes, or guesses that would keep more bytes of
// candidates (16 each) than the probabilities hold, every cell is searched exactly: two more
// passes over the rows then cost less than the list.
Guesses guess_margins(std::span<const std::uint32_t> labels, const std::vector<double>& sample,
                      std::size_t stride, const RowRule& rule,
                      const std::vector<std::uint64_t>& label_counts) {
    const std::size_t k = rule.k, sampled = sample.size() / k;
    Guesses out;
    out.margin.assign(k * k, kNever);
    if (sampled == 0 || k > kMostGuessedClasses || labels.size() > std::numeric_limits<std::uint32_t>::max()) {
        return out;
    }
    std::vector<std::vector<std::size_t>> rows_of(k);  // sample rows by given label
    std::vector<std::uint64_t> joint(k * k, 0);
    for (std::size_t s = 0; s < sampled; ++s) {
        const std::size_t g = labels[s * stride];
        rows_of[g].push_back(s);
        const RowRule::Facts facts = rule(&sample[s * k], g);
        if (facts.confident < k) ++joint[g * k + facts.confident];
    }
    double expected = 0.0;
    std::vector<double> margins;
    for (std::size_t g = 0; g < k; ++g) {
        const auto count = static_cast<double>(label_counts[g]);
        const auto ns = static_cast<double>(rows_of[g].size());
        std::uint64_t in_row = 0;
        for (std::size_t t = 0; t < k; ++t) in_row += joint[g * k + t];
        for (std::size_t t = 0; t < k; ++t) {
            if (t == g || label_counts[g] == 0) continue;
            const double share = in_row == 0 ? 0.0 : static_cast<double>(joint[g * k + t]) / static_cast<double>(in_row);
            const double q = ns == 0 ? 1.0 : 1.25 * share + 3.0 * std::sqrt(share * (1.0 - share) / ns) + 10.0 / ns;
            const auto rank = static_cast<std::size_t>(std::ceil(q * ns));
            if (rank >= rows_of[g].size()) {
                out.margin[g * k + t] = -kNever;  // keep them all
                expected += count;
                continue;
            }
            margins.clear();
            for (std::size_t s : rows_of[g]) margins.push_back(sample[s * k + t] - sample[s * k + g]);
            std::nth_element(margins.begin(), margins.begin() + static_cast<std::ptrdiff_t>(rank),
                             margins.end(), std::greater<>());
            out.margin[g * k + t] = margins[rank];
            expected += static_cast<double>(rank + 1) / ns * count;
        }
    }
    const double room = static_cast<double>(labels.size() * k * sizeof(double) / sizeof(Candidate) + sampled);
    if (expected > room) {
        out.margin.assign(k * k, kNever);
        expected = 0.0;
    }
    out.expected = static_cast<std::size_t>(expected);
    return out;
}

// The candidates of the cells whose guess was too high, found exactly in two more passes: the
// first fills a histogram of margins per cell and finds the bin where the cut falls, the second
// keeps only margins from that bin up. Adds a selection per cell; they point into the result.
std::vector<Margin> exact_candidates(std::span<const std::uint32_t> labels, std::size_t k,
                                     const std::vector<std::size_t>& cells,
                                     const std::vector<std::int64_t>& prune, RowPasses& passes,
                                     std::vector<Selection>& selections) {
    if (cells.empty()) return {};
    struct Target {
        std::size_t t, cell;  // cell: an index into `cells`
    };
    std::vector<std::vector<Target>> targets(k);
    for (std::size_t x = 0; x < cells.size(); ++x) targets[cells[x] / k].push_back({cells[x] % k, x});
    const unsigned parts = passes.parts();
    const std::size_t count = cells.size();
    // Finer bins leave fewer candidates; the histograms stay within a few MiB however many cells.
    const std::size_t bins = std::clamp<std::size_t>((std::size_t{1} << 20) / count, 16, 1024);
    auto bin_of = [bins](double margin) {
        const double x = (margin + 1.0) * (static_cast<double>(bins) / 2.0);
        return x <= 0.0 ? std::size_t{0} : std::min(static_cast<std::size_t>(x), bins - 1);
    };
    std::vector<std::uint32_t> histogram;
    detail::reserve_in_huge_pages(histogram, parts * count * bins);
    histogram.resize(parts * count * bins, 0);
    passes.run([&](unsigned part) {
        std::uint32_t* h = histogram.data() + part * count * bins;
        passes.pieces(part, [&](std::size_t first, const double* rows, std::size_t n) {
            for (std::size_t r = 0; r < n; ++r) {
                const double* row = rows + r * k;
                const std::size_t g = labels[first + r];
                for (const Target& x : targets[g]) ++h[x.cell * bins + bin_of(row[x.t] - row[g])];
            }
        });
    });
    std::vector<std::size_t> cut_bin(count, bins);  // the lowest bin a flagged margin can be in
    std::vector<std::uint64_t> kept(parts * count, 0);  // margins from the cut bin up, per part
    for (std::size_t x = 0; x < count; ++x) {
        std::uint64_t above = 0;
        std::size_t b = bins;
        while (b > 0 && above < static_cast<std::uint64_t>(prune[cells[x]])) {
            --b;
            for (unsigned part = 0; part < parts; ++part) {
                const std::uint32_t in_bin = histogram[(part * count + x) * bins + b];
                above += in_bin;
                kept[part * count + x] += in_bin;
            }
        }
        cut_bin[x] = b;
    }
    histogram = {};
    // The candidates of a cell lie together, each part's after the parts before it.
    GroupedLayout layout = group_layout(kept, parts, count);
    const std::vector<std::size_t>& cell_start = layout.start;
    std::vector<Margin> candidates;
    detail::reserve_in_huge_pages(candidates, cell_start[count]);
    candidates.resize(cell_start[count]);
    passes.run([&](unsigned part) {
        std::size_t* next = &layout.next[part * count];
        passes.pieces(part, [&](std::size_t first, const double* rows, std::size_t n) {
            for (std::size_t r = 0; r < n; ++r) {
                const double* row = rows + r * k;
                const std::size_t g = labels[first + r];
                for (const Target& x : targets[g]) {
                    const double margin = row[x.t] - row[g];
                    if (bin_of(margin) >= cut_bin[x.cell]) candidates[next[x.cell]++] = {margin, first + r};
                }
            }
        });
    });
    for (std::size_t x = 0; x < count; ++x) {
        selections.push_back({candidates.data() + cell_start[x], cell_start[x + 1] - cell_start[x],
                              static_cast<std::size_t>(prune[cells[x]])});
    }
    return candidates;
}

// Flags in each selection its strongest margins: the largest, ties to the lower row. The
// selections are shared among the workers; an example marked kGivenIsTop stays so.
void select_strongest(std::vector<Selection>& selections, std::vector<std::uint8_t>& is_issue,
                      RowPasses& passes) {
    auto stronger = [](const Margin& a, const Margin& b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
    };
    passes.run([&](unsigned part) {
        for (std::size_t s = part; s < selections.size(); s += passes.parts()) {
            const Selection& x = selections[s];
            const std::size_t take = std::min(x.take, x.size);
            if (take < x.size) std::nth_element(x.begin, x.begin + take, x.begin + x.size, stronger);
            for (std::size_t r = 0; r < take; ++r) {
                std::atomic_ref<std::uint8_t> flag(is_issue[x.begin[r].second]);  // rows recur across cells
                if (flag.load(std::memory_order_relaxed) != kGivenIsTop) flag.store(1, std::memory_order_relaxed);
            }
        }
    });
}

}  // namespace

ConfidentLearning confident_learning(std::span<const std::uint32_t> labels, const ProbMatrix& probs,
                                     const ConfidentLearningOptions& options) {
    const std::size_t n = probs.rows, k = probs.classes;
    MLSTRAT_CHECK(labels.size() == n, "confident learning: ", labels.size(), " labels for ", n,
                  " rows of probabilities");
    MLSTRAT_CHECK(k >= 2, "confident learning needs at least 2 classes, got ", k);
    MLSTRAT_CHECK(probs.file != nullptr || probs.mapped != nullptr || probs.probs.size() == n * k,
                  "confident learning: the probability matrix holds ", probs.probs.size(),
                  " values, not ", n, " x ", k);
    std::fesetround(FE_TONEAREST);

    RowPasses passes(probs, options.threads);
    const unsigned parts = passes.parts();

    std::vector<std::uint64_t> part_counts(parts * k, 0);
    passes.run([&](unsigned part) {
        std::uint64_t* counts = &part_counts[part * k];
        for (auto [i, end] = passes.range(part); i < end; ++i) {
            MLSTRAT_CHECK(labels[i] < k, "confident learning: label index ", labels[i],
                          " is not below ", k);
            ++counts[labels[i]];
        }
    });
    std::vector<std::uint64_t> label_counts(k, 0);
    for (unsigned part = 0; part < parts; ++part) {
        for (std::size_t c = 0; c < k; ++c) label_counts[c] += part_counts[part * k + c];
    }
    std::vector<std::size_t> start(k + 1, 0);
    for (std::size_t c = 0; c < k; ++c) start[c + 1] = start[c] + label_counts[c];

    // First pass: the rows are checked, each example's self-confidence is gathered by class, and
    // every `stride`-th row is kept as a sample.
    const std::size_t stride = std::max<std::size_t>(1, n / std::max<std::size_t>(options.sample_rows, 1));
    const std::size_t sampled = options.sample_rows == 0 ? 0 : (n + stride - 1) / stride;
    std::vector<double> sample(sampled * k);
    ConfidentLearning out;
    out.thresholds.assign(k, 2.0);  // no example can reach an absent class
    {
        std::vector<double> self;  // on the heap, whose pages the second pass's outputs reuse
        detail::reserve_in_huge_pages(self, n);
        self.resize(n);
        passes.run([&](unsigned part) {
            std::vector<std::size_t> fill(start.begin(), start.end() - 1);
            for (unsigned before = 0; before < part; ++before) {
                for (std::size_t c = 0; c < k; ++c) fill[c] += part_counts[before * k + c];
            }
            std::size_t next_sample = (passes.range(part).first + stride - 1) / stride * stride;
            passes.pieces(part, [&](std::size_t first, const double* rows, std::size_t count) {
                if (options.check) options.check(first, rows, count);
                for (std::size_t r = 0; r < count; ++r) {
                    const std::size_t i = first + r;
                    self[fill[labels[i]]++] = rows[r * k + labels[i]];
                }
                for (; sampled != 0 && next_sample < first + count; next_sample += stride) {
                    const double* row = rows + (next_sample - first) * k;
                    std::copy(row, row + k, &sample[next_sample / stride * k]);
                }
            });
        });
        // Per-class thresholds: the mean self-confidence of the examples given that label,
        // summed in row order as numpy sums the gathered values.
        for (std::size_t c = 0; c < k; ++c) {
            if (label_counts[c] == 0) continue;
            out.thresholds[c] = pairwise_sum(self.data() + start[c], label_counts[c]) /
                                static_cast<double>(label_counts[c]);
        }
    }
    std::vector<double> cut(k);
    for (std::size_t c = 0; c < k; ++c) {
        out.thresholds[c] = std::max(out.thresholds[c], kThresholdFloor);
        cut[c] = out.thresholds[c] - kFuzz;
    }
    const RowRule rule{k, cut.data()};

    // From the sample, a guess per cell (given g, true t) of a margin P(t) - P(g) that more
    // examples reach than the cell will flag (see guess_margins). The second pass keeps every
    // example at or above its cells' guesses, so one pass both counts the confident joint and
    // finds what to flag; a cell whose guess proves too high is searched exactly afterwards.
    const Guesses guesses = guess_margins(labels, sample, stride, rule, label_counts);
    const std::vector<double>& guess = guesses.margin;

    // Second pass: the confident joint, counts[given][true guess] over examples confidently in
    // some class; the examples given their most probable label (within the fuzz), which are never
    // issues; and the candidates.
    std::vector<std::int64_t> part_joint(parts * k * k, 0);
    std::vector<std::vector<Candidate>> part_candidates(parts);
    std::vector<std::uint64_t> part_found(parts * k * k, 0);  // candidates per part and cell
    detail::reserve_in_huge_pages(out.given_probability, n);  // first, to take `self`'s place
    out.given_probability.resize(n);
    detail::reserve_in_huge_pages(out.suggested, n);
    out.suggested.resize(n);
    out.is_issue.assign(n, 0);
    for (auto& kept : part_candidates) {
        detail::reserve_in_huge_pages(kept, guesses.expected / parts * 5 / 4 + 1024);
    }
    passes.run([&](unsigned part) {
        const SecondPass second{k, labels.data(), rule, guess.data(), &part_joint[part * k * k],
                                &part_found[part * k * k], part_candidates[part], out.is_issue.data(),
                                out.suggested.data(), out.given_probability.data()};
        with_classes(k, [&](auto K) {
            passes.pieces(part, [&](std::size_t first, const double* rows, std::size_t count) {
                second.piece<K()>(first, rows, count);
            });
        });
    });
    std::vector<std::int64_t> joint(k * k, 0);
    for (unsigned part = 0; part < parts; ++part) {
        for (std::size_t c = 0; c < k * k; ++c) joint[c] += part_joint[part * k * k + c];
    }
    for (std::size_t c = 0; c < k; ++c) joint[c * k + c] = std::max<std::int64_t>(joint[c * k + c], 1);

    // Calibrate: each row sums to its label count, the whole to n. `cal` is stored transposed
    // (true-major), the memory order numpy sums it in.
    std::vector<double> cal_t(k * k);
    for (std::size_t g = 0; g < k; ++g) {
        std::int64_t row_sum = 0;
        for (std::size_t t = 0; t < k; ++t) row_sum += joint[g * k + t];
        const double denom = std::max(static_cast<double>(row_sum), kTiny);
        for (std::size_t t = 0; t < k; ++t) {
            cal_t[t * k + g] = static_cast<double>(joint[g * k + t]) / denom *
                               static_cast<double>(label_counts[g]);
        }
    }
    const double total = std::max(pairwise_sum(cal_t.data(), cal_t.size()), kTiny);
    const double n_labels = static_cast<double>(n);
    out.confident_joint.assign(k * k, 0);
    for (std::size_t g = 0; g < k; ++g) {
        std::vector<double> row(k);
        for (std::size_t t = 0; t < k; ++t) row[t] = cal_t[t * k + g] / total * n_labels;
        auto rounded = round_preserving_sum(row);
        for (std::size_t t = 0; t < k; ++t) out.confident_joint[g * k + t] = rounded[t];
    }

    // Prune counts, given label g and true class t: keep at least one example per class by
    // raising the diagonal and taking the difference evenly from the row's nonzero entries.
    std::vector<std::int64_t> prune(k * k, 0);
    for (std::size_t g = 0; g < k; ++g) {
        const std::int64_t* row = &out.confident_joint[g * k];
        const double diag = static_cast<double>(row[g]);
        const double raised = std::max(diag, 1.0);
        std::size_t nonzero = 0;
        for (std::size_t t = 0; t < k; ++t) nonzero += row[t] != 0 ? 1 : 0;
        const double spread = std::max(static_cast<double>(nonzero) - 1.0, 1.0);
        const double take = (raised - diag) / spread;
        for (std::size_t t = 0; t < k; ++t) {
            double v = t == g ? raised : std::max(static_cast<double>(row[t]) - take, 0.0);
            prune[g * k + t] = static_cast<std::int64_t>(v);  // truncates, as cleanlab's cast
        }
    }

    // Flag, within each given class g, the prune[g][t] examples most likely to belong to class t:
    // the largest margins, ties to the lower row. A class that would lose all its examples loses
    // all of them.
    std::vector<std::uint8_t> all_flagged(k, 0);
    std::vector<std::size_t> pruned_cells, missed_cells;  // the second: guessed too high
    for (std::size_t g = 0; g < k; ++g) {
        if (label_counts[g] <= 1) continue;
        for (std::size_t t = 0; t < k; ++t) {
            if (t == g || prune[g * k + t] <= 0) continue;
            if (static_cast<std::uint64_t>(prune[g * k + t]) >= label_counts[g]) all_flagged[g] = 1;
        }
    }
    GroupedLayout layout = group_layout(part_found, parts, k * k);  // the candidates by cell
    const std::vector<std::size_t>& cell_start = layout.start;
    for (std::size_t cell = 0; cell < k * k; ++cell) {
        const std::size_t g = cell / k;
        if (cell % k == g || prune[cell] <= 0 || label_counts[g] <= 1 || all_flagged[g]) continue;
        const std::size_t found = cell_start[cell + 1] - cell_start[cell];
        (found >= static_cast<std::uint64_t>(prune[cell]) ? pruned_cells : missed_cells).push_back(cell);
    }
    std::vector<Margin> grouped;
    detail::reserve_in_huge_pages(grouped, cell_start[k * k]);
    grouped.resize(cell_start[k * k]);
    passes.run([&](unsigned part) {
        std::size_t* next = &layout.next[part * k * k];
        for (const Candidate& c : part_candidates[part]) grouped[next[c.cell]++] = {c.margin, c.row};
        part_candidates[part] = {};
    });
    std::vector<Selection> selections;
    for (std::size_t cell : pruned_cells) {
        selections.push_back({grouped.data() + cell_start[cell], cell_start[cell + 1] - cell_start[cell],
                              static_cast<std::size_t>(prune[cell])});
    }
    out.cells_searched = missed_cells.size();
    const std::vector<Margin> exact = exact_candidates(labels, k, missed_cells, prune, passes, selections);
    select_strongest(selections, out.is_issue, passes);
    passes.run([&](unsigned part) {
        for (auto [i, end] = passes.range(part); i < end; ++i) {
            std::uint8_t& flag = out.is_issue[i];
            if (all_flagged[labels[i]] && flag != kGivenIsTop) flag = 1;
            flag = flag == 1 ? 1 : 0;  // an example given its most probable label is no issue
        }
    });
    return out;
}

std::vector<ConfidentLearning> confident_learning_multi_label(
    std::span<const std::uint64_t> label_sets, const ProbMatrix& probs, unsigned threads) {
    const std::size_t n = probs.rows, k = probs.classes;
    MLSTRAT_CHECK(label_sets.size() == n, "confident learning: ", label_sets.size(),
                  " label sets for ", n, " rows of probabilities");
    MLSTRAT_CHECK(k >= 1 && k <= 64, "multi-label confident learning takes 1 to 64 classes, got ", k);
    const double* p = probs.data();
    // One two-class problem at a time, in blocks reused from class to class.
    detail::PageBlock<std::uint32_t> given(n, /*sequential=*/true);
    auto binary = std::make_shared<detail::PageBlock<double>>(2 * n, /*sequential=*/true);
    ProbMatrix one_vs_rest;
    one_vs_rest.rows = n;
    one_vs_rest.classes = 2;
    one_vs_rest.mapped = binary->data();
    one_vs_rest.mapping = binary;
    std::vector<ConfidentLearning> out;
    for (std::size_t c = 0; c < k; ++c) {
        double* b = binary->data();
        for (std::size_t i = 0; i < n; ++i) {
            given[i] = static_cast<std::uint32_t>((label_sets[i] >> c) & 1);
            b[2 * i] = 1.0 - p[i * k + c];
            b[2 * i + 1] = p[i * k + c];
        }
        out.push_back(confident_learning(std::span<const std::uint32_t>(given.data(), n),
                                         one_vs_rest, {.threads = threads}));
    }
    return out;
}

double multi_label_quality(const double* probs, std::size_t classes, std::uint64_t label_set) {
    constexpr double kAlpha = 0.8;
    std::vector<double> s(classes);
    for (std::size_t c = 0; c < classes; ++c) {
        s[c] = ((label_set >> c) & 1) != 0 ? probs[c] : 1.0 - probs[c];
    }
    std::sort(s.begin(), s.end(), std::greater<>());
    double ema = s[0];
    for (std::size_t c = 1; c < classes; ++c) ema = kAlpha * s[c] + (1 - kAlpha) * ema;
    return ema;
}

namespace {

// The class a probability column stands for: the text its glob's single '*' matched.
std::string class_of_column(const std::string& glob, const std::string& column) {
    const auto star = glob.find('*');
    if (star == std::string::npos || glob.find('*', star + 1) != std::string::npos ||
        glob.find_first_of("?[") != std::string::npos) {
        return column;
    }
    const std::size_t prefix = star, suffix = glob.size() - star - 1;
    return column.substr(prefix, column.size() - prefix - suffix);
}

struct LabelWorker {
    detail::Interner labels;
    std::vector<std::uint64_t> first_line;  // per label id, where it was first seen
    std::vector<std::pair<std::uint64_t, std::uint64_t>> spans;  // [first, end) rows parsed here
    std::vector<std::pair<std::uint64_t, std::string>> ids;      // (row, id), rows ascending
};

}  // namespace

namespace label_rows {

// Whether a row holds valid probabilities: a distribution, or with multi-label data one
// probability in [0, 1] per class. check_row says what is wrong when it does not.
bool row_is_valid(const double* row, std::size_t k, double tolerance, bool multi_label) {
    double sum = 0.0;
    bool ok = true;
    for (std::size_t c = 0; c < k; ++c) {
        ok &= row[c] >= 0.0 && (!multi_label || row[c] <= 1.0);  // false for NaN too
        sum += row[c];
    }
    return ok && (multi_label || std::abs(sum - 1.0) <= tolerance);
}

void check_row(const double* row, std::size_t k, double tolerance, bool multi_label,
               const std::string& place) {
    double sum = 0.0;
    for (std::size_t c = 0; c < k; ++c) {
        MLSTRAT_CHECK(!std::isnan(row[c]), place, ": probability ", c + 1, " of the row is NaN");
        MLSTRAT_CHECK(row[c] >= 0.0, place, ": probability ", c + 1, " of the row is ", row[c],
                      "; probabilities must not be negative");
        MLSTRAT_CHECK(!multi_label || row[c] <= 1.0, place, ": probability ", c + 1,
                      " of the row is ", row[c], "; one-vs-rest probabilities must not exceed 1");
        sum += row[c];
    }
    MLSTRAT_CHECK(multi_label || std::abs(sum - 1.0) <= tolerance, place,
                  ": the row's probabilities sum to ", sum, ", not 1 (tolerance ", tolerance,
                  "); give softmax outputs, not logits (or --multi-label for one-vs-rest ones)");
}

}  // namespace label_rows

namespace {

using label_rows::check_row;
using label_rows::row_is_valid;

// The most rows whose labels and probabilities fit in this machine's memory: the room reserved
// for them (address space only; pages are used as rows arrive).
std::uint64_t rows_that_fit(std::size_t k) {
    const auto pages = static_cast<std::uint64_t>(std::max(1L, ::sysconf(_SC_PHYS_PAGES)));
    const auto page = static_cast<std::uint64_t>(std::max(1L, ::sysconf(_SC_PAGESIZE)));
    return pages * page / (k * sizeof(double) + sizeof(std::uint64_t));
}

// The order of the issues: least confident in the given label first, ties by row. A function
// object, so that the sorts inline it.
constexpr auto ranks_before = [](const LabelIssue& a, const LabelIssue& b) {
    return a.self_confidence != b.self_confidence ? a.self_confidence < b.self_confidence
                                                  : a.index < b.index;
};

// A key that orders as the number does (-0 as +0), for NaN-free values.
std::uint64_t order_key(double x) {
    const auto bits = std::bit_cast<std::uint64_t>(x == 0.0 ? 0.0 : x);
    return (bits >> 63) != 0 ? ~bits : bits | (std::uint64_t{1} << 63);
}

// The flagged examples of a single-label run, ranked by ranks_before: a bucket sort on the
// self-confidence's key. Each worker's part of the rows counts its flagged examples per bucket,
// then writes each at its place in its bucket (row order kept within a bucket), and the buckets,
// a few examples each, are sorted on the workers. Nothing is gathered first, so no more memory is
// written than the ranked list.
std::vector<LabelIssue> rank_issues(const ConfidentLearning& cl, std::span<const std::uint32_t> labels,
                                    detail::WorkerPool& pool) {
    constexpr std::size_t kBuckets = std::size_t{1} << 16;
    const std::size_t n = labels.size();
    const unsigned parts = pool.size();
    auto rows_of = [&](unsigned part) { return std::pair{n * part / parts, n * (part + 1) / parts}; };
    std::vector<std::uint64_t> part_low(parts, ~std::uint64_t{0}), part_high(parts, 0);
    pool.run(parts, [&](unsigned part) {
        for (auto [i, end] = rows_of(part); i < end; ++i) {
            if (!cl.is_issue[i]) continue;
            const std::uint64_t key = order_key(cl.given_probability[i]);
            part_low[part] = std::min(part_low[part], key);
            part_high[part] = std::max(part_high[part], key);
        }
    });
    const std::uint64_t low = *std::min_element(part_low.begin(), part_low.end());
    const std::uint64_t high = *std::max_element(part_high.begin(), part_high.end());
    unsigned shift = 0;
    while (high > low && ((high - low) >> shift) >= kBuckets) ++shift;
    auto bucket_of = [&](std::size_t i) {
        return static_cast<std::size_t>((order_key(cl.given_probability[i]) - low) >> shift);
    };
    std::vector<std::uint32_t> counts(parts * kBuckets, 0);
    pool.run(parts, [&](unsigned part) {
        std::uint32_t* count = &counts[part * kBuckets];
        for (auto [i, end] = rows_of(part); i < end; ++i) {
            if (cl.is_issue[i]) ++count[bucket_of(i)];
        }
    });
    // Bucket-major, parts in order within a bucket: a bucket's examples stay in row order.
    GroupedLayout layout = group_layout(counts, parts, kBuckets);
    const std::vector<std::size_t>& bucket_start = layout.start;
    std::vector<LabelIssue> ranked;
    detail::reserve_in_huge_pages(ranked, bucket_start[kBuckets]);
    ranked.resize(bucket_start[kBuckets]);
    pool.run(parts, [&](unsigned part) {
        std::size_t* to = &layout.next[part * kBuckets];
        for (auto [i, end] = rows_of(part); i < end; ++i) {
            if (!cl.is_issue[i]) continue;
            ranked[to[bucket_of(i)]++] = {i, labels[i], cl.suggested[i], cl.given_probability[i]};
        }
    });
    // Each worker sorts the buckets holding its share of the examples.
    pool.run(parts, [&](unsigned part) {
        const std::size_t total = ranked.size();
        auto first_bucket_from = [&](std::size_t at) {
            return static_cast<std::size_t>(
                std::lower_bound(bucket_start.begin(), bucket_start.end() - 1, at) - bucket_start.begin());
        };
        const std::size_t end = first_bucket_from(total * (part + 1) / parts);
        for (std::size_t b = first_bucket_from(total * part / parts); b < end; ++b) {
            if (bucket_start[b + 1] - bucket_start[b] > 1) {
                std::sort(ranked.begin() + static_cast<std::ptrdiff_t>(bucket_start[b]),
                          ranked.begin() + static_cast<std::ptrdiff_t>(bucket_start[b + 1]), ranks_before);
            }
        }
    });
    return ranked;
}

// Confident learning on single-label rows, into `report` (rows, classes and per_class names set):
// the confident joint, each class's rows, flagged and estimated issues, and the ranked issues.
void rank_single_label(LabelReport& report, std::span<const std::uint32_t> labels,
                       const ProbMatrix& probs, detail::WorkerPool& pool, const RowCheck& check) {
    const std::size_t n = labels.size();
    const std::size_t k = probs.classes;
    const unsigned parts = pool.size();
    ConfidentLearning cl = confident_learning(labels, probs, {.threads = pool.size(), .check = check});
    report.confident_joint.assign(k, std::vector<std::int64_t>(k, 0));
    for (std::size_t g = 0; g < k; ++g) {
        for (std::size_t t = 0; t < k; ++t) {
            report.confident_joint[g][t] = cl.confident_joint[g * k + t];
            if (t != g) report.per_class[g].estimated += static_cast<std::uint64_t>(cl.confident_joint[g * k + t]);
        }
    }
    // Each part of the rows counts its rows and flagged examples per class.
    std::vector<std::uint64_t> counts(parts * 2 * k, 0);  // per part: rows, then flagged
    pool.run(parts, [&](unsigned part) {
        std::uint64_t* rows = &counts[part * 2 * k];
        for (std::size_t i = n * part / parts; i < n * (part + 1) / parts; ++i) {
            ++rows[labels[i]];
            rows[k + labels[i]] += cl.is_issue[i];
        }
    });
    for (unsigned part = 0; part < parts; ++part) {
        for (std::size_t c = 0; c < k; ++c) {
            report.per_class[c].rows += counts[part * 2 * k + c];
            report.per_class[c].flagged += counts[part * 2 * k + k + c];
        }
    }
    report.issues = rank_issues(cl, labels, pool);
}

}  // namespace

LabelReport find_label_issues(const std::string& table_path, const LabelOptions& options) {
    const bool from_npy = !options.npy_path.empty();
    MLSTRAT_CHECK(from_npy != !options.prob_cols.empty(),
                  "give the probabilities either as columns (--prob-cols 'p_*') or as a .npy "
                  "file (--probs FILE.npy), not both and not neither");
    io::TableReader table(table_path, options.table);
    std::vector<std::size_t> columns = {table.column(options.label_col)};
    const bool with_ids = !options.id_col.empty();
    if (with_ids) columns.push_back(table.column(options.id_col));
    const std::size_t first_prob = columns.size();
    std::vector<std::string> column_classes;
    if (!from_npy) {
        for (std::size_t c = 0; c < table.header().size(); ++c) {
            const std::string& name = table.header()[c];
            if (fnmatch(options.prob_cols.c_str(), name.c_str(), 0) != 0) continue;
            MLSTRAT_CHECK(c != columns[0], "--prob-cols '", options.prob_cols,
                          "' matches the label column '", name, "'");
            columns.push_back(c);
            column_classes.push_back(class_of_column(options.prob_cols, name));
        }
        MLSTRAT_CHECK(column_classes.size() >= 2, table_path, ": --prob-cols '", options.prob_cols,
                      "' matches ", column_classes.size(),
                      " columns; it must match one column per class (at least 2)");
    }
    ProbMatrix probs;
    // A single-label run reads the .npy file piece by piece as it goes; multi-label reads it whole.
    if (from_npy) probs = options.multi_label ? read_npy(options.npy_path) : open_npy(options.npy_path);
    const std::size_t k = from_npy ? probs.classes : column_classes.size();

    // Rows land at their index in arrays with room for as many rows as memory holds, so the
    // workers parse in place and nothing is copied afterwards. Labels are first the workers' own
    // ids, mapped to classes once every label has been seen.
    const bool multi = options.multi_label;
    const std::uint64_t capacity = rows_that_fit(k);
    detail::PageBlock<std::uint32_t> labels(multi ? 0 : capacity, /*sequential=*/true);
    detail::PageBlock<std::uint64_t> label_sets(multi ? capacity : 0, /*sequential=*/true);
    std::shared_ptr<detail::PageBlock<double>> values;
    if (!from_npy) values = std::make_shared<detail::PageBlock<double>>(capacity * k, true);
    std::vector<LabelWorker> workers(table.threads());
    table.scan(columns, [&](unsigned wi, const io::RowBatch& batch) {
        LabelWorker& w = workers[wi];
        const std::uint64_t first = batch.row_index(0);
        MLSTRAT_CHECK(first + batch.size() <= capacity, where(batch.path(), batch.line(0)),
                      ": more rows than this machine's memory holds with ", k, " probabilities each");
        w.spans.emplace_back(first, first + batch.size());
        for (std::size_t r = 0; r < batch.size(); ++r) {
            std::string_view label = batch.cell(r, 0);
            auto intern = [&](std::string_view name) {
                const std::uint32_t id = w.labels.intern(name);
                if (id == w.first_line.size()) w.first_line.push_back(batch.line(r));
                return id;
            };
            if (multi) {
                std::uint64_t set = 0;
                for (std::size_t from = 0; from < label.size();) {
                    std::size_t to = std::min(label.find(options.label_separator, from), label.size());
                    MLSTRAT_CHECK(to > from, where(batch.path(), batch.line(r)), ": column '",
                                  options.label_col, "' holds '", label, "', an empty label in a set");
                    const std::uint32_t id = intern(label.substr(from, to - from));
                    MLSTRAT_CHECK(id < 64, where(batch.path(), batch.line(r)),
                                  ": more than 64 different labels; --multi-label takes at most 64 classes");
                    set |= std::uint64_t{1} << id;
                    from = to + 1;
                }
                label_sets[first + r] = set;
            } else {
                if (label.empty()) {
                    throw Error(where(batch.path(), batch.line(r)) + ": column '" + options.label_col +
                                "' is empty; every row needs its given label");
                }
                labels[first + r] = intern(label);
            }
            if (with_ids) w.ids.emplace_back(first + r, batch.cell(r, 1));
            if (from_npy) continue;
            double* row = values->data() + (first + r) * k;
            for (std::size_t c = 0; c < k; ++c) {
                std::string_view cell = batch.cell(r, first_prob + c);
                auto v = try_parse_number(cell);
                if (!v) {
                    const bool nan = trim(cell) == "nan" || trim(cell) == "NaN";
                    throw Error(where(batch.path(), batch.line(r)) + ": column '" +
                                table.header()[columns[first_prob + c]] + "' holds '" +
                                std::string(cell) + "', " +
                                (nan ? "NaN; probabilities must be numbers"
                                     : "not a probability"));
                }
                row[c] = *v;
            }
            if (!row_is_valid(row, k, options.sum_tolerance, multi)) {
                check_row(row, k, options.sum_tolerance, multi, where(batch.path(), batch.line(r)));
            }
        }
    });

    // Classes: given, matched by the columns' names, integer indices, or sorted label names.
    std::vector<std::string> seen;
    std::vector<std::uint64_t> seen_line;
    {
        detail::Interner all;
        for (const auto& w : workers) {
            for (std::uint32_t id = 0; id < w.labels.size(); ++id) {
                if (all.intern(w.labels.name(id)) == seen.size()) {
                    seen.push_back(w.labels.name(id));
                    seen_line.push_back(w.first_line[id]);
                } else {
                    auto at = static_cast<std::size_t>(all.find(w.labels.name(id)));
                    seen_line[at] = std::min(seen_line[at], w.first_line[id]);
                }
            }
        }
    }
    std::uint64_t n = 0;
    for (const LabelWorker& w : workers) {
        if (!w.spans.empty()) n = std::max(n, w.spans.back().second);
    }
    MLSTRAT_CHECK(n > 0, where(table_path, 2), ": the file has a header but no data rows");
    std::vector<std::string> classes = options.classes;
    auto all_in = [&](const std::vector<std::string>& names) {
        detail::Interner index;
        for (const auto& c : names) index.intern(c);
        for (const auto& s : seen) {
            if (index.find(s) < 0) return false;
        }
        return true;
    };
    if (classes.empty() && !column_classes.empty() && all_in(column_classes)) {
        classes = column_classes;
    }
    if (classes.empty()) {
        bool indices = true;
        for (const auto& s : seen) {
            auto v = try_parse_number(s);
            indices = indices && v && *v >= 0 && *v < static_cast<double>(k) && std::floor(*v) == *v &&
                      s.find_first_not_of("0123456789") == std::string::npos;
        }
        if (indices) {
            for (std::size_t c = 0; c < k; ++c) classes.push_back(std::to_string(c));
        }
    }
    if (classes.empty() && from_npy) {
        MLSTRAT_CHECK(seen.size() == k, table_path, ": the labels hold ", seen.size(),
                      " classes but ", options.npy_path, " has ", k,
                      " columns; give --classes in the order of the columns");
        for (std::size_t i : metrics::natural_order(seen)) classes.push_back(seen[i]);
    }
    if (classes.empty()) {
        std::string first_unknown;
        std::uint64_t line = 0;
        detail::Interner index;
        for (const auto& c : column_classes) index.intern(c);
        for (std::size_t s = 0; s < seen.size(); ++s) {
            if (index.find(seen[s]) < 0 && (line == 0 || seen_line[s] < line)) {
                first_unknown = seen[s];
                line = seen_line[s];
            }
        }
        std::string names;
        for (const auto& c : column_classes) names += (names.empty() ? "" : ", ") + c;
        throw Error(where(table_path, line) + ": label '" + first_unknown +
                    "' matches none of the " + std::to_string(k) +
                    " probability columns' classes (" + names +
                    "); name the columns after the classes, or give --classes");
    }
    MLSTRAT_CHECK(classes.size() == k, "--classes names ", classes.size(), " classes but there are ",
                  k, " probability columns");
    detail::Interner class_index;
    for (const auto& c : classes) {
        MLSTRAT_CHECK(class_index.find(c) < 0, "class '", c, "' is named twice");
        class_index.intern(c);
    }
    for (std::size_t s = 0; s < seen.size(); ++s) {
        MLSTRAT_CHECK(class_index.find(seen[s]) >= 0, where(table_path, seen_line[s]), ": label '",
                      seen[s], "' is not one of the ", k, " classes of the probabilities");
    }

    // Map each worker's label ids to classes, each worker's rows on its own thread.
    detail::WorkerPool pool(table.threads());
    pool.run(pool.size(), [&](unsigned wi) {
        const LabelWorker& w = workers[wi];
        std::vector<std::uint32_t> map(w.labels.size());
        for (std::uint32_t id = 0; id < w.labels.size(); ++id) {
            map[id] = static_cast<std::uint32_t>(class_index.find(w.labels.name(id)));
        }
        for (auto [b, e] : w.spans) {
            if (!multi) {
                for (std::uint64_t i = b; i < e; ++i) labels[i] = map[labels[i]];
                continue;
            }
            for (std::uint64_t i = b; i < e; ++i) {
                std::uint64_t set = 0;
                for (std::uint64_t ids = label_sets[i]; ids != 0; ids &= ids - 1) {
                    set |= std::uint64_t{1} << map[std::countr_zero(ids)];
                }
                label_sets[i] = set;
            }
        }
    });
    const unsigned parts = pool.size();
    RowCheck check_npy;  // single-label .npy rows are checked as confident learning reads them
    if (from_npy) {
        MLSTRAT_CHECK(probs.rows == n, options.npy_path, " has ", probs.rows, " rows but ",
                      table_path, " has ", n, " data rows; they must be aligned row by row");
        check_npy = [&](std::size_t first, const double* rows, std::size_t count) {
            for (std::size_t r = 0; r < count; ++r) {
                const double* row = rows + r * k;
                if (row_is_valid(row, k, options.sum_tolerance, multi)) continue;
                check_row(row, k, options.sum_tolerance, multi,
                          options.npy_path + ": row " + std::to_string(first + r));
            }
        };
        if (multi) {  // in memory
            pool.run(parts, [&](unsigned part) {
                const std::size_t first = n * part / parts;
                check_npy(first, probs.data() + first * k, n * (part + 1) / parts - first);
            });
        }
    } else {
        probs.rows = n;
        probs.classes = k;
        probs.mapped = values->data();
        probs.mapping = values;
    }

    LabelReport report;
    report.rows = n;
    report.classes = classes;
    report.multi_label = multi;
    report.per_class.resize(k);
    for (std::size_t c = 0; c < k; ++c) report.per_class[c].name = classes[c];
    if (multi) {
        const double* p = probs.data();
        auto sets = std::span<const std::uint64_t>(label_sets.data(), n);
        std::vector<ConfidentLearning> per_class =
            confident_learning_multi_label(sets, probs, table.threads());
        std::vector<std::uint8_t> is_issue(n, 0);
        for (std::size_t c = 0; c < k; ++c) {
            const ConfidentLearning& cl = per_class[c];
            report.confident_joint.push_back(cl.confident_joint);
            report.per_class[c].estimated =
                static_cast<std::uint64_t>(cl.confident_joint[1] + cl.confident_joint[2]);
            for (std::size_t i = 0; i < n; ++i) {
                report.per_class[c].rows += (sets[i] >> c) & 1;
                report.per_class[c].flagged += cl.is_issue[i];
                is_issue[i] |= cl.is_issue[i];
            }
        }
        for (std::size_t i = 0; i < n; ++i) {
            if (!is_issue[i]) continue;
            std::uint64_t likely = 0;
            for (std::size_t c = 0; c < k; ++c) likely |= std::uint64_t{p[i * k + c] >= 0.5} << c;
            report.issues.push_back({i, sets[i], likely, multi_label_quality(p + i * k, k, sets[i])});
        }
    } else {
        rank_single_label(report, std::span<const std::uint32_t>(labels.data(), n), probs, pool,
                          check_npy);
    }
    if (multi) std::sort(report.issues.begin(), report.issues.end(), ranks_before);
    if (with_ids) {
        report.ids.reserve(report.issues.size());
        for (const LabelIssue& issue : report.issues) {
            std::string id;
            for (const LabelWorker& w : workers) {
                auto at = std::lower_bound(w.ids.begin(), w.ids.end(), issue.index,
                                           [](const auto& e, std::uint64_t r) { return e.first < r; });
                if (at != w.ids.end() && at->first == issue.index) id = at->second;
            }
            report.ids.push_back(std::move(id));
        }
    }
    return report;
}

LabelReport find_label_issues(std::span<const std::uint32_t> labels, const ProbMatrix& probs,
                              const std::vector<std::string>& classes, unsigned threads,
                              const RowCheck& check) {
    MLSTRAT_CHECK(classes.size() == probs.classes, "there are ", classes.size(),
                  " class names but ", probs.classes, " probability columns");
    LabelReport report;
    report.rows = labels.size();
    report.classes = classes;
    report.per_class.resize(classes.size());
    for (std::size_t c = 0; c < classes.size(); ++c) report.per_class[c].name = classes[c];
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    detail::WorkerPool pool(threads);
    rank_single_label(report, labels, probs, pool, check);
    return report;
}

nlohmann::json LabelReport::to_json() const {
    using nlohmann::json;
    json j;
    j["rows"] = rows;
    j["classes"] = classes;
    j["flagged"] = issues.size();
    j["per_class"] = json::array();
    for (const auto& c : per_class) {
        j["per_class"].push_back({{"class", c.name},
                                  {"rows", c.rows},
                                  {"flagged", c.flagged},
                                  {"estimated", c.estimated}});
    }
    j["multi_label"] = multi_label;
    if (multi_label) {
        j["confident_joint"] = json::array();  // per class [[given 0: true 0, 1], [given 1: ...]]
        for (const auto& c : confident_joint) {
            j["confident_joint"].push_back({{c[0], c[1]}, {c[2], c[3]}});
        }
    } else {
        j["confident_joint"] = confident_joint;
    }
    j["issues"] = json::array();
    for (std::size_t i = 0; i < issues.size(); ++i) {
        json row = {{"index", issues[i].index},
                    {"given", class_names(issues[i].given)},
                    {"suggested", class_names(issues[i].suggested)},
                    {multi_label ? "label_quality" : "self_confidence", issues[i].self_confidence}};
        if (!ids.empty()) row["id"] = ids[i];
        j["issues"].push_back(std::move(row));
    }
    return j;
}

std::string LabelReport::class_names(std::uint64_t given) const {
    if (!multi_label) return classes[given];
    std::string out;
    for (std::size_t c = 0; c < classes.size(); ++c) {
        if (((given >> c) & 1) == 0) continue;
        if (!out.empty()) out += '|';
        out += classes[c];
    }
    return out;
}

void LabelReport::write_issues_csv(const std::function<void(std::string_view)>& write) const {
    const bool with_ids = !ids.empty();
    write(std::string(with_ids ? "index,id,given,suggested," : "index,given,suggested,") +
          (multi_label ? "label_quality\n" : "self_confidence\n"));
    std::vector<std::string> quoted;
    for (const auto& c : classes) quoted.push_back(io::quote_field(c));
    auto format = [&](std::size_t from, std::size_t to, std::string& out) {
        out.clear();
        std::string set_names;  // a multi-label set's names, quoted
        auto names = [&](std::uint64_t c) -> const std::string& {
            if (!multi_label) return quoted[c];
            set_names = io::quote_field(class_names(c));
            return set_names;
        };
        char number[32];
        for (std::size_t i = from; i < to; ++i) {
            const LabelIssue& issue = issues[i];
            auto end = std::to_chars(number, number + sizeof number, issue.index).ptr;
            out.append(number, end);
            out += ',';
            if (with_ids) {
                out += io::quote_field(ids[i]);
                out += ',';
            }
            out += names(issue.given);
            out += ',';
            out += names(issue.suggested);
            out += ',';
            end = std::to_chars(number, number + sizeof number, issue.self_confidence).ptr;  // shortest exact
            out.append(number, end);
            out += '\n';
        }
    };
    // Rounds of a few thousand rows per worker, formatted side by side into buffers that are
    // reused (so memory stays small and is not faulted in afresh), written in order.
    constexpr std::size_t kRowsPerPiece = 8192;
    const unsigned workers = std::clamp<unsigned>(
        static_cast<unsigned>(issues.size() / (4 * kRowsPerPiece)), 1,
        std::max(1u, std::thread::hardware_concurrency()));
    detail::WorkerPool pool(workers);
    std::vector<std::string> pieces(workers);
    for (auto& piece : pieces) piece.reserve(kRowsPerPiece * 64);
    for (std::size_t round = 0; round < issues.size(); round += workers * kRowsPerPiece) {
        pool.run(workers, [&](unsigned w) {
            const std::size_t from = std::min(issues.size(), round + w * kRowsPerPiece);
            format(from, std::min(issues.size(), from + kRowsPerPiece), pieces[w]);
        });
        for (const auto& piece : pieces) {
            if (!piece.empty()) write(piece);
        }
    }
}

}  // namespace mlstrat::analysis
