// From counts to the metrics of `mlstrat eval`, with scikit-learn's conventions: labels are the
// sorted union of true and predicted classes; a 0/0 precision or recall is 0 and warned about
// (zero_division=0); macro averages are plain means over classes, weighted ones are weighted
// by support; F-beta is 0 when precision and recall are both 0.

#include <algorithm>
#include <cmath>
#include <numeric>

#include "mlstrat/metrics.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/parse.hpp"

namespace mlstrat::metrics {

namespace {

double ratio(double num, double den) { return den > 0.0 ? num / den : 0.0; }

double f_score(double precision, double recall, double beta) {
    double b2 = beta * beta;
    double den = b2 * precision + recall;
    return den > 0.0 ? (1.0 + b2) * precision * recall / den : 0.0;
}

}  // namespace

std::vector<std::size_t> natural_order(const std::vector<std::string>& names) {
    std::vector<std::size_t> order(names.size());
    std::iota(order.begin(), order.end(), 0);
    std::vector<double> numbers;
    numbers.reserve(names.size());
    bool numeric = true;
    for (const auto& n : names) {
        auto v = try_parse_number(n);
        if (!v || trim(n).size() != n.size()) {
            numeric = false;
            break;
        }
        numbers.push_back(*v);
    }
    if (numeric) {
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            if (numbers[a] != numbers[b]) return numbers[a] < numbers[b];
            return names[a] < names[b];
        });
    } else {
        std::stable_sort(order.begin(), order.end(),
                         [&](std::size_t a, std::size_t b) { return names[a] < names[b]; });
    }
    return order;
}

EvalReport make_report(const EvalCounts& counts, const EvalOptions& options,
                       const std::string& source) {
    MLSTRAT_CHECK(counts.rows > 0, source, ": no rows to evaluate");
    MLSTRAT_CHECK(options.beta > 0.0 && std::isfinite(options.beta), "--beta must be > 0, not ",
                  options.beta);
    stats::z_for_level(options.ci_level);  // validates the level

    EvalReport r;
    r.rows = counts.rows;
    r.beta = options.beta;
    r.ci_level = options.ci_level;

    const std::size_t k = counts.classes.size();
    const std::vector<std::size_t> order = natural_order(counts.classes);
    auto cell = [&](std::size_t t, std::size_t p) {
        return counts.counts[order[t] * k + order[p]];
    };

    r.confusion.assign(k, std::vector<std::uint64_t>(k, 0));
    std::vector<std::uint64_t> support(k, 0), predicted(k, 0);
    std::uint64_t correct = 0;
    for (std::size_t t = 0; t < k; ++t) {
        for (std::size_t p = 0; p < k; ++p) {
            std::uint64_t c = cell(t, p);
            r.confusion[t][p] = c;
            support[t] += c;
            predicted[p] += c;
            if (t == p) correct += c;
        }
    }
    const double n = static_cast<double>(counts.rows);
    const std::uint64_t wrong = counts.rows - correct;
    r.accuracy = static_cast<double>(correct) / n;
    r.error = static_cast<double>(wrong) / n;
    r.error_ci = stats::wilson_interval(static_cast<double>(wrong), n, options.ci_level);

    std::vector<std::string> never_predicted, never_true;
    double tp_sum = 0.0;
    std::uint64_t total_support = 0;
    for (std::size_t c = 0; c < k; ++c) {
        ClassMetrics m;
        m.name = counts.classes[order[c]];
        m.support = support[c];
        m.predicted = predicted[c];
        double tp = static_cast<double>(r.confusion[c][c]);
        m.precision = ratio(tp, static_cast<double>(predicted[c]));
        m.recall = ratio(tp, static_cast<double>(support[c]));
        m.f1 = f_score(m.precision, m.recall, 1.0);
        m.fbeta = f_score(m.precision, m.recall, options.beta);
        if (predicted[c] == 0) never_predicted.push_back(m.name);
        if (support[c] == 0) never_true.push_back(m.name);
        tp_sum += tp;
        total_support += support[c];
        r.macro.precision += m.precision / static_cast<double>(k);
        r.macro.recall += m.recall / static_cast<double>(k);
        r.macro.f1 += m.f1 / static_cast<double>(k);
        r.macro.fbeta += m.fbeta / static_cast<double>(k);
        double w = static_cast<double>(m.support);
        r.weighted.precision += w * m.precision;
        r.weighted.recall += w * m.recall;
        r.weighted.f1 += w * m.f1;
        r.weighted.fbeta += w * m.fbeta;
        r.classes.push_back(std::move(m));
    }
    double ts = static_cast<double>(total_support);
    r.weighted.precision /= ts;
    r.weighted.recall /= ts;
    r.weighted.f1 /= ts;
    r.weighted.fbeta /= ts;
    // Micro: pooled over classes; every row is one prediction, so all three equal accuracy.
    r.micro.precision = ratio(tp_sum, n);
    r.micro.recall = ratio(tp_sum, ts);
    r.micro.f1 = f_score(r.micro.precision, r.micro.recall, 1.0);
    r.micro.fbeta = f_score(r.micro.precision, r.micro.recall, options.beta);

    auto list = [](const std::vector<std::string>& names) {
        std::string out;
        for (std::size_t i = 0; i < names.size() && i < 10; ++i)
            out += (i ? ", '" : "'") + names[i] + "'";
        if (names.size() > 10) out += ", ... (" + std::to_string(names.size()) + " in all)";
        return out;
    };
    if (!never_predicted.empty()) {
        r.warnings.push_back("never predicted: " + list(never_predicted) +
                             "; precision is 0/0 there and is reported as 0");
    }
    if (!never_true.empty()) {
        r.warnings.push_back("predicted but never a true label: " + list(never_true) +
                             "; recall is 0/0 there and is reported as 0");
    }

    if (options.positive) {
        auto it = std::find_if(r.classes.begin(), r.classes.end(),
                               [&](const ClassMetrics& m) { return m.name == *options.positive; });
        MLSTRAT_CHECK(it != r.classes.end(), source, ": --positive '", *options.positive,
                      "' is neither a label nor a prediction in the file");
        std::size_t c = static_cast<std::size_t>(it - r.classes.begin());
        BinaryMetrics b;
        b.positive = *options.positive;
        b.tp = r.confusion[c][c];
        b.fp = predicted[c] - b.tp;
        b.fn = support[c] - b.tp;
        b.tn = counts.rows - b.tp - b.fp - b.fn;
        b.precision = it->precision;
        b.recall = it->recall;
        b.f1 = it->f1;
        b.fbeta = it->fbeta;
        r.binary = b;
    }

    if (counts.weighted) {
        if (counts.weight_sum > 0.0) {
            r.weighted_error = counts.weight_error_sum / counts.weight_sum;
            double n_eff = counts.weight_sum * counts.weight_sum / counts.weight_square_sum;
            r.weighted_error_ci =
                stats::wilson_interval(*r.weighted_error * n_eff, n_eff, options.ci_level);
        } else {
            r.warnings.push_back("every weight is 0; the weighted error is undefined");
        }
        for (const auto& [name, w] : options.class_weights) {
            if (std::find(counts.classes.begin(), counts.classes.end(), name) ==
                counts.classes.end()) {
                r.warnings.push_back("class weight for '" + name +
                                     "' matches no class in the file");
            }
        }
    }

    for (const auto& s : counts.slices) {
        SliceColumn sr;
        sr.column = s.column;
        std::vector<std::size_t> vo = natural_order(s.values);
        for (std::size_t i : vo) {
            SliceValue v;
            v.value = s.values[i];
            v.rows = s.rows[i];
            v.errors = s.errors[i];
            v.error = ratio(static_cast<double>(v.errors), static_cast<double>(v.rows));
            v.error_ci = stats::wilson_interval(static_cast<double>(v.errors),
                                                static_cast<double>(v.rows), options.ci_level);
            sr.average_error += v.error;
            if (sr.values.empty() || v.error > sr.values[sr.worst].error)
                sr.worst = sr.values.size();
            sr.values.push_back(std::move(v));
        }
        if (!sr.values.empty()) sr.average_error /= static_cast<double>(sr.values.size());
        r.slices.push_back(std::move(sr));
    }
    return r;
}

EvalReport evaluate(const std::string& path, const EvalOptions& options) {
    return make_report(count_predictions(path, options), options, path);
}

nlohmann::json EvalReport::to_json() const {
    using nlohmann::json;
    json j;
    j["rows"] = rows;
    j["accuracy"] = accuracy;
    j["error"] = error;
    j["error_ci"] = nlohmann::json(error_ci);
    j["ci_level"] = ci_level;
    if (weighted_error) {
        j["weighted_error"] = *weighted_error;
        j["weighted_error_ci"] = nlohmann::json(*weighted_error_ci);
    }
    const bool with_beta = beta != 1.0;
    if (with_beta) j["beta"] = beta;
    auto scores = [&](double p, double rc, double f1, double fb) {
        json o = {{"precision", p}, {"recall", rc}, {"f1", f1}};
        if (with_beta) o["fbeta"] = fb;
        return o;
    };
    j["classes"] = json::array();
    for (const auto& c : classes) {
        json o = scores(c.precision, c.recall, c.f1, c.fbeta);
        o["class"] = c.name;
        o["support"] = c.support;
        o["predicted"] = c.predicted;
        j["classes"].push_back(std::move(o));
    }
    j["macro"] = scores(macro.precision, macro.recall, macro.f1, macro.fbeta);
    j["micro"] = scores(micro.precision, micro.recall, micro.f1, micro.fbeta);
    j["weighted"] = scores(weighted.precision, weighted.recall, weighted.f1, weighted.fbeta);
    json labels = json::array();
    for (const auto& c : classes) labels.push_back(c.name);
    j["confusion"] = {{"labels", labels}, {"matrix", confusion}};
    if (binary) {
        json b = scores(binary->precision, binary->recall, binary->f1, binary->fbeta);
        b["positive"] = binary->positive;
        b["tp"] = binary->tp;
        b["fp"] = binary->fp;
        b["fn"] = binary->fn;
        b["tn"] = binary->tn;
        j["binary"] = std::move(b);
    }
    if (!slices.empty()) {
        json sl = json::object(), avg = json::object(), worst = json::object();
        for (const auto& s : slices) {
            json values = json::array();
            for (const auto& v : s.values) {
                values.push_back({{"value", v.value},
                                  {"rows", v.rows},
                                  {"errors", v.errors},
                                  {"error", v.error},
                                  {"error_ci", nlohmann::json(v.error_ci)}});
            }
            sl[s.column] = std::move(values);
            avg[s.column] = s.average_error;
            if (!s.values.empty()) {
                worst[s.column] = {{"value", s.values[s.worst].value},
                                   {"error", s.values[s.worst].error}};
            }
        }
        j["slices"] = std::move(sl);
        j["slice_average_error"] = std::move(avg);
        j["slice_worst"] = std::move(worst);
    }
    j["warnings"] = warnings;
    return j;
}

TestSizeAnswer min_test_size(double error, double margin, double ci_level) {
    MLSTRAT_CHECK(error > 0.0 && error < 1.0, "--error must be strictly between 0% and 100%, not ",
                  error);
    MLSTRAT_CHECK(margin > 0.0 && margin < 0.5,
                  "--margin must be strictly between 0% and 50%, not ", margin);
    TestSizeAnswer a;
    a.error = error;
    a.margin = margin;
    a.ci_level = ci_level;
    a.rows = stats::min_sample_size(error, margin, ci_level);
    a.normal_rows = stats::normal_sample_size(error, margin, ci_level);
    return a;
}

nlohmann::json TestSizeAnswer::to_json() const {
    return {{"error", error},
            {"margin", margin},
            {"ci_level", ci_level},
            {"min_rows", rows},
            {"normal_approx_rows", normal_rows}};
}

}  // namespace mlstrat::metrics
