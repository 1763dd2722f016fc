// Confident learning on the caller's arrays (labels 0..K-1 and an N x K probability matrix, as
// cleanlab takes them): the labels are checked and narrowed to class indices, the probabilities
// are read in place when they are float64 rows, else converted once, and every row is checked as
// the file readers check it.

#include <algorithm>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "analysis/labels/confident_learning.hpp"
#include "analysis/labels/issues.hpp"
#include "common/worker_pool.hpp"
#include "mlstrat/analysis.hpp"
#include "mlstrat/support/error.hpp"

namespace mlstrat::analysis {

namespace {

// The caller's N x K matrix as the library reads it: in place when float64 rows, else converted.
ProbMatrix matrix_of(const void* probs, columns::Kind prob_kind, std::size_t rows,
                     std::size_t classes, std::ptrdiff_t row_stride, std::ptrdiff_t col_stride) {
    ProbMatrix matrix;
    matrix.rows = rows;
    matrix.classes = classes;
    const bool in_place = prob_kind == columns::Kind::Float64 && col_stride == sizeof(double) &&
                          row_stride == static_cast<std::ptrdiff_t>(classes * sizeof(double));
    if (in_place) {
        matrix.mapped = static_cast<const double*>(probs);
    } else {
        matrix.probs.resize(rows * classes);
        const char* base = static_cast<const char*>(probs);
        for (std::size_t i = 0; i < rows; ++i) {
            const char* row = base + static_cast<std::ptrdiff_t>(i) * row_stride;
            for (std::size_t c = 0; c < classes; ++c) {
                const char* cell = row + static_cast<std::ptrdiff_t>(c) * col_stride;
                matrix.probs[i * classes + c] = prob_kind == columns::Kind::Float64
                                                    ? *reinterpret_cast<const double*>(cell)
                                                    : *reinterpret_cast<const float*>(cell);
            }
        }
    }
    return matrix;
}

void check_matrix(columns::Kind prob_kind, std::size_t rows, std::size_t classes) {
    MLSTRAT_CHECK(prob_kind == columns::Kind::Float64 || prob_kind == columns::Kind::Float32,
                  "pred_probs must hold float32 or float64 probabilities");
    MLSTRAT_CHECK(classes >= 2, "pred_probs has ", classes,
                  " columns; it needs one per class (at least 2)");
    MLSTRAT_CHECK(rows > 0, "pred_probs is empty: no examples to check");
}

}  // namespace

LabelReport find_label_issues(std::span<const std::uint32_t> labels, const ProbMatrix& probs,
                              const std::vector<std::string>& classes, unsigned threads,
                              const RowCheck& check, const IssueOptions& issues) {
    MLSTRAT_CHECK(classes.size() == probs.classes, "there are ", classes.size(),
                  " class names but ", probs.classes, " probability columns");
    LabelReport report;
    report.rows = labels.size();
    report.classes = classes;
    report.per_class.resize(classes.size());
    report.ranked_by = issues.rank_by;
    for (std::size_t c = 0; c < classes.size(); ++c) report.per_class[c].name = classes[c];
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    mlstrat::detail::WorkerPool pool(threads);
    const ConfidentLearning cl =
        confident_learning(labels, probs, {.threads = threads, .check = check, .issues = issues});
    detail::add_single_label_issues(cl, labels, pool, report);
    return report;
}

LabelReport find_label_issues(const columns::Column& labels, const void* probs,
                              columns::Kind prob_kind, std::size_t rows, std::size_t classes,
                              std::ptrdiff_t row_stride, std::ptrdiff_t col_stride,
                              double sum_tolerance, unsigned threads, const IssueOptions& issues) {
    MLSTRAT_CHECK(labels.integral() && labels.kind != columns::Kind::Bool, labels.name,
                  " must hold integer class indices 0 to K-1, as cleanlab takes them");
    MLSTRAT_CHECK(prob_kind == columns::Kind::Float64 || prob_kind == columns::Kind::Float32,
                  "pred_probs must hold float32 or float64 probabilities");
    MLSTRAT_CHECK(classes >= 2, "pred_probs has ", classes,
                  " columns; it needs one per class (at least 2)");
    MLSTRAT_CHECK(labels.size == rows, labels.name, " has ", labels.size,
                  " rows but pred_probs has ", rows, "; they must be aligned row by row");
    MLSTRAT_CHECK(rows > 0, labels.name, " is empty: no examples to check");

    std::vector<std::uint32_t> given(rows);
    {
        std::vector<std::int64_t> block(4096);
        for (std::size_t at = 0; at < rows; at += block.size()) {
            const std::size_t count = std::min(block.size(), rows - at);
            columns::read_integers(labels, at, count, block.data());
            for (std::size_t i = 0; i < count; ++i) {
                MLSTRAT_CHECK(block[i] >= 0 && static_cast<std::size_t>(block[i]) < classes,
                              labels.place(at + i), " is ", labels.text_of(at + i),
                              "; labels must be class indices 0 to ", classes - 1,
                              " (one per column of pred_probs)");
                given[at + i] = static_cast<std::uint32_t>(block[i]);
            }
        }
    }

    ProbMatrix matrix = matrix_of(probs, prob_kind, rows, classes, row_stride, col_stride);
    RowCheck check = [&](std::size_t first, const double* values, std::size_t count) {
        for (std::size_t r = 0; r < count; ++r) {
            const double* row = values + r * classes;
            if (detail::row_is_valid(row, classes, sum_tolerance, false)) continue;
            detail::check_row(row, classes, sum_tolerance, false,
                              "pred_probs[" + std::to_string(first + r) + "]");
        }
    };
    std::vector<std::string> names;
    for (std::size_t c = 0; c < classes; ++c) names.push_back(std::to_string(c));
    return find_label_issues(std::span<const std::uint32_t>(given), matrix, names, threads, check,
                             issues);
}

LabelReport find_multi_label_issues(std::span<const std::uint64_t> label_sets, const void* probs,
                                    columns::Kind prob_kind, std::size_t classes,
                                    std::ptrdiff_t row_stride, std::ptrdiff_t col_stride,
                                    unsigned threads, const IssueOptions& issues) {
    const std::size_t rows = label_sets.size();
    check_matrix(prob_kind, rows, classes);
    MLSTRAT_CHECK(classes <= 64, "pred_probs has ", classes,
                  " columns; multi-label data may have at most 64 classes");
    const ProbMatrix matrix = matrix_of(probs, prob_kind, rows, classes, row_stride, col_stride);
    const double* values = matrix.data();
    for (std::size_t i = 0; i < rows; ++i) {
        const double* row = values + i * classes;
        if (detail::row_is_valid(row, classes, 0.0, true)) continue;
        detail::check_row(row, classes, 0.0, true, "pred_probs[" + std::to_string(i) + "]");
    }
    LabelReport report;
    report.rows = rows;
    report.multi_label = true;
    report.per_class.resize(classes);
    for (std::size_t c = 0; c < classes; ++c) {
        report.classes.push_back(std::to_string(c));
        report.per_class[c].name = report.classes.back();
    }
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    detail::add_multi_label_issues(label_sets, matrix, threads, report, issues);
    return report;
}

}  // namespace mlstrat::analysis
