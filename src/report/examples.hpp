#pragma once
// The report's strips of examples (private to src/report/): a sample of the misclassified rows of
// the predictions the report evaluates, and the labels confident learning flags in them, each
// with its thumbnail.

#include <string>

#include "mlstrat/report.hpp"

namespace mlstrat::report::detail {

/// Misclassified examples shown at most (a reproducible sample when there are more).
inline constexpr std::size_t kStripErrors = 24;
/// Label issues shown at most (the least self-confident).
inline constexpr std::size_t kStripIssues = 12;

/// Fills report.error_examples and, when `pred_path` has probability columns (p_*),
/// report.label_examples; a strip that cannot be made gets a line in report.omitted.
void add_examples(Report& report, const std::string& pred_path, const std::string& run,
                  const io::TableOptions& table);

/// The two strips' sections (or their one-line notes).
std::string examples_html(const Report& report);

}  // namespace mlstrat::report::detail
