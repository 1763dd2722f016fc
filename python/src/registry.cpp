// _mlstrat.Registry: a handle on the run registry (SQLite) file that `mlstrat runs` uses; each
// method converts its arguments, takes the handle's lock, releases the GIL and makes one library
// call (one transaction). The Python class mlstrat.Registry builds runs and DataFrames on it.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <mutex>

#include "bindings.hpp"
#include "convert.hpp"
#include "mlstrat/registry.hpp"
#include "mlstrat/support/error.hpp"

namespace py = pybind11;

namespace mlstrat::python {

namespace {

// {"optim": {"lr": 0.001}} -> {"optim.lr": 0.001}: the typed keys `runs log --param` writes.
void flatten_params(const py::handle& params, const std::string& prefix,
                    std::map<std::string, nlohmann::json>& out) {
    for (const auto& [key, value] : py::reinterpret_borrow<py::dict>(params)) {
        const std::string name = prefix + std::string(py::str(key));
        if (py::isinstance<py::dict>(value)) {
            flatten_params(value, name + ".", out);
        } else {
            out[name] = to_json(value, "params['" + name + "']");
        }
    }
}

// One registry file; the lock keeps one transaction at a time on its connection when several
// Python threads share the handle.
class RegistryHandle {
 public:
    explicit RegistryHandle(const std::string& path) : registry_(open(path)) {}

    std::string path() const { return registry_.path(); }

    void log(const std::string& run, const py::handle& step, const py::dict& metrics,
             const py::handle& params, const py::handle& tags) {
        registry::LogEntry entry;
        if (!step.is_none()) entry.step = step.cast<std::int64_t>();
        for (const auto& [key, value] : metrics) {
            const std::string name = py::str(key);
            double v = 0.0;
            try {
                v = py::reinterpret_borrow<py::object>(value).cast<double>();
            } catch (const py::cast_error&) {
                throw Error("'" + name + "': '" + std::string(py::str(value)) +
                            "' is not a number");
            }
            entry.metrics.push_back(registry::keyword_metric(name, v));
        }
        if (!params.is_none()) flatten_params(params, "", entry.params);
        if (!tags.is_none()) {
            for (const auto& [key, value] : py::reinterpret_borrow<py::dict>(tags)) {
                entry.tags[py::str(key)] = py::str(value);
            }
        }
        locked([&] { registry_.log(run, entry); });
    }

    void set_group(const std::string& run, const std::string& group) {
        locked([&] { registry_.set_group(run, group); });
    }

    void set_status(const std::string& run, const std::string& status) {
        const registry::Status s = registry::parse_status(status);
        locked([&] { registry_.set_status(run, s); });
    }

    std::string predictions(const std::string& run, const std::string& split,
                            const std::string& path, const py::handle& ids,
                            const py::handle& y_true, const py::handle& pred_probs,
                            const py::handle& classes) {
        HeldColumn id_column = to_column(ids, "ids");
        HeldColumn labels = to_column(y_true, "y_true");
        py::array probs = probability_matrix(pred_probs);
        MLSTRAT_CHECK(static_cast<std::size_t>(probs.shape(0)) == id_column.column.size,
                      "pred_probs has ", probs.shape(0), " rows but ids has ",
                      id_column.column.size);
        std::vector<std::string> names;
        if (classes.is_none()) {
            for (py::ssize_t c = 0; c < probs.shape(1); ++c) names.push_back(std::to_string(c));
        } else {
            for (const py::handle name : classes) names.push_back(label_text(name));
            MLSTRAT_CHECK(names.size() == static_cast<std::size_t>(probs.shape(1)),
                          "classes names ", names.size(), " classes but pred_probs has ",
                          probs.shape(1), " columns");
        }
        const auto kind =
            probs.dtype().itemsize() == 4 ? columns::Kind::Float32 : columns::Kind::Float64;
        locked([&] {
            MLSTRAT_CHECK(registry_.find_run(run), "no run named '", run, "'");
            registry::write_predictions(path, id_column.column, labels.column, names, probs.data(),
                                        kind, probs.strides(0), probs.strides(1));
            registry_.attach_predictions(run, split, path);
        });
        return path;
    }

    // The selected runs as columns: ({key: [value per run]}, [key, ...] in table order).
    py::tuple query(const std::vector<std::string>& where, const std::string& sort,
                    std::size_t limit, bool include_deleted, const py::handle& columns) {
        registry::Query q = registry::parse_query(where, sort, limit);
        q.include_deleted = q.include_deleted || include_deleted;
        std::vector<registry::Run> runs;
        locked([&] { runs = registry_.query(q); });
        std::vector<registry::Key> keys;
        if (columns.is_none()) {
            keys = registry::all_columns(runs);
        } else {
            for (const py::handle c : columns)
                keys.push_back(registry::parse_key(std::string(py::str(c))));
        }
        py::dict table;
        py::list order;
        for (const auto& key : keys) {
            py::list cells;
            for (const auto& run : runs)
                cells.append(to_python(registry::value_of(run, key), Numbers::Stored));
            table[py::str(key.text())] = cells;
            order.append(key.text());
        }
        return py::make_tuple(table, order);
    }

    py::object find(const std::string& name) {
        std::optional<registry::Run> run;
        locked([&] { run = registry_.find_run(name); });
        return run ? to_python(run->to_json(), Numbers::Stored) : py::none();
    }

    py::dict steps(const std::string& run) {
        std::vector<registry::Step> steps;
        locked([&] {
            MLSTRAT_CHECK(registry_.find_run(run), "no run named '", run, "'");
            steps = registry_.steps(run);
        });
        py::list step, split, metric, value;
        for (const auto& s : steps) {
            step.append(s.step);
            split.append(s.split);
            metric.append(s.metric);
            value.append(s.value);
        }
        py::dict out;
        out["step"] = step;
        out["split"] = split;
        out["metric"] = metric;
        out["value"] = value;
        return out;
    }

 private:
    static registry::Registry open(const std::string& path) {
        py::gil_scoped_release release;
        return registry::Registry::open(path);
    }

    template <typename F>
    void locked(F&& f) {
        py::gil_scoped_release release;
        std::lock_guard<std::mutex> lock(mutex_);
        f();
    }

    registry::Registry registry_;
    std::mutex mutex_;
};

}  // namespace

void add_registry(py::module_& m) {
    py::class_<RegistryHandle>(m, "Registry")
        .def(py::init<const std::string&>(), py::arg("path"))
        .def_property_readonly("path", &RegistryHandle::path)
        .def("log", &RegistryHandle::log, py::arg("run"), py::arg("step"), py::arg("metrics"),
             py::arg("params") = py::none(), py::arg("tags") = py::none())
        .def("set_group", &RegistryHandle::set_group, py::arg("run"), py::arg("group"))
        .def("set_status", &RegistryHandle::set_status, py::arg("run"), py::arg("status"))
        .def("predictions", &RegistryHandle::predictions, py::arg("run"), py::arg("split"),
             py::arg("path"), py::arg("ids"), py::arg("y_true"), py::arg("pred_probs"),
             py::arg("classes") = py::none())
        .def("query", &RegistryHandle::query, py::arg("where"), py::arg("sort"), py::arg("limit"),
             py::arg("include_deleted"), py::arg("columns") = py::none())
        .def("find", &RegistryHandle::find, py::arg("name"))
        .def("steps", &RegistryHandle::steps, py::arg("run"));
}

}  // namespace mlstrat::python
