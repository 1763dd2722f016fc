#pragma once
// The parts of the module `mlstrat._mlstrat` defined outside module.cpp, each added by one call.

#include <pybind11/pybind11.h>

namespace mlstrat::python {

/// The class _mlstrat.Registry: the run registry file the CLI's `runs` commands use.
void add_registry(pybind11::module_& m);

/// _mlstrat.split: the rows of each part `mlstrat split` makes, from columns in memory.
void add_split(pybind11::module_& m);

}  // namespace mlstrat::python
