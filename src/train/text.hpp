#pragma once
// Texts as training examples (private to src/train/): tokens (characters or words), a
// vocabulary built from the train split, and fixed-length sequences of token ids. No LibTorch.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace mlstrat::train {

/// Token ids: 0 pads a sequence to data.max_len, 1 stands for a token not in the vocabulary.
inline constexpr std::int64_t kPadToken = 0;
inline constexpr std::int64_t kUnknownToken = 1;

/// The tokens of `text`: UTF-8 characters ("char") or runs of non-space characters ("word").
std::vector<std::string> tokenize(std::string_view text, const std::string& vocab);

/// Token strings by id: "<pad>", "<unk>", then tokens seen at least `min_count` times, most
/// frequent first (ties in byte order).
class Vocabulary {
 public:
    Vocabulary(const std::vector<std::vector<std::string>>& texts, std::int64_t min_count);
    /// The id of `token`, kUnknownToken when it was not kept.
    std::int64_t id(const std::string& token) const;
    const std::vector<std::string>& tokens() const { return tokens_; }

 private:
    std::vector<std::string> tokens_;
    std::unordered_map<std::string, std::int64_t> ids_;
};

/// Appends `max_len` token ids (as floats) for `tokens`: truncated or padded at the end.
void encode(const std::vector<std::string>& tokens, const Vocabulary& vocab, std::int64_t max_len,
            std::vector<float>& out);

}  // namespace mlstrat::train
