// The registry's pure text forms: keys, --where conditions, globs, logged metrics and
// parameters, a config flattened into typed keys. No SQLite involved.

#include <gtest/gtest.h>

#include "mlstrat/registry.hpp"
#include "mlstrat/support/error.hpp"

namespace {

using namespace mlstrat::registry;

TEST(RegistryParse, KeysKnowSplitsParamsTagsAndFields) {
    Key k = parse_key("dev.error");
    EXPECT_EQ(k.kind, Key::Kind::SplitMetric);
    EXPECT_EQ(k.split, "dev");
    EXPECT_EQ(k.name, "error");
    EXPECT_TRUE(k.split_given);

    // A bare per-split metric is its dev value, or test's when asked.
    k = parse_key("accuracy");
    EXPECT_EQ(k.text(), "dev.accuracy");
    EXPECT_FALSE(k.split_given);
    EXPECT_EQ(parse_key("accuracy", "test").text(), "test.accuracy");

    // Split-free metrics stay as they are.
    k = parse_key("latency_ms");
    EXPECT_EQ(k.kind, Key::Kind::Metric);
    EXPECT_EQ(k.text(), "latency_ms");

    k = parse_key("param.optim.lr");
    EXPECT_EQ(k.kind, Key::Kind::Param);
    EXPECT_EQ(k.name, "optim.lr");
    EXPECT_EQ(parse_key("tag.owner").kind, Key::Kind::Tag);
    EXPECT_EQ(parse_key("status").kind, Key::Kind::Field);
    EXPECT_EQ(parse_key("group").kind, Key::Kind::Field);
}

TEST(RegistryParse, MalformedKeysThrow) {
    for (const char* bad : {"", "dev.", ".error", "dev.error.x", "param.", "a b", "dev;drop"}) {
        EXPECT_THROW(parse_key(bad), mlstrat::Error) << bad;
    }
}

TEST(RegistryParse, ConditionsHaveEveryOperator) {
    struct Case {
        const char* text;
        Condition::Op op;
        const char* value;
    };
    for (const auto& c : {Case{"dev.error<0.1", Condition::Op::Less, "0.1"},
                          Case{"dev.error<=10%", Condition::Op::LessEqual, "10%"},
                          Case{"param.optim.lr>=1e-3", Condition::Op::GreaterEqual, "1e-3"},
                          Case{"tag.owner=ana", Condition::Op::Equal, "ana"},
                          Case{"tag.owner==ana", Condition::Op::Equal, "ana"},
                          Case{"status!=failed", Condition::Op::NotEqual, "failed"},
                          Case{"test.accuracy > 0.9", Condition::Op::Greater, "0.9"},
                          Case{"name~resnet*", Condition::Op::Glob, "resnet*"}}) {
        Condition cond = parse_condition(c.text);
        EXPECT_EQ(cond.op, c.op) << c.text;
        EXPECT_EQ(cond.value, c.value) << c.text;
    }
    EXPECT_DOUBLE_EQ(*parse_condition("dev.error<=10%").number, 0.10);
    EXPECT_DOUBLE_EQ(*parse_condition("param.optim.lr>=1e-3").number, 1e-3);
    EXPECT_FALSE(parse_condition("tag.owner=ana").number.has_value());
    EXPECT_EQ(parse_condition("error<0.2").key.text(), "dev.error");
}

TEST(RegistryParse, MalformedConditionsThrow) {
    for (const char* bad : {"dev.error", "<0.1", "dev.error<", "dev.error<<0.1", "dev.error<abc",
                            "dev.error~0.1*", "dev.error=>0.1", "dev.error!0.1"}) {
        EXPECT_THROW(parse_condition(bad), mlstrat::Error) << bad;
    }
}

TEST(RegistryParse, LoggedMetricsNeedTheirSplit) {
    MetricValue m = parse_metric_value("dev.error=0.21");
    EXPECT_EQ(m.split, "dev");
    EXPECT_EQ(m.metric, "error");
    EXPECT_DOUBLE_EQ(m.value, 0.21);
    m = parse_metric_value("lr=0.01");
    EXPECT_EQ(m.split, "");
    EXPECT_EQ(m.metric, "lr");
    // "error" alone does not say which split was measured.
    EXPECT_THROW(parse_metric_value("error=0.2"), mlstrat::Error);
    EXPECT_THROW(parse_metric_value("dev.error=abc"), mlstrat::Error);
    EXPECT_THROW(parse_metric_value("dev.error=inf"), mlstrat::Error);
    EXPECT_THROW(parse_metric_value("dev.error"), mlstrat::Error);
    EXPECT_THROW(parse_metric_value("param.x=1"), mlstrat::Error);
}

TEST(RegistryParse, ParamsAreTyped) {
    EXPECT_EQ(parse_param("optim.lr=0.001").second, nlohmann::json(0.001));
    EXPECT_TRUE(parse_param("train.epochs=10").second.is_number_integer());
    EXPECT_EQ(parse_param("model.widths=[32, 64]").second, nlohmann::json({32, 64}));
    EXPECT_EQ(parse_param("optim.kind=adam").second, nlohmann::json("adam"));
    EXPECT_EQ(parse_param("aug.flip=true").second, nlohmann::json(true));
    EXPECT_THROW(parse_param("=3"), mlstrat::Error);
}

TEST(RegistryParse, LogEntriesParseEveryFlag) {
    LogEntry e =
        parse_log({"dev.error=0.2", "train.loss=0.5"}, {"optim.lr=0.01"}, {"owner=ana"}, 3);
    EXPECT_EQ(*e.step, 3);
    ASSERT_EQ(e.metrics.size(), 2u);
    EXPECT_EQ(e.params.at("optim.lr"), nlohmann::json(0.01));
    EXPECT_EQ(e.tags.at("owner"), "ana");
    EXPECT_THROW(parse_log({}, {}, {}, 3), mlstrat::Error);  // a step with no metric
    EXPECT_THROW(parse_log({"dev.error=0.2"}, {}, {}, -1), mlstrat::Error);
}

TEST(RegistryParse, ConfigFlattensIntoTypedKeys) {
    auto flat = flatten_config(
        "name = \"cats\"\n[optim]\nlr = 0.001\n[model]\nwidths = [32, 64]\n"
        "[model.head]\ndropout = 0.5\n",
        "config.toml");
    EXPECT_EQ(flat.at("name"), nlohmann::json("cats"));
    EXPECT_EQ(flat.at("optim.lr"), nlohmann::json(0.001));
    EXPECT_EQ(flat.at("model.widths"), nlohmann::json({32, 64}));
    EXPECT_EQ(flat.at("model.head.dropout"), nlohmann::json(0.5));
    try {
        flatten_config("[optim]\nlr = \n", "bad.toml");
        FAIL() << "invalid TOML was accepted";
    } catch (const mlstrat::Error& e) {
        EXPECT_NE(std::string(e.what()).find("bad.toml:2"), std::string::npos) << e.what();
    }
}

TEST(RegistryParse, QueriesSortDescendingWithAMinus) {
    Query q = parse_query({"dev.error<0.1"}, "-accuracy", 20);
    ASSERT_TRUE(q.sort.has_value());
    EXPECT_EQ(q.sort->text(), "dev.accuracy");
    EXPECT_TRUE(q.descending);
    EXPECT_EQ(q.limit, 20u);
    EXPECT_FALSE(q.include_deleted);
    EXPECT_TRUE(parse_query({"status=deleted"}, "", 0).include_deleted);
}

TEST(RegistryParse, LoggedValuesAreOnesTheRegistryCanHold) {
    // Found by fuzz/log_fuzz.cpp: a NaN or infinite parameter was stored as null, and text that
    // is not UTF-8 made `runs log` (a parameter) or `runs list --json` (a tag) fail inside the
    // JSON library instead of saying what is wrong.
    for (const char* bad : {"x=nan", "x=inf", "x=-inf", "x=[1, nan]", "x={ a = [inf] }"}) {
        EXPECT_THROW(parse_param(bad), mlstrat::Error) << bad;
    }
    EXPECT_EQ(parse_param("x='nan'").second, nlohmann::json("nan"));  // quoted: the word
    EXPECT_THROW(parse_param("x=\xff"), mlstrat::Error);
    EXPECT_THROW(parse_log({}, {"x=caf\xe9"}, {}, std::nullopt), mlstrat::Error);
    EXPECT_THROW(parse_log({}, {}, {"owner=\xff"}, std::nullopt), mlstrat::Error);
    EXPECT_EQ(parse_log({}, {}, {"owner=\xc3\xa9"}, std::nullopt).tags.at("owner"), "\xc3\xa9");
}

}  // namespace
