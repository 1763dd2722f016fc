// Multi-label confident learning, one class against the rest, and cleanlab's label quality score
// of a multi-label example.

#include <algorithm>
#include <functional>
#include <memory>

#include "analysis/labels/candidates.hpp"
#include "analysis/labels/issues.hpp"
#include "common/page_block.hpp"
#include "mlstrat/analysis.hpp"
#include "mlstrat/support/error.hpp"

namespace mlstrat::analysis {

namespace {

// The filters that flag the examples of lowest label quality: cleanlab counts them with the
// confident_learning filter, then takes that many by the multi-label score.
bool by_lowest_score(FilterBy filter_by) {
    return filter_by == FilterBy::low_self_confidence ||
           filter_by == FilterBy::low_normalized_margin;
}

}  // namespace

std::vector<ConfidentLearning> confident_learning_multi_label(
    std::span<const std::uint64_t> label_sets, const ProbMatrix& probs, unsigned threads,
    const IssueOptions& issues) {
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
    MLSTRAT_CHECK(
        issues.num_to_remove_per_class.empty() || issues.num_to_remove_per_class.size() == k,
        "num_to_remove_per_class has ", issues.num_to_remove_per_class.size(),
        " counts but there are ", k, " classes");
    MLSTRAT_CHECK(
        issues.confident_joint.empty(),
        "confident_joint is not supported with multi-label data: each class's one-vs-rest "
        "joint is estimated from the probabilities");
    // Each class's problem as cleanlab poses it: the same filter (confident_learning for the
    // lowest-score filters, to count), the class's count to remove and none from the rest.
    IssueOptions binary_issues = issues;
    binary_issues.rank_by = RankBy::self_confidence;
    if (by_lowest_score(issues.filter_by)) binary_issues.filter_by = FilterBy::confident_learning;
    std::vector<ConfidentLearning> out;
    for (std::size_t c = 0; c < k; ++c) {
        if (!issues.num_to_remove_per_class.empty())
            binary_issues.num_to_remove_per_class = {issues.num_to_remove_per_class[c], 0};
        double* b = binary->data();
        for (std::size_t i = 0; i < n; ++i) {
            given[i] = static_cast<std::uint32_t>((label_sets[i] >> c) & 1);
            b[2 * i] = 1.0 - p[i * k + c];
            b[2 * i + 1] = p[i * k + c];
        }
        out.push_back(confident_learning(std::span<const std::uint32_t>(given.data(), n),
                                         one_vs_rest,
                                         {.threads = threads, .issues = binary_issues}));
    }
    return out;
}

namespace detail {

void add_multi_label_issues(std::span<const std::uint64_t> label_sets, const ProbMatrix& probs,
                            unsigned threads, LabelReport& report, const IssueOptions& issues) {
    const std::size_t n = probs.rows, k = probs.classes;
    const double* p = probs.data();
    const std::span<const std::uint64_t> sets = label_sets;
    std::vector<ConfidentLearning> per_class =
        confident_learning_multi_label(sets, probs, threads, issues);
    std::vector<std::uint8_t> is_issue(n, 0);
    for (std::size_t c = 0; c < k; ++c) {
        for (std::size_t i = 0; i < n; ++i) is_issue[i] |= per_class[c].is_issue[i];
    }
    std::vector<double> quality(n);  // cleanlab's default multi-label score
    for (std::size_t i = 0; i < n; ++i) quality[i] = multi_label_quality(p + i * k, k, sets[i]);
    if (by_lowest_score(issues.filter_by)) {
        // As many as the confident_learning filter flags, the lowest scores, ties to the lower row.
        std::vector<Margin> scored(n);
        for (std::size_t i = 0; i < n; ++i) scored[i] = {quality[i], i};
        const auto take = static_cast<std::ptrdiff_t>(
            std::count(is_issue.begin(), is_issue.end(), std::uint8_t{1}));
        std::nth_element(scored.begin(), scored.begin() + take, scored.end());
        std::fill(is_issue.begin(), is_issue.end(), 0);
        for (std::ptrdiff_t r = 0; r < take; ++r) is_issue[scored[r].second] = 1;
    }
    for (std::size_t c = 0; c < k; ++c) {
        const ConfidentLearning& cl = per_class[c];
        report.confident_joint.push_back(cl.confident_joint);
        report.per_class[c].estimated =
            static_cast<std::uint64_t>(cl.confident_joint[1] + cl.confident_joint[2]);
        for (std::size_t i = 0; i < n; ++i) {
            report.per_class[c].rows += (sets[i] >> c) & 1;
            report.per_class[c].flagged += cl.is_issue[i] & is_issue[i];
        }
    }
    report.ranked_by = issues.rank_by;
    for (std::size_t i = 0; i < n; ++i) {
        if (!is_issue[i]) continue;
        std::uint64_t likely = 0;
        for (std::size_t c = 0; c < k; ++c) likely |= std::uint64_t{p[i * k + c] >= 0.5} << c;
        const double rank_score = issues.rank_by == RankBy::self_confidence
                                      ? 0.0
                                      : multi_label_quality(p + i * k, k, sets[i], issues.rank_by);
        report.issues.push_back({i, sets[i], likely, quality[i], rank_score});
    }
    sort_issues(report);
}

}  // namespace detail

}  // namespace mlstrat::analysis
