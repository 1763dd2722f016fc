// Fuzzes sharded evaluation and reads back what it wrote: the `eval --stats-out` documents of
// every shard of a predictions file, merged with `eval --merge`, must give the counts of one
// pass over the whole file; when one pass refuses the file, so must the shards. The first byte
// picks the number of shards (1-4), the threads, a small block size, --weight-col weight,
// --slice-col region and --positive. Seeds have the columns label,pred,weight,region.

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "fuzz_input.hpp"
#include "mlstrat/metrics.hpp"
#include "mlstrat/support/io.hpp"
#include "mlstrat/support/json_text.hpp"

namespace {

using namespace mlstrat::metrics;

/// Sums of `rows` weights added in another order differ by rounding only.
bool same_sum(double a, double b, std::uint64_t rows) {
    if (a == b) return true;
    const double bound = 2.0 * static_cast<double>(rows + 1) *
                         std::numeric_limits<double>::epsilon() *
                         std::max(std::abs(a), std::abs(b));
    return std::abs(a - b) <= bound;
}

bool same_counts(const EvalCounts& a, const EvalCounts& b) {
    if (a.rows != b.rows || a.classes != b.classes || a.counts != b.counts ||
        a.weighted != b.weighted || a.slices.size() != b.slices.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.slices.size(); ++i) {
        const auto &x = a.slices[i], &y = b.slices[i];
        if (x.column != y.column || x.values != y.values || x.rows != y.rows ||
            x.errors != y.errors) {
            return false;
        }
    }
    return same_sum(a.weight_sum, b.weight_sum, a.rows) &&
           same_sum(a.weight_error_sum, b.weight_error_sum, a.rows) &&
           same_sum(a.weight_square_sum, b.weight_square_sum, a.rows);
}

/// Whether `bytes` are UTF-8 text, as JSON needs.
bool utf8(const std::uint8_t* bytes, std::size_t size) {
    try {
        (void)nlohmann::json(std::string(reinterpret_cast<const char*>(bytes), size)).dump();
        return true;
    } catch (const nlohmann::json::type_error&) {
        return false;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::uint8_t knobs = data[0];
    const std::string path = mlstrat::fuzz::write_input(data + 1, size - 1, ".csv");
    EvalOptions options;
    const unsigned shards = 1 + (knobs & 3);
    options.table.threads = 1 + ((knobs >> 2) & 1);
    options.table.block_bytes = std::size_t{16} << ((knobs >> 3) & 3);
    options.table.max_record_bytes = 4096;
    if (knobs & 0x20) options.weight_col = "weight";
    if (knobs & 0x40) options.slice_cols = {"region"};
    if (knobs & 0x80) options.positive = "1";

    EvalCounts one_pass;
    bool counted = false;
    mlstrat::fuzz::expect_clean([&] {
        one_pass = count_predictions(path, options);
        counted = true;
    });

    std::vector<std::string> parts;
    bool merged_ok = false;
    MergedShards merged;
    mlstrat::fuzz::expect_clean([&] {
        for (unsigned i = 0; i < shards; ++i) {
            EvalOptions o = options;
            o.table.shard_index = i;
            o.table.shard_count = shards;
            parts.push_back(path + ".part" + std::to_string(i) + ".json");
            mlstrat::io::write_file_atomically(
                parts.back(), mlstrat::io::json_text(count_shard(path, o).to_json(), path) + "\n");
        }
        merged = merge_shards(parts);
        merged_ok = true;
    });
    // A statistics file is JSON: the shards may refuse text that is not UTF-8, one pass not.
    if (counted && !merged_ok && !utf8(data + 1, size - 1)) return 0;
    if (counted != merged_ok) {
        // One pass and the shards disagree on whether the file is valid: say which failed.
        mlstrat::fuzz::expect_no_error([&] { return count_predictions(path, options).rows; });
        mlstrat::fuzz::expect_no_error([&] { return merge_shards(parts).counts.rows; });
        mlstrat::fuzz::finding("one pass and the merged shards disagree on the file's validity");
    }
    if (counted && !same_counts(one_pass, merged.counts)) {
        mlstrat::fuzz::finding(
            "the merged shards' counts differ from one pass's: " + merged.counts.to_json().dump() +
            " against " + one_pass.to_json().dump());
    }
    return 0;
}
