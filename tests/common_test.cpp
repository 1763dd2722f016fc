#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "common/interner.hpp"
#include "common/worker_pool.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/parse.hpp"

namespace {

TEST(Interner, DenseIdsInFirstSeenOrderForShortAndLongKeys) {
    mlstrat::detail::Interner in;
    std::vector<std::string> keys;
    for (int i = 0; i < 5000; ++i) {
        // lengths 1..40: both the packed path (<= 16 bytes) and the hashed path, with shared
        // prefixes and embedded zero bytes
        std::string k =
            std::to_string(i * 7919) + std::string(static_cast<std::size_t>(i % 30), 'x');
        if (i % 11 == 0) k.push_back('\0');
        keys.push_back(k);
    }
    keys.push_back("");
    for (std::size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(in.intern(keys[i]), i);
    for (std::size_t i = 0; i < keys.size(); ++i) {
        EXPECT_EQ(in.intern(keys[i]), i);
        EXPECT_EQ(in.find(keys[i]), static_cast<std::int64_t>(i));
        EXPECT_EQ(in.name(static_cast<std::uint32_t>(i)), keys[i]);
    }
    EXPECT_EQ(in.size(), keys.size());
    EXPECT_EQ(in.find("absent"), -1);
    EXPECT_EQ(in.find("a key that is longer than sixteen bytes"), -1);
    // "ab" and "ab\0" differ only in length.
    mlstrat::detail::Interner z;
    EXPECT_NE(z.intern(std::string("ab")), z.intern(std::string("ab\0", 3)));
}

TEST(Interner, ShortKeysKeepTheirIdsThroughCollisionsAndGrowth) {
    // Keys of every length 0..16, many packing alike ("a", "aa", "aaa" load the same bytes),
    // interleaved with long keys, so the short table collides, probes and doubles many times.
    mlstrat::detail::Interner in;
    std::vector<std::string> keys;
    for (int i = 0; i < 3000; ++i) {
        const auto n = static_cast<std::size_t>(i % 17);
        std::string k(n, static_cast<char>('a' + i / 17 % 26));
        if (n > 0 && i >= 17 * 26)
            k[n / 2] = static_cast<char>(i / (17 * 26) - 1);  // zero bytes too
        keys.push_back(k);
        if (i % 97 == 0) keys.push_back(std::string(17 + i % 5, 'z') + std::to_string(i));
    }
    std::vector<std::string> distinct;
    for (const std::string& k : keys) {
        if (std::find(distinct.begin(), distinct.end(), k) == distinct.end()) distinct.push_back(k);
    }
    ASSERT_GT(distinct.size(), 2000u);
    for (const std::string& k : keys) {
        const auto first = static_cast<std::uint32_t>(
            std::find(distinct.begin(), distinct.end(), k) - distinct.begin());
        ASSERT_EQ(in.intern(k), first) << k.size();
    }
    EXPECT_EQ(in.size(), distinct.size());
    for (std::uint32_t id = 0; id < distinct.size(); ++id) {
        EXPECT_EQ(in.intern(distinct[id]), id);
        EXPECT_EQ(in.find(distinct[id]), static_cast<std::int64_t>(id));
        EXPECT_EQ(in.name(id), distinct[id]);
    }
    EXPECT_EQ(in.find(std::string(16, '?')), -1);
}

TEST(WorkerPool, RunsEveryIndexAndRethrowsTheLowestFailure) {
    mlstrat::detail::WorkerPool pool(3);
    std::vector<int> hits(3, 0);
    for (int round = 0; round < 100; ++round) pool.run(3, [&](unsigned i) { ++hits[i]; });
    EXPECT_EQ(hits, std::vector<int>({100, 100, 100}));
    try {
        pool.run(3, [](unsigned i) {
            if (i >= 1) throw mlstrat::Error("worker " + std::to_string(i));
        });
        FAIL() << "no exception";
    } catch (const mlstrat::Error& e) {
        EXPECT_STREQ(e.what(), "worker 1");
    }
}

TEST(Parse, RatesCountsAndShares) {
    EXPECT_DOUBLE_EQ(mlstrat::parse_rate("8%", "x"), 0.08);
    EXPECT_DOUBLE_EQ(mlstrat::parse_rate(" 0.08 ", "x"), 0.08);
    EXPECT_THROW(mlstrat::parse_rate("120%", "x"), mlstrat::Error);
    EXPECT_THROW(mlstrat::parse_rate("nan", "x"), mlstrat::Error);
    EXPECT_THROW(mlstrat::parse_rate("-1%", "x"), mlstrat::Error);
    auto count = mlstrat::parse_count_or_share("2500", "x");
    EXPECT_FALSE(count.is_share);
    EXPECT_EQ(count.resolve(10000), 2500u);
    auto share = mlstrat::parse_count_or_share("1%", "x");
    EXPECT_TRUE(share.is_share);
    EXPECT_EQ(share.resolve(1234567), 12346u);  // nearest row
    EXPECT_THROW(mlstrat::parse_count_or_share("2.5", "x"), mlstrat::Error);
    EXPECT_EQ(mlstrat::split_assignment("porn=10", "x").second, "10");
    EXPECT_THROW(mlstrat::split_assignment("=10", "x"), mlstrat::Error);
}

}  // namespace
