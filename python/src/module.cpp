// The Python module `mlstrat._mlstrat`: each function converts its arguments (convert.hpp), calls
// one library function with the GIL released, and converts the result. No computing here: what a
// binding would compute belongs in the library.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <thread>
#include <vector>

#include "bindings.hpp"
#include "convert.hpp"
#include "mlstrat/analysis.hpp"
#include "mlstrat/diagnose.hpp"
#include "mlstrat/metrics.hpp"
#include "mlstrat/select.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/parse.hpp"

namespace py = pybind11;

namespace mlstrat::python {

namespace {

unsigned threads_of(const py::handle& n_jobs) {
    if (n_jobs.is_none()) return 0;
    const long n = n_jobs.cast<long>();
    MLSTRAT_CHECK(n != 0, "n_jobs must not be 0");
    if (n < 0) return std::max(1u, std::thread::hardware_concurrency());
    return static_cast<unsigned>(n);
}

py::object evaluate(const py::handle& y_true, const py::handle& y_pred, const py::handle& slices,
                    const py::handle& sample_weight, const py::handle& class_weight,
                    const py::handle& positive, double beta, const py::handle& ci_level,
                    const py::handle& n_jobs) {
    metrics::EvalOptions options;
    options.beta = beta;
    options.ci_level = to_rate(ci_level, "ci_level");
    if (!positive.is_none()) options.positive = label_text(positive);
    if (!class_weight.is_none()) {
        for (const auto& [name, weight] : py::reinterpret_borrow<py::dict>(class_weight)) {
            options.class_weights.emplace_back(label_text(name), weight.cast<double>());
        }
    }
    HeldColumn truth = to_column(y_true, "y_true");
    HeldColumn pred = to_column(y_pred, "y_pred");
    std::vector<HeldColumn> held_slices = to_columns(slices, "slice");
    std::vector<columns::Column> slice_columns;
    for (const auto& s : held_slices) {
        options.slice_cols.push_back(s.column.name);
        slice_columns.push_back(s.column);
    }
    std::optional<HeldColumn> weights;
    if (!sample_weight.is_none()) weights = to_column(sample_weight, "sample_weight");
    const unsigned threads = threads_of(n_jobs);
    nlohmann::json report;
    {
        py::gil_scoped_release release;
        report = metrics::evaluate_columns(truth.column, pred.column, slice_columns,
                                           weights ? &weights->column : nullptr, options, threads)
                     .to_json();
    }
    return to_python(report);
}

analysis::LabelReport label_report(const py::handle& labels, const py::handle& pred_probs,
                                   double sum_tolerance, unsigned threads,
                                   const analysis::IssueOptions& issues) {
    HeldColumn given = to_column(labels, "labels");
    py::array probs = probability_matrix(pred_probs);
    const auto kind =
        probs.dtype().itemsize() == 4 ? columns::Kind::Float32 : columns::Kind::Float64;
    const auto rows = static_cast<std::size_t>(probs.shape(0));
    const auto classes = static_cast<std::size_t>(probs.shape(1));
    py::gil_scoped_release release;
    return analysis::find_label_issues(given.column, probs.data(), kind, rows, classes,
                                       probs.strides(0), probs.strides(1), sum_tolerance, threads,
                                       issues);
}

// cleanlab's multi-label labels (one list of class indices per example) as bit sets.
std::vector<std::uint64_t> label_sets(const py::handle& labels, std::size_t classes) {
    std::vector<std::uint64_t> sets;
    std::size_t i = 0;
    for (const py::handle example : labels) {
        MLSTRAT_CHECK(!py::isinstance<py::str>(example) && py::hasattr(example, "__iter__"),
                      "labels[", i, "] is ", std::string(py::str(example)),
                      "; with multi_label=True each example's labels are a list of class indices");
        std::uint64_t set = 0;
        for (const py::handle c : example) {
            const long k = py::reinterpret_borrow<py::object>(c).cast<long>();
            MLSTRAT_CHECK(k >= 0 && static_cast<std::size_t>(k) < classes, "labels[", i, "] holds ",
                          k, "; labels must be class indices 0 to ", classes - 1,
                          " (one per column of pred_probs)");
            set |= std::uint64_t{1} << k;
        }
        sets.push_back(set);
        ++i;
    }
    return sets;
}

analysis::LabelReport multi_label_report(const py::handle& labels, const py::handle& pred_probs,
                                         unsigned threads, const analysis::IssueOptions& issues) {
    py::array probs = probability_matrix(pred_probs);
    const auto rows = static_cast<std::size_t>(probs.shape(0));
    const auto classes = static_cast<std::size_t>(probs.shape(1));
    MLSTRAT_CHECK(classes <= 64, "pred_probs has ", classes,
                  " columns; multi-label data may have at most 64 classes");
    const std::vector<std::uint64_t> sets = label_sets(labels, classes);
    MLSTRAT_CHECK(sets.size() == rows, "labels has ", sets.size(), " rows but pred_probs has ",
                  rows, "; they must be aligned row by row");
    const auto kind =
        probs.dtype().itemsize() == 4 ? columns::Kind::Float32 : columns::Kind::Float64;
    py::gil_scoped_release release;
    return analysis::find_multi_label_issues(sets, probs.data(), kind, classes, probs.strides(0),
                                             probs.strides(1), threads, issues);
}

// A confident joint given as a K x K array of counts (any numeric dtype holding whole numbers),
// flattened row by row: [given * K + true].
std::vector<std::int64_t> joint_counts(const py::handle& joint) {
    using Matrix = py::array_t<double, py::array::c_style | py::array::forcecast>;
    const Matrix m = Matrix::ensure(joint);
    MLSTRAT_CHECK(m && m.ndim() == 2 && m.shape(0) == m.shape(1),
                  "confident_joint must be a K x K matrix of counts (K classes)");
    std::vector<std::int64_t> counts;
    const auto k = static_cast<std::size_t>(m.shape(0));
    const double* v = m.data();
    for (std::size_t c = 0; c < k * k; ++c) {
        MLSTRAT_CHECK(std::isfinite(v[c]) && v[c] == std::floor(v[c]) && std::abs(v[c]) < 9e15,
                      "confident_joint[", c / k, "][", c % k, "] is ", v[c],
                      "; it must hold whole counts");
        counts.push_back(static_cast<std::int64_t>(v[c]));
    }
    return counts;
}

// cleanlab's arguments of find_label_issues as the library's options.
analysis::IssueOptions issue_options(const std::string& filter_by, const py::handle& ranked_by,
                                     double frac_noise, const py::handle& num_to_remove_per_class,
                                     long min_examples_per_class,
                                     const py::handle& confident_joint) {
    analysis::IssueOptions issues;
    if (!confident_joint.is_none()) issues.confident_joint = joint_counts(confident_joint);
    issues.filter_by = analysis::filter_by_named(filter_by);
    if (!ranked_by.is_none())
        issues.rank_by = analysis::rank_by_named(std::string(py::str(ranked_by)));
    issues.frac_noise = frac_noise;
    issues.min_examples_per_class = min_examples_per_class;
    if (!num_to_remove_per_class.is_none()) {
        for (const py::handle count : num_to_remove_per_class) {
            issues.num_to_remove_per_class.push_back(
                py::reinterpret_borrow<py::object>(count).cast<std::int64_t>());
        }
    }
    return issues;
}

py::object find_label_issues(const py::handle& labels, const py::handle& pred_probs,
                             const std::string& filter_by, const py::handle& ranked_by,
                             bool multi_label, double frac_noise,
                             const py::handle& num_to_remove_per_class, long min_examples_per_class,
                             const py::handle& confident_joint, const py::handle& n_jobs,
                             bool /*verbose*/) {
    const analysis::IssueOptions issues =
        issue_options(filter_by, ranked_by, frac_noise, num_to_remove_per_class,
                      min_examples_per_class, confident_joint);
    const analysis::LabelReport report =
        multi_label ? multi_label_report(labels, pred_probs, threads_of(n_jobs), issues)
                    : label_report(labels, pred_probs, 1e-3, threads_of(n_jobs), issues);
    if (!ranked_by.is_none()) {
        py::array_t<std::int64_t> ranked(static_cast<py::ssize_t>(report.issues.size()));
        auto out = ranked.mutable_unchecked<1>();
        for (std::size_t i = 0; i < report.issues.size(); ++i) {
            out(static_cast<py::ssize_t>(i)) = static_cast<std::int64_t>(report.issues[i].index);
        }
        return ranked;
    }
    py::array_t<bool> mask(static_cast<py::ssize_t>(report.rows));
    auto out = mask.mutable_unchecked<1>();
    for (py::ssize_t i = 0; i < static_cast<py::ssize_t>(report.rows); ++i) out(i) = false;
    for (const auto& issue : report.issues) out(static_cast<py::ssize_t>(issue.index)) = true;
    return mask;
}

py::object label_issues_report(const py::handle& labels, const py::handle& pred_probs,
                               const py::handle& class_names, double sum_tolerance,
                               bool multi_label, const py::handle& n_jobs,
                               const std::string& filter_by, const py::handle& ranked_by,
                               double frac_noise, const py::handle& num_to_remove_per_class,
                               long min_examples_per_class) {
    const analysis::IssueOptions issues =
        issue_options(filter_by, ranked_by, frac_noise, num_to_remove_per_class,
                      min_examples_per_class, py::none());
    analysis::LabelReport report =
        multi_label ? multi_label_report(labels, pred_probs, threads_of(n_jobs), issues)
                    : label_report(labels, pred_probs, sum_tolerance, threads_of(n_jobs), issues);
    if (!class_names.is_none()) {
        std::vector<std::string> names;
        for (const py::handle name : class_names) names.push_back(label_text(name));
        MLSTRAT_CHECK(names.size() == report.classes.size(), "class_names names ", names.size(),
                      " classes but pred_probs has ", report.classes.size(), " columns");
        report.classes = names;
        for (std::size_t c = 0; c < names.size(); ++c) report.per_class[c].name = names[c];
    }
    return to_python(report.to_json());
}

std::optional<double> optional_rate(const py::handle& value, const char* what) {
    if (value.is_none()) return std::nullopt;
    return to_rate(value, what);
}

py::tuple diagnose(const py::handle& human, const py::handle& human_goal, const py::handle& train,
                   const py::handle& train_dev, const py::handle& dev, const py::handle& test,
                   const py::handle& human_target, const py::handle& train_target,
                   const py::handle& sizes, const py::handle& ci_level) {
    diagnose::DiagnoseInput in;
    if (py::isinstance<py::dict>(human)) {
        for (const auto& [name, rate] : py::reinterpret_borrow<py::dict>(human)) {
            in.human_levels.push_back(
                {py::str(name), to_rate(rate, "human " + std::string(py::str(name)))});
        }
    } else if (py::isinstance<py::str>(human)) {
        in.human_levels.push_back(diagnose::parse_human_level(human.cast<std::string>()));
    } else if (py::isinstance<py::list>(human) || py::isinstance<py::tuple>(human)) {
        for (const py::handle level : human) {
            in.human_levels.push_back(py::isinstance<py::str>(level)
                                          ? diagnose::parse_human_level(level.cast<std::string>())
                                          : diagnose::HumanLevel{"human", to_rate(level, "human")});
        }
    } else if (!human.is_none()) {
        in.human_levels.push_back({"human", to_rate(human, "human")});
    }
    if (!human_goal.is_none()) in.human_goal = human_goal.cast<std::string>();
    in.train_error = optional_rate(train, "train");
    in.train_dev_error = optional_rate(train_dev, "train_dev");
    in.dev_error = optional_rate(dev, "dev");
    in.test_error = optional_rate(test, "test");
    in.human_target_error = optional_rate(human_target, "human_target");
    in.train_target_error = optional_rate(train_target, "train_target");
    if (!sizes.is_none()) {
        for (const auto& [key, value] : py::reinterpret_borrow<py::dict>(sizes)) {
            const std::string name = py::str(key);
            const std::uint64_t n =
                parse_rows(std::string(py::str(value)), "sizes['" + name + "']");
            if (name == "train")
                in.train_size = n;
            else if (name == "train_dev")
                in.train_dev_size = n;
            else if (name == "dev")
                in.dev_size = n;
            else if (name == "test")
                in.test_size = n;
            else if (name == "train_target")
                in.train_target_size = n;
            else
                throw Error("sizes: '" + name +
                            "' is not a split (train, train_dev, dev, test, "
                            "train_target)");
        }
    }
    in.ci_level = to_rate(ci_level, "ci_level");
    diagnose::DiagnoseReport report = diagnose::diagnose(in);
    return py::make_tuple(to_python(report.to_json()), report.to_text());
}

py::object ceiling(const py::handle& stages, const py::handle& rows, const py::handle& ci_level) {
    diagnose::CeilingOptions options;
    if (!rows.is_none()) options.rows = parse_rows(std::string(py::str(rows)), "rows");
    options.ci_level = to_rate(ci_level, "ci_level");
    if (py::isinstance<py::str>(stages)) {
        return to_python(
            diagnose::ceiling_from_file(stages.cast<std::string>(), options).to_json());
    }
    std::vector<std::pair<std::string, double>> list;
    py::object items = py::hasattr(stages, "items") ? stages.attr("items")()
                                                    : py::reinterpret_borrow<py::object>(stages);
    for (const py::handle item : items) {
        py::tuple pair =
            py::reinterpret_borrow<py::tuple>(py::tuple(py::reinterpret_borrow<py::object>(item)));
        MLSTRAT_CHECK(pair.size() == 2,
                      "stages: give (stage, accuracy) pairs or {stage: accuracy}");
        const std::string name = py::str(pair[0]);
        list.emplace_back(name, to_rate(pair[1], "stages['" + name + "']"));
    }
    return to_python(diagnose::ceiling(list, options).to_json());
}

py::object select_models(const py::handle& table, const py::handle& maximize,
                         const py::handle& minimize, const std::vector<std::string>& require,
                         const std::vector<std::string>& combine, const py::handle& dev_size,
                         const std::string& name_col, const py::handle& ci_level) {
    MLSTRAT_CHECK(maximize.is_none() || minimize.is_none(),
                  "give one optimizing metric: maximize or minimize, not both");
    select::SelectOptions options;
    if (!maximize.is_none())
        options.objective = select::Objective{py::str(maximize), select::Direction::Maximize};
    if (!minimize.is_none())
        options.objective = select::Objective{py::str(minimize), select::Direction::Minimize};
    for (const auto& text : require) options.constraints.push_back(select::parse_constraint(text));
    for (const auto& text : combine)
        options.combinations.push_back(select::parse_combination(text));
    if (!dev_size.is_none())
        options.dev_size = parse_rows(std::string(py::str(dev_size)), "dev_size");
    options.ci_level = to_rate(ci_level, "ci_level");
    if (py::isinstance<py::str>(table)) {
        return to_python(
            select::select_from_file(table.cast<std::string>(), options, name_col).to_json());
    }
    // {column: [cells]} with the cells as text (the Python side turns a DataFrame into this).
    select::Candidates candidates;
    candidates.source = "table";
    auto columns = py::reinterpret_borrow<py::dict>(table);
    std::vector<std::vector<std::string>> by_column;
    for (const auto& [name, cells] : columns) {
        candidates.columns.push_back(py::str(name));
        // Cell by cell, so that text UTF-8 cannot hold raises Python's UnicodeEncodeError, as
        // everywhere else, rather than pybind11's "Unable to cast".
        std::vector<std::string> column;
        for (const py::handle cell : cells) column.emplace_back(py::str(cell));
        by_column.push_back(std::move(column));
    }
    MLSTRAT_CHECK(!by_column.empty(), "table has no columns");
    std::size_t name_at = 0;
    for (std::size_t c = 0; c < candidates.columns.size(); ++c) {
        if (candidates.columns[c] == name_col) name_at = c;
    }
    for (std::size_t r = 0; r < by_column[0].size(); ++r) {
        std::vector<std::string> row;
        for (const auto& column : by_column) {
            MLSTRAT_CHECK(column.size() == by_column[0].size(),
                          "table: columns of different lengths");
            row.push_back(column[r]);
        }
        candidates.names.push_back(row[name_at]);
        candidates.cells.push_back(std::move(row));
        candidates.lines.push_back(0);
    }
    return to_python(select::select(candidates, options).to_json());
}

py::object tally(const std::string& sheet, const py::handle& error, const py::handle& resolution,
                 const std::vector<std::string>& tags, const py::handle& ci_level) {
    analysis::TallyOptions options;
    options.error = to_rate(error, "error");
    if (!resolution.is_none()) options.resolution = to_rate(resolution, "resolution");
    options.tags = tags;
    options.ci_level = to_rate(ci_level, "ci_level");
    return to_python(analysis::tally_sheet(sheet, options).to_json());
}

py::object error_slices(const std::string& pred, const std::vector<std::string>& features,
                        std::uint64_t min_rows, unsigned max_depth, unsigned top,
                        const std::string& label_col, const std::string& pred_col,
                        const py::handle& ci_level) {
    analysis::SliceOptions options;
    options.features = features;
    options.min_rows = min_rows;
    options.max_depth = max_depth;
    options.top = top;
    options.label_col = label_col;
    options.pred_col = pred_col;
    options.ci_level = to_rate(ci_level, "ci_level");
    nlohmann::json report;
    {
        py::gil_scoped_release release;
        report = analysis::find_error_slices(pred, options).to_json();
    }
    return to_python(report);
}

}  // namespace

}  // namespace mlstrat::python

PYBIND11_MODULE(_mlstrat, m) {
    using namespace mlstrat::python;
    m.doc() = "The C++ core of mlstrat; use the package `mlstrat`, which documents every function.";
    m.attr("__version__") = MLSTRAT_VERSION;

    static py::exception<mlstrat::Error> input_error(m, "InputError", PyExc_ValueError);
    input_error.doc() =
        "Bad input: the message is the one `mlstrat` prints after 'mlstrat: error: '.";
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const mlstrat::Error& e) {
            if (e.code() == mlstrat::ErrorCode::Internal) {
                PyErr_SetString(PyExc_RuntimeError, e.what());
            } else {
                input_error(e.what());
            }
        }
    });

    m.def("evaluate", &evaluate, py::arg("y_true"), py::arg("y_pred"), py::kw_only(),
          py::arg("slices") = py::none(), py::arg("sample_weight") = py::none(),
          py::arg("class_weight") = py::none(), py::arg("positive") = py::none(),
          py::arg("beta") = 1.0, py::arg("ci_level") = 0.95, py::arg("n_jobs") = py::none());
    m.def("find_label_issues", &find_label_issues, py::arg("labels"), py::arg("pred_probs"),
          py::kw_only(), py::arg("filter_by") = "prune_by_noise_rate",
          py::arg("return_indices_ranked_by") = py::none(), py::arg("multi_label") = false,
          py::arg("frac_noise") = 1.0, py::arg("num_to_remove_per_class") = py::none(),
          py::arg("min_examples_per_class") = 1, py::arg("confident_joint") = py::none(),
          py::arg("n_jobs") = py::none(), py::arg("verbose") = false);
    m.def("label_issues_report", &label_issues_report, py::arg("labels"), py::arg("pred_probs"),
          py::kw_only(), py::arg("class_names") = py::none(), py::arg("sum_tolerance") = 1e-3,
          py::arg("multi_label") = false, py::arg("n_jobs") = py::none(),
          py::arg("filter_by") = "prune_by_noise_rate",
          py::arg("return_indices_ranked_by") = py::none(), py::arg("frac_noise") = 1.0,
          py::arg("num_to_remove_per_class") = py::none(), py::arg("min_examples_per_class") = 1);
    m.def("diagnose", &diagnose, py::kw_only(), py::arg("human") = py::none(),
          py::arg("human_goal") = py::none(), py::arg("train") = py::none(),
          py::arg("train_dev") = py::none(), py::arg("dev") = py::none(),
          py::arg("test") = py::none(), py::arg("human_target") = py::none(),
          py::arg("train_target") = py::none(), py::arg("sizes") = py::none(),
          py::arg("ci_level") = 0.95);
    m.def("ceiling", &ceiling, py::arg("stages"), py::kw_only(), py::arg("rows") = py::none(),
          py::arg("ci_level") = 0.95);
    m.def("select", &select_models, py::arg("table"), py::kw_only(),
          py::arg("maximize") = py::none(), py::arg("minimize") = py::none(),
          py::arg("require") = std::vector<std::string>{},
          py::arg("combine") = std::vector<std::string>{}, py::arg("dev_size") = py::none(),
          py::arg("name_col") = "name", py::arg("ci_level") = 0.95);
    m.def("tally", &tally, py::arg("sheet"), py::kw_only(), py::arg("error"),
          py::arg("resolution") = py::none(), py::arg("tags") = std::vector<std::string>{},
          py::arg("ci_level") = 0.95);
    m.def("error_slices", &error_slices, py::arg("pred"), py::kw_only(), py::arg("features"),
          py::arg("min_rows") = 100, py::arg("max_depth") = 3, py::arg("top") = 10,
          py::arg("label_col") = "label", py::arg("pred_col") = "pred", py::arg("ci_level") = 0.95);
    add_registry(m);
    add_split(m);
}
