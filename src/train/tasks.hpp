#pragma once
// Multi-task labels on the data side (private to src/train/, no LibTorch): reading a task label
// cell, deriving tasks from a class label, and hiding a seeded share of the training labels.

#include <cstdint>
#include <string>
#include <string_view>

#include "mlstrat/train/config.hpp"
#include "mlstrat/train/data.hpp"

namespace mlstrat::train {

/// One task label of a CSV cell: 1/true/yes is 1, 0/false/no is 0 (any case), `?` or empty is
/// kMissingLabel. Throws Error naming `at` (FILE:LINE) and the column for anything else.
std::int8_t parse_task_label(std::string_view cell, const std::string& at,
                             const std::string& column);

/// Makes `data` multi-task when the config asks for it: the tasks of data.label_cols as read, or
/// the [tasks] table derived from each example's class (a task is positive when the class is one
/// of its list); then hides data.missing_share of the train split's labels. Leaves single-label
/// data as it is. Throws Error(Config) naming the key for unknown classes, both forms at once,
/// or a task with no label left in train.
void add_tasks(const Config& config, Dataset& data);

}  // namespace mlstrat::train
