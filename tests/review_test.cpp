// The review pages (errors review, labels --review) and labels apply: thumbnails decoded back to
// the pixels they came from, the cards' data as the page's script reads it, the bad inputs each
// refused with FILE:LINE, and corrections applied byte for byte. The pages' behaviour in a
// browser is tested in review_browser_test.py.

#include <gtest/gtest.h>
#include <stb_image.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "analysis_helpers.hpp"
#include "mlstrat/analysis.hpp"
#include "mlstrat/review.hpp"
#include "mlstrat/support/io.hpp"
#include "process_helpers.hpp"
#include "report/thumbnails.hpp"

namespace {

namespace fs = std::filesystem;
using mlstrat::test_util::error_of;
using mlstrat::test_util::slurp;
using mlstrat::test_util::TempDir;
using nlohmann::json;
namespace report = mlstrat::report;
namespace analysis = mlstrat::analysis;

const fs::path kData = fs::path(MLSTRAT_SOURCE_DIR) / "tests" / "data" / "review";

std::string unbase64(std::string_view text) {
    static const std::string kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (char c : text) {
        if (c == '=') break;
        buffer = (buffer << 6) | static_cast<unsigned>(kAlphabet.find(c));
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xFF);
        }
    }
    return out;
}

struct Decoded {
    std::string mime;
    int width = 0, height = 0, channels = 0;
    std::vector<unsigned char> pixels;
};

Decoded decode_uri(const std::string& uri) {
    Decoded d;
    const auto semicolon = uri.find(';'), comma = uri.find(',');
    d.mime = uri.substr(5, semicolon - 5);
    const std::string bytes = unbase64(uri.substr(comma + 1));
    unsigned char* p =
        stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(bytes.data()),
                              static_cast<int>(bytes.size()), &d.width, &d.height, &d.channels, 0);
    if (p != nullptr) {
        d.pixels.assign(p, p + static_cast<std::size_t>(d.width) * d.height * d.channels);
        stbi_image_free(p);
    }
    return d;
}

// The data the page's script reads.
json page_data(const std::string& html) {
    const std::string open = "<script type=\"application/json\" id=\"review-data\">";
    const auto start = html.find(open) + open.size();
    return json::parse(html.substr(start, html.find("</script>", start) - start));
}

TEST(Thumbnails, Base64MatchesRfc4648) {
    using mlstrat::report::detail::base64;
    EXPECT_EQ(base64(""), "");
    EXPECT_EQ(base64("f"), "Zg==");
    EXPECT_EQ(base64("fo"), "Zm8=");
    EXPECT_EQ(base64("foo"), "Zm9v");
    EXPECT_EQ(base64("foob"), "Zm9vYg==");
    EXPECT_EQ(base64("fooba"), "Zm9vYmE=");
    EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
}

TEST(Thumbnails, IdxImageComesBackPixelForPixel) {
    mlstrat::report::detail::Thumbnailer t({kData.string()}, 96);
    const Decoded d = decode_uri(t.data_uri("images.idx#3", "x.csv:2"));
    EXPECT_EQ(d.mime, "image/png");
    ASSERT_EQ(d.width, 8);
    ASSERT_EQ(d.height, 8);
    ASSERT_EQ(d.channels, 1);
    // make_review_data.py: image i is 6 * i with a bright diagonal.
    for (int y = 0; y < 8; ++y) {
        for (int x = 0; x < 8; ++x)
            EXPECT_EQ(d.pixels[y * 8 + x], x == y ? 255 : 18) << x << "," << y;
    }
}

TEST(Thumbnails, SmallPngStaysExactAndLargeOneShrinksToJpeg) {
    mlstrat::report::detail::Thumbnailer t({kData.string()}, 56);
    const Decoded red = decode_uri(t.data_uri("red.png", "x.csv:2"));
    EXPECT_EQ(red.mime, "image/png");
    ASSERT_EQ(red.width * red.height * red.channels, 18);
    EXPECT_EQ(red.pixels[0], 255);  // first row red, second blue
    EXPECT_EQ(red.pixels[2], 0);
    EXPECT_EQ(red.pixels[9 + 2], 255);
    const Decoded photo = decode_uri(t.data_uri("photo.png", "x.csv:2"));
    EXPECT_EQ(photo.mime, "image/jpeg");
    EXPECT_EQ(photo.width, 56);  // 64 x 48 fit into 56 pixels a side
    EXPECT_EQ(photo.height, 42);
}

TEST(Thumbnails, BadReferencesNameTheLine) {
    TempDir dir;
    std::ofstream(dir.file("broken.png"), std::ios::binary) << "\x89PNG\r\n\x1a\nnot really";
    mlstrat::report::detail::Thumbnailer t({kData.string(), dir.path().string()}, 96);
    EXPECT_NE(error_of([&] {
                  t.data_uri("missing.png", "s.csv:4");
              }).find("s.csv:4: image file not found: missing.png"),
              std::string::npos);
    EXPECT_NE(
        error_of([&] { t.data_uri("images.idx#40", "s.csv:5"); }).find("s.csv:5: image #40 of"),
        std::string::npos);
    EXPECT_NE(error_of([&] { t.data_uri("images.idx#x", "s.csv:6"); }).find("s.csv:6: bad image"),
              std::string::npos);
    EXPECT_NE(
        error_of([&] { t.data_uri("broken.png", "s.csv:7"); }).find("s.csv:7: cannot decode image"),
        std::string::npos);
}

TEST(ErrorReview, PredictionsAreSampledIntoCards) {
    TempDir dir;
    analysis::SampleOptions sample;
    sample.tags = {"blurry", "dark"};
    sample.seed = 3;
    report::ReviewOptions options;
    options.error = 0.125;
    analysis::SampleReport sampled;
    const std::string sheet = dir.file("sheet.csv");
    const auto page = report::error_review_from_predictions((kData / "pred.csv").string(), sample,
                                                            sheet, options, &sampled);
    // pred.csv: rows 1, 2, 4, 6, 7, 9, 10, 12, 14, 15 are wrong (i % 8 not in 0, 3, 5).
    EXPECT_EQ(sampled.errors, 10u);
    EXPECT_EQ(page.cards, 10u);
    EXPECT_EQ(page.images, 10u);
    EXPECT_EQ(page.export_name, "sheet_reviewed.csv");
    const json data = page_data(page.html);
    EXPECT_EQ(data["columns"], json({"index", "id", "image", "p_cat", "p_dog", "p_bird", "region",
                                     "label", "pred", "blurry", "dark", "mislabeled", "comments"}));
    EXPECT_EQ(data["tags"], json({"blurry", "dark"}));
    EXPECT_EQ(data["tag_cols"], json({9, 10}));
    EXPECT_EQ(data["mislabeled_col"], 11);
    EXPECT_EQ(data["error_text"], "12.50%");
    const json& first = data["cards"][0];  // row 1: dog predicted bird
    EXPECT_EQ(first["index"], "1");
    EXPECT_EQ(first["label"], "dog");
    EXPECT_EQ(first["pred"], "bird");
    EXPECT_EQ(first["probs"], json::parse(R"([["bird", 0.6], ["dog", 0.3], ["cat", 0.1]])"));
    EXPECT_EQ(first["kept"], json::parse(R"([["id", "ex1"], ["region", "north"]])"));
    EXPECT_EQ(first["marks"], json({false, false}));
    // The same sheet gives the same key, so marks stored in a browser find their page again
    // (its image references are relative to pred.csv's folder).
    options.image_roots = {kData.string()};
    const auto again = report::error_review_page(sheet, options);
    EXPECT_EQ(again.key, page.key);
    EXPECT_EQ(again.html, page.html);
}

TEST(ErrorReview, MarksOfTheSheetStartTicked) {
    TempDir dir;
    fs::copy(kData / "images.idx", dir.path() / "images.idx");
    const std::string sheet = dir.file("s.csv",
                                       "index,image,label,pred,dog,mislabeled,comments\n"
                                       "4,images.idx#4,cat,dog,x,,\"looks like a dog, really\"\n"
                                       "9,images.idx#9,dog,cat,,yes,\n");
    report::ReviewOptions options;
    options.tags = {"dog", "blurry"};
    const json data = page_data(report::error_review_page(sheet, options).html);
    EXPECT_EQ(data["new_tags"], json({"blurry"}));
    EXPECT_EQ(data["cards"][0]["marks"], json({true}));
    EXPECT_EQ(data["cards"][0]["comment"], "looks like a dog, really");
    EXPECT_EQ(data["cards"][1]["mis"], true);
    EXPECT_FALSE(data["cards"][0].contains("text"));

    const std::string bad = dir.file(
        "bad.csv",
        "index,image,label,pred,dog,mislabeled,comments\n4,images.idx#4,cat,dog,maybe,,\n");
    EXPECT_NE(error_of([&] {
                  report::error_review_page(bad, {});
              }).find("bad.csv:2: column 'dog' holds 'maybe', not a mark"),
              std::string::npos);
    const std::string not_sheet = dir.file("p.csv", "label,pred\ncat,dog\n");
    EXPECT_FALSE(report::is_review_sheet(not_sheet));
    EXPECT_TRUE(report::is_review_sheet(sheet));
}

TEST(ErrorReview, TextDataShowsTheText) {
    TempDir dir;
    const std::string sheet = dir.file(
        "s.csv",
        "index,text,label,pred,sarcasm,mislabeled,comments\n0,\"great, just great\",pos,neg,,,\n");
    const json data = page_data(report::error_review_page(sheet, {}).html);
    EXPECT_EQ(data["cards"][0]["text"], "great, just great");
    EXPECT_FALSE(data["cards"][0].contains("img"));
}

analysis::LabelReport label_issues(analysis::LabelOptions& options) {
    options.prob_cols = "p_*";
    options.id_col = "id";
    return analysis::find_label_issues((kData / "labels.csv").string(), options);
}

TEST(LabelReview, FlaggedExamplesBecomeCardsInRankOrder) {
    analysis::LabelOptions labels;
    const auto issues = label_issues(labels);
    // make_review_data.py plants four labels against a model 80% sure of another class.
    ASSERT_EQ(issues.issues.size(), 4u);
    const auto page =
        report::label_review_page(issues, (kData / "labels.csv").string(), labels, {});
    EXPECT_EQ(page.cards, 4u);
    EXPECT_EQ(page.images, 4u);
    EXPECT_EQ(page.export_name, "labels_corrections.csv");
    const json data = page_data(page.html);
    std::set<std::string> ids;
    for (std::size_t k = 0; k < 4; ++k) {
        const json& card = data["cards"][k];
        EXPECT_EQ(card["index"], issues.issues[k].index);
        EXPECT_EQ(card["id"], issues.ids[k]);
        EXPECT_EQ(card["given"], issues.classes[issues.issues[k].given]);
        EXPECT_EQ(card["suggested"], issues.classes[issues.issues[k].suggested]);
        EXPECT_DOUBLE_EQ(card["confidence"].get<double>(), 0.1);
        ids.insert(card["id"].get<std::string>());
    }
    EXPECT_EQ(ids, (std::set<std::string>{"img5", "img17", "img26", "img33"}));

    report::ReviewOptions fewer;
    fewer.max_cards = 3;
    const auto cut =
        report::label_review_page(issues, (kData / "labels.csv").string(), labels, fewer);
    EXPECT_EQ(cut.cards, 3u);
    EXPECT_EQ(cut.left_out, 1u);
}

// A data file of three splits and the corrections for it.
struct CorrectionFixture {
    TempDir dir;
    std::string data = dir.file("data.csv",
                                "id,image,label,split\r\n"
                                "a,\"x, y.png\",cat,dev\r\n"
                                "b,b.png,dog,dev\r\n"
                                "c,c.png,cat,test\r\n"
                                "d,d.png,bird,test\r\n");
    std::string corrections(const std::string& rows) {
        return dir.file("fix.csv", "index,id,given,suggested,decision,label,comment\n" + rows);
    }
};

TEST(LabelsApply, ChangesOnlyTheWrongLabelsByteForByte) {
    CorrectionFixture f;
    const std::string fix = f.corrections(
        "0,a,cat,dog,wrong,dog,\"clearly, a dog\"\n"
        "1,b,dog,cat,right,dog,\n"
        "3,d,bird,cat,wrong,cat,\n"
        "2,c,cat,dog,unsure,cat,\n");
    analysis::CorrectionOptions options;
    options.split_col = "split";
    const auto r = analysis::apply_corrections(f.data, fix, f.dir.file("out.csv"), options);
    EXPECT_EQ(r.matched_by, "id");
    EXPECT_EQ(r.rows, 4u);
    EXPECT_EQ(r.changed, 2u);
    EXPECT_EQ(r.wrong, 2u);
    EXPECT_EQ(r.right, 1u);
    EXPECT_EQ(r.unsure, 1u);
    ASSERT_EQ(r.splits.size(), 2u);
    EXPECT_EQ(r.splits[0].split, "dev");
    EXPECT_EQ(r.splits[0].changed, 1u);
    EXPECT_EQ(r.splits[1].split, "test");
    EXPECT_EQ(r.splits[1].changed, 1u);
    EXPECT_EQ(slurp(f.dir.file("out.csv")),
              "id,image,label,split\r\n"
              "a,\"x, y.png\",dog,dev\r\n"
              "b,b.png,dog,dev\r\n"
              "c,c.png,cat,test\r\n"
              "d,d.png,cat,test\r\n");
}

TEST(LabelsApply, WithoutIdsRowsAreMatchedByIndex) {
    CorrectionFixture f;
    const std::string fix = f.corrections("1,,dog,bird,wrong,bird,\n");
    const auto r = analysis::apply_corrections(f.data, fix, f.dir.file("out.csv"), {});
    EXPECT_EQ(r.matched_by, "index");
    EXPECT_EQ(r.changed, 1u);
    ASSERT_EQ(r.splits.size(), 1u);
    EXPECT_EQ(r.splits[0].rows, 4u);
    EXPECT_NE(slurp(f.dir.file("out.csv")).find("b,b.png,bird,dev\r\n"), std::string::npos);
}

TEST(LabelsApply, BadCorrectionsNameTheirLineAndWriteNothing) {
    CorrectionFixture f;
    auto refused = [&](const std::string& rows) {
        const std::string fix = f.corrections(rows);
        const std::string out = f.dir.file("out.csv");
        const std::string message =
            error_of([&] { analysis::apply_corrections(f.data, fix, out, {}); });
        EXPECT_FALSE(fs::exists(out)) << message;
        return message;
    };
    EXPECT_NE(refused("0,a,cat,dog,wrong,dog,\n9,zz,cat,dog,wrong,dog,\n")
                  .find("fix.csv:3: id 'zz' is not in"),
              std::string::npos);
    EXPECT_NE(refused("0,a,cat,dog,wrong,cow,\n").find("fix.csv:2: label 'cow' is not a label of"),
              std::string::npos);
    EXPECT_NE(refused("0,a,dog,cat,wrong,cat,\n").find("fix.csv:2: the reviewed label was 'dog'"),
              std::string::npos);
    EXPECT_NE(refused("0,a,cat,dog,maybe,dog,\n").find("fix.csv:2: decision 'maybe'"),
              std::string::npos);
    EXPECT_NE(refused("0,a,cat,dog,wrong,dog,\n0,a,cat,dog,right,cat,\n")
                  .find("fix.csv:3: id 'a' is corrected twice"),
              std::string::npos);
    EXPECT_NE(refused("7,,cat,dog,wrong,dog,\n").find("fix.csv:2: index 7 is not in"),
              std::string::npos);
}

}  // namespace
