// A run's dev error on the eyeball and the blackbox dev sets, so that `diagnose` can tell when the
// team has overfit the examples it looks at (Machine Learning Yearning 17-19).

#include <unordered_set>

#include "mlstrat/split.hpp"
#include "train/run.hpp"

namespace mlstrat::train {

std::map<std::string, std::pair<double, std::uint64_t>> divided_dev_errors(
    const Config& config, const Split& dev, const std::vector<bool>& wrong) {
    std::map<std::string, std::pair<double, std::uint64_t>> out;
    if (config.data.split_dir.empty() || config.data.id_col.empty()) return out;
    for (const char* part : {"eyeball_dev", "blackbox_dev"}) {
        const auto ids = split::division_ids(config.data.split_dir, part, config.data.id_col);
        if (!ids) return {};
        const std::unordered_set<std::string> in(ids->begin(), ids->end());
        std::uint64_t rows = 0, errors = 0;
        for (std::size_t i = 0; i < dev.size(); ++i) {
            if (!in.count(dev.ids[i])) continue;
            ++rows;
            errors += wrong[i] ? 1 : 0;
        }
        if (rows > 0) out[part] = {static_cast<double>(errors) / static_cast<double>(rows), rows};
    }
    return out;
}

}  // namespace mlstrat::train
