// Synthesizing an image set: read IDX arrays or a folder of class subfolders, degrade every
// selected image `copies` times in parallel, write the same layout plus applied.csv. Every input
// is read and checked before the output folder is touched.

#include <fmt/format.h>
#include <stb_image.h>
#include <stb_image_write.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <set>
#include <thread>

#include <xxhash.h>

#include "common/random.hpp"
#include "common/worker_pool.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/io.hpp"
#include "mlstrat/support/parse.hpp"
#include "mlstrat/synth.hpp"
#include "synth/output_folder.hpp"

namespace mlstrat::synth {

namespace fs = std::filesystem;

namespace {

// The generator key of output (row, copy): the same whatever the threads or the rows selected.
std::uint64_t output_key(std::uint64_t seed, std::uint64_t row, std::uint64_t copy) {
    const std::uint64_t parts[2] = {row, copy};
    return XXH3_64bits_withSeed(parts, sizeof parts, seed);
}

// The key of pool setting k.
std::uint64_t pool_key(std::uint64_t seed, std::uint64_t k) {
    const std::uint64_t parts[2] = {k, 0x706f6f6cull};
    return XXH3_64bits_withSeed(parts, sizeof parts, seed);
}

// One input image in folder mode.
struct FolderImage {
    std::string relative;  // CLASS/NAME.ext
    std::string label;
};

bool is_image_file(const fs::path& p) {
    std::string ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    return ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp" || ext == ".gif";
}

std::vector<FolderImage> list_folder(const std::string& folder) {
    std::error_code ec;
    MLSTRAT_CHECK(fs::is_directory(folder, ec), folder, ": --folder is not a readable folder");
    std::vector<FolderImage> out;
    std::vector<fs::path> classes;
    for (const auto& e : fs::directory_iterator(folder)) {
        if (e.is_directory()) classes.push_back(e.path());
    }
    std::sort(classes.begin(), classes.end());
    for (const auto& c : classes) {
        std::vector<std::string> names;
        for (const auto& e : fs::directory_iterator(c)) {
            if (e.is_regular_file() && is_image_file(e.path()))
                names.push_back(e.path().filename().string());
        }
        std::sort(names.begin(), names.end());
        const std::string label = c.filename().string();
        for (auto& n : names) out.push_back({label + "/" + n, label});
    }
    MLSTRAT_CHECK(!out.empty(), folder,
                  ": no images (.png, .jpg, .jpeg, .bmp, .gif) in class subfolders FOLDER/CLASS/");
    return out;
}

Image decode(const std::string& path) {
    const std::string bytes = io::read_file(path);
    int w = 0, h = 0, n = 0;
    unsigned char* data = stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(bytes.data()),
                                                static_cast<int>(bytes.size()), &w, &h, &n, 0);
    MLSTRAT_CHECK(data != nullptr, path, ": cannot decode the image (", stbi_failure_reason(), ")");
    Image im{w, h, n, std::vector<float>(static_cast<std::size_t>(w) * h * n)};
    for (std::size_t i = 0; i < im.pixels.size(); ++i) im.pixels[i] = data[i] / 255.0f;
    stbi_image_free(data);
    return im;
}

std::string encode_png(const Image& im) {
    std::vector<unsigned char> bytes(im.pixels.size());
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        bytes[i] =
            static_cast<unsigned char>(std::lround(std::clamp(im.pixels[i], 0.0f, 1.0f) * 255.0f));
    }
    std::string out;
    stbi_write_png_to_func(
        [](void* context, void* data, int size) {
            static_cast<std::string*>(context)->append(static_cast<const char*>(data), size);
        },
        &out, im.width, im.height, im.channels, bytes.data(), im.width * im.channels);
    MLSTRAT_CHECK(!out.empty(), "cannot encode a ", im.width, "x", im.height, " PNG");
    return out;
}

std::string format_value(double v) { return fmt::format("{:.6g}", v); }

}  // namespace

std::pair<std::uint64_t, std::optional<std::uint64_t>> parse_row_range(std::string_view text,
                                                                       std::string_view what) {
    const std::size_t colon = text.find(':');
    MLSTRAT_CHECK(colon != std::string_view::npos, what, ": '", text,
                  "' is not a row range A:B (rows A to B-1) or A: (A to the end)");
    auto whole = [&](std::string_view part) {
        const double v = parse_number(part, what);
        MLSTRAT_CHECK(v >= 0 && v == std::floor(v) && v < 1e15, what, ": '", text,
                      "' needs whole row numbers >= 0");
        return static_cast<std::uint64_t>(v);
    };
    const std::uint64_t first = whole(text.substr(0, colon));
    const std::string_view rest = trim(text.substr(colon + 1));
    if (rest.empty()) return {first, std::nullopt};
    const std::uint64_t end = whole(rest);
    MLSTRAT_CHECK(first < end, what, ": '", text, "' selects no rows (A must be below B)");
    return {first, end};
}

nlohmann::json ImageSummary::to_json() const {
    nlohmann::json j;
    j["input"] = input;
    j["rows"] = {first_row, end_row};
    j["inputs"] = end_row - first_row;
    j["copies"] = copies;
    j["outputs"] = outputs;
    j["seed"] = seed;
    j["spec"] = spec;
    j["probability"] = probability;
    j["pool"] = pool == 0 ? nlohmann::json(nullptr) : nlohmann::json(pool);
    j["distinct_settings"] = settings.distinct;
    j["reuse"] = settings.reuse;
    j["main_degradation"] = main_degradation;
    j["applied"] = applied;
    j["files"] = files;
    j["warnings"] = warnings;
    j["seconds"] = seconds;
    return j;
}

ImageSummary synthesize_images(const ImageOptions& o) {
    const auto start = std::chrono::steady_clock::now();
    MLSTRAT_CHECK(!o.out.empty(), "--out is required");
    MLSTRAT_CHECK(o.copies >= 1 && o.copies <= 1000, "--copies ", o.copies,
                  " must lie in [1, 1000]");
    MLSTRAT_CHECK(o.spec.probability >= 0.0 && o.spec.probability <= 1.0, "--probability ",
                  o.spec.probability, " must lie in [0, 1]");
    bool any_kind = false;
    for (const auto& r : o.spec.ranges) any_kind = any_kind || r.has_value();
    MLSTRAT_CHECK(any_kind, "--degrade: the spec has no degradation");
    const bool idx = !o.images.empty();
    MLSTRAT_CHECK(idx != !o.folder.empty(), "give either --images with --labels, or --folder");

    // Inputs.
    io::IdxArray images, labels;
    std::vector<FolderImage> files;
    std::uint64_t total = 0;
    int width = 0, height = 0, channels = 1;
    if (idx) {
        MLSTRAT_CHECK(!o.labels.empty(), o.images, ": --images needs its --labels file");
        images = io::read_idx(o.images);
        labels = io::read_idx(o.labels);
        MLSTRAT_CHECK(images.type == 0x08, o.images,
                      ": images must be ubyte pixels (IDX type 8), not type ",
                      static_cast<int>(images.type));
        MLSTRAT_CHECK(images.dims.size() == 3 || (images.dims.size() == 4 && images.dims[3] <= 4),
                      o.images, ": images must be N x H x W or N x H x W x C (C <= 4), not ",
                      images.dims.size(), " dimensions");
        MLSTRAT_CHECK(labels.dims.size() == 1, o.labels, ": labels must have 1 dimension, not ",
                      labels.dims.size());
        MLSTRAT_CHECK(labels.dims[0] == images.dims[0], o.labels, ": ", labels.dims[0],
                      " labels for ", images.dims[0], " images in ", o.images);
        total = images.dims[0];
        height = static_cast<int>(images.dims[1]);
        width = static_cast<int>(images.dims[2]);
        channels = images.dims.size() == 4 ? static_cast<int>(images.dims[3]) : 1;
    } else {
        files = list_folder(o.folder);
        total = files.size();
    }
    const std::string input = idx ? o.images : o.folder;
    const std::uint64_t first = o.first_row;
    const std::uint64_t end = o.end_row.value_or(total);
    MLSTRAT_CHECK(first < end && end <= total, input, ": --rows ", first, ":",
                  o.end_row ? std::to_string(*o.end_row) : std::string(),
                  " is out of range: the input has ", total, " images");
    const std::uint64_t outputs = (end - first) * o.copies;

    // Settings: drawn per output, or a pool drawn once.
    std::vector<Setting> pool;
    for (std::uint64_t k = 0; k < o.pool; ++k)
        pool.push_back(draw_setting(o.spec, pool_key(o.seed, k)));
    std::vector<std::uint64_t> setting_of(outputs);

    // Degrade in parallel; output n depends only on (seed, row, copy).
    unsigned threads =
        o.threads != 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency());
    ::mlstrat::detail::WorkerPool workers(threads);
    const std::size_t item = static_cast<std::size_t>(width) * height * channels;
    io::IdxArray out_images, out_labels;
    if (idx) {
        out_images.type = 0x08;
        out_images.dims = images.dims;
        out_images.dims[0] = static_cast<std::uint32_t>(outputs);
        out_images.values.resize(outputs * item);
        out_labels.type = labels.type;
        out_labels.dims = {static_cast<std::uint32_t>(outputs)};
        out_labels.values.resize(outputs);
    }
    std::optional<detail::OutputFolder> folder;
    if (!idx) folder.emplace(o.out, true);
    std::vector<std::string> rows(outputs);
    std::vector<Setting> used(outputs);
    std::vector<std::string> names(outputs);
    workers.run(workers.size(), [&](unsigned w) {
        for (std::uint64_t n = w; n < outputs; n += workers.size()) {
            const std::uint64_t row = first + n / o.copies, copy = n % o.copies;
            const std::uint64_t key = output_key(o.seed, row, copy);
            if (o.pool > 0) {
                setting_of[n] = ::mlstrat::detail::SplitMix64(key).next() % o.pool;
                used[n] = pool[setting_of[n]];
            } else {
                setting_of[n] = n;
                used[n] = draw_setting(o.spec, key);
            }
            Image im;
            if (idx) {
                im = Image{width, height, channels, std::vector<float>(item)};
                const float* src = images.values.data() + row * item;
                for (std::size_t i = 0; i < item; ++i) im.pixels[i] = src[i] / 255.0f;
            } else {
                im = decode((fs::path(o.folder) / files[row].relative).string());
            }
            apply(used[n], im);
            if (idx) {
                float* dst = out_images.values.data() + n * item;
                for (std::size_t i = 0; i < item; ++i) dst[i] = im.pixels[i] * 255.0f;
                out_labels.values[n] = labels.values[row];
                names[n] = fmt::format("images.idx.gz#{}", n);
            } else {
                const fs::path rel(files[row].relative);
                names[n] = fmt::format("{}/{}_{}.png", files[row].label, rel.stem().string(), copy);
                fs::create_directories(fs::path(folder->root()) / files[row].label);
                io::AtomicFile f((fs::path(folder->root()) / names[n]).string());
                f.write(encode_png(im));
                f.commit();
            }
        }
    });

    // applied.csv and the summary.
    ImageSummary s;
    s.input = input;
    s.first_row = first;
    s.end_row = end;
    s.copies = o.copies;
    s.outputs = outputs;
    s.pool = o.pool;
    s.spec = o.spec.to_string();
    s.probability = o.spec.probability;
    s.seed = o.seed;
    std::string csv = "id,image,label,source_index,degradation,strength,kinds,setting";
    for (Kind k : kAllKinds) csv += fmt::format(",{}", parameter_name(k));
    csv += '\n';
    std::set<std::uint64_t> distinct;
    for (std::uint64_t n = 0; n < outputs; ++n) {
        const Setting& st = used[n];
        const std::uint64_t row = first + n / o.copies;
        const std::string label = idx ? format_value(labels.values[row]) : files[row].label;
        const Kind main = st.main();
        csv += fmt::format("{},{},{},{},{},{},{},{}", n, io::quote_field(names[n]),
                           io::quote_field(label), row, kind_name(main),
                           format_value(st.strength[static_cast<std::size_t>(main)]), st.kinds(),
                           setting_of[n]);
        for (Kind k : kAllKinds) {
            csv += ',';  // appended apart: GCC 12 misreads "," + std::string as overlapping copies
            csv += format_value(st.value[static_cast<std::size_t>(k)]);
        }
        csv += '\n';
        distinct.insert(setting_of[n]);
        ++s.main_degradation[std::string(kind_name(main))];
        for (Kind k : kAllKinds) {
            if (st.applied[static_cast<std::size_t>(k)]) ++s.applied[std::string(kind_name(k))];
        }
    }
    s.settings.distinct = distinct.size();
    s.settings.reuse = static_cast<double>(outputs) / static_cast<double>(distinct.size());
    if (s.settings.reuse > o.max_reuse) {
        s.warnings.push_back(
            fmt::format("{} outputs share {} distinct degradation settings ({:.1f} uses each, "
                        "above --max-reuse "
                        "{:g}): the model may overfit to these few settings, like the notes' one "
                        "hour of car noise "
                        "for 10,000 hours of speech; raise --pool or leave it out",
                        outputs, s.settings.distinct, s.settings.reuse, o.max_reuse));
    }

    if (idx) {
        detail::OutputFolder dir(o.out, false);
        io::AtomicFile fi((fs::path(dir.root()) / "images.idx.gz").string());
        io::AtomicFile fl((fs::path(dir.root()) / "labels.idx.gz").string());
        io::AtomicFile fa((fs::path(dir.root()) / "applied.csv").string());
        io::write_idx(fi, out_images);
        io::write_idx(fl, out_labels);
        fa.write(csv);
        fi.commit();
        fl.commit();
        fa.commit();
        dir.commit();
        s.files = {dir.final_path("images.idx.gz"), dir.final_path("labels.idx.gz"),
                   dir.final_path("applied.csv")};
    } else {
        io::AtomicFile fa((fs::path(folder->root()) / "applied.csv").string());
        fa.write(csv);
        fa.commit();
        folder->commit();
        s.files = {folder->final_path("applied.csv")};
    }
    s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return s;
}

}  // namespace mlstrat::synth
