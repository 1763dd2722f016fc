// The candidates of confident learning: guessing from a sample where each cell's cut falls, finding
// the cells whose guess was too high exactly, and flagging each cell's strongest margins.

#include "analysis/labels/candidates.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>

#include "analysis/labels/grouped_layout.hpp"
#include "common/page_block.hpp"

namespace mlstrat::analysis::detail {

using mlstrat::detail::reserve_in_huge_pages;

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
    if (sampled == 0 || k > kMostGuessedClasses ||
        labels.size() > std::numeric_limits<std::uint32_t>::max()) {
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
            const double share =
                in_row == 0 ? 0.0
                            : static_cast<double>(joint[g * k + t]) / static_cast<double>(in_row);
            const double q =
                ns == 0 ? 1.0
                        : 1.25 * share + 3.0 * std::sqrt(share * (1.0 - share) / ns) + 10.0 / ns;
            const auto rank = static_cast<std::size_t>(std::ceil(q * ns));
            if (rank >= rows_of[g].size()) {
                out.margin[g * k + t] = -kNever;  // keep them all
                expected += count;
                continue;
            }
            margins.clear();
            for (std::size_t s : rows_of[g])
                margins.push_back(sample[s * k + t] - sample[s * k + g]);
            std::nth_element(margins.begin(), margins.begin() + static_cast<std::ptrdiff_t>(rank),
                             margins.end(), std::greater<>());
            out.margin[g * k + t] = margins[rank];
            expected += static_cast<double>(rank + 1) / ns * count;
        }
    }
    const double room =
        static_cast<double>(labels.size() * k * sizeof(double) / sizeof(Candidate) + sampled);
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
    for (std::size_t x = 0; x < cells.size(); ++x)
        targets[cells[x] / k].push_back({cells[x] % k, x});
    const unsigned parts = passes.parts();
    const std::size_t count = cells.size();
    // Finer bins leave fewer candidates; the histograms stay within a few MiB however many cells.
    const std::size_t bins = std::clamp<std::size_t>((std::size_t{1} << 20) / count, 16, 1024);
    auto bin_of = [bins](double margin) {
        const double x = (margin + 1.0) * (static_cast<double>(bins) / 2.0);
        return x <= 0.0 ? std::size_t{0} : std::min(static_cast<std::size_t>(x), bins - 1);
    };
    std::vector<std::uint32_t> histogram;
    reserve_in_huge_pages(histogram, parts * count * bins);
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
    std::vector<std::size_t> cut_bin(count, bins);      // the lowest bin a flagged margin can be in
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
    reserve_in_huge_pages(candidates, cell_start[count]);
    candidates.resize(cell_start[count]);
    passes.run([&](unsigned part) {
        std::size_t* next = &layout.next[part * count];
        passes.pieces(part, [&](std::size_t first, const double* rows, std::size_t n) {
            for (std::size_t r = 0; r < n; ++r) {
                const double* row = rows + r * k;
                const std::size_t g = labels[first + r];
                for (const Target& x : targets[g]) {
                    const double margin = row[x.t] - row[g];
                    if (bin_of(margin) >= cut_bin[x.cell])
                        candidates[next[x.cell]++] = {margin, first + r};
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
            if (take < x.size)
                std::nth_element(x.begin, x.begin + take, x.begin + x.size, stronger);
            for (std::size_t r = 0; r < take; ++r) {
                std::atomic_ref<std::uint8_t> flag(
                    is_issue[x.begin[r].second]);  // rows recur across cells
                if (flag.load(std::memory_order_relaxed) != kGivenIsTop)
                    flag.store(1, std::memory_order_relaxed);
            }
        }
    });
}

}  // namespace mlstrat::analysis::detail
