// One config over several seeds (1.1.3, 1.2.1): a difference between two runs means something only
// when it is larger than what changing the seed alone does. The runs share a registry group;
// each split's error is summarized over them with the registry's seed statistics.

#include <fmt/format.h>

#include <charconv>
#include <set>

#include "mlstrat/support/error.hpp"
#include "mlstrat/support/parse.hpp"
#include "mlstrat/train/config.hpp"
#include "mlstrat/train/data.hpp"
#include "mlstrat/train/run.hpp"
#include "mlstrat/train/seeds.hpp"

namespace mlstrat::train {

std::vector<std::int64_t> parse_seeds(const std::string& text, const std::string& what) {
    std::vector<std::int64_t> seeds;
    std::set<std::int64_t> seen;
    std::size_t start = 0;
    for (;;) {
        const std::size_t comma = text.find(',', start);
        const std::string_view item = trim(std::string_view(text).substr(
            start, comma == std::string::npos ? std::string::npos : comma - start));
        MLSTRAT_CHECK(!item.empty(), what, ": '", text, "' has an empty item (give e.g. 1,2,3)");
        std::int64_t seed = 0;
        const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), seed);
        MLSTRAT_CHECK(ec == std::errc() && end == item.data() + item.size() && seed >= 0, what,
                      ": '", item, "' is not a whole number >= 0");
        MLSTRAT_CHECK(seen.insert(seed).second, what, ": ", seed, " is given twice");
        seeds.push_back(seed);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return seeds;
}

SeedsResult train_seeds(const SeedsRequest& request, const ProgressFn& progress) {
    MLSTRAT_CHECK(!request.seeds.empty(), "train_seeds needs at least one seed");
    SeedsResult result;
    result.seeds = request.seeds;
    result.group = request.run.name.empty()
                       ? load_config(request.run.config_path, request.run.overrides).name
                       : request.run.name;
    for (const std::int64_t seed : request.seeds) {
        RunRequest run = request.run;
        run.name = fmt::format("{}-s{}", result.group, seed);
        run.seed = seed;
        run.group = result.group;
        if (request.draw_data) run.overrides.push_back(fmt::format("data.split_seed={}", seed));
        result.runs.push_back(train_run(run, progress));
    }
    for (const auto& split : split_names()) {
        std::vector<double> values;
        for (const auto& r : result.runs) {
            if (r.errors.count(split)) values.push_back(r.errors.at(split));
        }
        if (!values.empty())
            result.errors[split] = registry::summarize_seeds(values, request.level);
    }
    return result;
}

nlohmann::json SeedsResult::to_json() const {
    nlohmann::json j = {{"group", group},
                        {"seeds", seeds},
                        {"runs", nlohmann::json::array()},
                        {"errors", nlohmann::json::object()}};
    for (const auto& r : runs) j["runs"].push_back(r.to_json());
    for (const auto& [split, s] : errors) j["errors"][split] = s.to_json();
    return j;
}

}  // namespace mlstrat::train
