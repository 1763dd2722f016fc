// The prune counts: how many examples of each (given, true) cell the pruning filters flag, as
// cleanlab's find_label_issues derives them from the calibrated confident joint
// (_keep_at_least_n_per_class, _reduce_prune_counts, and num_to_remove_per_class), in numpy's
// order of floating-point operations. cleanlab holds the matrix transposed ([true][given]); here
// it is [given * K + true] like the joint.

#include <algorithm>
#include <cmath>
#include <string>

#include "analysis/labels/filters.hpp"
#include "analysis/labels/numpy_order.hpp"
#include "mlstrat/support/error.hpp"

namespace mlstrat::analysis::detail {

namespace {

// num_to_remove_per_class as cleanlab applies it to the prune counts P ([true t][given g] in its
// layout): psy[t][g] = P[t][g] / (row sum of P's row g), the rows rescaled so that row t's
// off-diagonal holds num_to_remove[t], its diagonal label_counts[t] - num_to_remove[t], then
// rounded keeping row totals.
std::vector<std::int64_t> counts_to_remove(const std::vector<std::int64_t>& prune,
                                           const std::vector<std::uint64_t>& label_counts,
                                           const std::vector<std::int64_t>& remove) {
    const std::size_t k = label_counts.size();
    auto p = [&](std::size_t t, std::size_t g) { return prune[g * k + t]; };
    std::vector<double> row_sum(k);
    for (std::size_t t = 0; t < k; ++t) {
        std::int64_t sum = 0;
        for (std::size_t g = 0; g < k; ++g) sum += p(t, g);
        row_sum[t] = static_cast<double>(sum);
    }
    std::vector<std::int64_t> out(k * k);
    std::vector<double> psy(k), tmp(k);
    for (std::size_t t = 0; t < k; ++t) {
        for (std::size_t g = 0; g < k; ++g) {
            MLSTRAT_CHECK(row_sum[g] != 0.0, "num_to_remove_per_class: class ", g,
                          " keeps no examples, so its rate of label noise is undefined");
            psy[g] = static_cast<double>(p(t, g)) / row_sum[g];
        }
        const double noise = pairwise_sum(psy.data(), k) - psy[t];
        MLSTRAT_CHECK(noise != 0.0, "num_to_remove_per_class: class ", t,
                      " has no estimated label noise to scale to ", remove[t], " examples");
        for (std::size_t g = 0; g < k; ++g)
            tmp[g] = psy[g] * static_cast<double>(remove[t]) / noise;
        tmp[t] = static_cast<double>(static_cast<std::int64_t>(label_counts[t]) - remove[t]);
        const std::vector<std::int64_t> rounded = round_preserving_sum(tmp);
        for (std::size_t g = 0; g < k; ++g) out[g * k + t] = rounded[g];
    }
    return out;
}

}  // namespace

std::vector<std::int64_t> prune_counts(const std::vector<std::int64_t>& confident_joint,
                                       const std::vector<std::uint64_t>& label_counts,
                                       const IssueOptions& options) {
    const std::size_t k = label_counts.size();
    const double keep = static_cast<double>(options.min_examples_per_class);
    const double frac = options.frac_noise;
    std::vector<std::int64_t> prune(k * k, 0);
    std::vector<double> kept(k), removed(k);
    for (std::size_t g = 0; g < k; ++g) {
        // Raise the diagonal to `keep`, taking the difference evenly from the nonzero entries.
        const std::int64_t* row = &confident_joint[g * k];
        const double diag = static_cast<double>(row[g]);
        const double raised = std::max(diag, keep);
        std::size_t nonzero = 0;
        for (std::size_t t = 0; t < k; ++t) nonzero += row[t] != 0 ? 1 : 0;
        const double spread = std::max(static_cast<double>(nonzero) - 1.0, 1.0);
        const double take = (raised - diag) / spread;
        for (std::size_t t = 0; t < k; ++t)
            kept[t] = t == g ? raised : std::max(static_cast<double>(row[t]) - take, 0.0);
        // Scale the off-diagonal by frac_noise, the diagonal taking what they lose.
        for (std::size_t t = 0; t < k; ++t) removed[t] = t == g ? 0.0 : kept[t] - kept[t] * frac;
        const double diagonal = kept[g] + pairwise_sum(removed.data(), k);
        for (std::size_t t = 0; t < k; ++t) {
            const double v = t == g ? diagonal : kept[t] * frac;
            prune[g * k + t] = static_cast<std::int64_t>(v);  // truncates, as cleanlab's cast
        }
    }
    if (options.num_to_remove_per_class.empty()) return prune;
    return counts_to_remove(prune, label_counts, options.num_to_remove_per_class);
}

void check_issue_options(const IssueOptions& options, std::size_t classes) {
    const double frac = options.frac_noise;
    MLSTRAT_CHECK(frac >= 0.0 && frac <= 1.0, "frac_noise is ", frac,
                  "; it must be a share from 0 to 1");
    MLSTRAT_CHECK(options.min_examples_per_class >= 0, "min_examples_per_class is ",
                  options.min_examples_per_class, "; it must not be negative");
    const auto& joint = options.confident_joint;
    MLSTRAT_CHECK(joint.empty() || joint.size() == classes * classes, "confident_joint has ",
                  joint.size(), " counts; it must be ", classes, " x ", classes, " for ", classes,
                  " classes");
    for (std::size_t c = 0; c < joint.size(); ++c) {
        MLSTRAT_CHECK(joint[c] >= 0, "confident_joint[", c / classes, "][", c % classes, "] is ",
                      joint[c], "; a count must not be negative");
    }
    const auto& remove = options.num_to_remove_per_class;
    if (remove.empty()) return;
    const FilterBy f = options.filter_by;
    MLSTRAT_CHECK(
        f == FilterBy::prune_by_noise_rate || f == FilterBy::prune_by_class || f == FilterBy::both,
        "num_to_remove_per_class is supported with filter_by prune_by_noise_rate, "
        "prune_by_class or both only (as in cleanlab)");
    MLSTRAT_CHECK(remove.size() == classes, "num_to_remove_per_class has ", remove.size(),
                  " counts but there are ", classes, " classes");
    for (std::size_t c = 0; c < classes; ++c) {
        MLSTRAT_CHECK(remove[c] >= 0, "num_to_remove_per_class[", c, "] is ", remove[c],
                      "; it must not be negative");
    }
}

}  // namespace mlstrat::analysis::detail
