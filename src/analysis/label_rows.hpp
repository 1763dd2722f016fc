#pragma once
// The checks of a row of probabilities that every reader of them shares (a table, a .npy file,
// the caller's arrays).

#include <cstddef>
#include <string>

namespace mlstrat::analysis::label_rows {

/// Whether a row holds valid probabilities: a distribution within `tolerance` of summing to 1,
/// or with multi-label data one probability in [0, 1] per class.
bool row_is_valid(const double* row, std::size_t k, double tolerance, bool multi_label);

/// Throws Error starting with `place` saying what is wrong with a row row_is_valid rejects.
void check_row(const double* row, std::size_t k, double tolerance, bool multi_label,
               const std::string& place);

}  // namespace mlstrat::analysis::label_rows
