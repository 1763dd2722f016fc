// _mlstrat.split: the part of every row that `mlstrat split` gives the same rows, from columns in
// memory (split::assign_parts); the Python function mlstrat.split prepares the columns.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "convert.hpp"
#include "mlstrat/split.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/parse.hpp"

namespace py = pybind11;

namespace mlstrat::python {

namespace {

// A size as the CLI's flag reads it: 2500 is a count, 0.2 or "20%" a share.
std::optional<CountOrShare> size_of(const py::handle& value, const char* flag) {
    if (value.is_none()) return std::nullopt;
    std::string text = py::str(value);
    if (PyFloat_Check(value.ptr())) text = py::repr(value);
    return parse_count_or_share(text, flag);
}

std::optional<HeldColumn> optional_column(const py::handle& values, const std::string& name) {
    if (values.is_none()) return std::nullopt;
    return to_column(values, name);
}

// {part name: row indices}, train, train_dev (when asked for), dev, test.
py::dict split_rows(const py::handle& keys, const std::string& key_name, const py::handle& groups,
                    const std::string& group_name, const py::handle& stratify,
                    const std::string& stratify_name, const py::list& targets,
                    const py::handle& dev, const py::handle& test, const py::handle& train_dev,
                    const py::handle& target_in_train, bool stable, std::uint64_t seed) {
    split::SplitOptions options;
    options.dev = size_of(dev, "--dev");
    options.test = size_of(test, "--test");
    options.train_dev = size_of(train_dev, "--train-dev");
    options.target_in_train = size_of(target_in_train, "--target-in-train");
    options.stable = stable;
    options.seed = seed;
    const std::optional<HeldColumn> key_column = optional_column(keys, key_name);
    const std::optional<HeldColumn> group_column = optional_column(groups, group_name);
    const std::optional<HeldColumn> stratify_column = optional_column(stratify, stratify_name);
    split::RowColumns rows;
    if (key_column) rows.keys = &key_column->column;
    if (group_column) {
        rows.groups = &group_column->column;
        options.group_col = group_name;
    }
    if (stratify_column) {
        rows.stratify = &stratify_column->column;
        options.stratify_col = stratify_name;
    }
    std::vector<HeldColumn> target_columns;
    target_columns.reserve(targets.size());
    for (const py::handle item : targets) {
        auto triple = py::reinterpret_borrow<py::tuple>(item);  // (column, name, value)
        const std::string name = py::str(triple[1]);
        target_columns.push_back(to_column(triple[0], name));
        options.targets.emplace_back(name, label_text(triple[2]));
    }
    for (const auto& c : target_columns) rows.targets.push_back(&c.column);
    if (!key_name.empty() && key_name != "row") options.id_col = key_name;
    MLSTRAT_CHECK(!options.target_in_train || !options.targets.empty(),
                  "--target-in-train needs --target COL=VALUE");
    std::vector<split::Part> parts;
    {
        py::gil_scoped_release release;
        parts = split::assign_parts(rows, options, "frame");
    }
    std::array<std::vector<std::int64_t>, split::kParts> indices;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        indices[static_cast<std::size_t>(parts[i])].push_back(static_cast<std::int64_t>(i));
    }
    py::dict out;
    for (split::Part p :
         {split::Part::Train, split::Part::TrainDev, split::Part::Dev, split::Part::Test}) {
        if (p == split::Part::TrainDev && !options.train_dev) continue;
        const auto& v = indices[static_cast<std::size_t>(p)];
        py::array_t<std::int64_t> a(static_cast<py::ssize_t>(v.size()));
        std::copy(v.begin(), v.end(), a.mutable_data());
        out[split::part_name(p)] = a;
    }
    return out;
}

}  // namespace

void add_split(py::module_& m) {
    m.def("split", &split_rows, py::arg("keys"), py::arg("key_name"), py::arg("groups"),
          py::arg("group_name"), py::arg("stratify"), py::arg("stratify_name"), py::arg("targets"),
          py::arg("dev"), py::arg("test"), py::arg("train_dev"), py::arg("target_in_train"),
          py::arg("stable"), py::arg("seed"));
}

}  // namespace mlstrat::python
