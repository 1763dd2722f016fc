// Tests of the split module: SHA-256 against the FIPS 180-4 vectors, controlled rounding, the
// notes' sizes, and property tests over many seeds on small generated tables: splits disjoint
// and covering every row, exact counts, stratified proportions, groups intact, dev/test only
// from the target, train-dev from the train distribution, byte-identical files for one seed,
// appending rows moves no row (--stable), and the leakage check finding planted duplicates.

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "mlstrat/split.hpp"
#include "mlstrat/support/error.hpp"
#include "split/detail.hpp"

namespace {

namespace fs = std::filesystem;
using mlstrat::CountOrShare;
using mlstrat::parse_count_or_share;
using namespace mlstrat::split;

// A fresh folder on tmpfs when there is one (the atomic writer syncs every file it commits).
fs::path fresh_dir() {
    static int counter = 0;
    fs::path base = fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
    fs::path dir =
        base / ("mlstrat_split_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

struct TempDir {
    fs::path path = fresh_dir();
    ~TempDir() { fs::remove_all(path); }
    std::string operator/(const std::string& name) const { return (path / name).string(); }
};

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

void write(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::string line;
    std::istringstream in(text);
    while (std::getline(in, line)) out.push_back(line);
    return out;
}

// A generated table: id, a skewed label, a source (mobile = the target), a user (group), x.
struct Table {
    std::string header = "id,label,source,user,x";
    std::vector<std::string> rows;
    std::string text() const {
        std::string t = header + "\n";
        for (const auto& r : rows) t += r + "\n";
        return t;
    }
};

Table make_table(std::uint64_t seed, std::size_t n, double mobile = 0.2, std::size_t first_id = 0) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    Table t;
    for (std::size_t i = 0; i < n; ++i) {
        double r = u(rng);
        const char* label = r < 0.6 ? "cat" : r < 0.85 ? "dog" : r < 0.97 ? "bird" : "fish";
        const char* source = u(rng) < mobile ? "mobile" : "web";
        t.rows.push_back(std::to_string(first_id + i) + "," + label + "," + source + ",u" +
                         std::to_string(rng() % (n / 5 + 1)) + "," + std::to_string(rng() % 1000));
    }
    return t;
}

std::string field(const std::string& row, int k) {
    std::size_t start = 0;
    for (int i = 0; i < k; ++i) start = row.find(',', start) + 1;
    return row.substr(start, row.find(',', start) - start);
}

// The rows of every split file in `dir`, by part name.
std::map<std::string, std::vector<std::string>> read_splits(const std::string& dir) {
    std::map<std::string, std::vector<std::string>> out;
    for (const char* name : {"train", "train_dev", "dev", "test"}) {
        std::string path = dir + "/" + name + ".csv";
        if (!fs::exists(path)) continue;
        auto lines = lines_of(slurp(path));
        out[name] = std::vector<std::string>(lines.begin() + 1, lines.end());
    }
    return out;
}

// Which split each row (by id) landed in.
std::map<std::string, std::string> part_by_id(const std::string& dir) {
    std::map<std::string, std::string> out;
    for (const auto& [name, rows] : read_splits(dir)) {
        for (const auto& r : rows) out[field(r, 0)] = name;
    }
    return out;
}

SplitOptions options_with(std::uint64_t seed) {
    SplitOptions o;
    o.seed = seed;
    o.table.threads = 2;
    o.table.block_bytes = 4096;  // many blocks and parts even for small tables
    return o;
}

// ---------------------------------------------------------------------------------------------

TEST(Sha256, MatchesFips180Vectors) {
    using detail::sha256_hex;
    EXPECT_EQ(sha256_hex("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    detail::Sha256 million;
    for (int i = 0; i < 1000; ++i) million.update(std::string(1000, 'a'));
    EXPECT_EQ(million.hex_digest(),
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(ControlledRound, CellsAreFloorOrCeilingAndMarginsExact) {
    std::mt19937_64 rng(7);
    for (int trial = 0; trial < 500; ++trial) {
        const std::size_t R = 1 + rng() % 12, C = 1 + rng() % 4;
        std::vector<std::uint64_t> total(R), columns(C, 0);
        std::uint64_t sum = 0;
        for (auto& t : total) sum += t = rng() % (trial % 3 == 0 ? 5 : 200);
        if (sum == 0) continue;
        std::uint64_t left = sum;
        for (std::size_t c = 0; c + 1 < C; ++c) left -= columns[c] = rng() % (left + 1);
        columns[C - 1] = left;
        auto cells = detail::controlled_round(total, columns);
        for (std::size_t r = 0; r < R; ++r) {
            std::uint64_t row = 0;
            for (std::size_t c = 0; c < C; ++c) {
                const double quota = double(total[r]) * double(columns[c]) / double(sum);
                EXPECT_LE(double(cells[r * C + c]), std::ceil(quota - 1e-9) + 1e-9);
                EXPECT_GE(double(cells[r * C + c]), std::floor(quota + 1e-9) - 1e-9);
                row += cells[r * C + c];
            }
            EXPECT_EQ(row, total[r]);
        }
        for (std::size_t c = 0; c < C; ++c) {
            std::uint64_t col = 0;
            for (std::size_t r = 0; r < R; ++r) col += cells[r * C + c];
            EXPECT_EQ(col, columns[c]);
        }
    }
}

TEST(SplitSizes, FollowTheNotesForTheDeepLearningEra) {
    SplitOptions o;
    auto dev_test = [&](std::uint64_t rows) {
        auto s = resolve_sizes(o, rows, 0);
        EXPECT_EQ(s.rows[0], s.rows[1]);
        return s.rows[static_cast<std::size_t>(Part::Dev)];
    };
    EXPECT_EQ(dev_test(5000), 1000u);        // 60/20/20
    EXPECT_EQ(dev_test(30000), 6000u);       // 10,000 each would leave under 60% for train
    EXPECT_EQ(dev_test(100000), 10000u);     // 10,000 each
    EXPECT_EQ(dev_test(1000000), 10000u);    // 98/1/1
    EXPECT_EQ(dev_test(20000000), 200000u);  // 98/1/1
    auto s = resolve_sizes(o, 5000, 0);
    EXPECT_EQ(s.rows[static_cast<std::size_t>(Part::Train)], 3000u);
}

TEST(SplitSizes, OptionTwoOfTheNotes) {
    SplitOptions o;
    o.targets = {{"source", "mobile"}};
    // 200,000 web pictures and 10,000 from the app: 5,000 app pictures in train, 2,500 dev, 2,500
    // test.
    auto s = resolve_sizes(o, 210000, 10000);
    EXPECT_EQ(s.rows[static_cast<std::size_t>(Part::Dev)], 2500u);
    EXPECT_EQ(s.rows[static_cast<std::size_t>(Part::Test)], 2500u);
    EXPECT_EQ(s.target_in_train, 5000u);
    EXPECT_EQ(s.rows[static_cast<std::size_t>(Part::Train)], 205000u);
    // The rear-view mirror: 500,000 bought + 20,000 in-car, 10,000 of them in train.
    o.target_in_train = parse_count_or_share("10000", "--target-in-train");
    s = resolve_sizes(o, 520000, 20000);
    EXPECT_EQ(s.rows[static_cast<std::size_t>(Part::Dev)], 5000u);
    EXPECT_EQ(s.rows[static_cast<std::size_t>(Part::Test)], 5000u);
    EXPECT_EQ(s.rows[static_cast<std::size_t>(Part::Train)], 510000u);
    // Three shares that make 100% each round on their own; train takes what is left.
    o.dev = parse_count_or_share("25%", "--dev");
    o.test = parse_count_or_share("25%", "--test");
    o.target_in_train = parse_count_or_share("50%", "--target-in-train");
    s = resolve_sizes(o, 100, 7);
    EXPECT_EQ(s.rows[static_cast<std::size_t>(Part::Dev)], 2u);
    EXPECT_EQ(s.rows[static_cast<std::size_t>(Part::Test)], 2u);
    EXPECT_EQ(s.target_in_train, 3u);
}

TEST(SplitSizes, SizesThatDoNotFitSayTheNumbers) {
    SplitOptions o;
    o.targets = {{"source", "mobile"}};
    o.dev = parse_count_or_share("3000", "--dev");
    o.test = parse_count_or_share("3000", "--test");
    try {
        resolve_sizes(o, 100000, 5000);
        FAIL() << "expected an error";
    } catch (const mlstrat::Error& e) {
        EXPECT_NE(std::string(e.what()).find("6,000 rows, but --target matches 5,000"),
                  std::string::npos)
            << e.what();
    }
    o.target_in_train = parse_count_or_share("1000", "--target-in-train");
    EXPECT_THROW(resolve_sizes(o, 100000, 10000), mlstrat::Error);  // 7,000 of 10,000
    SplitOptions plain;
    plain.dev = parse_count_or_share("600", "--dev");
    EXPECT_THROW(resolve_sizes(plain, 1000, 0), mlstrat::Error);  // 600 + 600 > 1,000
}

// ---------------------------------------------------------------------------------------------
// Property tests

TEST(Split, SplitsAreDisjointCoverEveryRowAndKeepOrderAndBytes) {
    for (std::uint64_t seed = 0; seed < 25; ++seed) {
        TempDir dir;
        Table t = make_table(seed, 300 + seed * 37);
        write(dir / "in.csv", t.text());
        SplitOptions o = options_with(seed);
        if (seed % 2) o.train_dev = parse_count_or_share("5%", "--train-dev");
        if (seed % 3 == 0) o.stratify_col = "label";
        SplitReport r = split_table(dir / "in.csv", dir / "out", o);
        auto splits = read_splits(dir / "out");
        std::multiset<std::string> seen;
        std::uint64_t total = 0;
        for (const auto& [name, rows] : splits) {
            // Each file keeps the input order: its ids increase.
            for (std::size_t i = 1; i < rows.size(); ++i) {
                EXPECT_LT(std::stoull(field(rows[i - 1], 0)), std::stoull(field(rows[i], 0)));
            }
            seen.insert(rows.begin(), rows.end());
            total += rows.size();
            EXPECT_EQ(lines_of(slurp(dir / ("out/" + name + ".csv")))[0], t.header);
        }
        EXPECT_EQ(seen, std::multiset<std::string>(t.rows.begin(), t.rows.end())) << seed;
        EXPECT_EQ(total, t.rows.size());
        EXPECT_EQ(r.input_rows, t.rows.size());
        for (const auto& s : r.splits) {
            EXPECT_EQ(s.sha256, detail::sha256_hex(slurp(dir / ("out/" + s.file))));
        }
    }
}

TEST(Split, ExactCountsWhenCountsAreGiven) {
    for (std::uint64_t seed = 0; seed < 25; ++seed) {
        TempDir dir;
        Table t = make_table(seed, 500 + seed * 11);
        write(dir / "in.csv", t.text());
        SplitOptions o = options_with(seed);
        o.id_col = "id";
        o.dev = CountOrShare{false, 37 + seed, 0.0};
        o.test = CountOrShare{false, 50 + 2 * seed, 0.0};
        o.train_dev = CountOrShare{false, 20 + seed, 0.0};
        if (seed % 2) o.stratify_col = "label";
        split_table(dir / "in.csv", dir / "out", o);
        auto splits = read_splits(dir / "out");
        EXPECT_EQ(splits["dev"].size(), 37 + seed);
        EXPECT_EQ(splits["test"].size(), 50 + 2 * seed);
        EXPECT_EQ(splits["train_dev"].size(), 20 + seed);
        EXPECT_EQ(splits["train"].size(), t.rows.size() - 107 - 4 * seed);
    }
}

TEST(Split, SharesGiveTheNearestRow) {
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
        TempDir dir;
        Table t = make_table(seed, 333 + seed * 17);
        write(dir / "in.csv", t.text());
        SplitOptions o = options_with(seed);
        o.dev = parse_count_or_share("7%", "--dev");
        o.test = parse_count_or_share("0.11", "--test");
        split_table(dir / "in.csv", dir / "out", o);
        auto splits = read_splits(dir / "out");
        const double n = double(t.rows.size());
        EXPECT_EQ(double(splits["dev"].size()), std::llround(0.07 * n));
        EXPECT_EQ(double(splits["test"].size()), std::llround(0.11 * n));
    }
}

TEST(Split, StratifiedProportionsWithinOneRowPerClass) {
    for (std::uint64_t seed = 0; seed < 30; ++seed) {
        TempDir dir;
        Table t = make_table(seed, 400 + seed * 23);
        write(dir / "in.csv", t.text());
        SplitOptions o = options_with(seed);
        o.stratify_col = "label";
        o.dev = parse_count_or_share("10%", "--dev");
        o.test = parse_count_or_share("15%", "--test");
        o.train_dev = parse_count_or_share("8%", "--train-dev");
        split_table(dir / "in.csv", dir / "out", o);
        std::map<std::string, std::uint64_t> per_class;
        for (const auto& r : t.rows) ++per_class[field(r, 1)];
        const double n = double(t.rows.size());
        for (const auto& [name, rows] : read_splits(dir / "out")) {
            std::map<std::string, std::uint64_t> got;
            for (const auto& r : rows) ++got[field(r, 1)];
            for (const auto& [label, total] : per_class) {
                const double quota = double(total) * double(rows.size()) / n;
                EXPECT_LT(std::fabs(double(got[label]) - quota), 1.0)
                    << "seed " << seed << " " << name << " " << label;
            }
        }
    }
}

TEST(Split, ManyStrataKeepProportionsToo) {
    // More than 256 classes: the per-row stratum ids widen from one byte to four mid-file.
    for (std::uint64_t seed = 0; seed < 3; ++seed) {
        TempDir dir;
        std::mt19937_64 rng(seed);
        std::string text = "id,label\n";
        std::map<std::string, std::uint64_t> per_class;
        const std::uint64_t n = 4000;
        for (std::uint64_t i = 0; i < n; ++i) {
            std::string label = "c";  // appended apart: GCC 12 misreads "c" + std::string
            label += std::to_string(i < 600 ? i / 2 : 300 + rng() % 100);
            ++per_class[label];
            text += std::to_string(i) + "," + label + "\n";
        }
        write(dir / "in.csv", text);
        SplitOptions o = options_with(seed);
        o.stratify_col = "label";
        o.dev = parse_count_or_share("13%", "--dev");
        o.test = parse_count_or_share("21%", "--test");
        split_table(dir / "in.csv", dir / "out", o);
        auto splits = read_splits(dir / "out");
        EXPECT_EQ(splits["dev"].size(), 520u);
        EXPECT_EQ(splits["test"].size(), 840u);
        for (const auto& [name, rows] : splits) {
            std::map<std::string, std::uint64_t> got;
            for (const auto& r : rows) ++got[field(r, 1)];
            for (const auto& [label, total] : per_class) {
                const double quota = double(total) * double(rows.size()) / double(n);
                EXPECT_LT(std::fabs(double(got[label]) - quota), 1.0) << name << " " << label;
            }
        }
    }
}

TEST(Split, GroupsStayIntact) {
    for (std::uint64_t seed = 0; seed < 25; ++seed) {
        TempDir dir;
        Table t = make_table(seed, 600);
        write(dir / "in.csv", t.text());
        SplitOptions o = options_with(seed);
        o.group_col = "user";
        o.id_col = "id";
        o.train_dev = parse_count_or_share("10%", "--train-dev");
        SplitReport r = split_table(dir / "in.csv", dir / "out", o);
        std::map<std::string, std::set<std::string>> parts_of_group;
        for (const auto& [name, rows] : read_splits(dir / "out")) {
            for (const auto& row : rows) parts_of_group[field(row, 3)].insert(name);
        }
        std::set<std::string> used;
        for (const auto& [group, parts] : parts_of_group) {
            EXPECT_EQ(parts.size(), 1u) << group;
            used.insert(parts.begin(), parts.end());
        }
        EXPECT_EQ(used.size(), 4u);  // every split got some groups
        ASSERT_TRUE(r.leakage.groups_across_splits.has_value());
        EXPECT_EQ(*r.leakage.groups_across_splits, 0u);
        EXPECT_EQ(*r.leakage.duplicate_ids_across_splits, 0u);
    }
}

TEST(Split, DevAndTestOnlyFromTheTargetAndTrainDevFromTrain) {
    for (std::uint64_t seed = 0; seed < 30; ++seed) {
        TempDir dir;
        Table t = make_table(seed, 800, 0.15);
        write(dir / "in.csv", t.text());
        SplitOptions o = options_with(seed);
        o.targets = {{"source", "mobile"}};
        o.target_in_train = parse_count_or_share(seed % 2 ? "40%" : "30", "--target-in-train");
        o.train_dev = parse_count_or_share("10%", "--train-dev");
        if (seed % 3 == 0) o.stratify_col = "label";
        SplitReport r = split_table(dir / "in.csv", dir / "out", o);
        std::uint64_t target = 0;
        for (const auto& row : t.rows) target += field(row, 2) == "mobile";
        auto splits = read_splits(dir / "out");
        for (const char* name : {"dev", "test"}) {
            for (const auto& row : splits[name]) EXPECT_EQ(field(row, 2), "mobile") << name;
        }
        auto count_target = [&](const std::string& name) {
            return static_cast<std::uint64_t>(
                std::count_if(splits[name].begin(), splits[name].end(),
                              [](const std::string& row) { return field(row, 2) == "mobile"; }));
        };
        const std::uint64_t in_train_side = count_target("train") + count_target("train_dev");
        const std::uint64_t want = seed % 2 ? std::llround(0.4 * double(target)) : 30;
        EXPECT_EQ(in_train_side, want) << seed;
        EXPECT_EQ(splits["dev"].size() + splits["test"].size() + want, target);
        // Train-dev has the train mixture of target and other rows, to the row.
        const double train_side = double(splits["train"].size() + splits["train_dev"].size());
        const double quota =
            double(splits["train_dev"].size()) * double(in_train_side) / train_side;
        EXPECT_LT(std::fabs(double(count_target("train_dev")) - quota), 1.0) << seed;
        for (const auto& s : r.splits) {
            ASSERT_TRUE(s.target_rows.has_value());
            EXPECT_EQ(*s.target_rows, count_target(part_name(s.part)));
        }
    }
}

TEST(Split, SameSeedGivesByteIdenticalFiles) {
    for (std::uint64_t seed = 0; seed < 10; ++seed) {
        TempDir dir;
        Table t = make_table(seed, 700);
        write(dir / "in.csv", t.text());
        SplitOptions o = options_with(seed);
        o.stratify_col = "label";
        o.train_dev = parse_count_or_share("5%", "--train-dev");
        split_table(dir / "in.csv", dir / "a", o);
        o.table.threads = 1;
        o.table.block_bytes = std::size_t{1} << 20;
        split_table(dir / "in.csv", dir / "b", o);
        for (const char* f :
             {"train.csv", "train_dev.csv", "dev.csv", "test.csv", "manifest.json"}) {
            std::string a = slurp(dir / (std::string("a/") + f));
            std::string b = slurp(dir / (std::string("b/") + f));
            EXPECT_FALSE(a.empty());
            EXPECT_EQ(a, b) << f;
        }
        o.seed = seed + 1000;
        split_table(dir / "in.csv", dir / "c", o);
        EXPECT_NE(slurp(dir / "a/test.csv"), slurp(dir / "c/test.csv"));
    }
}

TEST(Split, AppendingRowsMovesNoExistingRow) {
    for (std::uint64_t seed = 0; seed < 30; ++seed) {
        TempDir dir;
        Table t = make_table(seed, 500, 0.3);
        Table more = make_table(seed + 99, 300 + seed * 40, 0.3, /*first_id=*/100000);
        Table both = t;
        both.rows.insert(both.rows.end(), more.rows.begin(), more.rows.end());
        write(dir / "old.csv", t.text());
        write(dir / "new.csv", both.text());
        SplitOptions o = options_with(seed);
        o.stable = true;
        o.id_col = seed % 2 ? "id" : "";
        o.dev = parse_count_or_share("10%", "--dev");
        o.test = parse_count_or_share("10%", "--test");
        o.train_dev = parse_count_or_share("5%", "--train-dev");
        if (seed % 3 == 0) {
            o.targets = {{"source", "mobile"}};
            o.dev = o.test = parse_count_or_share("20%", "--dev");
        }
        split_table(dir / "old.csv", dir / "a", o);
        split_table(dir / "new.csv", dir / "b", o);
        auto before = part_by_id(dir / "a");
        auto after = part_by_id(dir / "b");
        ASSERT_EQ(before.size(), t.rows.size());
        for (const auto& [id, part] : before) EXPECT_EQ(after.at(id), part) << "seed " << seed;
    }
}

TEST(Split, ExactModeMovesRowsOnlyToANeighbouringSplitWhenAFewAreAppended) {
    // Without --stable, counts are exact, so appended rows can push a row across a cut; a row
    // then moves one step in the order test, dev, train and never from test straight to train.
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
        TempDir dir;
        Table t = make_table(seed, 2000);
        Table both = t;
        Table more = make_table(seed + 7, 10, 0.2, 100000);
        both.rows.insert(both.rows.end(), more.rows.begin(), more.rows.end());
        write(dir / "old.csv", t.text());
        write(dir / "new.csv", both.text());
        SplitOptions o = options_with(seed);
        o.id_col = "id";
        o.dev = o.test = parse_count_or_share("10%", "--dev");
        split_table(dir / "old.csv", dir / "a", o);
        split_table(dir / "new.csv", dir / "b", o);
        const std::map<std::string, int> rank = {{"test", 0}, {"dev", 1}, {"train", 2}};
        auto before = part_by_id(dir / "a");
        auto after = part_by_id(dir / "b");
        int moved = 0;
        for (const auto& [id, part] : before) {
            EXPECT_LE(std::abs(rank.at(after.at(id)) - rank.at(part)), 1);
            moved += after.at(id) != part;
        }
        EXPECT_LE(moved, 2 * 10);
    }
}

TEST(Split, IdenticalRowsLandTogetherAndDuplicateIdsAreCounted) {
    for (std::uint64_t seed = 0; seed < 15; ++seed) {
        TempDir dir;
        Table t = make_table(seed, 400);
        // Rows repeated byte for byte (the same picture twice in a scraped file).
        for (int k = 0; k < 40; ++k) t.rows.push_back(t.rows[static_cast<std::size_t>(k * 7)]);
        write(dir / "in.csv", t.text());
        SplitOptions o = options_with(seed);
        o.stratify_col = "label";
        SplitReport r = split_table(dir / "in.csv", dir / "out", o);
        std::map<std::string, std::set<std::string>> parts;
        for (const auto& [name, rows] : read_splits(dir / "out")) {
            for (const auto& row : rows) parts[row].insert(name);
        }
        for (const auto& [row, in] : parts) EXPECT_EQ(in.size(), 1u) << row;
        EXPECT_EQ(r.leakage.duplicate_rows_across_splits, 0u);

        // One id on rows with different labels: they sit in different strata, so they may part;
        // the check must count exactly the ids that did.
        Table u = make_table(seed, 400);
        for (int k = 0; k < 30; ++k) {
            std::string row = u.rows[static_cast<std::size_t>(k)];
            std::string label = field(row, 1) == "cat" ? "dog" : "cat";
            u.rows.push_back(field(row, 0) + "," + label + ",web,u0,1");
        }
        write(dir / "ids.csv", u.text());
        o.id_col = "id";
        r = split_table(dir / "ids.csv", dir / "ids", o);
        std::map<std::string, std::set<std::string>> id_parts;
        for (const auto& [name, rows] : read_splits(dir / "ids")) {
            for (const auto& row : rows) id_parts[field(row, 0)].insert(name);
        }
        std::uint64_t crossing = 0;
        for (const auto& [id, in] : id_parts) crossing += in.size() > 1;
        ASSERT_TRUE(r.leakage.duplicate_ids_across_splits.has_value());
        EXPECT_EQ(*r.leakage.duplicate_ids_across_splits, crossing);
        if (seed == 0) {
            EXPECT_GT(crossing, 0u);
        }
    }
}

TEST(SplitCheck, FindsPlantedDuplicatesIdsAndGroups) {
    for (std::uint64_t seed = 0; seed < 15; ++seed) {
        TempDir dir;
        Table t = make_table(seed, 300);
        std::mt19937_64 rng(seed);
        std::map<std::string, std::vector<std::string>> parts;
        for (const auto& row : t.rows) {
            const char* names[] = {"train", "train", "train", "dev", "test"};
            parts[names[rng() % 5]].push_back(row);
        }
        // Plant copies of train rows in dev and test, and in train_dev.
        const std::size_t planted = 3 + seed % 5;
        for (std::size_t k = 0; k < planted; ++k) {
            parts[k % 2 ? "dev" : "test"].push_back(parts["train"][k]);
        }
        parts["train_dev"].push_back(parts["train"][planted]);
        for (const auto& [name, rows] : parts) {
            std::string text = t.header + "\n";
            for (const auto& r : rows) text += r + "\n";
            write(dir / (name + ".csv"), text);
        }
        // What the checks must find, computed directly.
        std::map<std::string, std::set<std::string>> by_row, by_id, by_group;
        for (const auto& [name, rows] : parts) {
            for (const auto& r : rows) {
                by_row[r].insert(name);
                by_id[field(r, 0)].insert(name);
                by_group[field(r, 3)].insert(name);
            }
        }
        auto several = [](const auto& m) {
            std::uint64_t n = 0;
            for (const auto& [k, v] : m) n += v.size() > 1;
            return n;
        };
        SplitOptions o = options_with(seed);
        o.id_col = "id";
        o.group_col = "user";
        o.targets = {{"source", "mobile"}};
        SplitReport r = check_splits(dir.path.string(), o);
        EXPECT_EQ(r.leakage.duplicate_rows_across_splits, planted + 1);
        EXPECT_EQ(r.leakage.duplicate_rows_across_splits, several(by_row));
        EXPECT_EQ(*r.leakage.duplicate_ids_across_splits, several(by_id));
        EXPECT_EQ(*r.leakage.groups_across_splits, several(by_group));
        EXPECT_EQ(r.splits.size(), 4u);
        std::uint64_t rows = 0;
        for (const auto& s : r.splits) {
            rows += s.rows;
            EXPECT_EQ(s.rows, parts[part_name(s.part)].size());
        }
        EXPECT_EQ(r.input_rows, rows);
        EXPECT_FALSE(r.warnings.empty());
    }
}

TEST(SplitCheck, OfASplitFindsWhatItsManifestSays) {
    // The round trip split -> manifest.json -> split --check, in every mode: the same rows,
    // hashes, label counts, dev/test checks (to the last digit) and no leakage the split did not
    // report. Fuzzing (fuzz/split_fuzz) found the chi-square statistics one ulp apart when the
    // split and the check met the labels in different orders.
    for (int mode = 0; mode < 4; ++mode) {
        for (std::uint64_t seed = 0; seed < 6; ++seed) {
            TempDir dir;
            write(dir / "in.csv", make_table(seed, 300 + 37 * seed, 0.3).text());
            SplitOptions o = options_with(seed);
            o.slice_cols = {"source"};
            o.train_dev = parse_count_or_share("10%", "--train-dev");
            if (mode == 1) o.stratify_col = "label";
            if (mode == 2) {
                o.id_col = "id";
                o.group_col = "user";
            }
            if (mode == 3) {
                o.stable = true;
                o.dev = o.test = parse_count_or_share("20%", "--dev");
            }
            const SplitReport made = split_table(dir / "in.csv", dir / "out", o);
            const auto manifest = nlohmann::json::parse(slurp(dir / "out/manifest.json"));
            EXPECT_EQ(manifest, made.to_json());
            const auto checked = check_splits(dir / "out", o).to_json();
            for (const char* key : {"input_rows", "label_col", "splits"}) {
                EXPECT_EQ(manifest.at(key), checked.at(key)) << key << " mode " << mode;
            }
            EXPECT_EQ(manifest["checks"]["dev_test_same_distribution"],
                      checked["checks"]["dev_test_same_distribution"])
                << "mode " << mode;
            EXPECT_EQ(checked["checks"]["leakage"]["duplicate_rows_across_splits"], 0);
            if (mode == 2) EXPECT_EQ(checked["checks"]["leakage"]["groups_across_splits"], 0);
        }
    }
}

TEST(SplitCheck, ChiSquareDoesNotDependOnTheOrderOfTheValues) {
    // Counts whose statistic, summed in these two orders of the values, differed in the last
    // digit (11.566666666666666 and ...668).
    const std::vector<std::uint64_t> dev = {2, 9, 1}, test = {4, 1, 7};
    const std::vector<std::uint64_t> dev2 = {9, 1, 2}, test2 = {1, 7, 4};
    const auto a = detail::chi_square_dev_test("label", dev, test, 0.05);
    const auto b = detail::chi_square_dev_test("label", dev2, test2, 0.05);
    EXPECT_EQ(a.statistic, b.statistic);
    EXPECT_EQ(a.p_value, b.p_value);
}

TEST(SplitCheck, DevAndTestFromDifferentDistributionsAreFlagged) {
    // The notes' regions: four regions in dev and the other four in test.
    TempDir dir;
    std::string head = "id,label,region\n";
    std::string train = head, dev = head, test = head;
    const char* regions[] = {"US",    "UK",    "Europe", "SouthAmerica",
                             "India", "China", "Asia",   "Australia"};
    for (int i = 0; i < 800; ++i) {
        std::string row =
            std::to_string(i) + "," + (i % 3 ? "cat" : "dog") + "," + regions[i % 8] + "\n";
        (i % 8 < 4 ? dev : test) += row;
        train += row;  // train content does not matter here
    }
    write(dir / "train.csv", train);
    write(dir / "dev.csv", dev);
    write(dir / "test.csv", test);
    SplitOptions o;
    o.slice_cols = {"region"};
    SplitReport r = check_splits(dir.path.string(), o);
    ASSERT_TRUE(r.label_check.has_value());
    EXPECT_TRUE(r.label_check->ok);
    ASSERT_EQ(r.slice_checks.size(), 1u);
    EXPECT_TRUE(r.slice_checks[0].tested);
    EXPECT_FALSE(r.slice_checks[0].ok);
    EXPECT_NEAR(r.slice_checks[0].statistic, 800.0, 1e-9);  // perfectly separated: chi2 = n
    EXPECT_EQ(r.slice_checks[0].dof, 7.0);
    EXPECT_LT(r.slice_checks[0].p_value, 1e-100);
    EXPECT_EQ(r.leakage.duplicate_rows_across_splits, 800u);  // every dev/test row is in train
}

TEST(Split, CrlfAndGzipInputCopiedByteForByte) {
    TempDir dir;
    Table t = make_table(3, 300);
    std::string crlf = t.header + "\r\n";
    for (const auto& r : t.rows) crlf += r + "\r\n";
    write(dir / "crlf.csv", crlf);
    SplitOptions o = options_with(3);
    split_table(dir / "crlf.csv", dir / "a", o);
    std::uint64_t bytes = 0;
    for (const char* f : {"train.csv", "dev.csv", "test.csv"}) {
        std::string text = slurp(dir / (std::string("a/") + f));
        EXPECT_EQ(text.substr(0, t.header.size() + 2), t.header + "\r\n");
        EXPECT_EQ(std::count(text.begin(), text.end(), '\n'),
                  std::count(text.begin(), text.end(), '\r'));
        bytes += text.size() - t.header.size() - 2;
    }
    EXPECT_EQ(bytes, crlf.size() - t.header.size() - 2);

    // A gzip'd input gives the same plain files as the plain input.
    write(dir / "plain.csv", t.text());
    gzFile gz = gzopen((dir / "in.csv.gz").c_str(), "wb");
    const std::string text = t.text();
    gzwrite(gz, text.data(), static_cast<unsigned>(text.size()));
    gzclose(gz);
    split_table(dir / "plain.csv", dir / "p", o);
    split_table(dir / "in.csv.gz", dir / "g", o);
    for (const char* f : {"train.csv", "dev.csv", "test.csv"}) {
        EXPECT_EQ(slurp(dir / (std::string("p/") + f)), slurp(dir / (std::string("g/") + f)));
    }
}

// ---------------------------------------------------------------------------------------------
// Bad input: one clear error, no output files.

void expect_error(const std::string& text, const SplitOptions& o, const std::string& needle) {
    TempDir dir;
    write(dir / "in.csv", text);
    try {
        split_table(dir / "in.csv", dir / "out", o);
        ADD_FAILURE() << "expected an error containing: " << needle;
    } catch (const mlstrat::Error& e) {
        EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
    for (const char* f : {"train.csv", "dev.csv", "test.csv", "manifest.json"}) {
        EXPECT_FALSE(fs::exists(dir / (std::string("out/") + f))) << f;
    }
}

TEST(SplitBadInput, ClearErrorsAndNoFiles) {
    const std::string text = make_table(1, 200).text();
    SplitOptions o;
    o.targets = {{"source", "tablet"}};
    expect_error(text, o, "--target source=tablet matches none of the 200 rows");
    o = {};
    o.stratify_col = "id";
    expect_error(text, o, "class '0' has only 1 row");
    o = {};
    o.targets = {{"source", "mobile"}};
    o.dev = o.test = parse_count_or_share("150", "--dev");
    expect_error(text, o, "but --target matches");
    o = {};
    o.stable = true;
    o.dev = o.test = parse_count_or_share("20", "--dev");
    expect_error(text, o, "--stable needs --dev as a share");
    o = {};
    o.stable = true;
    o.stratify_col = "label";
    expect_error(text, o, "--stable cuts at fixed hash thresholds");
    o = {};
    o.id_col = "nope";
    expect_error(text, o, "no column 'nope'");
    o = {};
    o.id_col = "user";
    expect_error("id,user\n1,a\n2,\n", o, "in.csv:3: column 'user' is empty");
    o = {};
    expect_error("id,label\n", o, "no data rows");
    expect_error("id,label\n1,a\n2,b,c\n", o, "in.csv:3: the row has 3 fields");
    o.group_col = "user";
    o.targets = {{"source", "mobile"}};
    expect_error("id,source,user\n1,mobile,a\n2,web,a\n", o, "in.csv:3: group 'a'");
}

TEST(SplitBadInput, CheckNeedsTheThreeFilesWithOneHeader) {
    TempDir dir;
    write(dir / "train.csv", "a,b\n1,2\n");
    write(dir / "dev.csv", "a,b\n1,2\n");
    try {
        check_splits(dir.path.string(), SplitOptions{});
        FAIL();
    } catch (const mlstrat::Error& e) {
        EXPECT_NE(std::string(e.what()).find("no test.csv"), std::string::npos) << e.what();
    }
    write(dir / "test.csv", "a,c\n1,2\n");
    try {
        check_splits(dir.path.string(), SplitOptions{});
        FAIL();
    } catch (const mlstrat::Error& e) {
        EXPECT_NE(std::string(e.what()).find("test.csv:1: the header differs"), std::string::npos)
            << e.what();
    }
}

}  // namespace
