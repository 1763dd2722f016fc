// mlstrat synth: artificial data synthesis (1.2.2) — degrade clean images so they look like the
// target's, or mix clean speech with background noise, and say how many distinct sources the
// synthetic set was built from.

#include <iostream>
#include <memory>
#include <tuple>

#include "commands/commands.hpp"
#include "mlstrat/support/error.hpp"
#include "mlstrat/support/parse.hpp"
#include "mlstrat/synth.hpp"
#include "output.hpp"

namespace mlstrat::cli {

namespace {

struct SynthImagesArgs {
    synth::ImageOptions options;
    std::string rows;
    std::string degrade;
    double probability = synth::DegradeSpec{}.probability;
    bool json = false;
};

void warn(const std::vector<std::string>& warnings) {
    for (const auto& w : warnings) std::cerr << "mlstrat: warning: " << w << "\n";
}

void run_images(SynthImagesArgs& a) {
    if (!a.rows.empty()) {
        const auto [first, end] = synth::parse_row_range(a.rows, "--rows");
        a.options.first_row = first;
        a.options.end_row = end;
    }
    if (!a.degrade.empty()) a.options.spec = synth::DegradeSpec::parse(a.degrade, "--degrade");
    a.options.spec.probability = a.probability;
    const auto s = synth::synthesize_images(a.options);
    warn(s.warnings);
    if (a.json) {
        print_json(s.to_json());
        return;
    }
    std::cout << "synthesized " << thousands(s.outputs) << " images from "
              << thousands(s.end_row - s.first_row) << " inputs (rows " << s.first_row << ":"
              << s.end_row << ", " << s.copies << (s.copies == 1 ? " copy" : " copies") << ") in "
              << fmt::format("{:.2f}", s.seconds) << " s\n";
    std::cout << "distinct degradation settings: " << thousands(s.settings.distinct) << " ("
              << fmt::format("{:.1f}", s.settings.reuse) << " outputs per setting)\n";
    std::cout << "spec: " << s.spec << ", each kind with probability " << s.probability << "\n\n";
    Table t({"degradation", "main in", "applied to"});
    for (synth::Kind k : synth::kAllKinds) {
        const std::string name(synth::kind_name(k));
        auto count = [&](const std::map<std::string, std::uint64_t>& m) {
            auto it = m.find(name);
            return thousands(it == m.end() ? 0 : it->second);
        };
        t.add({name, count(s.main_degradation), count(s.applied)});
    }
    t.print(std::cout);
    std::cout << "\n";
    for (const auto& f : s.files) std::cout << "wrote " << f << "\n";
}

void add_images(CLI::App& parent) {
    auto args = std::make_shared<SynthImagesArgs>();
    CLI::App* cmd = parent.add_subcommand(
        "images",
        "Degrade images (blur, noise, contrast, brightness, rotation, occlusion, "
        "low-quality rescale) so they look like the target's; IDX or class folders in, "
        "the same layout plus applied.csv out.");
    auto& o = args->options;
    cmd->add_option("--images", o.images, "IDX images (N x H x W [x C] ubyte, optionally .gz)");
    cmd->add_option("--labels", o.labels, "IDX labels matching --images");
    cmd->add_option("--folder", o.folder, "folder of class subfolders of PNG/JPEG images");
    cmd->add_option("--rows", args->rows,
                    "use input images A..B-1 only: A:B, or A: for A to the end");
    cmd->add_option("--out", o.out, "output folder")->required();
    cmd->add_option("--seed", o.seed, "seed of every draw; same inputs and seed, same bytes")
        ->required();
    cmd->add_option("--degrade", args->degrade,
                    "KIND=LO:HI,... with KIND in rotate, rescale, blur, contrast, brightness, "
                    "occlude, noise (default: " +
                        synth::DegradeSpec::defaults().to_string() + ")");
    cmd->add_option("--probability", args->probability,
                    "chance each kind of the spec is applied (at least one always is)")
        ->capture_default_str();
    cmd->add_option("--copies", o.copies, "degraded versions per input image")
        ->capture_default_str();
    cmd->add_option("--pool", o.pool,
                    "draw only N distinct degradation settings and reuse them for every image");
    cmd->add_option("--max-reuse", o.max_reuse,
                    "warn when outputs per distinct setting exceed this")
        ->capture_default_str();
    cmd->add_option("--threads", o.threads, "worker threads (default: all cores)");
    cmd->add_flag("--json", args->json,
                  "print one JSON document on stdout (warnings stay on stderr)");
    cmd->callback([args] { run_images(*args); });
}

struct SynthAudioArgs {
    synth::AudioOptions options;
    std::string snr;
    bool json = false;
};

void run_audio(SynthAudioArgs& a) {
    std::tie(a.options.snr_lo, a.options.snr_hi) = synth::parse_snr_range(a.snr, "--snr");
    const auto s = synth::synthesize_audio(a.options);
    warn(s.warnings);
    if (a.json) {
        print_json(s.to_json());
        return;
    }
    std::cout << "mixed " << thousands(s.outputs) << " speech files ("
              << fmt::format("{:.1f}", s.speech_seconds) << " s) with noise at " << s.snr_lo
              << " to " << s.snr_hi << " dB SNR in " << fmt::format("{:.2f}", s.seconds) << " s\n";
    std::cout << "distinct noise files: " << s.noise.distinct << " of " << s.noise_files << " ("
              << fmt::format("{:.1f}", s.noise_seconds) << " s; "
              << fmt::format("{:.1f}", s.noise.reuse) << " s of speech per second of noise)\n";
    for (const auto& f : s.files) std::cout << "wrote " << f << "\n";
}

void add_audio(CLI::App& parent) {
    auto args = std::make_shared<SynthAudioArgs>();
    CLI::App* cmd = parent.add_subcommand(
        "audio",
        "Mix clean speech with background noise (cycled or cropped) at SNRs drawn from a "
        "range; WAVs and applied.csv out.");
    auto& o = args->options;
    cmd->add_option("--speech", o.speech,
                    "clean speech files or folders of them (.wav, .flac, .ogg)")
        ->required();
    cmd->add_option("--noise", o.noise, "background noise files or folders of them")->required();
    cmd->add_option("--snr", args->snr,
                    "SNR range in dB, LO:HI (write --snr=-5:10 for a negative LO)")
        ->required();
    cmd->add_option("--out", o.out, "output folder (new or empty)")->required();
    cmd->add_option("--seed", o.seed, "seed of every draw; same inputs and seed, same bytes")
        ->required();
    cmd->add_option("--max-reuse", o.max_reuse,
                    "warn when seconds of speech per second of noise exceed this")
        ->capture_default_str();
    cmd->add_option("--threads", o.threads, "worker threads (default: all cores)");
    cmd->add_flag("--json", args->json,
                  "print one JSON document on stdout (warnings stay on stderr)");
    cmd->callback([args] { run_audio(*args); });
}

}  // namespace

void add_synth(CLI::App& app) {
    CLI::App* cmd = app.add_subcommand(
        "synth",
        "Artificial data synthesis (1.2.2): make training data look like the target "
        "distribution, and count the distinct sources it was made from.");
    cmd->require_subcommand(1);
    add_images(*cmd);
    add_audio(*cmd);
}

}  // namespace mlstrat::cli
