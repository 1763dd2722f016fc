// The most frequent confusions of a confusion matrix: which class is taken for which, the first
// thing to read in an error analysis (1.2.1).

#include <algorithm>

#include "mlstrat/metrics.hpp"
#include "mlstrat/support/error.hpp"

namespace mlstrat::metrics {

std::vector<Confusion> top_confusions(const std::vector<std::string>& classes,
                                      const std::vector<std::vector<std::uint64_t>>& matrix,
                                      std::size_t k) {
    MLSTRAT_CHECK(matrix.size() == classes.size(),
                  "a confusion matrix needs one row per class: ", matrix.size(), " rows for ",
                  classes.size(), " classes");
    std::vector<Confusion> cells;
    for (std::size_t t = 0; t < matrix.size(); ++t) {
        MLSTRAT_CHECK(matrix[t].size() == classes.size(), "row ", t, " of a confusion matrix has ",
                      matrix[t].size(), " cells for ", classes.size(), " classes");
        for (std::size_t p = 0; p < matrix[t].size(); ++p) {
            if (t != p && matrix[t][p] > 0) cells.push_back({classes[t], classes[p], matrix[t][p]});
        }
    }
    std::stable_sort(cells.begin(), cells.end(),
                     [](const Confusion& a, const Confusion& b) { return a.count > b.count; });
    if (cells.size() > k) cells.resize(k);
    return cells;
}

}  // namespace mlstrat::metrics
