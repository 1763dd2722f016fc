// Synthesizing noisy speech (the notes' in-car example, 1.2.2): each clean speech file gets one
// background noise file, cycled or cropped to its length, at an SNR drawn from a range. Noise
// files are read once and shared; speech files are mixed in parallel and written in their own
// format through a staged output folder.

#include <dlfcn.h>
#include <fmt/format.h>
#include <sndfile.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <set>
#include <thread>
#include <type_traits>

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

// libsndfile, loaded the first time audio is read or written. Linked, it and the codec libraries
// it needs (FLAC, Vorbis, Opus, MP3) would be loaded, relocated and paged in at every start of
// mlstrat, about half of a start's cost, for the one command that uses them.
struct SndFile {
    decltype(&::sf_open) open;
    decltype(&::sf_close) close;
    decltype(&::sf_strerror) strerror;
    decltype(&::sf_readf_float) readf_float;
    decltype(&::sf_writef_float) writef_float;
    decltype(&::sf_command) command;
};

const SndFile& sndfile() {
    static const SndFile api = [] {
        void* lib = ::dlopen("libsndfile.so.1", RTLD_NOW | RTLD_LOCAL);
        if (lib == nullptr) {
            throw Error(ErrorCode::Io, std::string("cannot load libsndfile.so.1 to read audio (") +
                                           ::dlerror() + "); install libsndfile1");
        }
        auto get = [lib](auto& fn, const char* name) {
            fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(::dlsym(lib, name));
            MLSTRAT_CHECK(fn != nullptr, "libsndfile.so.1 has no ", name);
        };
        SndFile f{};
        get(f.open, "sf_open");
        get(f.close, "sf_close");
        get(f.strerror, "sf_strerror");
        get(f.readf_float, "sf_readf_float");
        get(f.writef_float, "sf_writef_float");
        get(f.command, "sf_command");
        return f;
    }();
    return api;
}

// An open sound file, closed on scope exit.
class SoundFile {
 public:
    SoundFile(const std::string& path, int mode, SF_INFO& info) : path_(path) {
        file_ = sndfile().open(path.c_str(), mode, &info);
        MLSTRAT_CHECK(
            file_ != nullptr, path,
            mode == SFM_READ ? ": cannot read the audio file (" : ": cannot write the audio file (",
            sndfile().strerror(nullptr), ")");
    }
    ~SoundFile() { sndfile().close(file_); }
    SoundFile(const SoundFile&) = delete;
    SoundFile& operator=(const SoundFile&) = delete;
    SNDFILE* get() const { return file_; }

 private:
    std::string path_;
    SNDFILE* file_ = nullptr;
};

struct Sound {
    SF_INFO info{};
    std::vector<float> samples;  // interleaved
};

Sound read_sound(const std::string& path) {
    Sound s;
    SoundFile f(path, SFM_READ, s.info);
    MLSTRAT_CHECK(s.info.frames > 0 && s.info.channels > 0, path,
                  ": the audio file has no samples");
    s.samples.resize(static_cast<std::size_t>(s.info.frames) * s.info.channels);
    const sf_count_t got = sndfile().readf_float(f.get(), s.samples.data(), s.info.frames);
    MLSTRAT_CHECK(got == s.info.frames, path, ": the audio data is truncated: ", got, " of ",
                  s.info.frames, " frames could be read");
    return s;
}

// The mean of the channels, frame by frame.
std::vector<float> to_mono(const Sound& s) {
    const int ch = s.info.channels;
    std::vector<float> mono(static_cast<std::size_t>(s.info.frames));
    for (std::size_t t = 0; t < mono.size(); ++t) {
        double acc = 0.0;
        for (int c = 0; c < ch; ++c) acc += s.samples[t * ch + c];
        mono[t] = static_cast<float>(acc / ch);
    }
    return mono;
}

bool is_sound_file(const fs::path& p) {
    std::string ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    return ext == ".wav" || ext == ".flac" || ext == ".ogg";
}

// Files as given; a folder stands for its .wav/.flac/.ogg files, sorted by name.
std::vector<std::string> expand(const std::vector<std::string>& paths, std::string_view what) {
    std::vector<std::string> out;
    for (const auto& p : paths) {
        std::error_code ec;
        if (!fs::is_directory(p, ec)) {
            out.push_back(p);
            continue;
        }
        std::vector<std::string> found;
        for (const auto& e : fs::directory_iterator(p)) {
            if (e.is_regular_file() && is_sound_file(e.path())) found.push_back(e.path().string());
        }
        MLSTRAT_CHECK(!found.empty(), p, ": ", what, " folder holds no .wav, .flac or .ogg file");
        std::sort(found.begin(), found.end());
        out.insert(out.end(), found.begin(), found.end());
    }
    MLSTRAT_CHECK(!out.empty(), what, ": give at least one file");
    return out;
}

double mean_square(const std::vector<float>& v) {
    double acc = 0.0;
    for (float x : v) acc += static_cast<double>(x) * x;
    return v.empty() ? 0.0 : acc / static_cast<double>(v.size());
}

}  // namespace

double mix_at_snr(std::vector<float>& speech, int channels, const std::vector<float>& noise,
                  std::size_t noise_start, double snr_db) {
    const std::size_t frames = speech.size() / static_cast<std::size_t>(channels);
    const double speech_power = mean_square(speech);
    MLSTRAT_CHECK(speech_power > 0.0, "the speech is silent: no SNR can be set");
    MLSTRAT_CHECK(!noise.empty(), "the noise has no samples");
    double noise_power = 0.0;
    for (std::size_t t = 0; t < frames; ++t) {
        const double n = noise[(noise_start + t) % noise.size()];
        noise_power += n * n;
    }
    noise_power /= static_cast<double>(frames);
    MLSTRAT_CHECK(noise_power > 0.0,
                  "the noise is silent over the speech's length: no SNR can be set");
    const double gain = std::sqrt(speech_power / (noise_power * std::pow(10.0, snr_db / 10.0)));
    for (std::size_t t = 0; t < frames; ++t) {
        const float n = static_cast<float>(gain * noise[(noise_start + t) % noise.size()]);
        for (int c = 0; c < channels; ++c) speech[t * channels + c] += n;
    }
    return gain;
}

std::pair<double, double> parse_snr_range(std::string_view text, std::string_view what) {
    const std::size_t colon = text.find(':');
    if (colon == std::string_view::npos) {
        const double v = parse_number(text, what);
        return {v, v};
    }
    const double lo = parse_number(text.substr(0, colon), what);
    const double hi = parse_number(text.substr(colon + 1), what);
    MLSTRAT_CHECK(lo <= hi, what, ": '", text, "' is reversed (", lo, " > ", hi, ")");
    MLSTRAT_CHECK(lo >= -60 && hi <= 100, what, ": '", text, "': SNRs must lie in [-60, 100] dB");
    return {lo, hi};
}

nlohmann::json AudioSummary::to_json() const {
    nlohmann::json j;
    j["outputs"] = outputs;
    j["noise_files"] = noise_files;
    j["distinct_noise"] = noise.distinct;
    j["speech_seconds"] = speech_seconds;
    j["noise_seconds"] = noise_seconds;
    j["reuse"] = noise.reuse;
    j["snr_db"] = {snr_lo, snr_hi};
    j["clipped_samples"] = clipped_samples;
    j["seed"] = seed;
    j["files"] = files;
    j["warnings"] = warnings;
    j["seconds"] = seconds;
    return j;
}

AudioSummary synthesize_audio(const AudioOptions& o) {
    const auto start = std::chrono::steady_clock::now();
    MLSTRAT_CHECK(!o.out.empty(), "--out is required");
    MLSTRAT_CHECK(o.snr_lo <= o.snr_hi, "--snr: ", o.snr_lo, " > ", o.snr_hi);
    const auto speech = expand(o.speech, "--speech");
    const auto noise_paths = expand(o.noise, "--noise");

    // Noise is read whole (it is shared); speech files only have their headers checked here.
    std::vector<std::vector<float>> noise;
    int rate = 0;
    std::string rate_file;
    for (const auto& p : noise_paths) {
        const Sound s = read_sound(p);
        if (rate == 0) {
            rate = s.info.samplerate;
            rate_file = p;
        }
        MLSTRAT_CHECK(s.info.samplerate == rate, p, ": sample rate ", s.info.samplerate,
                      " Hz, but ", rate_file, " has ", rate, " Hz; resample to one rate first");
        noise.push_back(to_mono(s));
        MLSTRAT_CHECK(mean_square(noise.back()) > 0.0, p, ": the noise is silent");
    }
    std::vector<SF_INFO> speech_info(speech.size());
    double speech_seconds = 0.0;
    for (std::size_t i = 0; i < speech.size(); ++i) {
        { SoundFile f(speech[i], SFM_READ, speech_info[i]); }
        MLSTRAT_CHECK(speech_info[i].frames > 0, speech[i], ": the audio file has no samples");
        MLSTRAT_CHECK(speech_info[i].samplerate == rate, speech[i], ": sample rate ",
                      speech_info[i].samplerate, " Hz, but ", rate_file, " has ", rate,
                      " Hz; resample to one rate first");
        speech_seconds += static_cast<double>(speech_info[i].frames) / rate;
    }

    // The draws of speech file i depend only on (seed, i).
    struct Draw {
        std::size_t noise = 0;
        std::size_t start = 0;
        double snr = 0.0;
        double gain = 0.0;
        std::uint64_t clipped = 0;
        std::string file;
    };
    std::vector<Draw> draws(speech.size());
    for (std::size_t i = 0; i < speech.size(); ++i) {
        const std::uint64_t index = i;
        ::mlstrat::detail::SplitMix64 rng(XXH3_64bits_withSeed(&index, sizeof index, o.seed));
        Draw& d = draws[i];
        d.noise = rng.next() % noise.size();
        d.start = rng.next() % noise[d.noise].size();
        d.snr = rng.uniform(o.snr_lo, o.snr_hi);
        // The mix keeps the speech file's format, so it keeps its extension too.
        std::string ext = fs::path(speech[i]).extension().string();
        std::transform(ext.begin(), ext.end(), ext.begin(),
                       [](unsigned char c) { return std::tolower(c); });
        d.file = fmt::format("{}_{}{}", i, fs::path(speech[i]).stem().string(),
                             ext.empty() ? ".wav" : ext);
    }

    detail::OutputFolder folder(o.out, true);
    const unsigned threads =
        o.threads != 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency());
    ::mlstrat::detail::WorkerPool workers(threads);
    workers.run(workers.size(), [&](unsigned w) {
        for (std::size_t i = w; i < speech.size(); i += workers.size()) {
            Draw& d = draws[i];
            Sound s = read_sound(speech[i]);
            try {
                d.gain = mix_at_snr(s.samples, s.info.channels, noise[d.noise], d.start, d.snr);
            } catch (const Error& e) {
                throw Error(ErrorCode::InvalidInput, speech[i] + ": " + e.what());
            }
            for (float& v : s.samples) {
                if (v > 1.0f || v < -1.0f) {
                    ++d.clipped;
                    v = std::clamp(v, -1.0f, 1.0f);
                }
            }
            SF_INFO out_info = s.info;
            out_info.frames = 0;
            const std::string path = (fs::path(folder.root()) / d.file).string();
            SoundFile f(path, SFM_WRITE, out_info);
            // Float files would get a PEAK chunk holding the time of writing: leave it out so the
            // same seed gives the same bytes.
            sndfile().command(f.get(), SFC_SET_ADD_PEAK_CHUNK, nullptr, SF_FALSE);
            const sf_count_t put = sndfile().writef_float(f.get(), s.samples.data(), s.info.frames);
            MLSTRAT_CHECK(put == s.info.frames, path, ": cannot write the audio data (",
                          sndfile().strerror(f.get()), ")");
        }
    });

    AudioSummary r;
    r.outputs = speech.size();
    r.noise_files = noise.size();
    r.speech_seconds = speech_seconds;
    r.snr_lo = o.snr_lo;
    r.snr_hi = o.snr_hi;
    r.seed = o.seed;
    std::set<std::size_t> used;
    std::string csv = "id,file,speech,noise,snr_db,noise_start_seconds,gain\n";
    for (std::size_t i = 0; i < speech.size(); ++i) {
        const Draw& d = draws[i];
        used.insert(d.noise);
        r.clipped_samples += d.clipped;
        csv += fmt::format("{},{},{},{},{:.4f},{:.4f},{:.6g}\n", i, io::quote_field(d.file),
                           io::quote_field(speech[i]), io::quote_field(noise_paths[d.noise]), d.snr,
                           static_cast<double>(d.start) / rate, d.gain);
    }
    for (std::size_t j : used) r.noise_seconds += static_cast<double>(noise[j].size()) / rate;
    r.noise.distinct = used.size();
    r.noise.reuse = speech_seconds / r.noise_seconds;
    if (r.noise.reuse > o.max_reuse) {
        r.warnings.push_back(fmt::format(
            "{:.1f} s of speech mixed with {:.1f} s of noise from {} distinct noise file{} ({:.1f} "
            "s of "
            "speech per second of noise, above --max-reuse {:g}): the model may overfit to this "
            "noise, like the notes' one hour of car noise for 10,000 hours of speech; add more, "
            "varied noise",
            speech_seconds, r.noise_seconds, r.noise.distinct, r.noise.distinct == 1 ? "" : "s",
            r.noise.reuse, o.max_reuse));
    }
    if (r.clipped_samples > 0) {
        r.warnings.push_back(fmt::format(
            "{} samples went beyond full scale and were clipped, which distorts the mix and "
            "moves its SNR; raise the SNR range or lower the speech level",
            r.clipped_samples));
    }
    io::AtomicFile applied((fs::path(folder.root()) / "applied.csv").string());
    applied.write(csv);
    applied.commit();
    folder.commit();
    r.files = {folder.final_path("applied.csv")};
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return r;
}

}  // namespace mlstrat::synth
