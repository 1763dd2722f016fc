#pragma once
// The search space of mlstrat tune (private to src/train/): one --space value per dimension,
// parsed and checked before anything trains, and the trials drawn from it.

#include <cstdint>
#include <string>
#include <vector>

namespace mlstrat::train {

/// One dimension of the search space: `KEY=log(LO,HI)` (log-uniform, for learning rates),
/// `uniform(LO,HI)`, `int(LO,HI)` (both ends included) or `choice(V1,V2,...)` (TOML values).
struct SearchDimension {
    enum class Kind { Log, Uniform, Int, Choice };
    std::string key;
    Kind kind = Kind::Uniform;
    double lo = 0.0, hi = 0.0;
    std::vector<std::string> choices;
    /// Whether the key holds integers (drawn numbers are rounded).
    bool integer = false;
    /// As written.
    std::string text;
};

/// Parses one --space value; every value it can draw is checked against the key's rule. Throws
/// Error naming the flag: `--space 'optim.lr=log(0,1)': log needs 0 < LO < HI`.
SearchDimension parse_search_dimension(const std::string& text);

/// The `--set` overrides of `trials` random draws from the space, reproducible from `seed`
/// (the same seed and space give the same trials on every machine).
std::vector<std::vector<std::string>> sample_trials(const std::vector<SearchDimension>& space,
                                                    std::int64_t trials, std::uint64_t seed);

}  // namespace mlstrat::train
