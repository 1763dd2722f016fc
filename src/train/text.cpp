// Texts for sequence models: characters or words, a vocabulary from the train split only (so
// dev and test words the model never saw become the unknown token), fixed-length id sequences.

#include "train/text.hpp"

#include <algorithm>
#include <map>

namespace mlstrat::train {

std::vector<std::string> tokenize(std::string_view text, const std::string& vocab) {
    std::vector<std::string> out;
    if (vocab == "char") {
        for (std::size_t i = 0; i < text.size();) {
            // A UTF-8 character is a lead byte and its continuation bytes (10xxxxxx).
            std::size_t n = 1;
            while (i + n < text.size() &&
                   (static_cast<unsigned char>(text[i + n]) & 0xC0) == 0x80) {
                ++n;
            }
            out.emplace_back(text.substr(i, n));
            i += n;
        }
        return out;
    }
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    for (std::size_t i = 0; i < text.size();) {
        while (i < text.size() && space(text[i])) ++i;
        std::size_t j = i;
        while (j < text.size() && !space(text[j])) ++j;
        if (j > i) out.emplace_back(text.substr(i, j - i));
        i = j;
    }
    return out;
}

Vocabulary::Vocabulary(const std::vector<std::vector<std::string>>& texts, std::int64_t min_count) {
    std::map<std::string, std::int64_t> counts;
    for (const auto& t : texts) {
        for (const auto& token : t) ++counts[token];
    }
    std::vector<std::pair<std::string, std::int64_t>> kept;
    for (const auto& [token, n] : counts) {
        if (n >= min_count) kept.emplace_back(token, n);
    }
    std::stable_sort(kept.begin(), kept.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    tokens_ = {"<pad>", "<unk>"};
    for (const auto& [token, n] : kept) tokens_.push_back(token);
    for (std::size_t i = 2; i < tokens_.size(); ++i) {
        ids_[tokens_[i]] = static_cast<std::int64_t>(i);
    }
}

std::int64_t Vocabulary::id(const std::string& token) const {
    auto it = ids_.find(token);
    return it == ids_.end() ? kUnknownToken : it->second;
}

void encode(const std::vector<std::string>& tokens, const Vocabulary& vocab, std::int64_t max_len,
            std::vector<float>& out) {
    for (std::int64_t i = 0; i < max_len; ++i) {
        out.push_back(i < static_cast<std::int64_t>(tokens.size())
                          ? static_cast<float>(vocab.id(tokens[i]))
                          : static_cast<float>(kPadToken));
    }
}

}  // namespace mlstrat::train
