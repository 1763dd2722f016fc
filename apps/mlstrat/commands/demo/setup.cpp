// The demo's plan, data pool and configs (demo/setup.hpp).

#include "commands/demo/setup.hpp"

#include <fmt/format.h>

#include "mlstrat/support/error.hpp"
#include "mlstrat/support/parse.hpp"
#include "mlstrat/synth.hpp"

namespace mlstrat::cli::demo {

namespace fs = std::filesystem;

const std::vector<std::string> kClasses = {"T-shirt", "Trouser", "Pullover", "Dress", "Coat",
                                           "Sandal",  "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

const char* const kFashionFiles[4] = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                                      "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};

Plan plan_for(const std::string& size) {
    if (size == "quick")
        return {3000, 2000, 400, 300, 1500,   3,     1,   1,
                1,    3,    40,  50,  "5,20", "1,2", 300, "250,500,1000,all"};
    if (size == "full")
        return {40000, 20000, 4000, 4000, 20000,       3,       2,    2,
                2,     10,    100,  200,  "10,30,100", "1,2,3", 2000, "2500,5000,10000,20000,all"};
    throw Error("--size must be full or quick, got '" + size + "'");
}

// ---------------------------------------------------------------------------------------------
// Data

fs::path prepare_project(const fs::path& dir, const std::string& data, bool force) {
    if (fs::exists(dir)) {
        bool empty = fs::is_directory(dir) && fs::is_empty(dir);
        MLSTRAT_CHECK(empty || force,
                      dir.string() + ": exists; give --force to replace it, or another --dir");
        if (!empty) fs::remove_all(dir);
    }
    for (const char* sub : {"data", "configs", "runs", "analysis"})
        fs::create_directories(dir / sub);
    // data/fashion points at the data set, so the printed commands stay short.
    fs::create_directory_symlink(fs::absolute(data), dir / "data" / "fashion");
    return dir;
}

std::vector<std::uint8_t> read_idx_labels(const std::string& path) {
    const io::IdxArray a = io::read_idx(path);
    MLSTRAT_CHECK(a.dims.size() == 1, path, ": not an IDX labels file (one dimension)");
    std::vector<std::uint8_t> labels;
    for (float v : a.values) {
        MLSTRAT_CHECK(v >= 0 && v < static_cast<float>(kClasses.size()),
                      path + ": a label is not a Fashion-MNIST class");
        labels.push_back(static_cast<std::uint8_t>(v));
    }
    return labels;
}

std::string class_name(std::string_view label) {
    auto index = try_parse_number(label);
    if (index && *index >= 0 && *index < static_cast<double>(kClasses.size()))
        return kClasses[static_cast<std::size_t>(*index)];
    return std::string(label);
}

const std::vector<std::string> kPoolColumns = {"id",          "image",    "label", "source",
                                               "degradation", "strength", "kinds"};

void append_synthesized(io::TextTable& table, const fs::path& folder, const std::string& source) {
    std::vector<std::size_t> at;
    for (const auto& name : kPoolColumns) at.push_back(table.column(name));
    for (const auto& r : synth::read_applied(folder.string())) {
        const std::vector<std::string> cells = {
            source + "-" + r.id, r.image, class_name(r.label), source, r.degradation,
            r.strength,          r.kinds};
        std::vector<std::string> row(table.header.size());
        for (std::size_t i = 0; i < at.size(); ++i) row[at[i]] = cells[i];
        table.rows.push_back(std::move(row));
    }
}

void write_pool(const fs::path& dir, const std::string& images,
                const std::vector<std::uint8_t>& labels, std::int64_t web) {
    io::TextTable pool;
    pool.header = kPoolColumns;
    for (std::int64_t i = 0; i < web; ++i) {
        pool.rows.push_back(
            {fmt::format("web-{}", i), fmt::format("{}#{}", (dir / images).string(), i),
             kClasses[labels[static_cast<std::size_t>(i)]], "web", "none", "0", "none"});
    }
    append_synthesized(pool, dir / "data" / "app", "app");
    io::write_text_table((dir / "data" / "pool.csv").string(), pool);
}

void write_train_with_synthesized(const fs::path& dir, const std::string& name) {
    io::TextTable train = io::read_text_table((dir / "data" / "split" / "train.csv").string());
    append_synthesized(train, dir / "data" / name, name);
    io::write_text_table((dir / "data" / ("train_" + name + ".csv")).string(), train);
}

TransferRows write_transfer_tables(const fs::path& dir, std::int64_t dev_rows) {
    const io::TextTable train =
        io::read_text_table((dir / "data" / "split" / "train.csv").string());
    io::TextTable web{train.header, {}, ""}, app{train.header, {}, ""};
    const std::size_t source = train.column("source");
    for (const auto& row : train.rows) (row[source] == "app" ? app : web).rows.push_back(row);
    io::write_text_table((dir / "data" / "web_train.csv").string(), web);
    io::write_text_table((dir / "data" / "app_train.csv").string(), app);
    io::TextTable dev = io::read_text_table((dir / "data" / "split" / "dev.csv").string());
    if (static_cast<std::int64_t>(dev.rows.size()) > dev_rows)
        dev.rows.resize(static_cast<std::size_t>(dev_rows));
    io::write_text_table((dir / "data" / "app_dev_sample.csv").string(), dev);
    return {web.rows.size(), app.rows.size(), dev.rows.size()};
}

// ---------------------------------------------------------------------------------------------
// Configs

namespace {

// A table of the pool's columns: its image, label and id columns.
train::DataConfig pool_table() {
    train::DataConfig data;
    data.format = "csv";
    data.image_col = "image";
    data.label_col = "label";
    data.id_col = "id";
    return data;
}

}  // namespace

train::DataConfig split_data(const std::string& train_file) {
    train::DataConfig data = pool_table();
    data.keep_cols = {"image", "source", "degradation", "strength", "kinds"};
    if (train_file.empty()) {
        data.split_dir = "../data/split";
        return data;
    }
    data.train = train_file;
    data.train_dev = "../data/split/train_dev.csv";
    data.dev = "../data/split/dev.csv";
    data.test = "../data/split/test.csv";
    return data;
}

train::DataConfig transfer_data(const std::string& train_file) {
    train::DataConfig data = pool_table();
    data.train = train_file;
    data.dev = "../data/app_dev_sample.csv";
    return data;
}

train::ModelConfig mlp_model() {
    train::ModelConfig m;
    m.kind = "mlp";
    m.hidden = {128};
    return m;
}

train::ModelConfig cnn_model() {
    train::ModelConfig m;
    m.kind = "cnn";
    m.widths = {32, 64};
    m.batch_norm = true;
    m.fc = {128};
    m.dropout = 0.25;
    return m;
}

train::Config config(const train::DataConfig& data, const train::ModelConfig& model,
                     std::int64_t epochs, std::int64_t batch_size) {
    train::Config c;
    c.seed = 1;
    c.data = data;
    c.model = model;
    c.optim.kind = "adam";
    c.optim.lr = 1e-3;
    c.schedule.kind = "cosine";
    c.train.epochs = epochs;
    c.train.batch_size = batch_size;
    return c;
}

}  // namespace mlstrat::cli::demo
