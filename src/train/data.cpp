// Data for training: IDX splits (read by io::read_idx), CSV/TSV feature tables, and the
// hold-outs that make train-dev and dev splits. No LibTorch here: examples are plain floats.

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <mutex>
#include <numeric>
#include <random>
#include <set>

#include "mlstrat/error.hpp"
#include "mlstrat/io.hpp"
#include "mlstrat/parse.hpp"
#include "mlstrat/train.hpp"
#include "train/tasks.hpp"

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
    MLSTRAT_CHECK(labels.dims.size() == 1, labels_path, ": IDX labels must have 1 dimension, found ",
                  labels.dims.size());
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
        MLSTRAT_CHECK(v >= 0 && v == std::floor(v) && v < 1e6, labels_path, ": label ", i,
                      " is ", v, ", not a class index");
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
    std::vector<std::uint64_t> lines;
};

TableRows read_table(const std::string& path, const DataConfig& d,
                     std::vector<std::string>& features) {
    io::TableReader table(path);
    // Multi-task tables have one column per task instead of the label column.
    const std::vector<std::string> label_cols =
        d.label_cols.empty() ? std::vector<std::string>{d.label_col} : d.label_cols;
    const std::size_t nl = label_cols.size();
    std::vector<std::size_t> label;
    for (const auto& c : label_cols) label.push_back(table.column(c));
    std::optional<std::size_t> id, split;
    if (!d.id_col.empty()) id = table.column(d.id_col);
    if (!d.split_col.empty()) split = table.find_column(d.split_col);
    if (features.empty()) {
        for (const auto& name : table.header()) {
            if (std::find(label_cols.begin(), label_cols.end(), name) == label_cols.end() &&
                name != d.id_col && name != d.split_col) {
                features.push_back(name);
            }
        }
    }
    MLSTRAT_CHECK(!features.empty(), path, ": no feature columns besides the label");
    std::vector<std::size_t> cols;
    for (const auto& f : features) cols.push_back(table.column(f));
    const std::size_t nf = cols.size();
    cols.insert(cols.end(), label.begin(), label.end());
    if (id) cols.push_back(*id);
    if (split) cols.push_back(*split);
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
                rows.ids.push_back(id ? std::string(b.cell(r, nf + nl))
                                      : std::to_string(b.row_index(r)));
                if (split) rows.splits.emplace_back(trim(b.cell(r, nf + nl + (id ? 1 : 0))));
                rows.lines.push_back(b.line(r));
            }
        },
        io::ScanOrder::File);
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

/// Moves `count` rows chosen by a seeded shuffle out of `from` into a new split.
Split hold_out(Split& from, std::int64_t count, std::int64_t example_size, std::uint64_t seed,
               const std::string& what) {
    MLSTRAT_CHECK(count < static_cast<std::int64_t>(from.size()), what, ": cannot hold out ",
                  count, " rows of ", from.size());
    std::vector<std::size_t> order(from.size());
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(seed);
    std::shuffle(order.begin(), order.end(), rng);
    std::vector<char> taken(from.size(), 0);
    for (std::int64_t i = 0; i < count; ++i) taken[order[i]] = 1;
    Split out, rest;
    for (std::size_t i = 0; i < from.size(); ++i) {
        Split& to = taken[i] ? out : rest;
        to.x.insert(to.x.end(), from.x.begin() + i * example_size,
                    from.x.begin() + (i + 1) * example_size);
        to.y.push_back(from.y[i]);
        to.ids.push_back(from.ids[i]);
        const std::size_t nt = from.task_labels.size() / from.size();
        to.task_labels.insert(to.task_labels.end(), from.task_labels.begin() + i * nt,
                              from.task_labels.begin() + (i + 1) * nt);
    }
    from = std::move(rest);
    return out;
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
        const std::string dir = resolve(config, d.split_dir);
        for (auto& [name, paths] : files) {
            MLSTRAT_CHECK(paths.first.empty(), "config: key 'data.split_dir' replaces data.",
                          name, "; give one or the other");
            for (const char* ext : {".csv", ".tsv", ".csv.gz", ".tsv.gz"}) {
                const auto p = std::filesystem::path(dir) / (name + ext);
                if (paths.first.empty() && std::filesystem::exists(p)) paths.first = p.string();
            }
        }
        MLSTRAT_CHECK(!files[0].second.first.empty(), dir,
                      ": no train.csv or train.tsv (key 'data.split_dir')");
    }
    const std::string train_path = files[0].second.first;
    MLSTRAT_CHECK(!train_path.empty(), "config: key 'data.train' (or data.split_dir) is required");
    std::string format = d.format;
    if (format == "auto") format = d.train_labels.empty() ? "csv" : "idx";
    Dataset data;
    if (format == "idx") {
        MLSTRAT_CHECK(d.split_col.empty(), "config: key 'data.split_col' is for CSV data");
        for (const auto& [name, paths] : files) {
            if (paths.first.empty()) continue;
            Split split;
            auto shape =
                load_idx_split(resolve(config, paths.first), resolve(config, paths.second), d, split);
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
        if (!d.split_col.empty()) {
            const std::string path = resolve(config, train_path);
            TableRows all = read_table(path, d, features);
            MLSTRAT_CHECK(!all.splits.empty() || all.labels.empty(), path, ": no column '",
                          d.split_col, "' (data.split_col)");
            for (std::size_t i = 0; i < all.labels.size(); ++i) {
                std::string s = all.splits[i] == "train-dev" ? "train_dev" : all.splits[i];
                MLSTRAT_CHECK(std::find(split_names().begin(), split_names().end(), s) !=
                                  split_names().end(),
                              where(path, all.lines[i]), ": split '", all.splits[i],
                              "' is not one of train, train_dev, dev, test");
                TableRows& t = tables[s];
                const std::size_t nf = features.size();
                t.x.insert(t.x.end(), all.x.begin() + i * nf, all.x.begin() + (i + 1) * nf);
                t.labels.push_back(all.labels[i]);
                const std::size_t nt = d.label_cols.size();
                t.task_labels.insert(t.task_labels.end(), all.task_labels.begin() + i * nt,
                                     all.task_labels.begin() + (i + 1) * nt);
                t.ids.push_back(all.ids[i]);
                t.lines.push_back(all.lines[i]);
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
        data.classes = sorted_classes(names);
        std::map<std::string, std::int64_t> index;
        for (std::size_t k = 0; k < data.classes.size(); ++k) index[data.classes[k]] = k;
        data.shape = {static_cast<std::int64_t>(features.size())};
        for (auto& [name, t] : tables) {
            Split split;
            split.x = std::move(t.x);
            split.ids = std::move(t.ids);
            split.task_labels = std::move(t.task_labels);
            for (std::size_t i = 0; i < t.labels.size(); ++i) {
                auto it = index.find(t.labels[i]);
                MLSTRAT_CHECK(it != index.end(), where(paths[name], t.lines[i]), ": label '",
                              t.labels[i], "' never occurs in the train split");
                split.y.push_back(it->second);
            }
            data.splits[name] = std::move(split);
        }
    }
    MLSTRAT_CHECK(data.splits.count("train") && data.splits.at("train").size() > 0,
                  resolve(config, train_path), ": the train split is empty");
    if (!d.label_cols.empty()) data.classes.clear();  // tasks, not classes
    MLSTRAT_CHECK(data.classes.size() >= 2 || !d.label_cols.empty(), resolve(config, train_path),
                  ": training needs at least 2 classes, found ", data.classes.size());
    const std::int64_t es = data.example_size();
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
        data.splits["dev"] = hold_out(data.splits[from], d.dev_size, es, seed * 2 + 1,
                                      data_file(from) + ": key 'data.dev_size'");
    }
    if (d.train_dev_size > 0 && !data.splits.count("train_dev")) {
        data.splits["train_dev"] = hold_out(data.splits["train"], d.train_dev_size, es,
                                            seed * 2 + 2,
                                            data_file("train") + ": key 'data.train_dev_size'");
    }
    if (d.limit > 0 && static_cast<std::size_t>(d.limit) < data.splits["train"].size()) {
        Split& train = data.splits["train"];
        const std::size_t nt = train.task_labels.size() / train.size();
        train.x.resize(d.limit * es);
        train.y.resize(d.limit);
        train.ids.resize(d.limit);
        train.task_labels.resize(nt * d.limit);
    }
    add_tasks(config, data);
    if (d.standardize) standardize(data, data.shape.size() == 3);
    return data;
}

}  // namespace mlstrat::train
