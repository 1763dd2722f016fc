// cleanlab's label quality scores: self-confidence, normalized margin and confidence-weighted
// entropy (cleanlab/rank.py), and their multi-label form, each class's score on its one-vs-rest
// problem averaged exponentially from the best to the worst (cleanlab's MultilabelScorer).

#include "analysis/labels/scores.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <utility>

#include "analysis/labels/confident_learning.hpp"
#include "analysis/labels/numpy_order.hpp"
#include "mlstrat/support/error.hpp"

namespace mlstrat::analysis {

namespace {

constexpr std::array<std::pair<const char*, RankBy>, 3> kRankNames = {{
    {"self_confidence", RankBy::self_confidence},
    {"normalized_margin", RankBy::normalized_margin},
    {"confidence_weighted_entropy", RankBy::confidence_weighted_entropy},
}};

// cleanlab's CLIPPING_LOWER_BOUND.
constexpr double kClip = 1e-6;

}  // namespace

RankBy rank_by_named(std::string_view name) {
    std::string names;
    for (const auto& [text, rank] : kRankNames) {
        if (name == text) return rank;
        names += names.empty() ? "" : ", ";
        names += text;
    }
    throw Error("return_indices_ranked_by '" + std::string(name) + "' is not one of " + names);
}

std::string_view rank_by_name(RankBy rank_by) {
    for (const auto& [text, rank] : kRankNames) {
        if (rank == rank_by) return text;
    }
    return "self_confidence";
}

double multi_label_quality(const double* probs, std::size_t classes, std::uint64_t label_set,
                           RankBy rank_by) {
    constexpr double kAlpha = 0.8;
    std::vector<double> s(classes);
    for (std::size_t c = 0; c < classes; ++c) {
        const double binary[2] = {1.0 - probs[c], probs[c]};
        s[c] = detail::label_quality(rank_by, binary, 2, (label_set >> c) & 1);
    }
    std::sort(s.begin(), s.end(), std::greater<>());
    double ema = s[0];
    for (std::size_t c = 1; c < classes; ++c) ema = kAlpha * s[c] + (1 - kAlpha) * ema;
    return ema;
}

namespace detail {

double label_quality(RankBy rank_by, const double* row, std::size_t k, std::size_t given) {
    switch (rank_by) {
        case RankBy::self_confidence:
            return row[given];
        case RankBy::normalized_margin: {
            double other = -std::numeric_limits<double>::infinity();
            for (std::size_t c = 0; c < k; ++c)
                other = c != given && row[c] > other ? row[c] : other;
            return (row[given] - other + 1.0) / 2.0;
        }
        case RankBy::confidence_weighted_entropy: {
            // scipy's xlogy(p, p), summed as numpy sums a row, over log(K): the normalized entropy.
            thread_local std::vector<double> terms;
            terms.resize(k);
            for (std::size_t c = 0; c < k; ++c)
                terms[c] = row[c] == 0.0 ? 0.0 : row[c] * std::log(row[c]);
            const double entropy =
                -pairwise_sum(terms.data(), k) / std::log(static_cast<double>(k));
            const double score = entropy / std::max(row[given], kClip);
            return std::log(score + 1.0) / std::max(score, kClip);
        }
    }
    return row[given];
}

std::vector<double> label_quality_scores(RankBy rank_by, std::span<const std::uint32_t> labels,
                                         std::size_t k, const std::vector<std::uint8_t>& flagged,
                                         RowPasses& passes) {
    std::vector<double> scores(labels.size(), 0.0);
    passes.run([&](unsigned part) {
        passes.pieces(part, [&](std::size_t first, const double* rows, std::size_t count) {
            for (std::size_t r = 0; r < count; ++r) {
                const std::size_t i = first + r;
                if (flagged[i]) scores[i] = label_quality(rank_by, rows + r * k, k, labels[i]);
            }
        });
    });
    return scores;
}

}  // namespace detail

}  // namespace mlstrat::analysis
