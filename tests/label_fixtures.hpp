#pragma once
// The stored cleanlab fixtures of the labels tests (tests/data/labels, made by the scripts there).

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/labels/prob_matrix.hpp"

namespace mlstrat::test_util {

/// The folder of the labels fixtures.
inline const std::string kLabelData = std::string(MLSTRAT_SOURCE_DIR) + "/tests/data/labels/";

/// A JSON fixture.
inline nlohmann::json load_json(const std::string& path) {
    std::ifstream in(path);
    return nlohmann::json::parse(in);
}

/// A cleanlab fixture's probabilities; its labels go to `labels`.
inline analysis::ProbMatrix case_probs(const nlohmann::json& t,
                                       std::vector<std::uint32_t>& labels) {
    analysis::ProbMatrix probs;
    probs.classes = t["classes"].get<std::size_t>();
    labels = t["labels"].get<std::vector<std::uint32_t>>();
    probs.rows = labels.size();
    for (const auto& row : t["probs"]) {
        for (double v : row) probs.probs.push_back(v);
    }
    return probs;
}

/// A multi-label fixture's probabilities; its label sets (bit c: class c) go to `sets`.
inline analysis::ProbMatrix multi_label_case(const nlohmann::json& t,
                                             std::vector<std::uint64_t>& sets) {
    analysis::ProbMatrix probs;
    probs.classes = t["classes"].get<std::size_t>();
    sets.clear();
    for (const auto& given : t["labels"]) {
        std::uint64_t set = 0;
        for (auto l : given) set |= std::uint64_t{1} << l.get<unsigned>();
        sets.push_back(set);
    }
    probs.rows = sets.size();
    for (const auto& row : t["probs"]) {
        for (double v : row) probs.probs.push_back(v);
    }
    return probs;
}

}  // namespace mlstrat::test_util
