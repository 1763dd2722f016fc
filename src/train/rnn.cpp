// The sequence model: an embedding of the token ids, then an LSTM or GRU (one or two directions,
// stacked layers) whose final states feed the class head.

#include "mlstrat/support/error.hpp"
#include "train/net.hpp"
#include "train/text.hpp"

namespace mlstrat::train {

namespace nn = torch::nn;

RnnEncoderImpl::RnnEncoderImpl(const RnnOptions& o) : options(o) {
    embedding = register_module(
        "embedding",
        nn::Embedding(nn::EmbeddingOptions(o.vocab(), o.embedding_dim()).padding_idx(kPadToken)));
    const double between = o.layers() > 1 ? o.dropout() : 0.0;
    if (o.lstm()) {
        lstm = register_module("lstm", nn::LSTM(nn::LSTMOptions(o.embedding_dim(), o.hidden())
                                                    .num_layers(o.layers())
                                                    .dropout(between)
                                                    .bidirectional(o.bidirectional())
                                                    .batch_first(true)));
    } else {
        gru = register_module("gru", nn::GRU(nn::GRUOptions(o.embedding_dim(), o.hidden())
                                                 .num_layers(o.layers())
                                                 .dropout(between)
                                                 .bidirectional(o.bidirectional())
                                                 .batch_first(true)));
    }
}

torch::Tensor RnnEncoderImpl::forward(torch::Tensor x) {
    auto tokens = x.to(torch::kLong);
    // Padding sits at the end; a sequence has at least one token (empty texts are rejected).
    auto lengths = tokens.ne(kPadToken).sum(1).clamp_min(1);
    auto packed = nn::utils::rnn::pack_padded_sequence(embedding(tokens), lengths,
                                                       /*batch_first=*/true,
                                                       /*enforce_sorted=*/false);
    // h: [layers x directions, N, hidden], in the batch's order.
    torch::Tensor h = lstm ? std::get<0>(std::get<1>(lstm->forward_with_packed_input(packed)))
                           : std::get<1>(gru->forward_with_packed_input(packed));
    const std::int64_t dirs = options.bidirectional() ? 2 : 1;
    auto last = h.narrow(0, h.size(0) - dirs, dirs);  // the top layer's directions
    return last.permute({1, 0, 2}).reshape({x.size(0), dirs * options.hidden()});
}

NetImpl::NetImpl(const RnnOptions& o) {
    layers_->push_back(RnnEncoder(o));
    if (o.dropout() > 0) layers_->push_back(nn::Dropout(o.dropout()));
    layers_->push_back(nn::Linear((o.bidirectional() ? 2 : 1) * o.hidden(), o.classes()));
    register_module("layers", layers_);
}

}  // namespace mlstrat::train
