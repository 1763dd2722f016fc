// A seed group as one candidate: the mean of its members' numbers, what a choice over groups
// ranks (tune's repeats), so that no single seed's luck picks the winner.

#include <iterator>
#include <map>
#include <set>

#include "mlstrat/registry.hpp"

namespace mlstrat::registry {

namespace {

// Key -> mean over the members that have it.
template <typename Get>
std::map<std::string, double> mean_of(const std::vector<const Run*>& members, Get get) {
    std::map<std::string, std::pair<double, std::size_t>> sums;
    for (const Run* r : members) {
        for (const auto& [k, v] : get(*r)) {
            auto& [sum, n] = sums[k];
            sum += v;
            ++n;
        }
    }
    std::map<std::string, double> out;
    for (const auto& [k, s] : sums) out[k] = s.first / static_cast<double>(s.second);
    return out;
}

// Key -> value, for the keys every member has with the same value.
template <typename Get>
auto shared_by_all(const std::vector<const Run*>& members, Get get) {
    auto out = get(*members.front());
    for (const Run* r : members) {
        const auto& theirs = get(*r);
        for (auto it = out.begin(); it != out.end();) {
            auto found = theirs.find(it->first);
            it = found == theirs.end() || found->second != it->second ? out.erase(it)
                                                                      : std::next(it);
        }
    }
    return out;
}

}  // namespace

std::vector<Run> group_means(const std::vector<Run>& runs) {
    std::vector<Run> out;
    std::map<std::string, std::vector<const Run*>> groups;
    for (const auto& r : runs) {
        if (r.group.empty()) {
            out.push_back(r);
        } else {
            groups[r.group].push_back(&r);
        }
    }
    for (const auto& [name, members] : groups) {
        Run g;
        g.name = name;
        g.group = name;
        g.kind = "group";
        g.created = members.front()->created;
        g.status = members.front()->status;
        for (const Run* r : members) {
            if (r->status != g.status) g.status = Status::Running;
        }
        g.errors = mean_of(members, [](const Run& r) { return r.errors; });
        g.metrics = mean_of(members, [](const Run& r) { return r.metrics; });
        std::set<std::string> splits;
        for (const Run* r : members) {
            for (const auto& [split, values] : r->split_metrics) splits.insert(split);
        }
        for (const auto& split : splits) {
            g.split_metrics[split] = mean_of(members, [&](const Run& r) {
                auto it = r.split_metrics.find(split);
                return it == r.split_metrics.end() ? std::map<std::string, double>{} : it->second;
            });
        }
        g.sizes = shared_by_all(members, [](const Run& r) { return r.sizes; });
        g.params = shared_by_all(members, [](const Run& r) { return r.params; });
        for (const Run* r : members) g.notes += (g.notes.empty() ? "mean of " : ", ") + r->name;
        out.push_back(std::move(g));
    }
    return out;
}

}  // namespace mlstrat::registry
