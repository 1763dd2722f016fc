// Confident learning (Northcutt, Jiang, Chuang, JAIR 2021) with pruning by noise rate (the other
// filter_by modes are in filters.cpp). Each step follows cleanlab's find_label_issues with its
// defaults, including its floating-point order where a rounding could flip a count: per-class
// thresholds are means summed the way numpy sums (pairwise), the calibrated joint is rounded half
// to even with row totals preserved, and the prune counts are truncated the way cleanlab casts
// them. Ties in a ranking go to the lower row index.

#include <algorithm>
#include <cfenv>
#include <cmath>
#include <numeric>

#include "analysis/labels/candidates.hpp"
#include "analysis/labels/filters.hpp"
#include "analysis/labels/grouped_layout.hpp"
#include "analysis/labels/numpy_order.hpp"
#include "analysis/labels/row_passes.hpp"
#include "analysis/labels/row_rule.hpp"
#include "analysis/labels/scores.hpp"
#include "common/page_block.hpp"
#include "mlstrat/analysis.hpp"
#include "mlstrat/support/error.hpp"

namespace mlstrat::analysis {

using namespace detail;  // the pieces of confident learning in analysis/labels/

namespace {

// cleanlab's floor of the thresholds, and of a denominator.
constexpr double kThresholdFloor = 2 * kFuzz;
constexpr double kTiny = 1e-100;

// The confident joint calibrated: each row sums to its label count, the whole to n, rounded to
// whole numbers with the row totals kept. `cal` is stored transposed (true-major), the memory
// order numpy sums it in.
std::vector<std::int64_t> calibrate(const std::vector<std::int64_t>& joint,
                                    const std::vector<std::uint64_t>& label_counts, std::size_t n) {
    const std::size_t k = label_counts.size();
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
    std::vector<std::int64_t> calibrated(k * k, 0);
    for (std::size_t g = 0; g < k; ++g) {
        std::vector<double> row(k);
        for (std::size_t t = 0; t < k; ++t) row[t] = cal_t[t * k + g] / total * n_labels;
        auto rounded = round_preserving_sum(row);
        for (std::size_t t = 0; t < k; ++t) calibrated[g * k + t] = rounded[t];
    }
    return calibrated;
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
    check_issue_options(options.issues, k);
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
    const std::size_t stride =
        std::max<std::size_t>(1, n / std::max<std::size_t>(options.sample_rows, 1));
    const std::size_t sampled = options.sample_rows == 0 ? 0 : (n + stride - 1) / stride;
    std::vector<double> sample(sampled * k);
    ConfidentLearning out;
    out.thresholds.assign(k, 2.0);  // no example can reach an absent class
    {
        std::vector<double> self;  // on the heap, whose pages the second pass's outputs reuse
        mlstrat::detail::reserve_in_huge_pages(self, n);
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
    mlstrat::detail::reserve_in_huge_pages(out.given_probability,
                                           n);  // first, to take `self`'s place
    out.given_probability.resize(n);
    mlstrat::detail::reserve_in_huge_pages(out.suggested, n);
    out.suggested.resize(n);
    out.is_issue.assign(n, 0);
    for (auto& kept : part_candidates) {
        mlstrat::detail::reserve_in_huge_pages(kept, guesses.expected / parts * 5 / 4 + 1024);
    }
    passes.run([&](unsigned part) {
        const SecondPass second{k,
                                labels.data(),
                                rule,
                                guess.data(),
                                &part_joint[part * k * k],
                                &part_found[part * k * k],
                                part_candidates[part],
                                out.is_issue.data(),
                                out.suggested.data(),
                                out.given_probability.data()};
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
    for (std::size_t c = 0; c < k; ++c)
        joint[c * k + c] = std::max<std::int64_t>(joint[c * k + c], 1);

    out.confident_joint = calibrate(joint, label_counts, n);
    // A joint the caller gives replaces the estimate where the pruning filters read it (and only
    // there: cleanlab's confident_learning re-estimates it, the low_* filters count their own).
    const FilterBy filter_by = options.issues.filter_by;
    const bool given_joint = !options.issues.confident_joint.empty() &&
                             (filter_by == FilterBy::prune_by_noise_rate ||
                              filter_by == FilterBy::prune_by_class || filter_by == FilterBy::both);
    if (given_joint) out.confident_joint = options.issues.confident_joint;
    const std::vector<std::int64_t> prune =
        prune_counts(out.confident_joint, label_counts, options.issues);
    const std::uint64_t fewest = fewest_pruned(options.issues);

    // Flag, within each given class g, the prune[g][t] examples most likely to belong to class t:
    // the largest margins, ties to the lower row. A class that would lose all its examples loses
    // all of them.
    std::vector<std::uint8_t> all_flagged(k, 0);
    std::vector<std::size_t> pruned_cells, missed_cells;  // the second: guessed too high
    for (std::size_t g = 0; g < k; ++g) {
        if (label_counts[g] <= fewest) continue;
        for (std::size_t t = 0; t < k; ++t) {
            if (t == g || prune[g * k + t] <= 0) continue;
            if (static_cast<std::uint64_t>(prune[g * k + t]) >= label_counts[g]) all_flagged[g] = 1;
        }
    }
    GroupedLayout layout = group_layout(part_found, parts, k * k);  // the candidates by cell
    const std::vector<std::size_t>& cell_start = layout.start;
    for (std::size_t cell = 0; cell < k * k; ++cell) {
        const std::size_t g = cell / k;
        if (cell % k == g || prune[cell] <= 0 || label_counts[g] <= fewest || all_flagged[g])
            continue;
        const std::size_t found = cell_start[cell + 1] - cell_start[cell];
        (found >= static_cast<std::uint64_t>(prune[cell]) ? pruned_cells : missed_cells)
            .push_back(cell);
    }
    std::vector<Margin> grouped;
    mlstrat::detail::reserve_in_huge_pages(grouped, cell_start[k * k]);
    grouped.resize(cell_start[k * k]);
    passes.run([&](unsigned part) {
        std::size_t* next = &layout.next[part * k * k];
        for (const Candidate& c : part_candidates[part])
            grouped[next[c.cell]++] = {c.margin, c.row};
        part_candidates[part] = {};
    });
    std::vector<Selection> selections;
    for (std::size_t cell : pruned_cells) {
        selections.push_back({grouped.data() + cell_start[cell],
                              cell_start[cell + 1] - cell_start[cell],
                              static_cast<std::size_t>(prune[cell])});
    }
    out.cells_searched = missed_cells.size();
    const std::vector<Margin> exact =
        exact_candidates(labels, k, missed_cells, prune, passes, selections);
    select_strongest(selections, out.is_issue, passes);
    passes.run([&](unsigned part) {
        for (auto [i, end] = passes.range(part); i < end; ++i) {
            std::uint8_t& flag = out.is_issue[i];
            if (all_flagged[labels[i]] && flag != kGivenIsTop) flag = 1;
            flag = flag == 1 ? 1 : 0;  // an example given its most probable label is no issue
        }
    });
    apply_filter(options.issues, labels, rule, prune, label_counts, passes, out);
    if (options.issues.rank_by != RankBy::self_confidence)
        out.rank_score =
            label_quality_scores(options.issues.rank_by, labels, k, out.is_issue, passes);
    return out;
}

}  // namespace mlstrat::analysis
