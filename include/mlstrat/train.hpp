#pragma once
/// The LibTorch training engine (library mlstrat_train): the knobs of course 1.1.3 turned one at
/// a time (orthogonalization, 1.1.1). A run reads a TOML config, trains an `mlp`, a `cnn` or an
/// `rnn`, and writes runs/NAME/ with the train / train-dev / dev / test errors that `mlstrat
/// diagnose` reads.
/// Nothing outside src/train/ includes a LibTorch header; these headers only declare what the
/// rest of mlstrat may call. This one includes them all; each can be included alone:
///
///     mlstrat/train/backend.hpp   LibTorch's threads and BLAS, the machine's peak
///     mlstrat/train/config.hpp    the TOML config: one struct per section, parse_config
///     mlstrat/train/data.hpp      the splits the config names, load_dataset
///     mlstrat/train/run.hpp       one run: RunRequest, Progress, RunResult, train_run
///     mlstrat/train/seeds.hpp     one config over several seeds, train_seeds
///     mlstrat/train/transfer.hpp  the transfer study (1.2.3), transfer_study
///     mlstrat/train/tune.hpp      random search and successive halving, tune
///
///     RunRequest request;
///     request.config_path = "examples/fashion/cnn.toml";
///     request.overrides = {"optim.lr=3e-4"};
///     RunResult result = train_run(request, [](const Progress& p) { ... });
///     std::cout << result.errors.at("dev") << "\n";

#include "mlstrat/train/backend.hpp"
#include "mlstrat/train/config.hpp"
#include "mlstrat/train/data.hpp"
#include "mlstrat/train/run.hpp"
#include "mlstrat/train/seeds.hpp"
#include "mlstrat/train/transfer.hpp"
#include "mlstrat/train/tune.hpp"
