// mlstrat split: two streaming passes over the input. The first hashes each row's key (its id,
// its group, or its bytes) with the seed into a place in one fixed random order and notes its
// stratum (target or not, and its --stratify class). Sizes are then allocated to strata by
// controlled rounding, and each stratum's hash order is cut at its exact counts; the cuts are
// found with a histogram of the hashes, so no per-row sort is needed and memory stays at about
// 10 bytes per row. The second pass copies each record's bytes to its split's file.

#include <fmt/format.h>
#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <filesystem>
#include <memory>
#include <unordered_map>

#include "common/interner.hpp"
#include "mlstrat/error.hpp"
#include "mlstrat/json_text.hpp"
#include "mlstrat/metrics.hpp"
#include "mlstrat/split.hpp"
#include "split/detail.hpp"

namespace mlstrat::split {

namespace {

namespace fs = std::filesystem;
using detail::CrossPartCounter;

constexpr std::size_t kTest = static_cast<std::size_t>(Part::Test);
constexpr std::size_t kDev = static_cast<std::size_t>(Part::Dev);
constexpr std::size_t kTrainDev = static_cast<std::size_t>(Part::TrainDev);
constexpr std::size_t kTrain = static_cast<std::size_t>(Part::Train);

// A growable array in fixed blocks, so growing never copies and never doubles memory.
template <typename T>
class Chunked {
 public:
    void push_back(T v) {
        if (used_ == kBlock) {
            blocks_.emplace_back(kBlock, /*sequential=*/true);
            used_ = 0;
        }
        blocks_.back()[used_++] = v;
    }
    T& operator[](std::uint64_t i) { return blocks_[i >> kShift][i & (kBlock - 1)]; }
    T operator[](std::uint64_t i) const { return blocks_[i >> kShift][i & (kBlock - 1)]; }
    void reset() {
        blocks_.clear();
        used_ = kBlock;
    }

 private:
    static constexpr unsigned kShift = 20;
    static constexpr std::size_t kBlock = std::size_t{1} << kShift;
    std::vector<detail::PageBlock<T>> blocks_;
    std::size_t used_ = kBlock;
};

// The stratum of every row: one byte each while there are at most 256 strata (the usual case),
// four once there are more.
class StratumIds {
 public:
    void push_back(std::uint32_t id) {
        if (!wide_ && id > 0xFF) {
            for (std::uint64_t i = 0; i < size_; ++i) wide_ids_.push_back(narrow_ids_[i]);
            narrow_ids_.reset();
            wide_ = true;
        }
        if (wide_) {
            wide_ids_.push_back(id);
        } else {
            narrow_ids_.push_back(static_cast<std::uint8_t>(id));
        }
        ++size_;
    }
    std::uint32_t operator[](std::uint64_t i) const { return wide_ ? wide_ids_[i] : narrow_ids_[i]; }
    void reset() {
        narrow_ids_.reset();
        wide_ids_.reset();
    }

 private:
    Chunked<std::uint8_t> narrow_ids_;
    Chunked<std::uint32_t> wide_ids_;
    std::uint64_t size_ = 0;
    bool wide_ = false;
};

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
        MLSTRAT_CHECK(o.dev || o.test, "--stable needs --dev and --test as shares (1%); the "
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
std::vector<std::array<Cut, 3>> exact_cuts(const Chunked<std::uint64_t>& hashes,
                                           const StratumIds& row_stratum, std::uint64_t rows,
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
            const std::size_t start = static_cast<std::size_t>(
                std::lower_bound(v.begin(), v.end(), v[at]) - v.begin());
            const std::size_t end = static_cast<std::size_t>(
                std::upper_bound(v.begin(), v.end(), v[at]) - v.begin());
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
    return static_cast<std::uint64_t>(std::count_if(masks.begin(), masks.end(), [](std::uint8_t m) {
        return (m & (m - 1)) != 0;
    }));
}

struct Selection {
    std::vector<std::size_t> columns;
    std::size_t add(std::size_t column) {
        columns.push_back(column);
        return columns.size() - 1;
    }
};

}  // namespace

SplitReport split_table(const std::string& path, const std::string& out_dir,
                        const SplitOptions& options) {
    MLSTRAT_CHECK(!(options.stable && !options.stratify_col.empty()),
                  "--stable cuts at fixed hash thresholds and cannot keep class proportions "
                  "exact; drop --stable or --stratify");
    std::array<std::array<double, 3>, 2> shares{};
    if (options.stable) shares = stable_shares(options);

    // ---- pass 1: keys, strata, groups --------------------------------------------------------
    io::TableReader first(path, options.table);
    Selection sel;
    const bool by_group = !options.group_col.empty();
    const bool by_id = !options.id_col.empty();
    const bool stratified = !options.stratify_col.empty();
    const std::size_t s_id = by_id ? sel.add(first.column(options.id_col)) : 0;
    const std::size_t s_group = by_group ? sel.add(first.column(options.group_col)) : 0;
    const std::size_t s_strat = stratified ? sel.add(first.column(options.stratify_col)) : 0;
    std::vector<std::pair<std::size_t, std::string>> target_slots;
    for (const auto& [column, value] : options.targets) {
        target_slots.emplace_back(sel.add(first.column(column)), value);
    }
    auto is_target = [&](const io::RowBatch& b, std::size_t r) {
        for (const auto& [slot, value] : target_slots) {
            if (b.cell(r, slot) == value) return true;
        }
        return false;
    };

    ::mlstrat::detail::Interner strata;  // "T" or "O", then the --stratify class
    std::vector<std::uint64_t> stratum_rows;
    std::vector<std::uint8_t> stratum_pool;  // 1: target rows, 0: the others
    Chunked<std::uint64_t> hashes;           // per row, when not by group
    StratumIds row_stratum;                  // per row, when not by group
    Chunked<std::uint32_t> row_group;        // per row, when by group
    std::unordered_map<std::uint64_t, std::uint32_t> group_index;
    std::vector<std::uint64_t> group_hash, group_rows;
    std::vector<std::uint32_t> group_stratum;
    std::vector<std::uint8_t> group_target;
    std::uint64_t target_rows = 0;
    std::string stratum_key;

    const std::uint64_t rows = first.scan(
        sel.columns,
        [&](unsigned, const io::RowBatch& b) {
            for (std::size_t r = 0; r < b.size(); ++r) {
                const bool target = !target_slots.empty() && is_target(b, r);
                target_rows += target ? 1 : 0;
                stratum_key.assign(1, target ? 'T' : 'O');
                if (stratified) stratum_key.append(b.cell(r, s_strat));
                const std::uint32_t stratum = strata.intern(stratum_key);
                if (stratum >= stratum_rows.size()) {
                    stratum_rows.push_back(0);
                    stratum_pool.push_back(target ? 1 : 0);
                }
                if (by_group) {
                    std::string_view g = b.cell(r, s_group);
                    MLSTRAT_CHECK(!g.empty(), where(b.path(), b.line(r)), ": column '",
                                  options.group_col, "' is empty; every row needs a group");
                    const std::uint64_t h = XXH3_64bits_withSeed(g.data(), g.size(), options.seed);
                    auto [it, fresh] =
                        group_index.try_emplace(h, static_cast<std::uint32_t>(group_hash.size()));
                    if (fresh) {
                        group_hash.push_back(h);
                        group_rows.push_back(0);
                        group_stratum.push_back(stratum);
                        group_target.push_back(target ? 1 : 0);
                    }
                    MLSTRAT_CHECK(group_target[it->second] == (target ? 1 : 0),
                                  where(b.path(), b.line(r)), ": group '", g, "' (column '",
                                  options.group_col,
                                  "') has rows both matching and not matching --target; a group "
                                  "must land in one split, and dev and test hold target rows only");
                    ++group_rows[it->second];
                    ++stratum_rows[group_stratum[it->second]];
                    row_group.push_back(it->second);
                } else {
                    std::string_view key = by_id ? b.cell(r, s_id) : b.raw(r);
                    MLSTRAT_CHECK(!by_id || !key.empty(), where(b.path(), b.line(r)),
                                  ": column '", options.id_col, "' is empty; every row needs an id");
                    hashes.push_back(XXH3_64bits_withSeed(key.data(), key.size(), options.seed));
                    row_stratum.push_back(stratum);
                    ++stratum_rows[stratum];
                }
            }
        },
        io::ScanOrder::File, /*keep_raw=*/!by_id && !by_group);
    MLSTRAT_CHECK(rows > 0, where(path, 2), ": the file has a header but no data rows");
    if (!options.targets.empty()) {
        std::string list;
        for (const auto& [column, value] : options.targets) {
            list += (list.empty() ? "" : ", ") + column + "=" + value;
        }
        MLSTRAT_CHECK(target_rows > 0, path, ": --target ", list, " matches none of the ", rows,
                      " rows");
    }

    SplitReport report;
    report.input = path;
    report.seed = options.seed;
    report.input_rows = rows;
    report.stable = options.stable;
    report.expected_error = options.expected_error;
    report.ci_level = options.ci_level;
    report.significance = options.significance;
    try {
        report.sizes = resolve_sizes(options, rows, target_rows);
    } catch (const Error& e) {
        // Sizes that do not fit are a fault of this file's row count: name it, as every
        // other input error does.
        throw Error(e.code(), path + ": " + e.what());
    }
    const SplitSizes& sizes = report.sizes;

    // ---- sizes of each pool, then of each stratum ---------------------------------------------
    std::array<std::array<std::uint64_t, kParts>, 2> pool_parts{};
    if (options.targets.empty()) {
        pool_parts[0] = sizes.rows;
    } else {
        auto cr = detail::controlled_round({sizes.target_in_train, rows - target_rows},
                                           {sizes.rows[kTrainDev], sizes.rows[kTrain]});
        pool_parts[1] = {sizes.rows[kTest], sizes.rows[kDev], cr[0], cr[1]};
        pool_parts[0] = {0, 0, cr[2], cr[3]};
    }
    const std::size_t S = stratum_rows.size();
    std::vector<std::array<std::uint64_t, 3>> counts(S);  // cumulative cut counts per stratum
    for (std::uint8_t pool = 0; pool < 2; ++pool) {
        std::vector<std::uint32_t> members;
        std::vector<std::uint64_t> totals;
        for (std::uint32_t s = 0; s < S; ++s) {
            if (stratum_pool[s] != pool || stratum_rows[s] == 0) continue;
            members.push_back(s);
            totals.push_back(stratum_rows[s]);
        }
        if (members.empty()) continue;
        const auto& parts = pool_parts[pool];
        const int fed = static_cast<int>(std::count_if(parts.begin(), parts.end(),
                                                       [](std::uint64_t n) { return n > 0; }));
        if (stratified && !by_group && fed > 1) {
            for (std::size_t m = 0; m < members.size(); ++m) {
                MLSTRAT_CHECK(totals[m] >= 2, path, ": --stratify ", options.stratify_col,
                              ": class '", strata.name(members[m]).substr(1), "' has only ",
                              totals[m], " row", pool == 1 ? " among the target rows" : "",
                              "; a class needs at least 2 to be spread over the splits "
                              "(merge rare classes or drop --stratify)");
            }
        }
        auto cells = detail::controlled_round(totals, {parts.begin(), parts.end()});
        for (std::size_t m = 0; m < members.size(); ++m) {
            const std::uint64_t* c = &cells[m * kParts];
            counts[members[m]] = {c[0], c[0] + c[1], c[0] + c[1] + c[2]};
        }
    }

    // ---- place every row ------------------------------------------------------------------------
    Chunked<std::uint8_t> parts;
    if (by_group) {
        const std::size_t G = group_hash.size();
        std::vector<std::uint8_t> group_part(G, kTrain);
        if (options.stable) {
            for (std::size_t g = 0; g < G; ++g) {
                const auto& sh = shares[stratum_pool[group_stratum[g]]];
                group_part[g] = static_cast<std::uint8_t>(part_of(
                    {threshold_cut(sh[0]), threshold_cut(sh[1]), threshold_cut(sh[2])},
                    group_hash[g]));
            }
        } else {
            std::vector<std::vector<std::uint32_t>> by_stratum(S);
            for (std::uint32_t g = 0; g < G; ++g) by_stratum[group_stratum[g]].push_back(g);
            for (std::size_t s = 0; s < S; ++s) {
                auto& list = by_stratum[s];
                std::sort(list.begin(), list.end(),
                          [&](auto a, auto b) { return group_hash[a] < group_hash[b]; });
                std::uint64_t start = 0;
                for (std::uint32_t g : list) {
                    unsigned outside = 0;
                    for (std::uint64_t k : counts[s]) {
                        outside += before_cut(start, group_rows[g], k) ? 0 : 1;
                    }
                    group_part[g] = static_cast<std::uint8_t>(outside);
                    start += group_rows[g];
                }
            }
        }
        for (std::uint64_t i = 0; i < rows; ++i) parts.push_back(group_part[row_group[i]]);
    } else {
        std::vector<std::array<Cut, 3>> cuts(S);
        if (options.stable) {
            for (std::size_t s = 0; s < S; ++s) {
                const auto& sh = shares[stratum_pool[s]];
                cuts[s] = {threshold_cut(sh[0]), threshold_cut(sh[1]), threshold_cut(sh[2])};
            }
        } else {
            cuts = exact_cuts(hashes, row_stratum, rows, stratum_rows, counts);
        }
        std::array<std::uint64_t, kParts> part_rows{};
        for (std::uint64_t i = 0; i < rows; ++i) {
            const Part p = part_of(cuts[row_stratum[i]], hashes[i]);
            parts.push_back(static_cast<std::uint8_t>(p));
            ++part_rows[static_cast<std::size_t>(p)];
        }
        row_stratum.reset();
        const std::uint64_t crossing = keys_in_several_parts(hashes, parts, rows, part_rows);
        hashes.reset();
        if (by_id) {
            report.leakage.duplicate_ids_across_splits = crossing;
        } else {
            report.leakage.duplicate_rows_across_splits = crossing;
        }
    }

    // --eyeball: which dev rows (counted in file order) the team will look at; a size that
    // leaves no blackbox set fails here, before any file exists.
    std::vector<std::uint64_t> eyeball;
    if (options.eyeball) {
        std::uint64_t dev_rows = 0;
        for (std::uint64_t i = 0; i < rows; ++i) dev_rows += parts[i] == kDev ? 1 : 0;
        std::uint64_t count = 0;
        try {
            count = resolve_eyeball(*options.eyeball, dev_rows, options.expected_error);
        } catch (const Error& e) {
            throw Error(e.code(), path + ": " + e.what());
        }
        eyeball = eyeball_rows(dev_rows, count, options.seed);
    }

    // ---- pass 2: copy every record to its split's file -----------------------------------------
    io::TableReader second(path, options.table);
    Selection sel2;
    const std::string label_col = !options.label_col.empty()  ? options.label_col
                                  : stratified               ? options.stratify_col
                                  : second.find_column("label") ? std::string("label")
                                                                : std::string();
    report.label_col = label_col;
    const bool with_label = !label_col.empty();
    const std::size_t s_label = with_label ? sel2.add(second.column(label_col)) : 0;
    std::vector<std::size_t> s_slices;
    for (const auto& c : options.slice_cols) s_slices.push_back(sel2.add(second.column(c)));
    const std::size_t s_id2 = by_id && by_group ? sel2.add(second.column(options.id_col)) : 0;
    target_slots.clear();
    for (const auto& [column, value] : options.targets) {
        target_slots.emplace_back(sel2.add(second.column(column)), value);
    }

    std::error_code ec;
    const bool out_dir_existed = fs::exists(out_dir, ec);
    fs::create_directories(out_dir, ec);
    if (ec || !fs::is_directory(out_dir)) {
        throw Error(ErrorCode::Io, out_dir + ": cannot create the output folder (" +
                                       (ec ? ec.message() : std::string("not a folder")) + ")");
    }
    const std::string ext = second.delimiter() == '\t' ? ".tsv" : ".csv";
    const std::string header = detail::read_header_line(path, options.table.max_record_bytes);
    const bool crlf = header.size() >= 2 && header.compare(header.size() - 2, 2, "\r\n") == 0;
    const std::string_view eol = crlf ? "\r\n" : "\n";
    const bool present[kParts] = {true, true, options.train_dev.has_value(), true};

    struct Output {
        std::unique_ptr<io::AtomicFile> file;
        detail::Sha256 sha;
        std::string buffer;
        std::uint64_t rows = 0;
        std::uint64_t target_rows = 0;
        std::vector<std::uint64_t> labels;
        void flush() {
            sha.update(buffer);
            file->write(buffer);
            buffer.clear();
        }
    };
    std::array<Output, kParts> out;
    std::array<Output, 2> divided;  // eyeball_dev, blackbox_dev
    std::uint64_t dev_seen = 0;
    if (options.eyeball) {
        for (std::size_t k = 0; k < 2; ++k) {
            divided[k].file = std::make_unique<io::AtomicFile>(
                out_dir + (k == 0 ? "/eyeball_dev" : "/blackbox_dev") + ext);
            divided[k].buffer.append(header);
            if (header.empty() || header.back() != '\n') divided[k].buffer.append(eol);
        }
    }
    for (std::size_t p = 0; p < kParts; ++p) {
        if (!present[p]) continue;
        out[p].file = std::make_unique<io::AtomicFile>(
            out_dir + "/" + part_name(static_cast<Part>(p)) + ext);
        out[p].buffer.reserve(std::size_t{1} << 20);
        out[p].buffer.append(header);
        if (header.empty() || header.back() != '\n') out[p].buffer.append(eol);
    }
    ::mlstrat::detail::Interner labels;
    std::vector<::mlstrat::detail::Interner> slice_values(s_slices.size());
    std::vector<std::array<std::vector<std::uint64_t>, 2>> slice_counts(s_slices.size());
    CrossPartCounter content_parts, id_parts;
    std::vector<std::uint8_t> group_mask(by_group ? group_hash.size() : 0, 0);
    auto bump = [](std::vector<std::uint64_t>& v, std::uint32_t id) {
        if (id >= v.size()) v.resize(id + 1, 0);
        ++v[id];
    };

    const std::uint64_t rows2 = second.scan(
        sel2.columns,
        [&](unsigned, const io::RowBatch& b) {
            for (std::size_t r = 0; r < b.size(); ++r) {
                const std::uint64_t i = b.row_index(r);
                if (i >= rows) {
                    throw Error(ErrorCode::Io, path + ": the file changed while it was split");
                }
                const std::size_t p = parts[i];
                Output& o = out[p];
                const std::string_view raw = b.raw(r);
                o.buffer.append(raw);
                o.buffer.append(eol);
                if (o.buffer.size() >= (std::size_t{1} << 20)) o.flush();
                ++o.rows;
                if (with_label) bump(o.labels, labels.intern(b.cell(r, s_label)));
                if (!target_slots.empty() && is_target(b, r)) ++o.target_rows;
                if (p == kDev && options.eyeball) {
                    Output& d = divided[std::binary_search(eyeball.begin(), eyeball.end(),
                                                           dev_seen++) ? 0 : 1];
                    d.buffer.append(raw);
                    d.buffer.append(eol);
                    if (d.buffer.size() >= (std::size_t{1} << 20)) d.flush();
                    ++d.rows;
                }
                if (p == kDev || p == kTest) {
                    for (std::size_t k = 0; k < s_slices.size(); ++k) {
                        bump(slice_counts[k][p == kDev ? 0 : 1],
                             slice_values[k].intern(b.cell(r, s_slices[k])));
                    }
                }
                if (by_id || by_group) {
                    content_parts.add(XXH3_64bits(raw.data(), raw.size()), static_cast<Part>(p));
                }
                if (by_group) {
                    group_mask[row_group[i]] |= static_cast<std::uint8_t>(1u << p);
                    if (by_id) {
                        std::string_view id = b.cell(r, s_id2);
                        id_parts.add(XXH3_64bits(id.data(), id.size()), static_cast<Part>(p));
                    }
                }
            }
        },
        io::ScanOrder::File, /*keep_raw=*/true);
    if (rows2 != rows) throw Error(ErrorCode::Io, path + ": the file changed while it was split");

    if (by_id || by_group) {
        report.leakage.duplicate_rows_across_splits =
            content_parts.count_keys_in_several_parts(second.threads());
    }
    if (by_group) {
        report.leakage.groups_across_splits = static_cast<std::uint64_t>(std::count_if(
            group_mask.begin(), group_mask.end(), [](std::uint8_t m) { return std::popcount(m) > 1; }));
        if (by_id) {
            report.leakage.duplicate_ids_across_splits =
                id_parts.count_keys_in_several_parts(second.threads());
        }
    }

    // ---- all files are complete: put them in place ----------------------------------------------
    const std::vector<std::string> label_names = labels.names();
    const std::vector<std::size_t> label_order = metrics::natural_order(label_names);
    for (std::size_t p : {kTrain, kTrainDev, kDev, kTest}) {
        if (!present[p]) continue;
        Output& o = out[p];
        o.flush();
        SplitSet set;
        set.part = static_cast<Part>(p);
        set.file = part_name(set.part) + ext;
        set.rows = o.rows;
        set.sha256 = o.sha.hex_digest();
        for (std::size_t k : label_order) {
            set.label_counts.emplace_back(label_names[k], k < o.labels.size() ? o.labels[k] : 0);
        }
        if (!options.targets.empty()) set.target_rows = o.target_rows;
        if (p == kDev || p == kTest) {
            set.error_interval = stats::wilson_interval(
                options.expected_error * static_cast<double>(o.rows), static_cast<double>(o.rows),
                options.ci_level);
        }
        report.splits.push_back(std::move(set));
    }
    detail::finish_checks(report, out[kDev].labels, out[kTest].labels, options.slice_cols,
                  slice_counts, options.significance);
    if (options.eyeball) {
        DevDivision d;
        for (auto& o : divided) o.flush();
        d.eyeball_rows = divided[0].rows;
        d.blackbox_rows = divided[1].rows;
        d.eyeball_file = "eyeball_dev" + ext;
        d.blackbox_file = "blackbox_dev" + ext;
        d.eyeball_sha256 = divided[0].sha.hex_digest();
        d.blackbox_sha256 = divided[1].sha.hex_digest();
        d.rule = options.eyeball->automatic
                     ? fmt::format("auto: about 100 errors at an expected error of {:g}%",
                                   options.expected_error * 100)
                     : "--eyeball";
        report.dev_division = d;
    }
    // The manifest's text before any file is put in place: a label that is not UTF-8 fails here,
    // and leaves no folder it created.
    std::string manifest;
    try {
        manifest = io::json_text(report.to_json(), path, 2) + "\n";
    } catch (const Error&) {
        if (!out_dir_existed) fs::remove(out_dir, ec);
        throw;
    }
    for (std::size_t p = 0; p < kParts; ++p) {
        if (present[p]) out[p].file->commit();
    }
    if (options.eyeball) {
        for (auto& o : divided) o.file->commit();
    }
    if (!present[kTrainDev]) fs::remove(out_dir + "/train_dev" + ext, ec);
    io::write_file_atomically(out_dir + "/manifest.json", manifest);
    return report;
}

}  // namespace mlstrat::split
