#pragma once
// What the metrics sources share and the public header does not show.

#include <string>

#include "mlstrat/metrics.hpp"

namespace mlstrat::metrics {

/// One pass over the rows of `path` (or of the shard options.table names) into counts; unlike
/// count_predictions, no rows is not an error.
EvalCounts count_rows(const std::string& path, const EvalOptions& options);

}  // namespace mlstrat::metrics
