#pragma once
// From Python objects to the library's inputs and from its results back: NumPy arrays and pandas
// columns become columns::Column views of the caller's memory (a copy only where the dtype or
// layout demands one: strings, float16, lists), JSON documents become dicts.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mlstrat/support/columns.hpp"

namespace mlstrat::python {

namespace py = pybind11;

/// A column with the Python objects that own its memory; they stay referenced (and the views
/// valid) while the library reads it without the GIL.
struct HeldColumn {
    columns::Column column;
    std::vector<py::object> owners;
};

/// The 1-D column `obj` (NumPy array, pandas Series or Categorical, list) named `name`. Raises
/// InputError for other shapes and dtypes.
HeldColumn to_column(const py::handle& obj, const std::string& name);

/// The named columns of a mapping ({name: array}), a pandas DataFrame, or one array (named
/// `fallback`); None gives none.
std::vector<HeldColumn> to_columns(const py::handle& obj, const std::string& fallback);

/// How to_python gives numbers: clean as `mlstrat ... --json` prints what mlstrat computed, or
/// exactly as the registry stores them.
enum class Numbers { Computed, Stored };

/// A JSON document as Python objects (dict, list, float, int, str, bool, None).
py::object to_python(const nlohmann::json& j, Numbers numbers = Numbers::Computed);

/// The text of a label-like value as a CSV file written by pandas holds it (3, 2.5, True, cat).
std::string label_text(const py::handle& value);

/// A rate given as a number (0.08) or as text ("8%" or "0.08"), named `what` in errors.
double to_rate(const py::handle& value, const std::string& what);

/// A parameter's value as JSON: None, bool, int, float (finite), str, a list or array of them;
/// anything else by its text. `what` names it in errors.
nlohmann::json to_json(const py::handle& value, const std::string& what);

/// The probabilities as the strided float32/float64 matrix the library reads (float16 and
/// integers widened); InputError unless two-dimensional and numeric.
py::array probability_matrix(const py::handle& pred_probs);

}  // namespace mlstrat::python
