// The classes of the probabilities: the names a run's labels are checked against and mapped to.

#include <algorithm>
#include <cmath>

#include "analysis/labels/issues.hpp"
#include "mlstrat/metrics.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/parse.hpp"

namespace mlstrat::analysis::detail {

// The class a probability column stands for: the text its glob's single '*' matched.
std::string class_of_column(const std::string& glob, const std::string& column) {
    const auto star = glob.find('*');
    if (star == std::string::npos || glob.find('*', star + 1) != std::string::npos ||
        glob.find_first_of("?[") != std::string::npos) {
        return column;
    }
    const std::size_t prefix = star, suffix = glob.size() - star - 1;
    return column.substr(prefix, column.size() - prefix - suffix);
}

SeenLabels seen_labels(const std::vector<LabelWorker>& workers) {
    SeenLabels seen;
    Interner all;
    for (const auto& w : workers) {
        for (std::uint32_t id = 0; id < w.labels.size(); ++id) {
            if (all.intern(w.labels.name(id)) == seen.names.size()) {
                seen.names.push_back(w.labels.name(id));
                seen.lines.push_back(w.first_line[id]);
            } else {
                auto at = static_cast<std::size_t>(all.find(w.labels.name(id)));
                seen.lines[at] = std::min(seen.lines[at], w.first_line[id]);
            }
        }
    }
    return seen;
}

std::vector<std::string> resolve_classes(const SeenLabels& seen,
                                         const std::vector<std::string>& column_classes,
                                         std::size_t k, const std::string& table_path,
                                         const LabelOptions& options) {
    std::vector<std::string> classes = options.classes;
    auto all_in = [&](const std::vector<std::string>& names) {
        Interner index;
        for (const auto& c : names) index.intern(c);
        for (const auto& s : seen.names) {
            if (index.find(s) < 0) return false;
        }
        return true;
    };
    if (classes.empty() && !column_classes.empty() && all_in(column_classes)) {
        classes = column_classes;
    }
    if (classes.empty()) {
        bool indices = true;
        for (const auto& s : seen.names) {
            auto v = try_parse_number(s);
            indices = indices && v && *v >= 0 && *v < static_cast<double>(k) &&
                      std::floor(*v) == *v &&
                      s.find_first_not_of("0123456789") == std::string::npos;
        }
        if (indices) {
            for (std::size_t c = 0; c < k; ++c) classes.push_back(std::to_string(c));
        }
    }
    if (classes.empty() && !options.npy_path.empty()) {
        MLSTRAT_CHECK(seen.names.size() == k, table_path, ": the labels hold ", seen.names.size(),
                      " classes but ", options.npy_path, " has ", k,
                      " columns; give --classes in the order of the columns");
        for (std::size_t i : metrics::natural_order(seen.names)) classes.push_back(seen.names[i]);
    }
    if (classes.empty()) {
        std::string first_unknown;
        std::uint64_t line = 0;
        Interner index;
        for (const auto& c : column_classes) index.intern(c);
        for (std::size_t s = 0; s < seen.names.size(); ++s) {
            if (index.find(seen.names[s]) < 0 && (line == 0 || seen.lines[s] < line)) {
                first_unknown = seen.names[s];
                line = seen.lines[s];
            }
        }
        std::string names;
        for (const auto& c : column_classes) names += (names.empty() ? "" : ", ") + c;
        throw Error(where(table_path, line) + ": label '" + first_unknown +
                    "' matches none of the " + std::to_string(k) +
                    " probability columns' classes (" + names +
                    "); name the columns after the classes, or give --classes");
    }
    MLSTRAT_CHECK(classes.size() == k, "--classes names ", classes.size(),
                  " classes but there are ", k, " probability columns");
    Interner class_index;
    for (const auto& c : classes) {
        MLSTRAT_CHECK(class_index.find(c) < 0, "class '", c, "' is named twice");
        class_index.intern(c);
    }
    for (std::size_t s = 0; s < seen.names.size(); ++s) {
        MLSTRAT_CHECK(class_index.find(seen.names[s]) >= 0, where(table_path, seen.lines[s]),
                      ": label '", seen.names[s], "' is not one of the ", k,
                      " classes of the probabilities");
    }
    return classes;
}

}  // namespace mlstrat::analysis::detail
