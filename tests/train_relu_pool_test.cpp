// The fused ReLU + 2x2 max pooling against LibTorch's two layers: the same values and the same
// gradients, bit for bit, in both memory orders, with odd edges, ties and all-negative windows.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <limits>

#include "train/net.hpp"
#include "train/relu_pool.hpp"

namespace mlstrat::train {
namespace {

struct Pair {
    torch::Tensor value, grad;
};

// Runs `f` on a copy of x that requires a gradient, and back-propagates `upstream` through it.
template <typename F>
Pair run(const torch::Tensor& x, const torch::Tensor& upstream, F f) {
    auto input = x.clone().requires_grad_(true);
    auto value = f(input);
    value.backward(upstream);
    return {value.detach(), input.grad()};
}

void expect_same(const torch::Tensor& x) {
    ASSERT_TRUE(relu_max_pool2_applies(x));
    torch::manual_seed(3);
    const auto upstream = torch::randn({x.size(0), x.size(1), x.size(2) / 2, x.size(3) / 2});
    const auto expected = run(x, upstream, [](const torch::Tensor& in) {
        return torch::max_pool2d(torch::relu(in), {2, 2});
    });
    const auto fused = run(x, upstream, [](const torch::Tensor& in) { return relu_max_pool2(in); });
    ASSERT_EQ(fused.value.sizes(), expected.value.sizes());
    EXPECT_TRUE(torch::equal(fused.value, expected.value));
    ASSERT_EQ(fused.grad.sizes(), expected.grad.sizes());
    EXPECT_TRUE(torch::equal(fused.grad, expected.grad));
    EXPECT_EQ(fused.value.is_contiguous(), x.is_contiguous());
}

TEST(ReluMaxPool2, MatchesReluThenPoolingInNchw) {
    torch::manual_seed(1);
    expect_same(torch::randn({3, 5, 8, 10}));
    expect_same(torch::randn({2, 4, 7, 9}));  // odd edges are dropped and get no gradient
    expect_same(torch::randn({1, 1, 2, 2}));
}

TEST(ReluMaxPool2, MatchesReluThenPoolingChannelsLast) {
    torch::manual_seed(2);
    expect_same(torch::randn({3, 16, 8, 6}).contiguous(torch::MemoryFormat::ChannelsLast));
    expect_same(torch::randn({2, 8, 5, 7}).contiguous(torch::MemoryFormat::ChannelsLast));
}

TEST(ReluMaxPool2, TiesGoToTheFirstLargestAndNegativeWindowsGetNothing) {
    // Small integers: most windows hold ties, many hold only values <= 0.
    torch::manual_seed(4);
    auto x = torch::randint(-3, 3, {2, 3, 6, 6}).to(torch::kFloat);
    expect_same(x);
    expect_same(x.contiguous(torch::MemoryFormat::ChannelsLast));
    auto window = torch::tensor({5.0f, 5.0f, 5.0f, 5.0f}).reshape({1, 1, 2, 2});
    auto fused = run(window, torch::ones({1, 1, 1, 1}),
                     [](const torch::Tensor& in) { return relu_max_pool2(in); });
    EXPECT_TRUE(
        torch::equal(fused.grad, torch::tensor({1.0f, 0.0f, 0.0f, 0.0f}).reshape({1, 1, 2, 2})));
}

TEST(ReluMaxPool2, TakesOnlyWhatItComputes) {
    EXPECT_FALSE(relu_max_pool2_applies(torch::randn({2, 3, 4})));
    EXPECT_FALSE(relu_max_pool2_applies(torch::randn({2, 3, 4, 4}).to(torch::kDouble)));
    EXPECT_FALSE(relu_max_pool2_applies(torch::randn({2, 3, 1, 4})));
    EXPECT_FALSE(relu_max_pool2_applies(torch::randn({2, 3, 4, 8}).slice(3, 0, 8, 2)));
}

TEST(ReluMaxPool2, ACnnGivesTheSameOutputAndGradientsAsItsLayersOneByOne) {
    torch::manual_seed(5);
    Net net(CnnOptions({1, 12, 12}, 4).widths({6, 8}).fc({16}).batch_norm(false));
    auto x = torch::randn({5, 1, 12, 12});
    auto fused = net->forward(x);
    auto layered = net->layers()->forward(x);
    EXPECT_TRUE(torch::equal(fused, layered));
    fused.sum().backward();
    std::vector<torch::Tensor> grads;
    for (auto& p : net->parameters()) grads.push_back(p.grad().clone());
    net->zero_grad();
    layered.sum().backward();
    const auto params = net->parameters();
    for (std::size_t i = 0; i < params.size(); ++i) {
        EXPECT_TRUE(torch::equal(grads[i], params[i].grad())) << "parameter " << i;
    }
}

}  // namespace
}  // namespace mlstrat::train
