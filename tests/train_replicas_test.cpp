// Splitting a batch between cores (train/replicas.hpp): the gradients are the whole batch's, the
// copies follow the model's weights, and the result does not depend on timing.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "train/net.hpp"
#include "train/replicas.hpp"

namespace mlstrat::train {
namespace {

Net small_cnn() { return Net(CnnOptions({1, 8, 8}, 3).widths({4, 6}).fc({10}).batch_norm(false)); }

std::vector<torch::Tensor> gradients(Net& net) {
    std::vector<torch::Tensor> out;
    for (auto& p : net->parameters()) out.push_back(p.grad().clone());
    return out;
}

TEST(Replicas, GradientsAreTheWholeBatchs) {
    torch::manual_seed(7);
    Net net = small_cnn();
    Net reference = small_cnn();
    {
        torch::NoGradGuard no_grad;
        auto from = net->parameters();
        auto to = reference->parameters();
        for (std::size_t i = 0; i < from.size(); ++i) to[i].copy_(from[i]);
    }
    auto x = torch::randn({13, 1, 8, 8});  // 13 rows: shares of 6 and 7
    auto y = torch::randint(0, 3, {13}, torch::kLong);

    Replicas replicas(net, small_cnn, 2);
    const double loss = replicas.backward(x, y, 0.5);
    replicas.finish_steps();
    auto expected_loss = torch::cross_entropy_loss(reference->forward(x), y) * 0.5;
    expected_loss.backward();
    EXPECT_NEAR(loss, expected_loss.item<double>(), 1e-6);
    const auto got = gradients(net), want = gradients(reference);
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
        EXPECT_TRUE(torch::allclose(got[i], want[i], 1e-5, 1e-7)) << "parameter " << i;
    }
}

TEST(Replicas, CopiesFollowTheModelsWeightsAndRepeatExactly) {
    torch::manual_seed(8);
    Net net = small_cnn();
    Replicas replicas(net, small_cnn, 2);
    auto x = torch::randn({16, 1, 8, 8});
    auto y = torch::randint(0, 3, {16}, torch::kLong);
    torch::optim::SGD sgd(net->parameters(), torch::optim::SGDOptions(0.1));
    std::vector<double> losses;
    for (int step = 0; step < 3; ++step) {
        sgd.zero_grad();
        losses.push_back(replicas.backward(x, y, 1.0));
        sgd.step();
    }
    replicas.finish_steps();
    EXPECT_LT(losses[2], losses[0]);  // the copy trained with the updated weights too
    // The same steps again from the same start give the same bits.
    torch::manual_seed(8);
    Net again = small_cnn();
    Replicas replicas_again(again, small_cnn, 2);
    torch::optim::SGD sgd_again(again->parameters(), torch::optim::SGDOptions(0.1));
    for (int step = 0; step < 3; ++step) {
        sgd_again.zero_grad();
        EXPECT_EQ(replicas_again.backward(x, y, 1.0), losses[static_cast<std::size_t>(step)]);
        sgd_again.step();
    }
    replicas_again.finish_steps();
    const auto a = net->parameters(), b = again->parameters();
    for (std::size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i], b[i]));
}

TEST(Replicas, OnlyWhereSplittingIsExact) {
    ModelConfig cnn;
    cnn.kind = "cnn";
    cnn.batch_norm = false;
    EXPECT_TRUE(can_split_batches(cnn, true, false, false, false, 2));
    EXPECT_FALSE(can_split_batches(cnn, true, false, false, false, 1));   // one core
    EXPECT_FALSE(can_split_batches(cnn, false, false, false, false, 2));  // multi-task loss
    EXPECT_FALSE(can_split_batches(cnn, true, false, false, true, 2));    // distributed already
    EXPECT_FALSE(can_split_batches(cnn, true, false, true, false, 2));    // TorchScript backbone
    ModelConfig with_bn = cnn;
    with_bn.batch_norm = true;  // statistics per batch
    EXPECT_FALSE(can_split_batches(with_bn, true, false, false, false, 2));
    ModelConfig with_dropout = cnn;
    with_dropout.dropout = 0.2;  // draws would depend on timing
    EXPECT_FALSE(can_split_batches(with_dropout, true, false, false, false, 2));
    ModelConfig mlp;
    mlp.kind = "mlp";  // batch_norm is a CNN key; an MLP has none
    EXPECT_TRUE(can_split_batches(mlp, true, false, false, false, 2));
    ModelConfig rnn;
    rnn.kind = "rnn";
    rnn.batch_norm = false;
    EXPECT_FALSE(can_split_batches(rnn, true, true, false, false, 2));
}

}  // namespace
}  // namespace mlstrat::train
