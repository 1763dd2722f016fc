// The TOML run config: one table of keys (name, type, default, meaning, allowed values) drives
// parsing, `--set` overrides, validation, writing config.toml back, and docs/train.md.

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>
#include <sstream>
#include <variant>

#include "mlstrat/support/error.hpp"
#include "mlstrat/support/io.hpp"
#include "mlstrat/support/parse.hpp"
#include "mlstrat/train/config.hpp"

namespace mlstrat::train {

namespace {

/// The rule a key's value must follow, besides its type.
struct Rule {
    std::vector<std::string> choices;  // strings: one of these (empty: any)
    double lo = -INFINITY;             // numbers: lo <= value (or lo < value when lo_open)
    bool lo_open = false;
    double hi = INFINITY;
    bool positive_items = false;  // integer lists: every item > 0
};

using TaskTable = std::map<std::string, std::vector<std::string>>;
using Ref = std::variant<std::string*, std::int64_t*, double*, bool*, std::vector<std::int64_t>*,
                         std::vector<std::string>*, TaskTable*>;

struct Key {
    const char* name;
    Ref ref;
    const char* doc;
    Rule rule;
};

Rule choice(std::vector<std::string> c) { return Rule{std::move(c)}; }
Rule at_least(double lo) { return Rule{{}, lo}; }
Rule above(double lo) { return Rule{{}, lo, true}; }
Rule between(double lo, double hi) { return Rule{{}, lo, false, hi}; }
Rule positive_list() {
    Rule r;
    r.positive_items = true;
    return r;
}

/// Every key of `c`, bound to its field; the one place a key is declared.
std::vector<Key> keys_of(Config& c) {
    auto& d = c.data;
    auto& m = c.model;
    auto& o = c.optim;
    auto& s = c.schedule;
    auto& t = c.train;
    auto& a = c.augment;
    auto& x = c.transfer;
    return {
        {"name", &c.name, "run name and folder under runs/ (default: the config file's stem)", {}},
        {"seed", &c.seed, "seed of initialization, shuffling, dropout and augmentation", {}},
        {"threads", &c.threads, "LibTorch threads; 0 uses every core (--threads overrides)",
         at_least(0)},
        {"tasks",
         &c.tasks,
         "multi-task learning (1.2.3): [tasks] NAME = [classes that make the task positive]; "
         "one sigmoid output per task, derived from the label of IDX or CSV data",
         {}},
        {"data.format", &d.format,
         "idx (images + labels files), csv (feature columns, or an image column, and a label "
         "column), folders (one subfolder of PNG/JPEG files per class) or text (a TSV/CSV of "
         "label and text columns); auto picks idx when train_labels is set, else csv",
         choice({"auto", "idx", "csv", "folders", "text"})},
        {"data.train", &d.train, "training examples: an IDX images file or a CSV/TSV table", {}},
        {"data.train_labels", &d.train_labels, "IDX labels of data.train", {}},
        {"data.train_dev",
         &d.train_dev,
         "train-dev examples: same distribution as train, never trained on (1.2.2)",
         {}},
        {"data.train_dev_labels", &d.train_dev_labels, "IDX labels of data.train_dev", {}},
        {"data.dev", &d.dev, "dev examples: the distribution you aim at", {}},
        {"data.dev_labels", &d.dev_labels, "IDX labels of data.dev", {}},
        {"data.test", &d.test, "test examples: same distribution as dev", {}},
        {"data.test_labels", &d.test_labels, "IDX labels of data.test", {}},
        {"data.split_dir",
         &d.split_dir,
         "CSV: the folder `mlstrat split` wrote: train, train_dev, dev and test as .csv or .tsv "
         "(optionally .gz); replaces data.train, data.dev...",
         {}},
        {"data.split_col",
         &d.split_col,
         "CSV: column of data.train naming each row's split (train, train_dev, dev, test); then "
         "no other file is needed",
         {}},
        {"data.label_col", &d.label_col, "CSV: the label column", {}},
        {"data.label_cols",
         &d.label_cols,
         "CSV multi-task (1.2.3): one column per task holding 1/0 (true/false, yes/no; ? or "
         "empty: missing); replaces data.label_col",
         {}},
        {"data.missing_share", &d.missing_share,
         "multi-task: share of the train split's task labels hidden (seeded by data.split_seed), "
         "as if never labelled",
         between(0, 1)},
        {"data.id_col", &d.id_col, "CSV: the id column (default: the row's index in its file)", {}},
        {"data.features",
         &d.features,
         "CSV: the numeric feature columns (default: every column but label, id and split)",
         {}},
        {"data.class_names",
         &d.class_names,
         "IDX: names of classes 0, 1, ... (default: the numbers)",
         {}},
        {"data.train_dev_size", &d.train_dev_size,
         "rows held out of train as train-dev when data.train_dev is not given", at_least(0)},
        {"data.dev_size", &d.dev_size,
         "rows held out of data.dev_from as dev when data.dev is not given", at_least(0)},
        {"data.dev_from", &d.dev_from,
         "the split dev rows are held out of: test (dev and test from one distribution, 1.1.2) "
         "or train",
         choice({"test", "train"})},
        {"data.limit", &d.limit, "train on at most this many rows (0: all), for quick runs",
         at_least(0)},
        {"data.split_seed", &d.split_seed, "seed of the hold-out shuffle", {}},
        {"data.standardize",
         &d.standardize,
         "scale inputs to zero mean and unit variance with train statistics",
         {}},
        {"data.image_col",
         &d.image_col,
         "CSV: column of image references: a PNG/JPEG path or FILE.idx#N (image N, from 0, of "
         "an IDX file; .idx.gz too); the image is the example",
         {}},
        {"data.image_root",
         &d.image_root,
         "folder relative image references resolve against (default: the table's folder)",
         {}},
        {"data.image_size", &d.image_size,
         "[H, W] every image is resized to, bilinear (default: the first train image's size)",
         positive_list()},
        {"data.channels",
         &d.channels,
         "images: 1 (gray) or 3 (RGB); 0 takes the first train image's",
         {}},
        {"data.keep_cols",
         &d.keep_cols,
         "CSV: input columns copied into every pred_<split>.csv, between pred and the p_ "
         "columns (not used as features)",
         {}},
        {"data.keep_classes",
         &d.keep_classes,
         "train only on these classes, in this order; rows of other classes leave every split",
         {}},
        {"data.per_class", &d.per_class,
         "keep the first N train examples of each class after a seeded shuffle (0: all)",
         at_least(0)},
        {"data.text_col", &d.text_col, "text: the column holding each example's text", {}},
        {"data.vocab", &d.vocab,
         "text: tokens are characters (char, UTF-8) or words (word, "
         "split on white space)",
         choice({"char", "word"})},
        {"data.max_len", &d.max_len,
         "text: tokens per example; longer texts are cut, shorter ones padded (0: the longest "
         "train text)",
         at_least(0)},
        {"data.min_count", &d.min_count,
         "text: tokens seen fewer times in train become the unknown token", at_least(1)},
        {"model.kind", &m.kind,
         "mlp (fully connected), cnn (conv blocks) or rnn (embedding and LSTM/GRU, for text)",
         choice({"mlp", "cnn", "rnn"})},
        {"model.hidden", &m.hidden, "mlp: hidden layer sizes", positive_list()},
        {"model.widths", &m.widths,
         "cnn: channels of each conv block; each block ends in a 2x2 "
         "max-pool",
         positive_list()},
        {"model.convs_per_block", &m.convs_per_block, "cnn: convolutions per block", at_least(1)},
        {"model.kernel", &m.kernel, "cnn: convolution kernel size", at_least(1)},
        {"model.padding", &m.padding, "cnn: same (keep the size) or valid (no padding)",
         choice({"same", "valid"})},
        {"model.batch_norm", &m.batch_norm, "cnn: batch norm after each convolution", {}},
        {"model.residual",
         &m.residual,
         "cnn: residual blocks (two convolutions plus a skip connection)",
         {}},
        {"model.fc", &m.fc, "cnn: hidden fully connected sizes after the conv blocks",
         positive_list()},
        {"model.dropout", &m.dropout,
         "dropout rate before each hidden fully connected layer's "
         "output",
         between(0, 0.95)},
        {"model.scale", &m.scale, "multiplies every width and hidden size (model size as one knob)",
         above(0)},
        {"model.cell", &m.cell, "rnn: lstm or gru", choice({"lstm", "gru"})},
        {"model.bidirectional",
         &m.bidirectional,
         "rnn: read the text both ways and join the two final states",
         {}},
        {"model.embedding_dim", &m.embedding_dim, "rnn: size of each token's embedding",
         at_least(1)},
        {"model.rnn_hidden", &m.rnn_hidden, "rnn: hidden size of each direction", at_least(1)},
        {"model.rnn_layers", &m.rnn_layers,
         "rnn: stacked recurrent layers (model.dropout applies between them and before the head)",
         at_least(1)},
        {"optim.kind", &o.kind, "sgd, momentum, rmsprop or adam",
         choice({"sgd", "momentum", "rmsprop", "adam"})},
        {"optim.lr", &o.lr, "learning rate", above(0)},
        {"optim.momentum", &o.momentum, "momentum: the momentum term (beta)", between(0, 1)},
        {"optim.beta1", &o.beta1, "adam: first-moment decay", between(0, 1)},
        {"optim.beta2", &o.beta2, "adam: second-moment decay", between(0, 1)},
        {"optim.eps", &o.eps, "adam, rmsprop: denominator epsilon", above(0)},
        {"optim.alpha", &o.alpha, "rmsprop: squared-gradient decay", between(0, 1)},
        {"optim.weight_decay", &o.weight_decay, "L2 regularization strength", at_least(0)},
        {"schedule.kind", &s.kind,
         "constant; step (x gamma every step_epochs); exponential (x gamma each epoch); cosine "
         "(to min_lr at the last epoch)",
         choice({"constant", "step", "exponential", "cosine"})},
        {"schedule.step_epochs", &s.step_epochs, "step: epochs between decays", at_least(1)},
        {"schedule.gamma", &s.gamma, "step, exponential: decay factor", above(0)},
        {"schedule.min_lr", &s.min_lr, "cosine: the final learning rate", at_least(0)},
        {"schedule.warmup_epochs", &s.warmup_epochs,
         "epochs of linear warm-up from lr/(warmup_epochs+1)", at_least(0)},
        {"train.epochs", &t.epochs, "passes over the training set", at_least(1)},
        {"train.batch_size", &t.batch_size, "mini-batch size", at_least(1)},
        {"train.eval_batch_size", &t.eval_batch_size,
         "batch size when evaluating (larger batches are slower on CPU: a convolution's buffers "
         "outgrow the memory already mapped)",
         at_least(1)},
        {"train.early_stopping", &t.early_stopping,
         "stop after this many epochs without a better dev error and keep the best weights (0: "
         "off); it couples the bias and variance knobs (1.1.1)",
         at_least(0)},
        {"train.eval_train_rows", &t.eval_train_rows,
         "train rows evaluated after each epoch for history.csv (the final train error uses all)",
         at_least(1)},
        {"augment.flip", &a.flip, "flip images left-right at random", {}},
        {"augment.shift", &a.shift, "shift images by up to this many pixels each way (zero fill)",
         at_least(0)},
        {"augment.crop", &a.crop, "pad by this many pixels (zeros) and crop back at random",
         at_least(0)},
        {"augment.noise", &a.noise, "standard deviation of added Gaussian noise", at_least(0)},
        {"augment.blur", &a.blur, "probability of a 3x3 box blur", between(0, 1)},
        {"transfer.from",
         &x.from,
         "a run folder (or its model.pt) whose weights start this run; its [model] replaces this "
         "config's (1.2.3); or a TorchScript module file (torch.jit.save) used as the backbone "
         "under a new head",
         {}},
        {"transfer.freeze",
         &x.freeze,
         "none, all-but-head (retrain only the last layer), or N: freeze the first N layers "
         "with weights",
         {}},
        {"transfer.new_head", &x.new_head,
         "outputs of a new last layer (must match the data's classes); 0 replaces the head only "
         "when the class count differs",
         at_least(0)},
    };
}

std::string type_name(const Ref& ref) {
    struct V {
        std::string operator()(std::string*) const { return "string"; }
        std::string operator()(std::int64_t*) const { return "integer"; }
        std::string operator()(double*) const { return "number"; }
        std::string operator()(bool*) const { return "boolean"; }
        std::string operator()(std::vector<std::int64_t>*) const { return "array of integers"; }
        std::string operator()(std::vector<std::string>*) const { return "array of strings"; }
        std::string operator()(TaskTable*) const { return "table of string arrays"; }
    };
    return std::visit(V{}, ref);
}

/// `s` as a TOML string that parses back to `s`: a literal string ('...') when it holds no quote
/// and no control character, else a basic string ("...") with those escaped. (toml++'s own
/// printer writes a string that starts with a line break as ''' then that line break, which a
/// TOML parser drops.)
std::string quote(const std::string& s) {
    const bool literal = std::none_of(s.begin(), s.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return c == '\'' || (u < 0x20 && c != '\t') || u == 0x7f;
    });
    if (literal) return "'" + s + "'";
    std::string out = "\"";
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\f':
                out += "\\f";
                break;
            case '\r':
                out += "\\r";
                break;
            default:
                if (u < 0x20 || u == 0x7f) {
                    out += fmt::format("\\u{:04X}", u);
                } else {
                    out += c;
                }
        }
    }
    return out + "\"";
}

std::string format_number(double v) {
    std::ostringstream out;
    out << toml::value<double>(v);
    return out.str();
}

std::string value_text(const Ref& ref) {
    struct V {
        std::string operator()(std::string* s) const { return quote(*s); }
        std::string operator()(std::int64_t* i) const { return std::to_string(*i); }
        std::string operator()(double* d) const { return format_number(*d); }
        std::string operator()(bool* b) const { return *b ? "true" : "false"; }
        std::string operator()(std::vector<std::int64_t>* v) const {
            std::string out = "[";
            for (std::size_t i = 0; i < v->size(); ++i) {
                out += (i ? ", " : "") + std::to_string((*v)[i]);
            }
            return out + "]";
        }
        std::string operator()(std::vector<std::string>* v) const {
            std::string out = "[";
            for (std::size_t i = 0; i < v->size(); ++i) out += (i ? ", " : "") + quote((*v)[i]);
            return out + "]";
        }
        std::string operator()(TaskTable* t) const {
            std::string out = "{";
            for (auto& [name, classes] : *t) {
                out += (out.size() > 1 ? ", " : " ") + quote(name) + " = " + (*this)(&classes);
            }
            return out + (t->empty() ? "}" : " }");
        }
    };
    return std::visit(V{}, ref);
}

std::string describe(const toml::node& node) {
    std::ostringstream out;
    if (node.is_table()) return "a table";
    if (node.is_array()) return "an array";
    node.visit([&](auto&& v) { out << v; });
    return out.str();
}

[[noreturn]] void fail(const std::string& at, const std::string& key, const std::string& what) {
    throw Error(ErrorCode::Config, at + ": key '" + key + "' " + what);
}

/// Stores `node` into the field `ref`; `at` is "FILE:LINE" or "--set K=V".
void assign(const Key& key, const toml::node& node, const std::string& at) {
    const std::string type = type_name(key.ref);
    auto wrong_type = [&] {
        fail(at, key.name,
             "must be " + std::string(type == "integer" ? "an " : "a ") + type + ", got " +
                 describe(node));
    };
    struct V {
        const toml::node& node;
        const std::function<void()>& wrong;
        void operator()(std::string* s) const {
            if (node.is_integer()) {
                *s = std::to_string(*node.value<std::int64_t>());  // transfer.freeze = 2
                return;
            }
            if (!node.is_string()) wrong();
            *s = *node.value<std::string>();
        }
        void operator()(std::int64_t* i) const {
            if (node.is_integer()) {
                *i = *node.value<std::int64_t>();
                return;
            }
            // A whole float such as 1e3 is taken; 1e51 does not fit (the cast would be undefined).
            if (!node.is_floating_point()) wrong();  // throws
            const double v = *node.value<double>();
            if (std::floor(v) != v || std::abs(v) > 0x1p53) wrong();
            *i = static_cast<std::int64_t>(v);
        }
        void operator()(double* d) const {
            if (!node.is_number()) wrong();
            *d = *node.value<double>();
        }
        void operator()(bool* b) const {
            if (!node.is_boolean()) wrong();
            *b = *node.value<bool>();
        }
        void operator()(std::vector<std::int64_t>* v) const {
            const auto* arr = node.as_array();
            if (arr == nullptr) wrong();
            v->clear();
            for (const auto& item : *arr) {
                if (!item.is_integer()) wrong();
                v->push_back(*item.value<std::int64_t>());
            }
        }
        void operator()(std::vector<std::string>* v) const {
            const auto* arr = node.as_array();
            if (arr == nullptr) wrong();
            v->clear();
            for (const auto& item : *arr) {
                if (!item.is_string()) wrong();
                v->push_back(*item.value<std::string>());
            }
        }
        void operator()(TaskTable* t) const {
            const auto* table = node.as_table();
            if (table == nullptr) wrong();
            t->clear();
            for (const auto& [name, classes] : *table) {
                V{classes, wrong}(&(*t)[std::string(name.str())]);
            }
        }
    };
    const std::function<void()> wrong = wrong_type;
    std::visit(V{node, wrong}, key.ref);
}

/// Checks the key's rule against its current value.
void validate(const Key& key, const std::string& at) {
    const Rule& r = key.rule;
    if (auto* s = std::get_if<std::string*>(&key.ref); s != nullptr && !r.choices.empty()) {
        bool ok = false;
        std::string list;
        for (const auto& c : r.choices) {
            ok = ok || c == **s;
            list += (list.empty() ? "" : ", ") + c;
        }
        if (!ok) fail(at, key.name, "must be one of " + list + ", got " + quote(**s));
    }
    auto check_number = [&](double v) {
        const bool low = r.lo_open ? !(v > r.lo) : v < r.lo;
        if (low || v > r.hi || !std::isfinite(v)) {
            std::ostringstream need;
            if (std::isfinite(r.lo) && std::isfinite(r.hi)) {
                need << "in [" << r.lo << ", " << r.hi << "]";
            } else {
                need << (r.lo_open ? "> " : ">= ") << r.lo;
            }
            std::ostringstream seen;
            seen << v;
            fail(at, key.name, "must be " + need.str() + ", got " + seen.str());
        }
    };
    if (auto* i = std::get_if<std::int64_t*>(&key.ref)) check_number(static_cast<double>(**i));
    if (auto* d = std::get_if<double*>(&key.ref)) check_number(**d);
    if (std::string(key.name) == "data.channels") {
        const auto c = **std::get_if<std::int64_t*>(&key.ref);
        if (c != 0 && c != 1 && c != 3) {
            fail(at, key.name, "must be 0 (the first image's), 1 or 3, got " + std::to_string(c));
        }
    }
    if (std::string(key.name) == "data.image_size") {
        const auto& v = **std::get_if<std::vector<std::int64_t>*>(&key.ref);
        if (!v.empty() && v.size() != 2) {
            fail(at, key.name,
                 "must be [H, W] (or [] for the first image's size), got " +
                     std::to_string(v.size()) + " numbers");
        }
    }
    if (std::string(key.name) == "transfer.freeze") {
        const std::string& f = **std::get_if<std::string*>(&key.ref);
        const bool number = !f.empty() && f.find_first_not_of("0123456789") == std::string::npos;
        if (!number && f != "none" && f != "all-but-head") {
            fail(at, key.name, "must be none, all-but-head or a number of layers, got " + quote(f));
        }
    }
    if (auto* t = std::get_if<TaskTable*>(&key.ref)) {
        for (const auto& [name, classes] : **t) {
            if (name.empty()) fail(at, key.name, "has a task with an empty name");
            if (classes.empty()) fail(at, key.name, "task " + quote(name) + " lists no classes");
        }
    }
    if (auto* v = std::get_if<std::vector<std::int64_t>*>(&key.ref); v && r.positive_items) {
        for (auto item : **v) {
            if (item <= 0) {
                fail(at, key.name, "must hold integers > 0, got " + std::to_string(item));
            }
        }
    }
}

/// Collects the dotted paths of every leaf of `table` with the line each is on.
void leaves(const toml::table& table, const std::string& prefix,
            std::vector<std::pair<std::string, const toml::node*>>& out) {
    for (const auto& [k, node] : table) {
        const std::string path =
            prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
        if (const auto* sub = node.as_table(); sub != nullptr && path != "tasks") {
            leaves(*sub, path, out);
        } else {
            out.emplace_back(path, &node);
        }
    }
}

const Key* find_key(const std::vector<Key>& keys, const std::string& name) {
    for (const auto& k : keys) {
        if (name == k.name) return &k;
    }
    return nullptr;
}

std::string closest_hint(const std::vector<Key>& keys, const std::string& name) {
    // A key with the same last component in another section is the usual slip.
    const auto dot = name.rfind('.');
    const std::string last = dot == std::string::npos ? name : name.substr(dot + 1);
    for (const auto& k : keys) {
        const std::string kn = k.name;
        const auto kd = kn.rfind('.');
        if ((kd == std::string::npos ? kn : kn.substr(kd + 1)) == last) {
            return " (did you mean '" + kn + "'?)";
        }
    }
    return " (docs/train.md lists every key)";
}

}  // namespace

std::string Config::to_toml() const {
    Config copy = *this;
    std::string out;
    std::string section;
    for (const auto& k : keys_of(copy)) {
        const std::string name = k.name;
        const auto dot = name.find('.');
        const std::string sec = dot == std::string::npos ? "" : name.substr(0, dot);
        if (sec != section) {
            out += "\n[" + sec + "]\n";
            section = sec;
        }
        out +=
            name.substr(dot == std::string::npos ? 0 : dot + 1) + " = " + value_text(k.ref) + "\n";
    }
    return out;
}

std::vector<KeyInfo> config_keys() {
    Config c;
    std::vector<KeyInfo> out;
    for (const auto& k : keys_of(c)) {
        out.push_back({k.name, type_name(k.ref), value_text(k.ref), k.doc});
    }
    return out;
}

Config parse_config(const std::string& toml_text, const std::string& source_name,
                    const std::vector<std::string>& overrides) {
    Config config;
    const auto keys = keys_of(config);
    toml::table table;
    try {
        table = toml::parse(toml_text, source_name);
    } catch (const toml::parse_error& e) {
        throw Error(ErrorCode::Config, where(source_name, e.source().begin.line) + ": " +
                                           std::string(e.description()));
    }
    std::vector<std::pair<std::string, const toml::node*>> found;
    leaves(table, "", found);
    std::set<std::string> seen;
    for (const auto& [path, node] : found) {
        const std::string at = where(source_name, node->source().begin.line);
        const Key* key = find_key(keys, path);
        if (key == nullptr) {
            throw Error(ErrorCode::Config,
                        at + ": unknown key '" + path + "'" + closest_hint(keys, path));
        }
        assign(*key, *node, at);
        validate(*key, at);
        seen.insert(path);
    }
    for (const auto& text : overrides) {
        auto [name, value] = split_assignment(text, "--set");
        const std::string at = "--set " + text;
        const Key* key = find_key(keys, name);
        if (key == nullptr) {
            throw Error(ErrorCode::Config,
                        at + ": unknown key '" + name + "'" + closest_hint(keys, name));
        }
        toml::table parsed;
        try {
            parsed = toml::parse("v = " + value);
        } catch (const toml::parse_error&) {
            // A bare word is a string, and must be one a TOML file can hold (UTF-8), since the
            // config is written back as TOML (config.toml, the run registry).
            try {
                parsed = toml::parse("v = " + quote(value));
            } catch (const toml::parse_error&) {
                fail(at, name, "must be UTF-8 text");
            }
        }
        assign(*key, *parsed.get("v"), at);
        validate(*key, at);
    }
    return config;
}

Config load_config(const std::string& path, const std::vector<std::string>& overrides) {
    Config config = parse_config(io::read_file(path), path, overrides);
    namespace fs = std::filesystem;
    const fs::path p(path);
    config.base_dir = p.has_parent_path() ? p.parent_path().string() : ".";
    if (config.name.empty()) config.name = p.stem().string();
    return config;
}

}  // namespace mlstrat::train
