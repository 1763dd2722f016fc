// A run's predictions file for one split, written from arrays in memory: the columns `mlstrat
// train` writes (id, label, pred, p_CLASS...) so that `runs compare` pairs it with any other run's.

#include <fmt/format.h>

#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "mlstrat/registry.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/io.hpp"

namespace mlstrat::registry {

namespace {

double probability(const void* probs, columns::Kind kind, std::ptrdiff_t offset) {
    const auto* at = static_cast<const char*>(probs) + offset;
    return kind == columns::Kind::Float32 ? *reinterpret_cast<const float*>(at)
                                          : *reinterpret_cast<const double*>(at);
}

// The class index of example i's given label: an integer label indexes the classes, any other
// label is one of their names.
std::size_t class_of(const columns::Column& labels, std::size_t i,
                     const std::vector<std::string>& classes,
                     const std::unordered_map<std::string, std::size_t>& by_name) {
    if (labels.integral()) {
        const std::int64_t c = labels.integer(i);
        MLSTRAT_CHECK(c >= 0 && static_cast<std::size_t>(c) < classes.size(), labels.place(i),
                      " is ", c, ", not a class index (0 to ", classes.size() - 1, ")");
        return static_cast<std::size_t>(c);
    }
    const std::string text = labels.text_of(i);
    const auto found = by_name.find(text);
    MLSTRAT_CHECK(found != by_name.end(), labels.place(i), " is '", text,
                  "', which is not one of the classes (", classes.front(), ", ...)");
    return found->second;
}

}  // namespace

void write_predictions(const std::string& path, const columns::Column& ids,
                       const columns::Column& labels, const std::vector<std::string>& classes,
                       const void* probs, columns::Kind kind, std::ptrdiff_t row_stride,
                       std::ptrdiff_t class_stride) {
    MLSTRAT_CHECK(kind == columns::Kind::Float32 || kind == columns::Kind::Float64,
                  "probabilities must be float32 or float64");
    MLSTRAT_CHECK(!classes.empty(), "the probabilities have no classes");
    MLSTRAT_CHECK(ids.size > 0, ids.name, " is empty: a predictions file needs examples");
    MLSTRAT_CHECK(labels.size == ids.size, labels.name, " has ", labels.size, " values but ",
                  ids.name, " has ", ids.size);
    std::unordered_map<std::string, std::size_t> by_name;
    for (std::size_t c = 0; c < classes.size(); ++c) {
        MLSTRAT_CHECK(by_name.emplace(classes[c], c).second, "class '", classes[c],
                      "' is named twice");
    }
    std::string out = "id,label,pred";
    for (const auto& c : classes) (out += ",p_") += io::quote_field(c);
    out += "\n";
    std::unordered_set<std::string> seen;
    for (std::size_t i = 0; i < ids.size; ++i) {
        std::string id = ids.text_of(i);
        MLSTRAT_CHECK(!id.empty(), ids.place(i), " is empty");
        MLSTRAT_CHECK(seen.insert(id).second, ids.place(i), ": id '", id, "' appears twice");
        const std::size_t given = class_of(labels, i, classes, by_name);
        std::string row;
        std::size_t best = 0;
        double best_p = -1.0;
        for (std::size_t c = 0; c < classes.size(); ++c) {
            const double p = probability(probs, kind,
                                         static_cast<std::ptrdiff_t>(i) * row_stride +
                                             static_cast<std::ptrdiff_t>(c) * class_stride);
            MLSTRAT_CHECK(std::isfinite(p) && p >= 0.0 && p <= 1.0, "pred_probs[", i, ", ", c,
                          "] is ", p, ", not a probability");
            if (p > best_p) best_p = p, best = c;  // the first of equals, as argmax
            row += fmt::format(",{:.5g}", p);
        }
        out += io::quote_field(id) + "," + io::quote_field(classes[given]) + "," +
               io::quote_field(classes[best]) + row + "\n";
    }
    io::write_file_atomically(path, out);
}

}  // namespace mlstrat::registry
