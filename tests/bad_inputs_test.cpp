// The corpus of malformed inputs (tests/bad_inputs/, listed in its manifest.json): every file
// must be refused the way the error contract says — exit code 2, exactly one line on stderr,
// `mlstrat: error: ` followed by the file's path (and `:LINE:` where the fault has a line), a
// message matching the manifest's pattern, and nothing left in the output folder.
//
//   {"file": "eval_ragged.csv",                  // the malformed file, in tests/bad_inputs/
//    "args": ["eval", "{file}", "--json"],       // {file}, {dir} (tests/bad_inputs), {out}
//    "names": "idx_truncated.idx",               // the file the message names (default: file)
//    "line": 3,                                  // the line it names, when there is one
//    "message": "the row has 1 field"}           // ECMAScript regex searched in the line

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "process_helpers.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kDir = fs::path(MLSTRAT_SOURCE_DIR) / "tests" / "bad_inputs";

json manifest() { return json::parse(mlstrat::test_util::slurp(kDir / "manifest.json")); }

std::vector<std::string> case_names() {
    std::vector<std::string> names;
    for (const auto& c : manifest()) names.push_back(c.at("file").get<std::string>());
    return names;
}

std::string substitute(std::string s, const std::string& key, const std::string& value) {
    for (auto at = s.find(key); at != std::string::npos; at = s.find(key, at + value.size())) {
        s.replace(at, key.size(), value);
    }
    return s;
}

TEST(BadInputs, ManifestCoversEveryFile) {
    std::set<std::string> listed;
    // The manifest and the files its cases read (configs name their data files).
    std::string references = mlstrat::test_util::slurp(kDir / "manifest.json");
    for (const auto& c : manifest()) {
        const std::string file = c.at("file").get<std::string>();
        EXPECT_TRUE(listed.insert(file).second) << file << " is listed twice";
        references += mlstrat::test_util::slurp(kDir / file);
    }
    EXPECT_GE(listed.size(), 40u);
    for (const auto& e : fs::directory_iterator(kDir)) {
        const std::string name = e.path().filename().string();
        if (name == "manifest.json" || name == "make_inputs.py") continue;
        EXPECT_NE(references.find(name), std::string::npos)
            << name << " is in tests/bad_inputs/ but no case uses it";
    }
}

class BadInput : public ::testing::TestWithParam<std::string> {};

TEST_P(BadInput, RefusedWithOneLine) {
    json spec;
    for (const auto& c : manifest()) {
        if (c.at("file") == GetParam()) spec = c;
    }
    const bool training = spec.at("args").at(0) == "train";
    if (training && !fs::exists(fs::path(MLSTRAT_BINARY).parent_path() / "mlstrat-train")) {
        GTEST_SKIP() << "built without the training engine (-DMLSTRAT_WITH_TRAIN=OFF)";
    }
    const fs::path scratch = fs::temp_directory_path() /
                             ("mlstrat_bad_" + GetParam() + "_" + std::to_string(::getpid()));
    const fs::path out = scratch / "out";
    fs::remove_all(scratch);
    fs::create_directories(out);

    const std::string file = (kDir / GetParam()).string();
    std::vector<std::string> args;
    for (const auto& a : spec.at("args")) {
        std::string s = substitute(a.get<std::string>(), "{file}", file);
        s = substitute(s, "{dir}", kDir.string());
        args.push_back(substitute(s, "{out}", out.string()));
    }
    const auto o = mlstrat::test_util::run_mlstrat(args, scratch);
    const std::string context = "\nstdout:\n" + o.out + "\nstderr:\n" + o.err;

    EXPECT_EQ(o.exit_code, 2) << context;
    ASSERT_FALSE(o.err.empty()) << context;
    EXPECT_EQ(o.err.back(), '\n') << context;
    EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << "not exactly one line" << context;
    const std::string line = o.err.substr(0, o.err.find('\n'));
    std::string where = (kDir / spec.value("names", GetParam())).string();
    if (spec.contains("line")) where += ":" + std::to_string(spec["line"].get<int>()) + ":";
    EXPECT_EQ(line.rfind("mlstrat: error: " + where, 0), 0u)
        << "expected the line to start with mlstrat: error: " << where << context;
    EXPECT_TRUE(std::regex_search(line, std::regex(spec.at("message").get<std::string>())))
        << "message does not match " << spec["message"] << context;
    std::vector<std::string> left;
    for (const auto& e : fs::recursive_directory_iterator(out)) left.push_back(e.path().string());
    EXPECT_TRUE(left.empty()) << "left in the output folder: " << ::testing::PrintToString(left);
    fs::remove_all(scratch);
}

INSTANTIATE_TEST_SUITE_P(Corpus, BadInput, ::testing::ValuesIn(case_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                             std::string name = info.param;
                             for (char& c : name) {
                                 if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                             }
                             return name;
                         });

}  // namespace
