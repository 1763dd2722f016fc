#pragma once
// Placing the items of several parts into groups by key, each part's items in its own order.

#include <cstddef>
#include <vector>

namespace mlstrat::analysis::detail {

// Where the items of a list grouped by key go, when each of `parts` parts has counts[part * keys
// + key] items of each key: group `key` is [start[key], start[key + 1]), and within it each part's
// items come after those of the parts before it, from next[part * keys + key] on. A part that
// moves its items in its own order thus keeps them in that order within each group.
struct GroupedLayout {
    std::vector<std::size_t> start;
    std::vector<std::size_t> next;
};

template <typename Count>
GroupedLayout group_layout(const std::vector<Count>& counts, unsigned parts, std::size_t keys) {
    GroupedLayout layout{std::vector<std::size_t>(keys + 1, 0),
                         std::vector<std::size_t>(parts * keys)};
    std::size_t at = 0;
    for (std::size_t key = 0; key < keys; ++key) {
        layout.start[key] = at;
        for (unsigned part = 0; part < parts; ++part) {
            layout.next[part * keys + key] = at;
            at += counts[part * keys + key];
        }
    }
    layout.start[keys] = at;
    return layout;
}

}  // namespace mlstrat::analysis::detail
