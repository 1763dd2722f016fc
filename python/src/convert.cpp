// Argument conversion between Python and the library (see convert.hpp).

#include "convert.hpp"

#include <fmt/format.h>

#include <cmath>

#include "mlstrat/support/error.hpp"
#include "mlstrat/support/json_text.hpp"
#include "mlstrat/support/parse.hpp"

namespace mlstrat::python {

namespace {

columns::Kind numeric_kind(const py::dtype& dtype) {
    const char kind = dtype.kind();
    const auto size = dtype.itemsize();
    if (kind == 'b') return columns::Kind::Bool;
    if (kind == 'i' || kind == 'u') {
        const bool u = kind == 'u';
        switch (size) {
            case 1:
                return u ? columns::Kind::UInt8 : columns::Kind::Int8;
            case 2:
                return u ? columns::Kind::UInt16 : columns::Kind::Int16;
            case 4:
                return u ? columns::Kind::UInt32 : columns::Kind::Int32;
            default:
                return u ? columns::Kind::UInt64 : columns::Kind::Int64;
        }
    }
    return size == 4 ? columns::Kind::Float32 : columns::Kind::Float64;
}

bool is_pandas(const py::handle& obj, const char* type) {
    const std::string module = py::str(py::type::handle_of(obj).attr("__module__"));
    return module.rfind("pandas", 0) == 0 &&
           py::type::handle_of(obj).attr("__name__").cast<std::string>() == type;
}

// The values of an object or unicode array (or a list) as views of Python strings.
void text_column(py::array values, HeldColumn& held) {
    py::list items = values.attr("ravel")().attr("tolist")();
    held.owners.push_back(items);
    auto& text = held.column.text;
    text.reserve(items.size());
    for (const py::handle item : items) {
        py::handle str = item;
        if (!PyUnicode_Check(item.ptr())) {
            py::object converted = py::str(py::module_::import("builtins").attr("repr")(item));
            if (PyFloat_Check(item.ptr()) || PyLong_Check(item.ptr()) || PyBool_Check(item.ptr())) {
                converted = py::str(item);
            } else if (item.is_none()) {
                converted = py::str("");
            } else if (PyBytes_Check(item.ptr())) {
                converted = py::reinterpret_steal<py::object>(
                    PyUnicode_FromEncodedObject(item.ptr(), "utf-8", "replace"));
            }
            held.owners.push_back(converted);
            str = converted;
        }
        Py_ssize_t size = 0;
        const char* data = PyUnicode_AsUTF8AndSize(str.ptr(), &size);
        if (!data) throw py::error_already_set();
        text.emplace_back(data, static_cast<std::size_t>(size));
    }
    held.column.kind = columns::Kind::Text;
    held.column.size = text.size();
}

}  // namespace

HeldColumn to_column(const py::handle& obj, const std::string& name) {
    HeldColumn held;
    held.column.name = name;
    MLSTRAT_CHECK(!obj.is_none(), name, " is None; give an array");
    py::object source = py::reinterpret_borrow<py::object>(obj);
    if (is_pandas(obj, "Series") || is_pandas(obj, "Index")) {
        if (py::str(obj.attr("dtype")).cast<std::string>() == "category") {
            source = obj.attr("array");  // the Categorical
        } else {
            source = obj.attr("to_numpy")();
        }
    }
    if (is_pandas(source, "Categorical")) {
        py::array codes = source.attr("codes");
        held.owners.push_back(codes);
        held.column.kind = columns::Kind::Categorical;
        held.column.code_kind = numeric_kind(codes.dtype());
        held.column.data = codes.data();
        held.column.size = static_cast<std::size_t>(codes.shape(0));
        held.column.stride = codes.strides(0);
        for (const py::handle c : source.attr("categories"))
            held.column.categories.push_back(label_text(c));
        return held;
    }
    py::array array = py::module_::import("numpy").attr("asarray")(source);
    if (array.ndim() != 1) {
        std::string shape = py::str(array.attr("shape"));
        throw Error(name + " must be one-dimensional, not of shape " + shape);
    }
    const char kind = array.dtype().kind();
    if (kind == 'f' && array.dtype().itemsize() == 2) {
        array = array.attr("astype")("float32");  // no C++ half type: widened
    }
    if (kind == 'i' || kind == 'u' || kind == 'b' || kind == 'f') {
        MLSTRAT_CHECK(array.dtype().itemsize() <= 8, name, " has dtype ",
                      py::str(array.dtype()).cast<std::string>(), ", wider than float64");
        held.owners.push_back(array);
        held.column.kind = numeric_kind(array.dtype());
        held.column.data = array.data();
        held.column.size = static_cast<std::size_t>(array.shape(0));
        held.column.stride = array.strides(0);
        return held;
    }
    if (kind == 'O' || kind == 'U' || kind == 'S') {
        text_column(array, held);
        return held;
    }
    throw Error(name + " has dtype " + py::str(array.dtype()).cast<std::string>() +
                "; give labels as integers, floats, booleans, strings or a pandas categorical");
}

std::vector<HeldColumn> to_columns(const py::handle& obj, const std::string& fallback) {
    std::vector<HeldColumn> out;
    if (obj.is_none()) return out;
    if (is_pandas(obj, "DataFrame")) {
        for (const py::handle name : obj.attr("columns")) {
            out.push_back(to_column(obj.attr("__getitem__")(name), py::str(name)));
        }
        return out;
    }
    const bool series = is_pandas(obj, "Series");  // has keys() and items() too: one column
    if (!series && (py::isinstance<py::dict>(obj) || py::hasattr(obj, "keys"))) {
        py::object items = obj.attr("items")();
        for (const py::handle item : items) {
            py::tuple pair = py::reinterpret_borrow<py::tuple>(item);
            out.push_back(to_column(pair[1], py::str(pair[0])));
        }
        return out;
    }
    std::string name = fallback;
    if (series && !obj.attr("name").is_none()) name = py::str(obj.attr("name"));
    out.push_back(to_column(obj, name));
    return out;
}

py::object to_python(const nlohmann::json& j, Numbers numbers) {
    switch (j.type()) {
        case nlohmann::json::value_t::null:
            return py::none();
        case nlohmann::json::value_t::boolean:
            return py::bool_(j.get<bool>());
        case nlohmann::json::value_t::number_integer:
            return py::int_(j.get<std::int64_t>());
        case nlohmann::json::value_t::number_unsigned:
            return py::int_(j.get<std::uint64_t>());
        case nlohmann::json::value_t::number_float:
            return py::float_(numbers == Numbers::Computed ? io::clean_numbers(j).get<double>()
                                                           : j.get<double>());
        case nlohmann::json::value_t::string:
            return py::str(j.get_ref<const std::string&>());
        case nlohmann::json::value_t::array: {
            py::list list(j.size());
            for (std::size_t i = 0; i < j.size(); ++i) list[i] = to_python(j[i], numbers);
            return list;
        }
        case nlohmann::json::value_t::object: {
            py::dict dict;
            for (const auto& [key, value] : j.items())
                dict[py::str(key)] = to_python(value, numbers);
            return dict;
        }
        default:
            return py::none();
    }
}

std::string label_text(const py::handle& value) {
    if (PyFloat_Check(value.ptr()) || py::hasattr(value, "dtype")) {
        // numpy scalars print as their Python counterparts (np.int64(3) -> "3")
        if (py::hasattr(value, "item")) return py::str(value.attr("item")());
    }
    return py::str(value);
}

double to_rate(const py::handle& value, const std::string& what) {
    if (py::isinstance<py::str>(value)) return parse_rate(value.cast<std::string>(), what);
    MLSTRAT_CHECK(!PyBool_Check(value.ptr()), what, ": give a rate (0.08 or '8%'), not a boolean");
    double v = 0.0;
    try {
        v = py::reinterpret_borrow<py::object>(value).cast<double>();
    } catch (const py::cast_error&) {
        throw Error(what + ": '" + std::string(py::str(value)) + "' is not a rate (0.08 or '8%')");
    }
    // Through the CLI's parser, so the same rule (a rate in [0, 1]) gives the same message.
    return parse_rate(fmt::format("{}", v), what);
}

nlohmann::json to_json(const py::handle& value, const std::string& what) {
    if (value.is_none()) return nullptr;
    if (PyBool_Check(value.ptr())) return value.cast<bool>();
    if (py::hasattr(value, "dtype") && py::hasattr(value, "item") &&
        py::len(value.attr("shape")) == 0) {
        return to_json(value.attr("item")(), what);  // a NumPy scalar
    }
    if (PyLong_Check(value.ptr())) return value.cast<std::int64_t>();
    if (PyFloat_Check(value.ptr())) {
        const double v = value.cast<double>();
        MLSTRAT_CHECK(std::isfinite(v), what, ": ", v, " is not a finite number");
        return v;
    }
    if (py::isinstance<py::str>(value)) return value.cast<std::string>();
    if (py::isinstance<py::list>(value) || py::isinstance<py::tuple>(value) ||
        py::hasattr(value, "tolist")) {
        py::object items = py::hasattr(value, "tolist") ? value.attr("tolist")()
                                                        : py::reinterpret_borrow<py::object>(value);
        nlohmann::json out = nlohmann::json::array();
        for (const py::handle item : items) out.push_back(to_json(item, what));
        return out;
    }
    return std::string(py::str(value));  // anything else by its text (a path, an enum)
}

py::array probability_matrix(const py::handle& pred_probs) {
    py::array probs = py::module_::import("numpy").attr("asarray")(pred_probs);
    if (probs.ndim() != 2) {
        std::string shape = py::str(probs.attr("shape"));
        throw Error("pred_probs must be two-dimensional (examples x classes), not of shape " +
                    shape);
    }
    const char kind = probs.dtype().kind();
    MLSTRAT_CHECK(kind == 'f' || kind == 'i' || kind == 'u', "pred_probs has dtype ",
                  std::string(py::str(probs.dtype())), "; give float32 or float64 probabilities");
    if (kind != 'f' || (probs.dtype().itemsize() != 4 && probs.dtype().itemsize() != 8)) {
        probs = probs.attr("astype")("float64");
    }
    return probs;
}

}  // namespace mlstrat::python
