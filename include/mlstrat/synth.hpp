#pragma once
/// Artificial data synthesis (1.2.2, addressing data mismatch): make training data look like the
/// target distribution — degrade clean images the way a phone camera would, or mix clean speech
/// with background noise — while counting how many distinct degradations or noise sources the
/// synthetic set was built from, since a model may overfit a small set of them (the notes' one
/// hour of car noise for 10,000 hours of speech).

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace mlstrat::synth {

// ---------------------------------------------------------------------------------------------
// Image degradations

/// The degradations synth draws from, in the order they are applied to an image: geometry
/// first, then optics, then light, then what covers the scene, then sensor noise.
enum class Kind { Rotate, Rescale, Blur, Contrast, Brightness, Occlude, Noise };

/// Number of kinds.
inline constexpr std::size_t kKinds = 7;

/// Every kind, in the order of application.
inline constexpr std::array<Kind, kKinds> kAllKinds = {
    Kind::Rotate,     Kind::Rescale, Kind::Blur, Kind::Contrast,
    Kind::Brightness, Kind::Occlude, Kind::Noise};

/// The kind's name in a spec and in applied.csv: "rotate", "rescale", "blur"...
std::string_view kind_name(Kind k);

/// The applied.csv column of the kind's parameter: "rotate_degrees", "blur_sigma"...
std::string_view parameter_name(Kind k);

/// The parameter value that leaves an image unchanged (0 degrees, factor 1, sigma 0...).
double identity_value(Kind k);

/// A closed range of parameter values; lo == hi fixes the value.
struct Range {
    double lo = 0.0;
    double hi = 0.0;
};

/// Which degradations may be drawn, and from which parameter ranges.
///
///     auto spec = DegradeSpec::parse("blur=0.5:2,noise=0.02:0.1,rotate=-15:15");
struct DegradeSpec {
    /// The range of each kind; a kind without one is never applied.
    std::array<std::optional<Range>, kKinds> ranges;
    /// Each kind of the spec is applied with this probability, independently; when the draw
    /// picks none, one kind of the spec is picked uniformly, so every output is degraded.
    double probability = 0.35;

    /// blur=0.5:1.5, noise=0.02:0.08, contrast=0.5:0.9, brightness=-0.15:0.15, rotate=-15:15,
    /// occlude=0.05:0.2, rescale=0.4:0.8.
    static DegradeSpec defaults();
    /// Parses "KIND=LO:HI,KIND=VALUE,..."; throws Error naming `what`, the item and the rule.
    static DegradeSpec parse(std::string_view text, std::string_view what = "--degrade");
    /// The spec in the form parse() reads, kinds in the order of application.
    std::string to_string() const;
    /// How far `value` of kind `k` is from the identity, scaled to [0, 1] within the range: 0 at
    /// the range's value closest to the identity, 1 at the farthest (1 for a fixed value).
    double strength(Kind k, double value) const;
};

/// One concrete degradation: the parameter of every kind and the seed of its random pattern.
struct Setting {
    /// The parameter of each kind; the identity value when the kind is not applied.
    std::array<double, kKinds> value{};
    std::array<bool, kKinds> applied{};
    /// Strength of each applied kind (DegradeSpec::strength); 0 when not applied.
    std::array<double, kKinds> strength{};
    /// Seeds the noise pixels and the occlusion's place, shape and shade.
    std::uint64_t pattern_seed = 0;

    /// The applied kind of largest strength, the first in order of application on a tie.
    Kind main() const;
    /// The applied kinds joined by '+' in order of application: "rotate+blur".
    std::string kinds() const;
};

/// Draws a setting from `spec` with a generator seeded by `key` alone.
Setting draw_setting(const DegradeSpec& spec, std::uint64_t key);

/// An image with values in [0, 1]: `height` rows of `width` pixels of `channels` interleaved
/// values.
struct Image {
    int width = 0;
    int height = 0;
    int channels = 1;
    std::vector<float> pixels;

    float& at(int x, int y, int c) {
        return pixels[(static_cast<std::size_t>(y) * width + x) * channels + c];
    }
    float at(int x, int y, int c) const {
        return pixels[(static_cast<std::size_t>(y) * width + x) * channels + c];
    }
};

/// Gaussian blur of standard deviation `sigma` pixels (separable, edges replicated).
void gaussian_blur(Image& image, double sigma);
/// Adds Gaussian noise of standard deviation `std` to every value, then clips to [0, 1].
void add_noise(Image& image, double std, std::uint64_t seed);
/// Moves every value toward (factor < 1) or away from its channel's mean: m + factor (v - m).
void scale_contrast(Image& image, double factor);
/// Adds `shift` to every value, then clips to [0, 1].
void shift_brightness(Image& image, double shift);
/// Rotates about the centre by `degrees`, counterclockwise as displayed (rows top to bottom),
/// sampling bilinearly; corners that come from outside take the mean of the source's border.
void rotate(Image& image, double degrees);

/// A rectangle of pixels: columns [x, x + w), rows [y, y + h).
struct Rect {
    int x = 0, y = 0, w = 0, h = 0;
};
/// The rectangle `occlude` covers: area `share` of the image (rounded), aspect ratio drawn in
/// [1/2, 2], placed uniformly; all from `seed`.
Rect occlusion_rect(int width, int height, double share, std::uint64_t seed);
/// Covers occlusion_rect(...) with one flat shade drawn from `seed`.
void occlude(Image& image, double share, std::uint64_t seed);
/// Low-quality rescale: averages down to `factor` of each side, then bilinearly back up.
void rescale(Image& image, double factor);
/// Applies every kind of `s` that is applied, in the order of Kind.
void apply(const Setting& s, Image& image);

// ---------------------------------------------------------------------------------------------
// Synthesizing a data set

/// How many distinct sources (degradation settings, noise files) a synthetic set drew from.
struct SourceUse {
    /// Distinct sources used.
    std::uint64_t distinct = 0;
    /// How often an average source is reused: outputs per setting for images, seconds of speech
    /// per second of noise for audio.
    double reuse = 0.0;
};

/// What `synthesize_images` did; `to_json` is the `--json` document.
struct ImageSummary {
    std::string input;            // the images file or folder
    std::uint64_t first_row = 0;  // the input rows used: [first_row, end_row)
    std::uint64_t end_row = 0;
    std::uint64_t copies = 1;
    std::uint64_t outputs = 0;
    std::uint64_t pool = 0;  // 0: a fresh setting per output
    SourceUse settings;
    std::map<std::string, std::uint64_t> main_degradation;  // outputs per `degradation` value
    std::map<std::string, std::uint64_t> applied;           // outputs each kind was applied to
    std::vector<std::string> files;
    std::vector<std::string> warnings;
    std::string spec;
    double probability = 0.0;
    std::uint64_t seed = 0;
    double seconds = 0.0;

    nlohmann::json to_json() const;
};

/// Options of `synthesize_images`.
struct ImageOptions {
    /// IDX input: images (N x H x W or N x H x W x C, ubyte) and labels (N).
    std::string images;
    std::string labels;
    /// Folder input: DIR/<class>/<image>.png|jpg|jpeg|bmp|gif; used when `images` is empty.
    std::string folder;
    /// Input rows [first_row, end_row) to use (folder mode: of the files sorted by class, then
    /// name); no end_row: to the last.
    std::uint64_t first_row = 0;
    std::optional<std::uint64_t> end_row;
    std::string out;
    std::uint64_t seed = 0;
    DegradeSpec spec = DegradeSpec::defaults();
    std::uint64_t copies = 1;
    /// When > 0, only this many settings are drawn and every output reuses one of them.
    std::uint64_t pool = 0;
    /// A warning is raised when the average source is reused more often than this.
    double max_reuse = 10.0;
    /// Worker threads; 0 uses every core.
    unsigned threads = 0;
};

/// Degrades every input image `copies` times and writes OUT/images.idx.gz, OUT/labels.idx.gz
/// and OUT/applied.csv (IDX input) or OUT/<class>/*.png and OUT/applied.csv (folder input).
/// Output n is copy n % copies of input row first + n / copies; its setting comes from a
/// generator seeded by (seed, input row, copy), so outputs do not depend on the thread count
/// or on the rows selected. Nothing is written when an input is bad.
///
///     synth::ImageOptions o;
///     o.images = "train-images-idx3-ubyte.gz"; o.labels = "train-labels-idx1-ubyte.gz";
///     o.first_row = 50000; o.out = "app"; o.seed = 7;
///     auto summary = synth::synthesize_images(o);
ImageSummary synthesize_images(const ImageOptions& options);

/// One output as OUT/applied.csv records it: the columns a data set built from it keeps.
struct AppliedRow {
    std::string id;           // the output's index n
    std::string image;        // OUT/images.idx.gz#n, or OUT/<class>/<file>.png
    std::string label;        // as the input had it (an IDX label is its class number)
    std::string degradation;  // the main kind (Setting::main)
    std::string strength;     // its strength, as written
    std::string kinds;        // every applied kind, joined by '+' (Setting::kinds)
};

/// Reads `folder`/applied.csv, the record `synthesize_images` writes there, with each image
/// reference joined to `folder`. Throws Error naming the file when it or a column is missing.
std::vector<AppliedRow> read_applied(const std::string& folder);

/// The kinds of a `kinds` cell: "rotate+blur" -> {"rotate", "blur"}; "", "none" -> {}.
std::vector<std::string> split_kinds(std::string_view kinds);

/// Parses "A:B" (rows A..B-1) or "A:" (A to the end); throws Error naming `what`.
std::pair<std::uint64_t, std::optional<std::uint64_t>> parse_row_range(std::string_view text,
                                                                       std::string_view what);

// ---------------------------------------------------------------------------------------------
// Audio: clean speech + background noise

/// Adds `noise` (mono, read cyclically from `noise_start`) to every channel of `speech`
/// (`channels` interleaved), scaled so that the speech-to-noise power ratio over the whole file
/// is `snr_db` decibels: 10 log10(mean(speech^2) / mean((gain noise)^2)) = snr_db. Returns the
/// gain; throws Error when either signal is silent.
double mix_at_snr(std::vector<float>& speech, int channels, const std::vector<float>& noise,
                  std::size_t noise_start, double snr_db);

/// What `synthesize_audio` did; `to_json` is the `--json` document.
struct AudioSummary {
    std::uint64_t outputs = 0;
    std::uint64_t noise_files = 0;
    double speech_seconds = 0.0;
    /// Seconds of distinct noise the mixes drew from (each noise file counted once).
    double noise_seconds = 0.0;
    /// Distinct noise files used; reuse = speech seconds per second of noise.
    SourceUse noise;
    double snr_lo = 0.0, snr_hi = 0.0;
    std::uint64_t clipped_samples = 0;
    std::uint64_t seed = 0;
    std::vector<std::string> files;
    std::vector<std::string> warnings;
    double seconds = 0.0;

    nlohmann::json to_json() const;
};

/// Options of `synthesize_audio`.
struct AudioOptions {
    std::vector<std::string> speech;
    std::vector<std::string> noise;
    double snr_lo = 0.0, snr_hi = 20.0;
    std::string out;
    std::uint64_t seed = 0;
    /// A warning is raised when speech seconds per second of noise exceed this.
    double max_reuse = 10.0;
    unsigned threads = 0;
};

/// Mixes each speech WAV with one noise WAV at an SNR drawn uniformly from [snr_lo, snr_hi]
/// and writes OUT/<id>_<speech file name> (in the speech file's format) and OUT/applied.csv. The
/// noise file, its start (the noise is cycled when shorter than the speech) and the SNR come
/// from a generator seeded by (seed, speech index). Every input is checked (readable, same
/// sample rate, not silent) before the output appears; the output folder must be new or empty.
AudioSummary synthesize_audio(const AudioOptions& options);

/// Parses "LO:HI" decibels (or one value); throws Error naming `what`.
std::pair<double, double> parse_snr_range(std::string_view text, std::string_view what);

}  // namespace mlstrat::synth
