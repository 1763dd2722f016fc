#pragma once
// Augmentation of the training batches, [augment] (private to src/train/): every draw comes from
// LibTorch's generator, which the epoch loop seeds.

#include <torch/torch.h>

#include <string>

#include "mlstrat/train/config.hpp"
#include "mlstrat/train/data.hpp"

namespace mlstrat::train {

/// Throws Error(Config) naming `config_path` when [augment] asks for what the data cannot take:
/// noise on text (token ids), flips, shifts, crops or blur on anything but images.
void check_augment(const AugmentConfig& a, const Dataset& data, const std::string& config_path);

/// A training batch as the model sees it: images flipped, shifted, cropped, blurred and noised
/// as [augment] says; feature vectors with noise alone.
torch::Tensor augment_batch(torch::Tensor x, const AugmentConfig& a, bool images);

}  // namespace mlstrat::train
