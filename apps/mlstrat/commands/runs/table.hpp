#pragma once
// Printing the run registry for the `runs` subcommands.

#include <CLI/CLI.hpp>

#include <vector>

#include "mlstrat/registry.hpp"

namespace mlstrat::cli {

/// How `runs list` prints.
enum class OutputFormat { Table, Json, Csv };

/// The runs with the given columns (JSON: every field of every run).
void print_runs(const std::vector<registry::Run>& runs, const std::vector<registry::Key>& columns,
                OutputFormat format);

/// One row per seed group: its runs and each numeric column's mean (interval) over the seeds.
void print_groups(const std::vector<registry::GroupSummary>& groups,
                  const std::vector<registry::Key>& columns, OutputFormat format);

/// Registers `runs compare A B` under the `runs` command.
void add_runs_compare(CLI::App* runs);

/// One run in full: fields, per-split metrics, metrics, parameters, tags, notes, config.
void print_run(const registry::Run& run);

}  // namespace mlstrat::cli
