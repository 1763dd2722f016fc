#include <gtest/gtest.h>
#include <zlib.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "mlstrat/support/error.hpp"
#include "mlstrat/support/io.hpp"
#include "mlstrat/support/json_text.hpp"
#include "mlstrat/support/text_table.hpp"

namespace {

namespace fs = std::filesystem;
using mlstrat::Error;
using mlstrat::io::AtomicFile;
using mlstrat::io::RowBatch;
using mlstrat::io::ScanOrder;
using mlstrat::io::TableOptions;
using mlstrat::io::TableReader;

class TempDir {
 public:
    TempDir() {
        path_ = fs::temp_directory_path() /
                ("mlstrat_io_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    ~TempDir() { fs::remove_all(path_); }
    std::string file(const std::string& name, const std::string& contents) const {
        std::string p = (path_ / name).string();
        std::ofstream(p, std::ios::binary) << contents;
        return p;
    }
    std::string gzip(const std::string& name, const std::string& contents) const {
        std::string p = (path_ / name).string();
        gzFile f = gzopen(p.c_str(), "wb");
        gzwrite(f, contents.data(), static_cast<unsigned>(contents.size()));
        gzclose(f);
        return p;
    }
    const fs::path& path() const { return path_; }

 private:
    static inline int counter_ = 0;
    fs::path path_;
};

struct Row {
    std::vector<std::string> cells;
    std::string raw;
    std::uint64_t line;
    std::uint64_t index;
};

// Reads the named columns of a file in file order.
std::vector<Row> read_all(const std::string& path, const std::vector<std::string>& names,
                          TableOptions options = {}) {
    TableReader table(path, options);
    std::vector<std::size_t> cols;
    for (const auto& n : names) cols.push_back(table.column(n));
    std::vector<Row> rows;
    table.scan(
        cols,
        [&](unsigned, const RowBatch& b) {
            for (std::size_t r = 0; r < b.size(); ++r) {
                Row row;
                for (std::size_t c = 0; c < cols.size(); ++c) row.cells.emplace_back(b.cell(r, c));
                row.raw = std::string(b.raw(r));
                row.line = b.line(r);
                row.index = b.row_index(r);
                rows.push_back(std::move(row));
            }
        },
        ScanOrder::File, true);
    return rows;
}

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

TEST(TableReader, QuotingEmbeddedDelimitersQuotesAndNewlines) {
    TempDir dir;
    auto path = dir.file("q.csv",
                         "id,text,n\n"
                         "1,plain,10\n"
                         "2,\"with, comma\",20\n"
                         "3,\"say \"\"hi\"\"\",30\n"
                         "4,\"two\nlines\",40\n"
                         "5,\"\",50\n");
    auto rows = read_all(path, {"text", "n"});
    ASSERT_EQ(rows.size(), 5u);
    EXPECT_EQ(rows[1].cells[0], "with, comma");
    EXPECT_EQ(rows[2].cells[0], "say \"hi\"");
    EXPECT_EQ(rows[3].cells[0], "two\nlines");
    EXPECT_EQ(rows[3].cells[1], "40");
    EXPECT_EQ(rows[4].cells[0], "");
    // Physical lines: the embedded newline pushes row 5 to line 7.
    EXPECT_EQ(rows[3].line, 5u);
    EXPECT_EQ(rows[4].line, 7u);
    EXPECT_EQ(rows[2].raw, "3,\"say \"\"hi\"\"\",30");
    EXPECT_EQ(rows[4].index, 4u);
}

TEST(TableReader, CrlfBomBlankLinesAndNoFinalNewline) {
    TempDir dir;
    auto path = dir.file("c.csv", "\xEF\xBB\xBFlabel,pred\r\ncat,dog\r\n\r\ndog,dog\r\n\nbird,cat");
    TableReader probe(path);
    EXPECT_EQ(probe.header()[0], "label");  // the BOM is not part of the name
    auto rows = read_all(path, {"label", "pred"});
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].cells[1], "dog");  // no trailing \r
    EXPECT_EQ(rows[0].raw, "cat,dog");
    EXPECT_EQ(rows[1].line, 4u);
    EXPECT_EQ(rows[2].cells[0], "bird");
    EXPECT_EQ(rows[2].line, 6u);
}

TEST(TableReader, TsvByExtensionAndBySniffing) {
    TempDir dir;
    auto by_ext = dir.file("a.tsv", "label\tpred\na,b\tc\n");
    auto rows = read_all(by_ext, {"label", "pred"});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].cells[0], "a,b");
    auto sniffed = dir.file("b.txt", "label\tpred\nx\ty\n");
    rows = read_all(sniffed, {"pred"});
    EXPECT_EQ(rows[0].cells[0], "y");
}

TEST(TableReader, GzipIsDetectedByMagicIncludingConcatenatedMembers) {
    TempDir dir;
    std::string text = "label,pred\n";
    for (int i = 0; i < 5000; ++i)
        text += std::to_string(i % 7) + "," + std::to_string(i % 5) + "\n";
    auto gz = dir.gzip("p.csv.gz", text);
    auto rows = read_all(gz, {"label", "pred"});
    ASSERT_EQ(rows.size(), 5000u);
    EXPECT_EQ(rows[4999].cells[0], std::to_string(4999 % 7));

    // Two gzip members back to back (as `cat a.gz b.gz` makes) read as one stream.
    std::string first = dir.gzip("m1.gz", "label,pred\n1,1\n");
    std::string second = dir.gzip("m2.gz", "2,3\n");
    std::ifstream a(first, std::ios::binary), b(second, std::ios::binary);
    std::stringstream both;
    both << a.rdbuf() << b.rdbuf();
    auto cat = dir.file("both.csv.gz", both.str());
    rows = read_all(cat, {"label", "pred"});
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[1].cells[1], "3");
}

TEST(TableReader, ParallelPartsGiveTheSameRowsAsOneThread) {
    TempDir dir;
    std::mt19937 rng(7);
    std::string text = "id,text,label\n";
    std::vector<std::string> long_text(40000);
    for (int i = 0; i < 40000; ++i) {
        std::string field;
        switch (rng() % 6) {
            case 0:
                field = "\"multi\nline " + std::to_string(i) + "\"";
                break;
            case 1:
                field = "\"quote \"\"" + std::to_string(i) + "\"\"\"";
                break;
            case 2:
                field = "\"comma, " + std::to_string(i) + "\"";
                break;
            case 3:  // plain, and long enough to span the field scanner's windows
                field = long_text[i] = std::string(rng() % 200, 'y') + std::to_string(i);
                break;
            default:
                field = "plain" + std::to_string(i);
        }
        text += std::to_string(i) + "," + field + "," + std::to_string(rng() % 10) +
                (rng() % 3 == 0 ? "\r\n" : "\n");
    }
    auto path = dir.file("big.csv", text);
    TableOptions one;
    one.threads = 1;
    TableOptions many;
    many.threads = 3;
    many.block_bytes = 70000;  // many blocks, each cut into three parts
    auto a = read_all(path, {"id", "text", "label"}, one);
    auto b = read_all(path, {"id", "text", "label"}, many);
    ASSERT_EQ(a.size(), 40000u);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        ASSERT_EQ(a[i].cells, b[i].cells) << i;
        ASSERT_EQ(a[i].line, b[i].line) << i;
        ASSERT_EQ(a[i].raw, b[i].raw) << i;
        ASSERT_EQ(b[i].index, i);
        ASSERT_EQ(a[i].cells[0], std::to_string(i));
        if (!long_text[i].empty()) {
            ASSERT_EQ(a[i].cells[1], long_text[i]) << i;
        }
    }
}

TEST(TableReader, ParallelOrderVisitsEveryRowOnceFromEveryWorker) {
    TempDir dir;
    std::string text = "x\n";
    for (int i = 0; i < 100000; ++i) text += std::to_string(i) + "\n";
    auto path = dir.file("n.csv", text);
    TableOptions options;
    options.threads = 4;
    options.block_bytes = 50000;
    TableReader table(path, options);
    std::vector<std::uint64_t> sums(table.threads(), 0);
    std::vector<std::uint64_t> counts(table.threads(), 0);
    auto rows = table.scan({0}, [&](unsigned w, const RowBatch& b) {
        for (std::size_t r = 0; r < b.size(); ++r) {
            sums[w] += std::stoull(std::string(b.cell(r, 0)));
            ++counts[w];
            EXPECT_EQ(std::to_string(b.row_index(r)), b.cell(r, 0));
        }
    });
    EXPECT_EQ(rows, 100000u);
    std::uint64_t total = 0, n = 0;
    for (unsigned w = 0; w < table.threads(); ++w) {
        total += sums[w];
        n += counts[w];
    }
    EXPECT_EQ(n, 100000u);
    EXPECT_EQ(total, 99999ull * 100000ull / 2);
    EXPECT_GT(counts[1], 0u);  // the work really was shared
}

TEST(TableReader, OneColumnTablesReadAlikeWhateverTheBlocks) {
    // A table of one column takes a shortcut for plain records; mix in every other kind of
    // record, so both paths meet at every cut, and compare with the column selected twice
    // (which goes the general way).
    TempDir dir;
    std::mt19937 rng(3);
    std::string text = "label\r\n";
    std::vector<std::string> want;
    for (int i = 0; i < 60000; ++i) {
        const std::string v = std::to_string(rng() % 10);
        switch (rng() % 8) {
            case 0:
                text += v + "\r\n";
                want.push_back(v);
                break;
            case 1:
                text += "\"" + v + "\n" + v + "\"\n";
                want.push_back(v + "\n" + v);
                break;
            case 2:
                text += "\"q\"\"" + v + "\"\n";
                want.push_back("q\"" + v);
                break;
            case 3:
                text += "\n";
                break;  // blank: no record
            case 4:
                text += "\r\n";
                break;
            case 5: {
                // up to 300 bytes: fields that span windows of the field scanner
                const std::string label = std::string(rng() % 300, 'x') + v;
                text += label + "\n";
                want.push_back(label);
                break;
            }
            default:
                text += v + "\n";
                want.push_back(v);
        }
    }
    text += "9";  // no final line feed
    want.push_back("9");
    auto path = dir.file("one.csv", text);
    auto expect_rows = [&](TableOptions options) {
        SCOPED_TRACE(std::to_string(options.threads) + " threads, blocks of " +
                     std::to_string(options.block_bytes));
        auto rows = read_all(path, {"label"}, options);
        ASSERT_EQ(rows.size(), want.size());
        TableReader twice(path, options);
        std::vector<Row> both;
        twice.scan(
            {0, 0},
            [&](unsigned, const RowBatch& b) {
                for (std::size_t r = 0; r < b.size(); ++r) {
                    both.push_back({{std::string(b.cell(r, 0)), std::string(b.cell(r, 1))},
                                    std::string(b.raw(r)),
                                    b.line(r),
                                    b.row_index(r)});
                }
            },
            ScanOrder::File, true);
        ASSERT_EQ(both.size(), want.size());
        for (std::size_t i = 0; i < want.size(); ++i) {
            ASSERT_EQ(rows[i].cells[0], want[i]) << i;
            ASSERT_EQ(both[i].cells[1], want[i])
                << i;  // (a column selected twice fills its last slot)
            ASSERT_EQ(rows[i].raw, both[i].raw) << i;
            ASSERT_EQ(rows[i].line, both[i].line) << i;
            ASSERT_EQ(rows[i].index, i);
        }
        EXPECT_EQ(rows[0].line, 2u);
        EXPECT_EQ(rows.back().raw, "9");
    };
    TableOptions options;
    options.threads = 1;
    expect_rows(options);
    options.threads = 2;
    expect_rows(options);  // the default block, made smaller for short rows
    options.threads = 3;
    options.block_bytes = 5000;
    expect_rows(options);

    // Errors in such a table are found by the general loop, with their lines.
    auto two = dir.file("two.csv", "label\n1\n2\n3,4\n5\n");
    EXPECT_EQ(error_of([&] { read_all(two, {"label"}); }),
              two + ":4: the row has 2 fields but the header has 1");
    auto lone_cr = dir.file("cr.csv", "label\n1\n2\r3\n");
    EXPECT_EQ(error_of([&] { read_all(lone_cr, {"label"}); }),
              lone_cr + ":3: a carriage return that is not followed by a line feed");
    auto stray = dir.file("q.csv", "label\n1\n2\"\n");
    EXPECT_NE(error_of([&] { read_all(stray, {"label"}); }).find(stray + ":3: a quote inside"),
              std::string::npos);
}

TEST(TableReader, RecordLongerThanAShortBlock) {
    // Short rows make the blocks smaller than block_bytes; a long record after them still
    // reads, and one past the limit is still reported at its line.
    TempDir dir;
    std::string text = "label\n";
    for (int i = 0; i < 100000; ++i) text += std::to_string(i % 10) + "\n";
    const std::string long_field(300000, 'x');
    text += "\"" + long_field + "\"\n7\n";
    auto path = dir.file("long.csv", text);
    TableOptions options;
    options.threads = 2;
    auto rows = read_all(path, {"label"}, options);
    ASSERT_EQ(rows.size(), 100002u);
    EXPECT_EQ(rows[100000].cells[0], long_field);
    EXPECT_EQ(rows[100001].line, 100003u);

    auto open = dir.file("open.csv", text.substr(0, text.size() - 4) + "\n1\n2\n");
    options.max_record_bytes = std::size_t{1} << 20;
    auto e = error_of([&] { read_all(open, {"label"}, options); });
    EXPECT_NE(e.find(open + ":100002: a quoted field is never closed"), std::string::npos) << e;
    std::string huge = "label\n1\n\"" + std::string(std::size_t{3} << 20, 'y') + "\n";
    auto over = dir.file("over.csv", huge);
    EXPECT_EQ(error_of([&] { read_all(over, {"label"}, options); }),
              over + ":3: a record longer than 1 MiB; is a quote left open?");
}

TEST(TableReader, RaggedRowNamesFileAndLine) {
    TempDir dir;
    auto path = dir.file("r.csv", "a,b,c\n1,2,3\n4,5\n");
    EXPECT_EQ(error_of([&] { read_all(path, {"a"}); }),
              path + ":3: the row has 2 fields but the header has 3");
}

TEST(TableReader, RaggedRowIsFoundInAnyPart) {
    TempDir dir;
    std::string text = "a,b\n";
    for (int i = 0; i < 30000; ++i) text += "1,2\n";
    text += "1,2,3\n";
    for (int i = 0; i < 30000; ++i) text += "1,2\n";
    auto path = dir.file("r.csv", text);
    TableOptions options;
    options.threads = 4;
    options.block_bytes = 40000;
    EXPECT_EQ(error_of([&] { read_all(path, {"a"}, options); }),
              path + ":30002: the row has 3 fields but the header has 2");
}

TEST(TableReader, MalformedQuotesAreErrors) {
    TempDir dir;
    auto open = dir.file("u.csv", "a,b\n1,\"never closed\n2,3\n");
    EXPECT_EQ(error_of([&] { read_all(open, {"a"}); }),
              open + ":2: a quoted field is never closed (unterminated quote)");
    auto stray = dir.file("s.csv", "a,b\n1,5\" screen\n");
    EXPECT_NE(error_of([&] {
                  read_all(stray, {"a"});
              }).find(stray + ":2: a quote inside an unquoted field"),
              std::string::npos);
    auto after = dir.file("t.csv", "a,b\n1,\"x\"y\n");
    EXPECT_NE(error_of([&] {
                  read_all(after, {"a"});
              }).find(after + ":2: unexpected character after a closing quote"),
              std::string::npos);
}

TEST(TableReader, EmptyFileMissingFileAndMissingColumn) {
    TempDir dir;
    auto empty = dir.file("e.csv", "");
    EXPECT_EQ(error_of([&] { TableReader t(empty); }),
              empty + ":1: the file is empty; a header row is expected");
    auto missing = (dir.path() / "nope.csv").string();
    EXPECT_EQ(error_of([&] { TableReader t(missing); }),
              missing + ": cannot open (No such file or directory)");
    auto ok = dir.file("h.csv", "label,pred\n");
    TableReader t(ok);
    EXPECT_EQ(error_of([&] { t.column("weight"); }),
              ok + ":1: no column 'weight' in the header (columns: label, pred)");
    EXPECT_EQ(t.scan({0}, [](unsigned, const RowBatch&) {}), 0u);  // header only: no rows
}

TEST(TableReader, CorruptAndTruncatedGzipAreErrors) {
    TempDir dir;
    std::string text = "label,pred\n";
    for (int i = 0; i < 20000; ++i) text += "cat,dog\n";
    auto good = dir.gzip("g.csv.gz", text);
    std::ifstream in(good, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

    auto truncated = dir.file("t.csv.gz", bytes.substr(0, bytes.size() / 2));
    std::string e = error_of([&] { read_all(truncated, {"label"}); });
    EXPECT_NE(e.find(truncated + ":"), std::string::npos) << e;
    EXPECT_NE(e.find("the gzip data is truncated"), std::string::npos) << e;

    std::string damaged = bytes;
    for (std::size_t i = 20; i < 60 && i < damaged.size(); ++i)
        damaged[i] = static_cast<char>(0xFF - damaged[i]);
    auto corrupt = dir.file("c.csv.gz", damaged);
    e = error_of([&] { read_all(corrupt, {"label"}); });
    EXPECT_NE(e.find("the gzip data is corrupt"), std::string::npos) << e;
}

TEST(SplitRecord, UndoesQuoting) {
    auto f = mlstrat::io::split_record("a,\"b,c\",\"d\"\"e\",", ',', "x:1");
    ASSERT_EQ(f.size(), 4u);
    EXPECT_EQ(f[1], "b,c");
    EXPECT_EQ(f[2], "d\"e");
    EXPECT_EQ(f[3], "");
    EXPECT_EQ(mlstrat::io::quote_field("d\"e"), "\"d\"\"e\"");
    EXPECT_EQ(mlstrat::io::quote_field("plain"), "plain");
}

TEST(AtomicFile, NothingAppearsUntilCommitAndNothingIsLeftWithout) {
    TempDir dir;
    std::string target = (dir.path() / "out.csv").string();
    {
        AtomicFile f(target);
        f.write("half written");
        EXPECT_FALSE(fs::exists(target));
    }  // destroyed without commit
    EXPECT_TRUE(fs::is_empty(dir.path()));
    {
        AtomicFile f(target);
        f.write(std::string(3 << 20, 'x'));  // larger than the write buffer
        f.write("end");
        f.commit();
    }
    EXPECT_EQ(fs::file_size(target), (3u << 20) + 3);
    mlstrat::io::write_file_atomically(target, "replaced\n");
    EXPECT_EQ(mlstrat::io::read_file(target), "replaced\n");
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path())) ++entries;
    EXPECT_EQ(entries, 1u);  // no temporary left beside it
}

TEST(AtomicFile, UnwritableFolderIsAnIoError) {
    EXPECT_NE(error_of([] {
                  AtomicFile f("/nonexistent-folder/x.csv");
              }).find("/nonexistent-folder/x.csv: cannot"),
              std::string::npos);
}

TEST(TextTable, WrittenTableReadsBackCellForCellWithTheQuotingItNeeds) {
    TempDir dir;
    mlstrat::io::TextTable t;
    t.header = {"id", "note"};
    t.rows = {{"1", "plain"}, {"2", "a,b"}, {"3", "say \"hi\""}, {"4", ""}};
    const std::string path = (dir.path() / "t.csv").string();
    mlstrat::io::write_text_table(path, t);
    EXPECT_EQ(mlstrat::io::read_file(path),
              "id,note\n1,plain\n2,\"a,b\"\n3,\"say \"\"hi\"\"\"\n4,\n");
    const auto back = mlstrat::io::read_text_table(path);
    EXPECT_EQ(back.header, t.header);
    EXPECT_EQ(back.rows, t.rows);
    EXPECT_EQ(back.column("note"), 1u);
    EXPECT_NE(error_of([&] { back.column("label"); }).find(path + ":1: no column 'label'"),
              std::string::npos);
}

TEST(TextTable, ARowOfAnotherWidthIsAnErrorAndWritesNothing) {
    TempDir dir;
    mlstrat::io::TextTable t;
    t.header = {"id", "note"};
    t.rows = {{"1", "x"}, {"2"}};
    const std::string path = (dir.path() / "t.csv").string();
    EXPECT_NE(error_of([&] { mlstrat::io::write_text_table(path, t); }).find("a row of 1 cells"),
              std::string::npos);
    EXPECT_FALSE(fs::exists(path));
}

// IDX: hand-made files, then the writer read back.

// A 2 x 3 ubyte array: type 0x08, 2 dimensions.
const std::string kUbyte2x3 =
    std::string("\0\0\x08\x02\0\0\0\x02\0\0\0\x03", 12) + "\x01\x02\x03\x04\x05\xff";

TEST(Idx, ReadsHandMadeUbyteFile) {
    TempDir dir;
    auto a = mlstrat::io::read_idx(dir.file("a.idx", kUbyte2x3));
    EXPECT_EQ(a.dims, (std::vector<std::uint32_t>{2, 3}));
    EXPECT_EQ(a.type, 0x08);
    EXPECT_EQ(a.values, (std::vector<float>{1, 2, 3, 4, 5, 255}));
    EXPECT_EQ(a.items(), 2u);
    EXPECT_EQ(a.item_size(), 3u);
}

TEST(Idx, ReadsGzipAndBigEndianFloats) {
    TempDir dir;
    // 1-D float32 array of 2 values, big-endian: 1.5 = 0x3FC00000, -2 = 0xC0000000.
    const std::string bytes("\0\0\x0d\x01\0\0\0\x02\x3f\xc0\0\0\xc0\0\0\0", 16);
    auto a = mlstrat::io::read_idx(dir.gzip("f.idx.gz", bytes));
    EXPECT_EQ(a.dims, (std::vector<std::uint32_t>{2}));
    EXPECT_EQ(a.values, (std::vector<float>{1.5f, -2.0f}));
}

TEST(Idx, TruncatedFileNamesFileAndSizes) {
    TempDir dir;
    const auto path = dir.file("t.idx", kUbyte2x3.substr(0, kUbyte2x3.size() - 1));
    EXPECT_EQ(error_of([&] { mlstrat::io::read_idx(path); }),
              path + ": truncated IDX file: the dimensions need 6 bytes of data, the file has 5");
}

TEST(Idx, BadMagicTypeAndTrailingBytesAreErrors) {
    TempDir dir;
    auto read = [&](const std::string& name, const std::string& bytes) {
        return error_of([&] { mlstrat::io::read_idx(dir.file(name, bytes)); });
    };
    std::string magic = kUbyte2x3;
    magic[0] = 0x1f;
    EXPECT_NE(read("m.idx", magic).find("not an IDX file"), std::string::npos);
    std::string type = kUbyte2x3;
    type[2] = 0x07;
    EXPECT_NE(read("ty.idx", type).find("unknown IDX type code 7"), std::string::npos);
    EXPECT_NE(read("tr.idx", kUbyte2x3 + '\0').find("1 unexpected bytes"), std::string::npos);
    EXPECT_NE(read("short.idx", std::string(2, '\0')).find("2 bytes"), std::string::npos);
}

TEST(Idx, WriterRoundTripsEveryTypeThroughGzip) {
    TempDir dir;
    const std::vector<float> values = {0, 1, -2, 127, -128, 3.25f};
    for (std::uint8_t type : {0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E}) {
        mlstrat::io::IdxArray a;
        a.type = type;
        a.dims = {2, 3};
        a.values = values;
        for (const char* name : {"r.idx", "r.idx.gz"}) {
            const std::string path = (dir.path() / name).string();
            {
                AtomicFile f(path);
                mlstrat::io::write_idx(f, a);
                f.commit();
            }
            auto b = mlstrat::io::read_idx(path);
            EXPECT_EQ(b.type, type);
            EXPECT_EQ(b.dims, a.dims);
            std::vector<float> expected = values;
            if (type == 0x08)
                expected = {0, 1, 0, 127, 0, 3};  // clamped to 0..255, rounded
            else if (type != 0x0D && type != 0x0E)
                expected[5] = 3;  // rounded to an integer
            EXPECT_EQ(b.values, expected) << "type " << int(type) << " " << name;
        }
    }
    // The ubyte encoding is the format's bytes exactly, and gzip output is byte-stable.
    mlstrat::io::IdxArray u;
    u.dims = {2, 3};
    u.values = {1, 2, 3, 4, 5, 255};
    EXPECT_EQ(mlstrat::io::idx_bytes(u), kUbyte2x3);
    EXPECT_EQ(mlstrat::io::gzip_bytes(kUbyte2x3), mlstrat::io::gzip_bytes(kUbyte2x3));
    EXPECT_EQ(mlstrat::io::gzip_bytes(kUbyte2x3).substr(0, 2), "\x1f\x8b");
}

TEST(Idx, WriterRefusesValuesThatDoNotFitTheDimensions) {
    mlstrat::io::IdxArray a;
    a.dims = {2, 3};
    a.values = {1, 2};
    EXPECT_NE(error_of([&] { mlstrat::io::idx_bytes(a); }).find("hold 6 elements, the array has 2"),
              std::string::npos);
}

// Expected values by hand: the noisy doubles are what IEEE arithmetic gives for the sums shown
// (Python prints the same), the clean ones the decimal the arithmetic meant.
TEST(JsonNumbers, ArithmeticNoiseIsDroppedExactValuesStay) {
    using mlstrat::io::clean_numbers;
    const nlohmann::json noisy = {{"sum", 0.1 + 0.2},        // 0.30000000000000004
                                  {"gap", 1.0 - 0.9},        // 0.09999999999999998
                                  {"variance", 0.1 - 0.08},  // 0.020000000000000004
                                  {"list", {0.07 + 0.86, -(0.1 + 0.2)}},
                                  {"ulps", 0.039 + 0.01 - 1e-16},  // 0.048999999999999905
                                  {"digits", 0.1234567890123},     // 13 digits, all meant
                                  {"third", 1.0 / 3.0},            // 16 digits, all meant
                                  {"root", 0.007071067811865472},
                                  {"tiny", 1e-300},
                                  {"count", 5000},
                                  {"text", "0.30000000000000004"}};
    const nlohmann::json clean = clean_numbers(noisy);
    EXPECT_EQ(clean.dump(),
              R"({"count":5000,"digits":0.1234567890123,"gap":0.1,"list":[0.93,-0.3],)"
              R"("root":0.007071067811865472,"sum":0.3,"text":"0.30000000000000004",)"
              R"("third":0.3333333333333333,"tiny":1e-300,"ulps":0.049,"variance":0.02})");
    EXPECT_TRUE(std::isnan(clean_numbers(std::nan("")).get<double>()));
}

}  // namespace
