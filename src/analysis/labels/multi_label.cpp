// Multi-label confident learning, one class against the rest, and cleanlab's label quality score
// of a multi-label example.

#include <algorithm>
#include <functional>
#include <memory>

#include "analysis/labels/issues.hpp"
#include "common/page_block.hpp"
#include "mlstrat/analysis.hpp"
#include "mlstrat/error.hpp"

namespace mlstrat::analysis {

std::vector<ConfidentLearning> confident_learning_multi_label(
    std::span<const std::uint64_t> label_sets, const ProbMatrix& probs, unsigned threads) {
    const std::size_t n = probs.rows, k = probs.classes;
    MLSTRAT_CHECK(label_sets.size() == n, "confident learning: ", label_sets.size(),
                  " label sets for ", n, " rows of probabilities");
    MLSTRAT_CHECK(k >= 1 && k <= 64, "multi-label confident learning takes 1 to 64 classes, got ",
                  k);
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

namespace detail {

void add_multi_label_issues(std::span<const std::uint64_t> label_sets, const ProbMatrix& probs,
                            unsigned threads, LabelReport& report) {
    const std::size_t n = probs.rows, k = probs.classes;
    const double* p = probs.data();
    const std::span<const std::uint64_t> sets = label_sets;
    std::vector<ConfidentLearning> per_class = confident_learning_multi_label(sets, probs, threads);
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
    std::sort(report.issues.begin(), report.issues.end(), ranks_before);
}

}  // namespace detail

}  // namespace mlstrat::analysis
