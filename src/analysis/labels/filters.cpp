// cleanlab's filter_by modes other than pruning by noise rate (cleanlab/filter.py,
// find_label_issues): by class, both, the confident joint's off-diagonals, the most probable
// class, and the lowest label quality scores. Where cleanlab sorts, ties go to the lower row.

#include "analysis/labels/filters.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <string>
#include <utility>

#include "analysis/labels/candidates.hpp"
#include "mlstrat/support/error.hpp"

namespace mlstrat::analysis {

namespace {

constexpr std::array<std::pair<const char*, FilterBy>, 7> kFilterNames = {{
    {"prune_by_noise_rate", FilterBy::prune_by_noise_rate},
    {"prune_by_class", FilterBy::prune_by_class},
    {"both", FilterBy::both},
    {"confident_learning", FilterBy::confident_learning},
    {"predicted_neq_given", FilterBy::predicted_neq_given},
    {"low_self_confidence", FilterBy::low_self_confidence},
    {"low_normalized_margin", FilterBy::low_normalized_margin},
}};

}  // namespace

FilterBy filter_by_named(std::string_view name) {
    std::string names;
    for (const auto& [text, filter] : kFilterNames) {
        if (name == text) return filter;
        names += names.empty() ? "" : ", ";
        names += text;
    }
    throw Error("filter_by '" + std::string(name) + "' is not one of " + names);
}

namespace detail {

namespace {

// Flags the `take` lowest of the scored rows: the smallest scores, ties to the lower row.
void flag_lowest(std::vector<Margin>& scored, std::size_t take, std::vector<std::uint8_t>& flags) {
    take = std::min(take, scored.size());
    if (take < scored.size()) {
        std::nth_element(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(take),
                         scored.end());
    }
    for (std::size_t r = 0; r < take; ++r) flags[scored[r].second] = 1;
}

}  // namespace

void apply_filter(const IssueOptions& options, std::span<const std::uint32_t> labels,
                  const RowRule& rule, const std::vector<std::int64_t>& prune,
                  const std::vector<std::uint64_t>& label_counts, RowPasses& passes,
                  ConfidentLearning& out) {
    const FilterBy filter_by = options.filter_by;
    if (filter_by == FilterBy::prune_by_noise_rate) return;
    const std::size_t n = labels.size(), k = rule.k;
    // Per example: whether its given label is its most probable (fuzzed), whether it is
    // confidently in another class (an off-diagonal of the confident joint), its normalized margin.
    std::vector<std::uint8_t> given_is_top(n), off_diagonal(n);
    std::vector<double> margin(filter_by == FilterBy::low_normalized_margin ? n : 0);
    passes.run([&](unsigned part) {
        passes.pieces(part, [&](std::size_t first, const double* rows, std::size_t count) {
            for (std::size_t r = 0; r < count; ++r) {
                const std::size_t i = first + r, g = labels[i];
                const double* row = rows + r * k;
                const RowRule::Facts facts = rule(row, g);
                given_is_top[i] = facts.given_is_top ? 1 : 0;
                off_diagonal[i] = facts.confident < k && facts.confident != g ? 1 : 0;
                if (margin.empty()) continue;
                double other = -std::numeric_limits<double>::infinity();
                for (std::size_t c = 0; c < k; ++c)
                    other = c != g && row[c] > other ? row[c] : other;
                margin[i] = (row[g] - other + 1.0) / 2.0;  // cleanlab's order of operations
            }
        });
    });
    std::vector<std::uint8_t>& flags = out.is_issue;
    switch (filter_by) {
        case FilterBy::predicted_neq_given:
            for (std::size_t i = 0; i < n; ++i) flags[i] = out.suggested[i] != labels[i];
            break;
        case FilterBy::confident_learning:
            flags = off_diagonal;
            break;
        case FilterBy::prune_by_class:
        case FilterBy::both: {
            // In each class with more than min_examples_per_class examples (and more than one),
            // the examples beyond what it keeps (the prune counts' diagonal), lowest P(given).
            std::vector<std::vector<Margin>> of_class(k);
            for (std::size_t i = 0; i < n; ++i)
                of_class[labels[i]].push_back({out.given_probability[i], i});
            std::vector<std::uint8_t> by_class(n, 0);
            for (std::size_t g = 0; g < k; ++g) {
                const auto keep =
                    static_cast<std::uint64_t>(std::max<std::int64_t>(prune[g * k + g], 0));
                if (label_counts[g] <= fewest_pruned(options) || keep >= label_counts[g]) continue;
                flag_lowest(of_class[g], label_counts[g] - keep, by_class);
            }
            for (std::size_t i = 0; i < n; ++i)
                flags[i] = (filter_by == FilterBy::both ? flags[i] : 1) & by_class[i];
            break;
        }
        case FilterBy::low_self_confidence:
        case FilterBy::low_normalized_margin: {
            // As many as cleanlab's num_label_issues counts: the off-diagonals, less the examples
            // given their most probable class.
            std::size_t count = 0;
            for (std::size_t i = 0; i < n; ++i) count += off_diagonal[i] & (given_is_top[i] ^ 1);
            const std::vector<double>& score =
                filter_by == FilterBy::low_self_confidence ? out.given_probability : margin;
            std::vector<Margin> scored(n);
            for (std::size_t i = 0; i < n; ++i) scored[i] = {score[i], i};
            std::fill(flags.begin(), flags.end(), 0);
            flag_lowest(scored, count, flags);
            return;  // cleanlab keeps these even when the given label is the most probable
        }
        case FilterBy::prune_by_noise_rate:
            return;
    }
    for (std::size_t i = 0; i < n; ++i) flags[i] &= given_is_top[i] ^ 1;
}

}  // namespace detail

}  // namespace mlstrat::analysis
