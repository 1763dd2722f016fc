// Fuzzes `mlstrat split` and reads back what it wrote: `split --check` of the output folder must
// find what manifest.json says (rows, SHA-256, label counts, the dev/test checks, no leakage the
// split did not report), and manifest.json must parse to the report split returned. The first
// byte picks the threads, a small block size, --id-col, --stratify, --group-col, --stable and
// --train-dev; the second the seed and --slice-col. Seeds have the columns id,label,user,source.

#include <cstdint>
#include <filesystem>

#include "fuzz_input.hpp"
#include "mlstrat/split.hpp"
#include "mlstrat/support/io.hpp"

namespace {

using nlohmann::json;

/// `j` as written to a file and read back (NaN and infinities become null, as in any JSON file).
json through_text(const json& j) { return json::parse(j.dump()); }

/// A leakage count the split left unset (null) is one it makes 0 by construction.
json leakage_or_zero(json leak) {
    for (auto& [key, value] : leak.items()) {
        if (value.is_null()) value = 0;
    }
    return leak;
}

/// Traps unless the manifest's `a` is what --check found, `b`.
void same(const char* what, const json& a, const json& b) {
    if (a != b) {
        mlstrat::fuzz::finding(std::string(what) + " differs: manifest " + a.dump() + ", --check " +
                               b.dump());
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const std::uint8_t knobs = data[0];
    const std::uint8_t more = data[1];
    const std::string path = mlstrat::fuzz::write_input(data + 2, size - 2, ".csv");
    const std::string out = path + ".out";
    std::error_code ec;
    std::filesystem::remove_all(out, ec);

    using namespace mlstrat::split;
    SplitOptions options;
    options.table.threads = 1 + (knobs & 1);
    options.table.block_bytes = std::size_t{16} << ((knobs >> 1) & 3);
    options.table.max_record_bytes = 4096;
    if (knobs & 0x08) options.id_col = "id";
    if (knobs & 0x20) options.group_col = "user";
    if (knobs & 0x40) {
        options.stable = true;
        options.dev = mlstrat::parse_count_or_share("20%", "--dev");
        options.test = mlstrat::parse_count_or_share("20%", "--test");
    } else if (knobs & 0x10) {
        options.stratify_col = "label";
    }
    if (knobs & 0x80) options.train_dev = mlstrat::parse_count_or_share("10%", "--train-dev");
    options.seed = more & 0x7f;
    if (more & 0x80) options.slice_cols = {"source"};

    SplitReport report;
    bool split = false;
    mlstrat::fuzz::expect_clean([&] {
        report = split_table(path, out, options);
        split = true;
    });
    if (split) {
        const json written = mlstrat::fuzz::expect_no_error(
            [&] { return json::parse(mlstrat::io::read_file(out + "/manifest.json")); });
        same("manifest.json", written, through_text(report.to_json()));
        const json checked = through_text(
            mlstrat::fuzz::expect_no_error([&] { return check_splits(out, options); }).to_json());
        for (const char* key : {"input_rows", "label_col", "splits"}) {
            same(key, written.at(key), checked.at(key));
        }
        const auto& w = written.at("checks");
        const auto& c = checked.at("checks");
        same("the dev/test check", w.at("dev_test_same_distribution"),
             c.at("dev_test_same_distribution"));
        same("leakage", leakage_or_zero(w.at("leakage")), leakage_or_zero(c.at("leakage")));
    }
    std::filesystem::remove_all(out, ec);
    return 0;
}
