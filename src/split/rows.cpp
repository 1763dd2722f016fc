// split from columns in memory (the Python module's mlstrat.split): the rows fed to the same
// Assigner that split_table feeds from a file, so both place the same rows alike.

#include "mlstrat/split.hpp"
#include "mlstrat/support/error.hpp"
#include "split/assign.hpp"

namespace mlstrat::split {

std::vector<Part> assign_parts(const RowColumns& rows, const SplitOptions& options,
                               const std::string& source) {
    const columns::Column* first = rows.keys ? rows.keys : rows.groups;
    MLSTRAT_CHECK(first, source, ": give each row a key (an id or its bytes) or a group");
    MLSTRAT_CHECK(rows.targets.size() == options.targets.size(), source,
                  ": one column per --target");
    const std::size_t n = first->size;
    std::vector<const columns::Column*> given = {rows.keys, rows.groups, rows.stratify};
    given.insert(given.end(), rows.targets.begin(), rows.targets.end());
    for (const columns::Column* c : given) {
        MLSTRAT_CHECK(!c || c->size == n, c ? c->name : "", " has ", c ? c->size : 0,
                      " values but ", first->name, " has ", n);
    }
    MLSTRAT_CHECK(n > 0, source, ": no rows to split");
    detail::Assigner assigner(options);
    std::string key, group, stratum_class;
    for (std::size_t i = 0; i < n; ++i) {
        bool target = false;
        for (std::size_t t = 0; t < rows.targets.size() && !target; ++t) {
            target = rows.targets[t]->text_of(i) == options.targets[t].second;
        }
        if (rows.stratify) stratum_class = rows.stratify->text_of(i);
        if (rows.groups) {
            group = rows.groups->text_of(i);
            MLSTRAT_CHECK(!group.empty(), rows.groups->place(i), ": column '", options.group_col,
                          "' is empty; every row needs a group");
            MLSTRAT_CHECK(assigner.add(group, stratum_class, target), rows.groups->place(i),
                          ": group '", group, "' (column '", options.group_col,
                          "') has rows both matching and not matching --target; a group must "
                          "land in one split, and dev and test hold target rows only");
        } else {
            key = rows.keys->text_of(i);
            MLSTRAT_CHECK(options.id_col.empty() || !key.empty(), rows.keys->place(i), ": column '",
                          options.id_col, "' is empty; every row needs an id");
            assigner.add(key, stratum_class, target);
        }
    }
    const detail::Assignment placed = assigner.finish(source);
    std::vector<Part> parts(n);
    for (std::size_t i = 0; i < n; ++i) parts[i] = static_cast<Part>(placed.parts[i]);
    return parts;
}

}  // namespace mlstrat::split
