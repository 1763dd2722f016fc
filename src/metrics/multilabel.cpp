// Multi-task (multi-label) predictions (1.2.3): per task a 2x2 confusion over the rows that have
// a label, counted per worker and merged, so the numbers do not depend on the thread count.

#include <algorithm>
#include <cctype>

#include "mlstrat/metrics.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/parse.hpp"

namespace mlstrat::metrics {

TaskLabel parse_task_label(std::string_view cell) {
    const std::string_view v = trim(cell);
    auto is = [&](std::string_view word) {
        return v.size() == word.size() &&
               std::equal(v.begin(), v.end(), word.begin(), [](char a, char b) {
                   return std::tolower(static_cast<unsigned char>(a)) == b;
               });
    };
    if (v.empty() || v == "?") return TaskLabel::Missing;
    if (is("1") || is("true") || is("yes")) return TaskLabel::Positive;
    if (is("0") || is("false") || is("no")) return TaskLabel::Negative;
    return TaskLabel::Invalid;
}

void TaskCounts::merge(const TaskCounts& other) {
    MLSTRAT_CHECK(task == other.task, "cannot merge the counts of task '", other.task,
                  "' into task '", task, "'");
    tp += other.tp;
    fp += other.fp;
    fn += other.fn;
    tn += other.tn;
    missing += other.missing;
}

std::vector<std::string> detect_tasks(const std::string& path, const std::string& label_col,
                                      const io::TableOptions& table) {
    io::TableReader reader(path, table);
    const auto& header = reader.header();
    std::vector<std::string> tasks;
    if (reader.find_column(label_col)) return tasks;
    for (const auto& name : header) {
        if (std::find(header.begin(), header.end(), "pred_" + name) != header.end()) {
            tasks.push_back(name);
        }
    }
    return tasks;
}

std::vector<TaskCounts> count_task_predictions(const std::string& path,
                                               const std::vector<std::string>& tasks,
                                               const io::TableOptions& table) {
    MLSTRAT_CHECK(!tasks.empty(), path, ": no tasks to evaluate (--tasks COL,...)");
    io::TableReader reader(path, table);
    std::vector<std::size_t> columns;
    for (const auto& t : tasks) columns.push_back(reader.column(t));
    for (const auto& t : tasks) columns.push_back(reader.column("pred_" + t));
    const std::size_t nt = tasks.size();
    std::vector<TaskCounts> empty(nt);
    for (std::size_t t = 0; t < nt; ++t) empty[t].task = tasks[t];
    std::vector<std::vector<TaskCounts>> per_worker(reader.threads(), empty);
    const std::uint64_t rows = reader.scan(columns, [&](unsigned worker, const io::RowBatch& b) {
        auto& counts = per_worker[worker];
        for (std::size_t r = 0; r < b.size(); ++r) {
            for (std::size_t t = 0; t < nt; ++t) {
                const auto label_cell = b.cell(r, t);
                const auto pred_cell = b.cell(r, nt + t);
                const TaskLabel label = parse_task_label(label_cell);
                const TaskLabel pred = parse_task_label(pred_cell);
                MLSTRAT_CHECK(label != TaskLabel::Invalid, where(path, b.line(r)), ": column '",
                              tasks[t], "' holds '", std::string(label_cell),
                              "', not a task label (1/0, true/false, yes/no; ? or empty when "
                              "unknown)");
                MLSTRAT_CHECK(pred == TaskLabel::Positive || pred == TaskLabel::Negative,
                              where(path, b.line(r)), ": column 'pred_", tasks[t], "' holds '",
                              std::string(pred_cell),
                              "'; a prediction must be 1/0 (true/false, yes/no)");
                TaskCounts& c = counts[t];
                if (label == TaskLabel::Missing) {
                    ++c.missing;
                } else if (label == TaskLabel::Positive) {
                    ++(pred == TaskLabel::Positive ? c.tp : c.fn);
                } else {
                    ++(pred == TaskLabel::Positive ? c.fp : c.tn);
                }
            }
        }
    });
    MLSTRAT_CHECK(rows > 0, path, ": no data rows after the header");
    std::vector<TaskCounts> out = empty;
    for (const auto& worker : per_worker) {
        for (std::size_t t = 0; t < nt; ++t) out[t].merge(worker[t]);
    }
    return out;
}

namespace {

double ratio(std::uint64_t a, std::uint64_t b) {
    return b ? static_cast<double>(a) / static_cast<double>(b) : 0.0;
}

/// Precision, recall, F1, accuracy and error of a 2x2 confusion.
TaskAverage rates(std::uint64_t tp, std::uint64_t fp, std::uint64_t fn, std::uint64_t tn) {
    TaskAverage a;
    const std::uint64_t n = tp + fp + fn + tn;
    a.error = ratio(fp + fn, n);
    a.accuracy = n ? 1.0 - a.error : 0.0;
    a.precision = ratio(tp, tp + fp);
    a.recall = ratio(tp, tp + fn);
    a.f1 = a.precision + a.recall > 0 ? 2 * a.precision * a.recall / (a.precision + a.recall) : 0.0;
    return a;
}

nlohmann::json average_json(const TaskAverage& a) {
    return {{"accuracy", a.accuracy},
            {"error", a.error},
            {"precision", a.precision},
            {"recall", a.recall},
            {"f1", a.f1}};
}

}  // namespace

TaskReport make_task_report(const std::vector<TaskCounts>& counts, std::uint64_t rows,
                            double ci_level) {
    TaskReport r;
    r.rows = rows;
    r.ci_level = ci_level;
    std::uint64_t tp = 0, fp = 0, fn = 0, tn = 0;
    std::size_t averaged = 0;
    for (const auto& c : counts) {
        TaskMetrics m;
        m.task = c.task;
        m.labelled = c.tp + c.fp + c.fn + c.tn;
        m.missing = c.missing;
        m.support = c.tp + c.fn;
        m.predicted = c.tp + c.fp;
        const TaskAverage a = rates(c.tp, c.fp, c.fn, c.tn);
        m.accuracy = a.accuracy;
        m.error = a.error;
        m.error_ci = stats::wilson_interval(static_cast<double>(c.fp + c.fn),
                                            static_cast<double>(m.labelled), ci_level);
        m.precision = a.precision;
        m.recall = a.recall;
        m.f1 = a.f1;
        r.labelled += m.labelled;
        r.missing += m.missing;
        tp += c.tp;
        fp += c.fp;
        fn += c.fn;
        tn += c.tn;
        if (m.labelled == 0) {
            r.warnings.push_back("task '" + c.task +
                                 "' has no labelled row; it is left out of "
                                 "the mean");
        } else {
            if (m.predicted == 0) {
                r.warnings.push_back("task '" + c.task +
                                     "' is never predicted positive: its "
                                     "precision is 0/0, reported as 0");
            }
            if (m.support == 0) {
                r.warnings.push_back("task '" + c.task +
                                     "' has no positive label: its recall "
                                     "is 0/0, reported as 0");
            }
            ++averaged;
            r.mean.accuracy += a.accuracy;
            r.mean.error += a.error;
            r.mean.precision += a.precision;
            r.mean.recall += a.recall;
            r.mean.f1 += a.f1;
        }
        r.tasks.push_back(m);
    }
    if (averaged > 0) {
        const auto n = static_cast<double>(averaged);
        r.mean = {r.mean.accuracy / n, r.mean.error / n, r.mean.precision / n, r.mean.recall / n,
                  r.mean.f1 / n};
    }
    r.micro = rates(tp, fp, fn, tn);
    return r;
}

TaskReport evaluate_tasks(const std::string& path, const std::vector<std::string>& tasks,
                          double ci_level, const io::TableOptions& table) {
    std::uint64_t rows = 0;
    auto counts = count_task_predictions(path, tasks, table);
    if (!counts.empty()) {
        const auto& c = counts.front();
        rows = c.tp + c.fp + c.fn + c.tn + c.missing;
    }
    return make_task_report(counts, rows, ci_level);
}

nlohmann::json TaskReport::to_json() const {
    nlohmann::json j;
    j["rows"] = rows;
    j["ci_level"] = ci_level;
    j["tasks"] = nlohmann::json::array();
    for (const auto& m : tasks) {
        j["tasks"].push_back({{"task", m.task},
                              {"labelled", m.labelled},
                              {"missing", m.missing},
                              {"support", m.support},
                              {"predicted", m.predicted},
                              {"accuracy", m.accuracy},
                              {"error", m.error},
                              {"error_ci", m.error_ci},
                              {"precision", m.precision},
                              {"recall", m.recall},
                              {"f1", m.f1}});
    }
    j["mean"] = average_json(mean);
    j["micro"] = average_json(micro);
    j["labelled"] = labelled;
    j["missing"] = missing;
    j["warnings"] = warnings;
    return j;
}

}  // namespace mlstrat::metrics
