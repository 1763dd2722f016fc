// Data for training: IDX splits (read by io::read_idx), CSV/TSV feature tables, and the
// hold-outs that make train-dev and dev splits. No LibTorch here: examples are plain floats.

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <numeric>
#include <optional>
#include <random>
#include <set>

#include "mlstrat/support/error.hpp"
#include "mlstrat/support/io.hpp"
#include "mlstrat/support/parse.hpp"
#include "mlstrat/train/config.hpp"
#include "mlstrat/train/data.hpp"
#include "train/images.hpp"
#include "train/tasks.hpp"
#include "train/text.hpp"

namespace mlstrat::train {

std::int64_t Dataset::example_size() const {
    std::int64_t n = 1;
    for (auto d : shape) n *= d;
    return n;
}

namespace {

std::string resolve(const Config& c, const std::string& path) {
    if (path.empty()) return path;
    std::filesystem::path p(path);
    if (p.is_absolute() || c.base_dir.empty() || c.base_dir == ".") return path;
    return (std::filesystem::path(c.base_dir) / p).string();
}

/// Reads an IDX images + labels pair into `split`; returns the example shape.
std::vector<std::int64_t> load_idx_split(const std::string& images_path,
                                         const std::string& labels_path, const DataConfig& d,
                                         Split& split) {
    MLSTRAT_CHECK(!labels_path.empty(), images_path,
                  ": an IDX images file needs its labels file (data.*_labels)");
    IdxArray images = read_idx(images_path);
    IdxArray labels = read_idx(labels_path);
    MLSTRAT_CHECK(labels.dims.size() == 1, labels_path,
                  ": IDX labels must have 1 dimension, found ", labels.dims.size());
    MLSTRAT_CHECK(labels.dims[0] == images.dims[0], labels_path, ": ", labels.dims[0],
                  " labels for ", images.dims[0], " examples in ", images_path);
    std::vector<std::int64_t> shape;
    if (images.dims.size() == 3) shape = {1, images.dims[1], images.dims[2]};
    for (std::size_t i = 1; i < images.dims.size() && images.dims.size() != 3; ++i) {
        shape.push_back(images.dims[i]);
    }
    if (shape.empty()) shape = {1};
    split.x = std::move(images.values);
    if (images.type == 0x08) {
        for (float& v : split.x) v /= 255.0f;  // bytes are pixel intensities
    }
    split.y.resize(labels.values.size());
    for (std::size_t i = 0; i < labels.values.size(); ++i) {
        const float v = labels.values[i];
        MLSTRAT_CHECK(v >= 0 && v == std::floor(v) && v < 1e6, labels_path, ": label ", i, " is ",
                      v, ", not a class index");
        split.y[i] = static_cast<std::int64_t>(v);
        if (!d.class_names.empty()) {
            MLSTRAT_CHECK(split.y[i] < static_cast<std::int64_t>(d.class_names.size()), labels_path,
                          ": label ", split.y[i], " at index ", i, " has no entry in ",
                          "data.class_names (", d.class_names.size(), " names)");
        }
        split.ids.push_back(std::to_string(i));
    }
    return shape;
}

/// Rows of a CSV table before labels become class indices.
struct TableRows {
    std::vector<float> x;
    std::vector<std::string> labels, ids, splits;
    std::vector<std::int8_t> task_labels;  // data.label_cols: [rows x tasks]
    /// Image references (data.image_col) or texts, one per row; empty for feature tables.
    std::vector<std::string> refs;
    /// data.keep_cols values, row-major.
    std::vector<std::string> kept;
    std::vector<std::uint64_t> lines;
};

/// Appends row `i` of `from` (`nf` features, `kw` kept columns) to `to`.
void append_row(const TableRows& from, std::size_t i, std::size_t nf, std::size_t kw,
                TableRows& to) {
    to.x.insert(to.x.end(), from.x.begin() + i * nf, from.x.begin() + (i + 1) * nf);
    to.labels.push_back(from.labels[i]);
    to.ids.push_back(from.ids[i]);
    if (!from.refs.empty()) to.refs.push_back(from.refs[i]);
    if (!from.task_labels.empty()) {
        const std::size_t nt = from.task_labels.size() / from.labels.size();
        to.task_labels.insert(to.task_labels.end(), from.task_labels.begin() + i * nt,
                              from.task_labels.begin() + (i + 1) * nt);
    }
    to.kept.insert(to.kept.end(), from.kept.begin() + i * kw, from.kept.begin() + (i + 1) * kw);
    to.lines.push_back(from.lines[i]);
}

/// The column of each row that is not a numeric feature: a text or an image reference.
std::string ref_col(const DataConfig& d) { return d.format == "text" ? d.text_col : d.image_col; }

TableRows read_table(const std::string& path, const DataConfig& d,
                     std::vector<std::string>& features) {
    io::TableReader table(path);
    // Multi-task tables have one column per task instead of the label column.
    const std::vector<std::string> label_cols =
        d.label_cols.empty() ? std::vector<std::string>{d.label_col} : d.label_cols;
    const std::size_t nl = label_cols.size();
    std::vector<std::size_t> label;
    for (const auto& c : label_cols) label.push_back(table.column(c));
    std::optional<std::size_t> id, split, ref;
    if (!d.id_col.empty()) id = table.column(d.id_col);
    if (!d.split_col.empty()) split = table.find_column(d.split_col);
    const std::string ref_name = ref_col(d);
    if (!ref_name.empty()) {
        ref = table.column(ref_name);
        MLSTRAT_CHECK(
            features.empty(), "config: key 'data.features' cannot be combined with ",
            d.format == "text" ? "data.format = \"text\": the text" : "data.image_col: the image",
            " is the whole example");
    } else if (features.empty()) {
        for (const auto& name : table.header()) {
            if (std::find(label_cols.begin(), label_cols.end(), name) == label_cols.end() &&
                name != d.id_col && name != d.split_col &&
                std::find(d.keep_cols.begin(), d.keep_cols.end(), name) == d.keep_cols.end()) {
                features.push_back(name);
            }
        }
    }
    MLSTRAT_CHECK(ref || !features.empty(), path, ": no feature columns besides the label");
    std::vector<std::size_t> cols;
    for (const auto& f : features) cols.push_back(table.column(f));
    const std::size_t nf = cols.size();
    cols.insert(cols.end(), label.begin(), label.end());
    const std::size_t id_at = cols.size();
    if (id) cols.push_back(*id);
    const std::size_t split_at = cols.size();
    if (split) cols.push_back(*split);
    const std::size_t ref_at = cols.size();
    if (ref) cols.push_back(*ref);
    // The reader takes each column once: a kept column that is already selected (the image
    // column, the id) is read from its first place.
    std::vector<std::size_t> kept_at;
    for (const auto& k : d.keep_cols) {
        const std::size_t c = table.column(k);
        auto it = std::find(cols.begin(), cols.end(), c);
        kept_at.push_back(static_cast<std::size_t>(it - cols.begin()));
        if (it == cols.end()) cols.push_back(c);
    }
    TableRows rows;
    table.scan(
        cols,
        [&](unsigned, const io::RowBatch& b) {
            for (std::size_t r = 0; r < b.size(); ++r) {
                for (std::size_t f = 0; f < nf; ++f) {
                    const auto cell = b.cell(r, f);
                    auto v = try_parse_number(cell);
                    MLSTRAT_CHECK(v.has_value(), where(path, b.line(r)), ": column '", features[f],
                                  "' is not a number: '", std::string(cell), "'");
                    rows.x.push_back(static_cast<float>(*v));
                }
                if (d.label_cols.empty()) {
                    const auto lab = trim(b.cell(r, nf));
                    MLSTRAT_CHECK(!lab.empty(), where(path, b.line(r)), ": column '", d.label_col,
                                  "' is empty");
                    rows.labels.emplace_back(lab);
                } else {
                    rows.labels.emplace_back();
                    for (std::size_t t = 0; t < nl; ++t) {
                        rows.task_labels.push_back(parse_task_label(
                            b.cell(r, nf + t), where(path, b.line(r)), label_cols[t]));
                    }
                }
                rows.ids.push_back(id ? std::string(b.cell(r, id_at))
                                      : std::to_string(b.row_index(r)));
                if (split) rows.splits.emplace_back(trim(b.cell(r, split_at)));
                if (ref) rows.refs.emplace_back(b.cell(r, ref_at));
                for (std::size_t k = 0; k < d.keep_cols.size(); ++k) {
                    rows.kept.emplace_back(b.cell(r, kept_at[k]));
                }
                rows.lines.push_back(b.line(r));
            }
        },
        io::ScanOrder::File);
    return rows;
}

/// data.format = "folders": `dir` holds one subfolder per class with PNG/JPEG files; adds the
/// class names (subfolder names) to `classes`.
TableRows read_folders(const std::string& dir, std::set<std::string>& classes) {
    namespace fs = std::filesystem;
    MLSTRAT_CHECK(fs::is_directory(dir), dir, ": not a folder (data.format = \"folders\" needs ",
                  "one subfolder per class)");
    TableRows rows;
    std::vector<fs::path> files;
    for (const auto& sub : fs::directory_iterator(dir)) {
        if (!sub.is_directory()) continue;
        classes.insert(sub.path().filename().string());
        for (const auto& f : fs::directory_iterator(sub.path())) {
            if (!f.is_regular_file()) continue;
            std::string ext = f.path().extension().string();
            std::transform(ext.begin(), ext.end(), ext.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            if (ext == ".png" || ext == ".jpg" || ext == ".jpeg") files.push_back(f.path());
        }
    }
    std::sort(files.begin(), files.end());  // the same order on every file system
    for (const auto& f : files) {
        rows.labels.push_back(f.parent_path().filename().string());
        rows.ids.push_back((f.parent_path().filename() / f.filename()).string());
        rows.refs.push_back(f.string());
        rows.lines.push_back(0);
    }
    MLSTRAT_CHECK(!classes.empty(), dir, ": no class subfolders (data.format = \"folders\")");
    return rows;
}

/// Sorts class names numerically when every one is a number, else as strings.
std::vector<std::string> sorted_classes(const std::set<std::string>& names) {
    std::vector<std::string> out(names.begin(), names.end());
    const bool numeric = std::all_of(out.begin(), out.end(),
                                     [](const std::string& s) { return try_parse_number(s); });
    if (numeric) {
        std::stable_sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
            return *try_parse_number(a) < *try_parse_number(b);
        });
    }
    return out;
}

/// The rows `rows` of `from`, in that order.
Split take_rows(const Split& from, const std::vector<std::size_t>& rows, std::int64_t example_size,
                std::size_t kept_width) {
    Split out;
    const std::size_t nt = from.size() ? from.task_labels.size() / from.size() : 0;
    for (auto i : rows) {
        out.x.insert(out.x.end(), from.x.begin() + i * example_size,
                     from.x.begin() + (i + 1) * example_size);
        out.y.push_back(from.y[i]);
        out.ids.push_back(from.ids[i]);
        out.task_labels.insert(out.task_labels.end(), from.task_labels.begin() + i * nt,
                               from.task_labels.begin() + (i + 1) * nt);
        out.kept.insert(out.kept.end(), from.kept.begin() + i * kept_width,
                        from.kept.begin() + (i + 1) * kept_width);
    }
    return out;
}

/// Moves `count` rows chosen by a seeded shuffle out of `from` into a new split.
Split hold_out(Split& from, std::int64_t count, std::int64_t example_size, std::size_t kept_width,
               std::uint64_t seed, const std::string& what) {
    MLSTRAT_CHECK(count < static_cast<std::int64_t>(from.size()), what, ": cannot hold out ", count,
                  " rows of ", from.size());
    std::vector<std::size_t> order(from.size());
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(seed);
    std::shuffle(order.begin(), order.end(), rng);
    std::vector<char> taken(from.size(), 0);
    for (std::int64_t i = 0; i < count; ++i) taken[order[i]] = 1;
    std::vector<std::size_t> out, rest;
    for (std::size_t i = 0; i < from.size(); ++i) (taken[i] ? out : rest).push_back(i);
    Split held = take_rows(from, out, example_size, kept_width);
    from = take_rows(from, rest, example_size, kept_width);
    return held;
}

/// data.keep_classes: the classes become `keep` in that order and rows of other classes leave
/// every split.
void keep_only_classes(Dataset& data, const std::vector<std::string>& keep, std::int64_t es) {
    std::vector<std::int64_t> new_index(data.classes.size(), -1);
    for (std::size_t k = 0; k < keep.size(); ++k) {
        auto it = std::find(data.classes.begin(), data.classes.end(), keep[k]);
        std::string known;
        for (const auto& c : data.classes) known += (known.empty() ? "" : ", ") + c;
        MLSTRAT_CHECK(it != data.classes.end(), "config: key 'data.keep_classes': class '", keep[k],
                      "' is not a class of the data (", known, ")");
        MLSTRAT_CHECK(new_index[it - data.classes.begin()] < 0,
                      "config: key 'data.keep_classes': class '", keep[k], "' is listed twice");
        new_index[it - data.classes.begin()] = static_cast<std::int64_t>(k);
    }
    for (auto& [name, split] : data.splits) {
        std::vector<std::size_t> rows;
        for (std::size_t i = 0; i < split.size(); ++i) {
            if (new_index[split.y[i]] >= 0) rows.push_back(i);
        }
        split = take_rows(split, rows, es, data.keep_cols.size());
        for (auto& y : split.y) y = new_index[y];
    }
    data.classes = keep;
}

/// data.per_class: the first `n` train rows of each class after a seeded shuffle, kept in file
/// order.
void keep_per_class(Split& train, std::int64_t n, std::int64_t es, std::size_t kept_width,
                    std::uint64_t seed) {
    std::vector<std::size_t> order(train.size());
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(seed);
    std::shuffle(order.begin(), order.end(), rng);
    std::map<std::int64_t, std::int64_t> taken;
    std::vector<std::size_t> rows;
    for (auto i : order) {
        if (taken[train.y[i]]++ < n) rows.push_back(i);
    }
    std::sort(rows.begin(), rows.end());
    train = take_rows(train, rows, es, kept_width);
}

void standardize(Dataset& data, bool images) {
    const Split& train = data.splits.at("train");
    const std::int64_t f = images ? 1 : data.example_size();
    const std::int64_t per = images ? data.example_size() : 1;  // images: one mean for all pixels
    std::vector<double> sum(f, 0.0), sq(f, 0.0);
    const std::size_t n = train.size();
    for (std::size_t i = 0; i < n; ++i) {
        for (std::int64_t j = 0; j < data.example_size(); ++j) {
            const double v = train.x[i * data.example_size() + j];
            sum[j / per] += v;
            sq[j / per] += v * v;
        }
    }
    std::vector<float> mean(f), inv(f);
    for (std::int64_t j = 0; j < f; ++j) {
        const double count = static_cast<double>(n) * per;
        const double m = sum[j] / count;
        const double var = std::max(0.0, sq[j] / count - m * m);
        mean[j] = static_cast<float>(m);
        inv[j] = var > 1e-12 ? static_cast<float>(1.0 / std::sqrt(var)) : 1.0f;
    }
    data.input_mean = mean;
    data.input_scale = inv;
    for (auto& [name, split] : data.splits) {
        for (std::size_t i = 0; i < split.x.size(); ++i) {
            const std::size_t j = (i % data.example_size()) / per;
            split.x[i] = (split.x[i] - mean[j]) * inv[j];
        }
    }
}

}  // namespace

Dataset load_dataset(const Config& config) {
    const DataConfig& d = config.data;
    std::vector<std::pair<std::string, std::pair<std::string, std::string>>> files = {
        {"train", {d.train, d.train_labels}},
        {"train_dev", {d.train_dev, d.train_dev_labels}},
        {"dev", {d.dev, d.dev_labels}},
        {"test", {d.test, d.test_labels}},
    };
    if (!d.split_dir.empty()) {
        // The split files stay relative to the config, as a data.train path would be: every
        // reader below resolves them once against its folder.
        const std::string dir = resolve(config, d.split_dir);
        for (auto& [name, paths] : files) {
            MLSTRAT_CHECK(paths.first.empty(), "config: key 'data.split_dir' replaces data.", name,
                          "; give one or the other");
            for (const char* ext : {".csv", ".tsv", ".csv.gz", ".tsv.gz"}) {
                const std::string file = name + ext;
                if (paths.first.empty() &&
                    std::filesystem::exists(std::filesystem::path(dir) / file))
                    paths.first = (std::filesystem::path(d.split_dir) / file).string();
            }
        }
        MLSTRAT_CHECK(!files[0].second.first.empty(), dir,
                      ": no train.csv or train.tsv (key 'data.split_dir')");
    }
    const std::string train_path = files[0].second.first;
    MLSTRAT_CHECK(!train_path.empty(), "config: key 'data.train' (or data.split_dir) is required");
    std::string format = d.format;
    if (format == "auto") format = d.train_labels.empty() ? "csv" : "idx";
    MLSTRAT_CHECK(
        format == "csv" || format == "text" || d.keep_cols.empty(),
        "config: key 'data.keep_cols' needs a table (data.format = \"csv\" or \"text\"); ", format,
        " data has no columns to keep");
    MLSTRAT_CHECK(format == "csv" || d.image_col.empty(), "config: key 'data.image_col' is for ",
                  "CSV/TSV tables (data.format = \"csv\")");
    Dataset data;
    data.keep_cols = d.keep_cols;
    if (format == "idx") {
        MLSTRAT_CHECK(d.split_col.empty(), "config: key 'data.split_col' is for CSV data");
        for (const auto& [name, paths] : files) {
            if (paths.first.empty()) continue;
            Split split;
            auto shape = load_idx_split(resolve(config, paths.first), resolve(config, paths.second),
                                        d, split);
            if (data.shape.empty()) data.shape = shape;
            MLSTRAT_CHECK(shape == data.shape, resolve(config, paths.first),
                          ": examples have a different shape than data.train's");
            data.splits[name] = std::move(split);
        }
        std::int64_t classes = 0;
        for (const auto& [name, split] : data.splits) {
            for (auto y : split.y) classes = std::max(classes, y + 1);
        }
        if (!d.class_names.empty()) {
            data.classes = d.class_names;
        } else {
            for (std::int64_t k = 0; k < classes; ++k) data.classes.push_back(std::to_string(k));
        }
    } else {
        std::vector<std::string> features = d.features;
        std::map<std::string, TableRows> tables;
        std::map<std::string, std::string> paths;
        std::set<std::string> folder_classes;
        const std::size_t kw = d.keep_cols.size();
        if (format == "folders") {
            MLSTRAT_CHECK(d.split_col.empty(), "config: key 'data.split_col' is for CSV data");
            for (const auto& [name, p] : files) {
                if (p.first.empty()) continue;
                paths[name] = resolve(config, p.first);
                std::set<std::string> classes;
                tables[name] = read_folders(paths[name], classes);
                if (name == "train") folder_classes = classes;
            }
        } else if (!d.split_col.empty()) {
            const std::string path = resolve(config, train_path);
            TableRows all = read_table(path, d, features);
            MLSTRAT_CHECK(!all.splits.empty() || all.labels.empty(), path, ": no column '",
                          d.split_col, "' (data.split_col)");
            for (std::size_t i = 0; i < all.labels.size(); ++i) {
                std::string s = all.splits[i] == "train-dev" ? "train_dev" : all.splits[i];
                MLSTRAT_CHECK(
                    std::find(split_names().begin(), split_names().end(), s) != split_names().end(),
                    where(path, all.lines[i]), ": split '", all.splits[i],
                    "' is not one of train, train_dev, dev, test");
                append_row(all, i, features.size(), kw, tables[s]);
                paths[s] = path;
            }
            MLSTRAT_CHECK(tables.count("train"), path, ": no row has split 'train' in column '",
                          d.split_col, "'");
        } else {
            for (const auto& [name, p] : files) {
                if (p.first.empty()) continue;
                MLSTRAT_CHECK(p.second.empty(), "config: key 'data.", name,
                              "_labels' is for IDX data; CSV labels are in data.label_col");
                paths[name] = resolve(config, p.first);
                tables[name] = read_table(paths[name], d, features);
            }
        }
        std::set<std::string> names(tables["train"].labels.begin(), tables["train"].labels.end());
        if (format == "folders") names = folder_classes;
        data.classes = sorted_classes(names);
        std::map<std::string, std::int64_t> index;
        for (std::size_t k = 0; k < data.classes.size(); ++k) index[data.classes[k]] = k;
        data.shape = {static_cast<std::int64_t>(features.size())};
        // Images become pixels split by split, train first, so that the first image (which
        // sets the default size and channels) is the first of the train split.
        const bool images = format == "folders" || !d.image_col.empty();
        ImageLoader loader(d.image_size, d.channels);
        // Texts become token ids with a vocabulary of the train split only.
        const bool texts = format == "text";
        std::map<std::string, std::vector<std::vector<std::string>>> tokens;
        std::optional<Vocabulary> vocab;
        std::int64_t max_len = d.max_len;
        if (texts) {
            for (auto& [name, t] : tables) {
                for (std::size_t i = 0; i < t.refs.size(); ++i) {
                    tokens[name].push_back(tokenize(t.refs[i], d.vocab));
                    MLSTRAT_CHECK(!tokens[name].back().empty(), where(paths[name], t.lines[i]),
                                  ": column '", d.text_col, "' is empty");
                    if (d.max_len == 0 && name == "train") {
                        max_len = std::max<std::int64_t>(max_len, tokens[name].back().size());
                    }
                }
            }
            vocab.emplace(tokens["train"], d.min_count);
            data.vocabulary = vocab->tokens();
            data.shape = {std::max<std::int64_t>(max_len, 1)};
        }
        for (const auto& name : split_names()) {
            if (!tables.count(name)) continue;
            TableRows& t = tables[name];
            Split split;
            if (texts) {
                for (const auto& seq : tokens[name]) encode(seq, *vocab, data.shape[0], split.x);
            } else if (images) {
                const std::string root =
                    !d.image_root.empty()
                        ? resolve(config, d.image_root)
                        : std::filesystem::path(paths[name]).parent_path().string();
                for (std::size_t i = 0; i < t.refs.size(); ++i) {
                    const std::string at =
                        t.lines[i] > 0 ? where(paths[name], t.lines[i]) : paths[name];
                    loader.load(std::string(trim(t.refs[i])), format == "folders" ? "" : root, at,
                                split.x);
                }
                if (!t.refs.empty()) data.shape = loader.shape();
            } else {
                split.x = std::move(t.x);
            }
            split.ids = std::move(t.ids);
            split.task_labels = std::move(t.task_labels);
            split.kept = std::move(t.kept);
            for (std::size_t i = 0; i < t.labels.size(); ++i) {
                auto it = index.find(t.labels[i]);
                MLSTRAT_CHECK(it != index.end(),
                              t.lines[i] > 0 ? where(paths[name], t.lines[i]) : paths[name],
                              ": label '", t.labels[i], "' never occurs in the train split");
                split.y.push_back(it->second);
            }
            data.splits[name] = std::move(split);
        }
    }
    MLSTRAT_CHECK(data.splits.count("train") && data.splits.at("train").size() > 0,
                  resolve(config, train_path), ": the train split is empty");
    if (!d.label_cols.empty()) data.classes.clear();  // tasks, not classes
    const std::int64_t es = data.example_size();
    const std::size_t kw = data.keep_cols.size();
    if (!d.keep_classes.empty()) {
        keep_only_classes(data, d.keep_classes, es);
        MLSTRAT_CHECK(data.splits.at("train").size() > 0, resolve(config, train_path),
                      ": no train row has a class of data.keep_classes");
    }
    MLSTRAT_CHECK(data.classes.size() >= 2 || !d.label_cols.empty(), resolve(config, train_path),
                  ": training needs at least 2 classes, found ", data.classes.size());
    const auto seed = static_cast<std::uint64_t>(d.split_seed);
    // A hold-out larger than its split is a fault of that split's file: the message names it.
    const auto data_file = [&](const std::string& split) {
        for (const auto& [name, paths] : files) {
            if (name == split && !paths.first.empty()) return resolve(config, paths.first);
        }
        return std::string("config");
    };
    if (d.dev_size > 0 && !data.splits.count("dev")) {
        const std::string from = d.dev_from;
        MLSTRAT_CHECK(data.splits.count(from), "config: key 'data.dev_size' holds dev out of ",
                      from, ", which has no data (data.", from, ")");
        data.splits["dev"] = hold_out(data.splits[from], d.dev_size, es, kw, seed * 2 + 1,
                                      data_file(from) + ": key 'data.dev_size'");
    }
    if (d.train_dev_size > 0 && !data.splits.count("train_dev")) {
        data.splits["train_dev"] =
            hold_out(data.splits["train"], d.train_dev_size, es, kw, seed * 2 + 2,
                     data_file("train") + ": key 'data.train_dev_size'");
    }
    if (d.per_class > 0) keep_per_class(data.splits["train"], d.per_class, es, kw, seed * 2 + 3);
    if (d.limit > 0 && static_cast<std::size_t>(d.limit) < data.splits["train"].size()) {
        Split& train = data.splits["train"];
        const std::size_t nt = train.task_labels.size() / train.size();
        train.x.resize(d.limit * es);
        train.y.resize(d.limit);
        train.ids.resize(d.limit);
        train.task_labels.resize(nt * d.limit);
        train.kept.resize(d.limit * kw);
    }
    add_tasks(config, data);
    // Token ids are not scaled.
    if (d.standardize && data.vocabulary.empty()) standardize(data, data.shape.size() == 3);
    return data;
}

}  // namespace mlstrat::train
