// Where every row goes (see split.cpp): each row's key hashed with the seed gives its place in one
// fixed random order; sizes are allocated to strata by controlled rounding, and each stratum's
// hash order is cut at its exact counts (or, with --stable, at fixed hash thresholds).

#include "split/assign.hpp"

#include <xxhash.h>

#include <algorithm>
#include <cmath>

#include "mlstrat/support/error.hpp"
#include "split/detail.hpp"

namespace mlstrat::split::detail {

namespace {

constexpr std::size_t kTest = static_cast<std::size_t>(Part::Test);
constexpr std::size_t kDev = static_cast<std::size_t>(Part::Dev);
constexpr std::size_t kTrainDev = static_cast<std::size_t>(Part::TrainDev);
constexpr std::size_t kTrain = static_cast<std::size_t>(Part::Train);

// Rows whose hash is below `value` (or equal to it, when inclusive) are inside the cut.
struct Cut {
    std::uint64_t value = 0;
    bool inclusive = false;
    bool all = false;
    bool inside(std::uint64_t u) const { return all || u < value || (inclusive && u == value); }
};

// The part of a row given the three nested cuts of its stratum (test, test+dev, +train-dev).
Part part_of(const std::array<Cut, 3>& cuts, std::uint64_t u) {
    unsigned outside = 0;
    for (const Cut& c : cuts) outside += c.inside(u) ? 0 : 1;
    return static_cast<Part>(outside);
}

// The cut of a share of the hash space, for --stable.
Cut threshold_cut(double share) {
    Cut c;
    if (share >= 1.0) {
        c.all = true;
    } else if (share > 0.0) {
        c.value = static_cast<std::uint64_t>(std::ldexp(static_cast<long double>(share), 64));
    }
    return c;
}

// Whether a unit that starts at position `start` of its stratum's hash order and spans `width`
// rows is among the first `count`: its middle must lie before the cut. For single rows this
// takes exactly the first `count`; a run of rows sharing a key stays together.
bool before_cut(std::uint64_t start, std::uint64_t width, std::uint64_t count) {
    return 2 * start + width < 2 * count;
}

double required_share(const std::optional<CountOrShare>& size, const char* flag) {
    MLSTRAT_CHECK(size->is_share, "--stable needs ", flag,
                  " as a share (1%): a count would move rows as the file grows");
    return size->share;
}

// Cumulative shares (test, test+dev, +train-dev) of the target pool (or of all rows without
// targets) and of the other pool, for --stable.
std::array<std::array<double, 3>, 2> stable_shares(const SplitOptions& o) {
    double t = 0.0, d = 0.0;
    if (o.targets.empty()) {
        MLSTRAT_CHECK(o.dev || o.test,
                      "--stable needs --dev and --test as shares (1%); the "
                      "notes' default sizes change with the number of rows");
        d = required_share(o.dev ? o.dev : o.test, o.dev ? "--dev" : "--test");
        t = required_share(o.test ? o.test : o.dev, o.test ? "--test" : "--dev");
    } else {
        std::optional<double> sd, st, sk;
        if (o.dev) sd = required_share(o.dev, "--dev");
        if (o.test) st = required_share(o.test, "--test");
        if (o.target_in_train) sk = required_share(o.target_in_train, "--target-in-train");
        if (!sd && !st) {
            const double rest = sk ? 1.0 - *sk : 0.5;
            sd = st = rest / 2;
        } else if (!sd || !st) {
            const double known = sd ? *sd : *st;
            (sd ? st : sd) = sk ? 1.0 - *sk - known : known;
        }
        d = *sd;
        t = *st;
        MLSTRAT_CHECK(d >= 0.0 && t >= 0.0 && d + t <= 1.0 + 1e-12,
                      "dev and test shares add up to more than all the target rows");
        if (sk) {
            MLSTRAT_CHECK(std::fabs(d + t + *sk - 1.0) < 1e-9,
                          "--dev, --test and --target-in-train shares must add up to 100%");
        }
    }
    MLSTRAT_CHECK(d + t <= 1.0 + 1e-12, "dev and test shares add up to more than 100%");
    const double td = o.train_dev ? required_share(o.train_dev, "--train-dev") : 0.0;
    std::array<std::array<double, 3>, 2> shares{};
    const double first = o.targets.empty() ? 0 : 1;  // pool that feeds dev and test
    shares[static_cast<std::size_t>(first)] = {t, t + d, t + d + td * (1.0 - t - d)};
    if (!o.targets.empty()) shares[0] = {0.0, 0.0, td};
    return shares;
}

// The nested cuts of every stratum at its exact cumulative counts. A histogram of each
// stratum's hashes (about 8 rows a bucket) finds the bucket holding each cut; only the hashes
// in those buckets are then collected and sorted.
std::vector<std::array<Cut, 3>> exact_cuts(
    const Chunked<std::uint64_t>& hashes, const StratumIds& row_stratum, std::uint64_t rows,
    const std::vector<std::uint64_t>& stratum_rows,
    const std::vector<std::array<std::uint64_t, 3>>& counts) {
    const std::size_t S = stratum_rows.size();
    std::vector<unsigned> bits(S, 0);
    std::vector<std::uint64_t> offset(S + 1, 0);
    for (std::size_t s = 0; s < S; ++s) {
        while (bits[s] < 26 && (std::uint64_t{16} << bits[s]) <= stratum_rows[s]) ++bits[s];
        offset[s + 1] = offset[s] + (std::uint64_t{1} << bits[s]);
    }
    auto bucket = [&](std::uint64_t u, std::size_t s) {
        return offset[s] + (bits[s] == 0 ? 0 : u >> (64 - bits[s]));
    };
    std::vector<std::uint32_t> histogram(offset[S], 0);
    for (std::uint64_t i = 0; i < rows; ++i) ++histogram[bucket(hashes[i], row_stratum[i])];

    struct Probe {
        std::uint64_t bucket = 0;
        std::uint64_t before = 0;  // rows of the stratum in earlier buckets
        std::uint64_t count = 0;   // rows the cut takes
        std::vector<std::uint64_t> values;
    };
    std::vector<Probe> probes;
    std::vector<std::array<std::int32_t, 3>> probe_of(S, {-1, -1, -1});
    std::vector<std::array<Cut, 3>> cuts(S);
    for (std::size_t s = 0; s < S; ++s) {
        std::uint64_t b = offset[s], before = 0;
        for (std::size_t j = 0; j < 3; ++j) {
            const std::uint64_t k = counts[s][j];
            if (k >= stratum_rows[s]) {
                cuts[s][j].all = true;
                continue;
            }
            // The bucket that holds position k of the stratum's hash order.
            while (before + histogram[b] <= k) before += histogram[b++];
            probe_of[s][j] = static_cast<std::int32_t>(probes.size());
            probes.push_back({b, before, k, {}});
        }
    }
    for (std::uint64_t i = 0; i < rows; ++i) {
        const std::uint32_t s = row_stratum[i];
        const std::uint64_t u = hashes[i];
        for (std::int32_t p : probe_of[s]) {
            if (p >= 0 && probes[p].bucket == bucket(u, s)) probes[p].values.push_back(u);
        }
    }
    for (std::size_t s = 0; s < S; ++s) {
        for (std::size_t j = 0; j < 3; ++j) {
            if (probe_of[s][j] < 0) continue;
            Probe& probe = probes[probe_of[s][j]];
            auto& v = probe.values;
            std::sort(v.begin(), v.end());
            // The run of equal hashes (one key) that holds position `count`.
            const std::size_t at = probe.count - probe.before;
            const std::size_t start =
                static_cast<std::size_t>(std::lower_bound(v.begin(), v.end(), v[at]) - v.begin());
            const std::size_t end =
                static_cast<std::size_t>(std::upper_bound(v.begin(), v.end(), v[at]) - v.begin());
            cuts[s][j].value = v[at];
            cuts[s][j].inclusive = before_cut(probe.before + start, end - start, probe.count);
            std::vector<std::uint64_t>().swap(v);
        }
    }
    return cuts;
}

// Keys (hashes) that rows of two or more parts share. The keys of every part but the largest go
// into a small open-addressing table; the largest part's rows are then looked up in it, so the
// memory is that of the smaller parts only (2% of the rows for a 98/1/1 split).
std::uint64_t keys_in_several_parts(const Chunked<std::uint64_t>& hashes,
                                    const Chunked<std::uint8_t>& parts, std::uint64_t rows,
                                    const std::array<std::uint64_t, kParts>& part_rows) {
    const auto largest = static_cast<std::uint8_t>(
        std::max_element(part_rows.begin(), part_rows.end()) - part_rows.begin());
    const std::uint64_t others = rows - part_rows[largest];
    std::size_t size = 16;
    while (size < 2 * others) size *= 2;
    std::vector<std::uint64_t> keys(size);
    std::vector<std::uint8_t> masks(size, 0);  // 0: empty slot
    const std::size_t mask = size - 1;
    auto slot = [&](std::uint64_t u) {
        std::size_t i = static_cast<std::size_t>(u ^ (u >> 29)) & mask;
        while (masks[i] != 0 && keys[i] != u) i = (i + 1) & mask;
        return i;
    };
    for (std::uint64_t i = 0; i < rows; ++i) {
        if (parts[i] == largest) continue;
        const std::size_t at = slot(hashes[i]);
        keys[at] = hashes[i];
        masks[at] |= static_cast<std::uint8_t>(1u << parts[i]);
    }
    for (std::uint64_t i = 0; i < rows; ++i) {
        if (parts[i] != largest) continue;
        const std::size_t at = slot(hashes[i]);
        if (masks[at] != 0) masks[at] |= static_cast<std::uint8_t>(1u << largest);
    }
    return static_cast<std::uint64_t>(std::count_if(
        masks.begin(), masks.end(), [](std::uint8_t m) { return (m & (m - 1)) != 0; }));
}

}  // namespace

Assigner::Assigner(const SplitOptions& options)
    : options_(options), by_group_(!options.group_col.empty()),
      stratified_(!options.stratify_col.empty()) {
    MLSTRAT_CHECK(!(options.stable && stratified_),
                  "--stable cuts at fixed hash thresholds and cannot keep class proportions "
                  "exact; drop --stable or --stratify");
    if (options.stable) shares_ = stable_shares(options);
}

bool Assigner::add(std::string_view key, std::string_view stratum_class, bool target) {
    ++rows_;
    target_rows_ += target ? 1 : 0;
    stratum_key_.assign(1, target ? 'T' : 'O');
    if (stratified_) stratum_key_.append(stratum_class);
    const std::uint32_t stratum = strata_.intern(stratum_key_);
    if (stratum >= stratum_rows_.size()) {
        stratum_rows_.push_back(0);
        stratum_pool_.push_back(target ? 1 : 0);
    }
    const std::uint64_t h = XXH3_64bits_withSeed(key.data(), key.size(), options_.seed);
    if (by_group_) {
        auto [it, fresh] =
            group_index_.try_emplace(h, static_cast<std::uint32_t>(group_hash_.size()));
        if (fresh) {
            group_hash_.push_back(h);
            group_rows_.push_back(0);
            group_stratum_.push_back(stratum);
            group_target_.push_back(target ? 1 : 0);
        }
        if (group_target_[it->second] != (target ? 1 : 0)) return false;
        ++group_rows_[it->second];
        ++stratum_rows_[group_stratum_[it->second]];
        row_group_.push_back(it->second);
    } else {
        hashes_.push_back(h);
        row_stratum_.push_back(stratum);
        ++stratum_rows_[stratum];
    }
    return true;
}

Assignment Assigner::finish(const std::string& source) {
    const std::uint64_t rows = rows_;
    if (!options_.targets.empty()) {
        std::string list;
        for (const auto& [column, value] : options_.targets) {
            list += (list.empty() ? "" : ", ") + column + "=" + value;
        }
        MLSTRAT_CHECK(target_rows_ > 0, source, ": --target ", list, " matches none of the ", rows,
                      " rows");
    }
    Assignment out;
    out.rows = rows;
    try {
        out.sizes = resolve_sizes(options_, rows, target_rows_);
    } catch (const Error& e) {
        // Sizes that do not fit are a fault of this input's row count: name it, as every
        // other input error does.
        throw Error(e.code(), source + ": " + e.what());
    }
    const SplitSizes& sizes = out.sizes;

    // ---- sizes of each pool, then of each stratum ---------------------------------------------
    std::array<std::array<std::uint64_t, kParts>, 2> pool_parts{};
    if (options_.targets.empty()) {
        pool_parts[0] = sizes.rows;
    } else {
        auto cr = controlled_round({sizes.target_in_train, rows - target_rows_},
                                   {sizes.rows[kTrainDev], sizes.rows[kTrain]});
        pool_parts[1] = {sizes.rows[kTest], sizes.rows[kDev], cr[0], cr[1]};
        pool_parts[0] = {0, 0, cr[2], cr[3]};
    }
    const std::size_t S = stratum_rows_.size();
    std::vector<std::array<std::uint64_t, 3>> counts(S);  // cumulative cut counts per stratum
    for (std::uint8_t pool = 0; pool < 2; ++pool) {
        std::vector<std::uint32_t> members;
        std::vector<std::uint64_t> totals;
        for (std::uint32_t s = 0; s < S; ++s) {
            if (stratum_pool_[s] != pool || stratum_rows_[s] == 0) continue;
            members.push_back(s);
            totals.push_back(stratum_rows_[s]);
        }
        if (members.empty()) continue;
        const auto& parts = pool_parts[pool];
        const int fed = static_cast<int>(
            std::count_if(parts.begin(), parts.end(), [](std::uint64_t n) { return n > 0; }));
        if (stratified_ && !by_group_ && fed > 1) {
            for (std::size_t m = 0; m < members.size(); ++m) {
                MLSTRAT_CHECK(totals[m] >= 2, source, ": --stratify ", options_.stratify_col,
                              ": class '", strata_.name(members[m]).substr(1), "' has only ",
                              totals[m], " row", pool == 1 ? " among the target rows" : "",
                              "; a class needs at least 2 to be spread over the splits "
                              "(merge rare classes or drop --stratify)");
            }
        }
        auto cells = controlled_round(totals, {parts.begin(), parts.end()});
        for (std::size_t m = 0; m < members.size(); ++m) {
            const std::uint64_t* c = &cells[m * kParts];
            counts[members[m]] = {c[0], c[0] + c[1], c[0] + c[1] + c[2]};
        }
    }

    // ---- place every row ------------------------------------------------------------------------
    Chunked<std::uint8_t>& parts = out.parts;
    if (by_group_) {
        const std::size_t G = group_hash_.size();
        std::vector<std::uint8_t> group_part(G, kTrain);
        if (options_.stable) {
            for (std::size_t g = 0; g < G; ++g) {
                const auto& sh = shares_[stratum_pool_[group_stratum_[g]]];
                group_part[g] = static_cast<std::uint8_t>(
                    part_of({threshold_cut(sh[0]), threshold_cut(sh[1]), threshold_cut(sh[2])},
                            group_hash_[g]));
            }
        } else {
            std::vector<std::vector<std::uint32_t>> by_stratum(S);
            for (std::uint32_t g = 0; g < G; ++g) by_stratum[group_stratum_[g]].push_back(g);
            for (std::size_t s = 0; s < S; ++s) {
                auto& list = by_stratum[s];
                std::sort(list.begin(), list.end(),
                          [&](auto a, auto b) { return group_hash_[a] < group_hash_[b]; });
                std::uint64_t start = 0;
                for (std::uint32_t g : list) {
                    unsigned outside = 0;
                    for (std::uint64_t k : counts[s]) {
                        outside += before_cut(start, group_rows_[g], k) ? 0 : 1;
                    }
                    group_part[g] = static_cast<std::uint8_t>(outside);
                    start += group_rows_[g];
                }
            }
        }
        for (std::uint64_t i = 0; i < rows; ++i) parts.push_back(group_part[row_group_[i]]);
        out.row_group = std::move(row_group_);
        out.groups = G;
    } else {
        std::vector<std::array<Cut, 3>> cuts(S);
        if (options_.stable) {
            for (std::size_t s = 0; s < S; ++s) {
                const auto& sh = shares_[stratum_pool_[s]];
                cuts[s] = {threshold_cut(sh[0]), threshold_cut(sh[1]), threshold_cut(sh[2])};
            }
        } else {
            cuts = exact_cuts(hashes_, row_stratum_, rows, stratum_rows_, counts);
        }
        std::array<std::uint64_t, kParts> part_rows{};
        for (std::uint64_t i = 0; i < rows; ++i) {
            const Part p = part_of(cuts[row_stratum_[i]], hashes_[i]);
            parts.push_back(static_cast<std::uint8_t>(p));
            ++part_rows[static_cast<std::size_t>(p)];
        }
        row_stratum_.reset();
        const std::uint64_t crossing = keys_in_several_parts(hashes_, parts, rows, part_rows);
        hashes_.reset();
        out.keys_in_several_parts = crossing;
    }
    return out;
}

}  // namespace mlstrat::split::detail
