#pragma once
// The candidates of confident learning: the examples of each cell (given g, true t) whose margin
// P(t) - P(g) may be among the cell's strongest, kept by the second pass over the rows from a
// guess made on a sample, or found exactly in two more passes when the guess was too high.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <utility>
#include <vector>

#include "analysis/labels/row_passes.hpp"
#include "analysis/labels/row_rule.hpp"

namespace mlstrat::analysis::detail {

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
                for (; keep != 0; keep &= keep - 1)
                    add(i, g * K + static_cast<std::size_t>(std::countr_zero(keep)),
                        row[std::countr_zero(keep)] - row[g]);
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
        const bool fixed =
            ((k == K + 2 ? (fn(std::integral_constant<std::size_t, K + 2>{}), true) : false) ||
             ...);
        if (!fixed) fn(std::integral_constant<std::size_t, 0>{});
    }
    (std::make_index_sequence<15>{});
}

struct Guesses {
    std::vector<double> margin;  // per cell g * k + t; kNever: search the cell exactly
    std::size_t expected = 0;    // candidates the guesses keep, about
};

/// A margin per cell from the sample (every `stride`-th row); see candidates.cpp.
Guesses guess_margins(std::span<const std::uint32_t> labels, const std::vector<double>& sample,
                      std::size_t stride, const RowRule& rule,
                      const std::vector<std::uint64_t>& label_counts);

/// The candidates of `cells`, found exactly in two passes; adds a selection per cell.
std::vector<Margin> exact_candidates(std::span<const std::uint32_t> labels, std::size_t k,
                                     const std::vector<std::size_t>& cells,
                                     const std::vector<std::int64_t>& prune, RowPasses& passes,
                                     std::vector<Selection>& selections);

/// Flags in each selection its strongest margins.
void select_strongest(std::vector<Selection>& selections, std::vector<std::uint8_t>& is_issue,
                      RowPasses& passes);

}  // namespace mlstrat::analysis::detail
