// Data-driven CLI tests: every tests/cli/*.json is one case.
//
//   {"args": ["eval", "{data}/eval/basic.csv", "--json"],   // {data}: tests/data, {tmp}: fresh dir
//                                                           // (replaced in every string below)
//    "exit": 0,                                             // expected exit code (default 0)
//    "stdout_json": {...},        // stdout parsed as JSON must contain this subset
//    "stdout_contains": ["..."],  // substrings of stdout
//    "stderr_regex": "...",       // ECMAScript regex that must match all of stderr
//    "files": {"{tmp}/x.json": {...}},   // JSON files that must exist and contain the subset
//    "exists": ["{tmp}/report.html"],    // paths that must exist afterwards
//    "absent": ["{tmp}/out.csv"]}        // paths that must not exist afterwards
//
// Subsets: every key given must be present and match; arrays must have the same length and
// match element-wise; numbers match within 1e-9 relative.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "process_helpers.hpp"

namespace {

namespace fs = std::filesystem;
using mlstrat::test_util::Outcome;
using mlstrat::test_util::slurp;
using nlohmann::json;

std::string substitute(std::string s, const std::string& data, const std::string& tmp) {
    for (auto [key, value] :
         {std::pair<std::string, std::string>{"{data}", data}, {"{tmp}", tmp}}) {
        for (std::size_t at = s.find(key); at != std::string::npos;
             at = s.find(key, at + value.size())) {
            s.replace(at, key.size(), value);
        }
    }
    return s;
}

// `substitute` applied to every string inside a JSON value.
json substitute_all(const json& j, const std::string& data, const std::string& tmp) {
    if (j.is_string()) return substitute(j.get<std::string>(), data, tmp);
    json out = j;
    if (j.is_object() || j.is_array()) {
        for (auto& [key, value] : out.items()) value = substitute_all(value, data, tmp);
    }
    return out;
}

// Empty when `actual` contains `expected`; else where they differ.
std::string subset_mismatch(const json& expected, const json& actual, const std::string& path) {
    if (expected.is_object()) {
        if (!actual.is_object()) return path + ": expected an object, got " + actual.dump();
        for (const auto& [key, value] : expected.items()) {
            if (!actual.contains(key)) return path + "." + key + ": missing";
            std::string m = subset_mismatch(value, actual.at(key), path + "." + key);
            if (!m.empty()) return m;
        }
        return "";
    }
    if (expected.is_array()) {
        if (!actual.is_array() || actual.size() != expected.size()) {
            return path + ": expected " + expected.dump() + ", got " + actual.dump();
        }
        for (std::size_t i = 0; i < expected.size(); ++i) {
            std::string m =
                subset_mismatch(expected[i], actual[i], path + "[" + std::to_string(i) + "]");
            if (!m.empty()) return m;
        }
        return "";
    }
    if (expected.is_number() && actual.is_number()) {
        double e = expected.get<double>(), a = actual.get<double>();
        if (std::fabs(e - a) <= 1e-9 * std::max(1.0, std::fabs(e))) return "";
        return path + ": expected " + expected.dump() + ", got " + actual.dump();
    }
    if (expected != actual)
        return path + ": expected " + expected.dump() + ", got " + actual.dump();
    return "";
}

std::vector<std::string> case_files() {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(fs::path(MLSTRAT_SOURCE_DIR) / "tests" / "cli")) {
        if (e.path().extension() == ".json") names.push_back(e.path().stem().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

class Cli : public ::testing::TestWithParam<std::string> {};

TEST_P(Cli, Case) {
    const fs::path source = MLSTRAT_SOURCE_DIR;
    const bool training = GetParam().rfind("train_", 0) == 0 || GetParam().rfind("tune_", 0) == 0 ||
                          GetParam().rfind("demo_", 0) == 0;
    if (training && !fs::exists(fs::path(MLSTRAT_BINARY).parent_path() / "mlstrat-train")) {
        GTEST_SKIP() << "built without the training engine (-DMLSTRAT_WITH_TRAIN=OFF)";
    }
    const json spec = json::parse(slurp(source / "tests" / "cli" / (GetParam() + ".json")));
    const fs::path tmp = fs::temp_directory_path() /
                         ("mlstrat_cli_" + GetParam() + "_" + std::to_string(::getpid()));
    fs::remove_all(tmp);
    fs::create_directories(tmp);
    const std::string data = (source / "tests" / "data").string();

    std::vector<std::string> args;
    for (const auto& a : spec.at("args"))
        args.push_back(substitute(a.get<std::string>(), data, tmp));
    Outcome o = mlstrat::test_util::run_mlstrat(args, tmp);

    const std::string context = "\nstdout:\n" + o.out + "\nstderr:\n" + o.err;
    EXPECT_EQ(o.exit_code, spec.value("exit", 0)) << context;
    if (spec.contains("stdout_json")) {
        json actual;
        try {
            actual = json::parse(o.out);
        } catch (const json::exception& e) {
            FAIL() << "stdout is not one JSON document: " << e.what() << context;
        }
        EXPECT_EQ(subset_mismatch(substitute_all(spec["stdout_json"], data, tmp), actual, "stdout"),
                  "")
            << context;
    }
    for (const auto& s : spec.value("stdout_contains", json::array())) {
        EXPECT_NE(o.out.find(substitute(s.get<std::string>(), data, tmp)), std::string::npos)
            << "missing: " << s << context;
    }
    if (spec.contains("stderr_regex")) {
        std::regex re(substitute(spec["stderr_regex"].get<std::string>(), data, tmp));
        EXPECT_TRUE(std::regex_match(o.err, re))
            << "stderr does not match " << spec["stderr_regex"] << context;
    }
    const json files = spec.value("files", json::object());
    for (const auto& [name, expected_raw] : files.items()) {
        const json expected = substitute_all(expected_raw, data, tmp);
        fs::path p = substitute(name, data, tmp);
        ASSERT_TRUE(fs::exists(p)) << p << " was not written" << context;
        json actual;
        try {
            actual = json::parse(slurp(p));
        } catch (const json::exception& e) {
            FAIL() << p << " is not JSON: " << e.what();
        }
        EXPECT_EQ(subset_mismatch(expected, actual, p.string()), "");
    }
    for (const auto& a : spec.value("exists", json::array())) {
        fs::path p = substitute(a.get<std::string>(), data, tmp);
        EXPECT_TRUE(fs::exists(p)) << p << " was not written" << context;
    }
    for (const auto& a : spec.value("absent", json::array())) {
        fs::path p = substitute(a.get<std::string>(), data, tmp);
        EXPECT_FALSE(fs::exists(p)) << p << " should not exist" << context;
    }
    fs::remove_all(tmp);
}

INSTANTIATE_TEST_SUITE_P(Cases, Cli, ::testing::ValuesIn(case_files()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                             std::string name = info.param;
                             for (char& c : name) {
                                 if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                             }
                             return name;
                         });

}  // namespace
