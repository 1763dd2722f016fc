#pragma once
/// Error analysis by eye (course 1.2.1): one self-contained HTML page of cards, one per example,
/// that a person reviews in a browser. The error page shows each sampled error (its image, text
/// or kept values, true and predicted label, top probabilities) with a checkbox per tag, a
/// mislabeled mark and a comment, keeps the marks across reloads, tallies them live, and exports
/// the filled sheet `errors tally` reads. The label page shows the examples `labels` flags, ranked
/// as it ranks them, for a verdict each (wrong label and its fix, right, unsure), and exports the
/// corrections `labels apply` reads.
///
///     ReviewOptions options;
///     options.error = 0.10;
///     ReviewPage page = error_review_page("sheet.csv", options);
///     write_review(page, "review.html");   // atomically

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mlstrat/analysis.hpp"

namespace mlstrat::report {

/// How a review page finds and shows each example.
struct ReviewOptions {
    /// Tags to offer besides those the sheet has (errors page).
    std::vector<std::string> tags;
    /// Column of image references; empty takes the first column whose first cell reads as one
    /// (a .png/.jpg/.jpeg/.bmp/.gif path, or FILE.idx#N, FILE-ubyte.gz#N).
    std::string image_col;
    /// Column of text to show for text data; empty takes a column named `text` when present.
    std::string text_col;
    /// Probability columns, a glob whose '*' names the class; the top three are shown.
    std::string prob_cols = "p_*";
    /// Folders relative image paths resolve in, in order; empty: the input file's folder, then
    /// the current folder.
    std::vector<std::string> image_roots;
    /// Thumbnails are shrunk to fit this many pixels a side.
    unsigned thumbnail = 96;
    /// The dev error the errors were sampled from, for the live ceilings (errors page).
    std::optional<double> error;
    /// At most this many cards (label page); the rest are named in a note.
    std::size_t max_cards = 1000;
    std::string title;
};

/// A review page and what it holds.
struct ReviewPage {
    std::string kind;    // "errors" or "labels"
    std::string source;  // the file the cards come from
    std::string html;
    std::uint64_t cards = 0;
    std::uint64_t images = 0;    // cards with a thumbnail
    std::uint64_t left_out = 0;  // examples not shown (beyond max_cards)
    /// Hash of the cards' content: the key the page keeps its marks under in the browser.
    std::string key;
    /// The name of the file the page's Export button downloads.
    std::string export_name;

    /// {kind, source, cards, images, left_out, key, export_name}.
    nlohmann::json to_json() const;
};

/// Whether `path` is a review sheet (its header has label, pred, mislabeled and comments) rather
/// than a predictions file to sample from.
bool is_review_sheet(const std::string& path);

/// The error-analysis page of a review sheet as `errors sample` writes it (index, kept columns,
/// label, pred, tags, mislabeled, comments). Cells already marked start ticked.
ReviewPage error_review_page(const std::string& sheet_path, const ReviewOptions& options);

/// Samples a predictions file as `errors sample` does (the probability columns are kept too),
/// writes the sheet to `sheet_path` and returns its page. Nothing is written when it fails.
ReviewPage error_review_from_predictions(const std::string& pred_path,
                                         analysis::SampleOptions sample,
                                         const std::string& sheet_path,
                                         const ReviewOptions& options,
                                         analysis::SampleReport* sampled = nullptr);

/// The label-review page of `labels`' result on `table_path` (read with `labels`' options): the
/// flagged examples, least self-confident first.
ReviewPage label_review_page(const analysis::LabelReport& issues, const std::string& table_path,
                             const analysis::LabelOptions& labels, const ReviewOptions& options);

/// Writes the page to `path` atomically; returns the bytes written.
std::uint64_t write_review(const ReviewPage& page, const std::string& path);

}  // namespace mlstrat::report
