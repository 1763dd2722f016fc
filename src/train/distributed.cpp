// Data-parallel training over c10d: a TCPStore served by rank 0 for the rendezvous, and
// ProcessGroupGloo for the collectives (all-reduce of gradients, broadcast of the checkpoint).
// c10d and Gloo report a lost peer as an exception from Work::wait; every such failure becomes
// one Error(Training) line that names this rank, what it was doing and how to resume.

#include "train/distributed.hpp"

#include <fmt/format.h>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <chrono>
#include <cstdlib>
#include <limits>

#include "mlstrat/support/error.hpp"
#include "mlstrat/support/parse.hpp"

namespace mlstrat::train {

namespace {

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds millis(double seconds) {
    return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000.0));
}

// The first line of an exception's message, without LibTorch's backtrace.
std::string reason(const std::exception& e) {
    std::string text;
    if (const auto* c10 = dynamic_cast<const c10::Error*>(&e)) {
        text = c10->what_without_backtrace();
    } else {
        text = e.what();
    }
    text = text.substr(0, text.find('\n'));
    return text.size() > 300 ? text.substr(0, 300) + "..." : text;
}

int env_int(const char* name, int fallback) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') return fallback;
    char* end = nullptr;
    const long v = std::strtol(value, &end, 10);
    MLSTRAT_CHECK(*end == '\0' && v >= 0 && v <= std::numeric_limits<int>::max(),
                  "environment variable ", name, " holds '", value, "', not a whole number >= 0");
    return static_cast<int>(v);
}

bool is_loopback(const std::string& host) {
    return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1";
}

}  // namespace

DistributedOptions distributed_from_environment() {
    DistributedOptions o;
    o.world_size = env_int("WORLD_SIZE", 1);
    o.rank = env_int("RANK", 0);
    const char* addr = std::getenv("MASTER_ADDR");
    const char* port = std::getenv("MASTER_PORT");
    if (addr != nullptr && *addr != '\0') {
        o.master = std::string(addr) + ":" + (port != nullptr && *port != '\0' ? port : "29500");
    }
    return o;
}

struct Group::Impl {
    DistributedOptions options;
    c10::intrusive_ptr<c10d::Store> store;
    c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
    double gradient_seconds = 0.0;

    // Waits for a collective; a lost or silent peer becomes one line naming this rank.
    void wait(const c10::intrusive_ptr<c10d::Work>& work, const char* what) const {
        try {
            work->wait(millis(options.timeout_seconds));
        } catch (const std::exception& e) {
            throw Error(ErrorCode::Training,
                        fmt::format("rank {} of {}: {} failed: another rank stopped or did not "
                                    "answer within {:g} s ({}); the job stops here; restart every "
                                    "rank with --resume to continue from the last checkpoint",
                                    options.rank, options.world_size, what, options.timeout_seconds,
                                    reason(e)));
        }
    }

    void all_reduce(torch::Tensor& t, c10d::ReduceOp op, const char* what) const {
        std::vector<at::Tensor> v = {t};
        c10d::AllreduceOptions o;
        o.reduceOp = op;
        wait(group->allreduce(v, o), what);
    }
};

Group::Group(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Group::~Group() = default;

std::unique_ptr<Group> Group::join(const DistributedOptions& o) {
    MLSTRAT_CHECK(o.world_size >= 1, "--world-size is ", o.world_size, "; it must be at least 1");
    MLSTRAT_CHECK(o.rank >= 0 && o.rank < o.world_size, "--rank is ", o.rank,
                  "; with --world-size ", o.world_size, " it must be 0 to ", o.world_size - 1);
    MLSTRAT_CHECK(o.timeout_seconds > 0 && o.join_seconds > 0,
                  "--timeout must be a number of seconds > 0");
    if (o.world_size == 1) return nullptr;
    const auto colon = o.master.rfind(':');
    MLSTRAT_CHECK(!o.master.empty() && colon != std::string::npos && colon > 0, "--master is '",
                  o.master, "'; a job of ", o.world_size,
                  " ranks needs rank 0's HOST:PORT (or MASTER_ADDR and MASTER_PORT)");
    std::string host = o.master.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    const std::string port_text = o.master.substr(colon + 1);
    const auto port = try_parse_number(port_text);
    MLSTRAT_CHECK(port && *port >= 1 && *port <= 65535 && *port == static_cast<int>(*port),
                  "--master '", o.master, "': the port must be a number from 1 to 65535");

    auto impl = std::make_unique<Impl>();
    impl->options = o;
    try {
        c10d::TCPStoreOptions store_options;
        store_options.port = static_cast<std::uint16_t>(*port);
        store_options.isServer = o.rank == 0;
        store_options.numWorkers = static_cast<std::size_t>(o.world_size);
        store_options.waitWorkers = true;
        store_options.timeout = millis(o.join_seconds);
        impl->store = c10::make_intrusive<c10d::TCPStore>(host, store_options);

        auto options = c10d::ProcessGroupGloo::Options::create(millis(o.timeout_seconds));
        // The interface Gloo's sockets use: GLOO_SOCKET_IFNAME as in PyTorch, the loopback
        // when the master is on this host, else the address this host's name resolves to.
        if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"); ifname && *ifname) {
            options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
        } else if (is_loopback(host)) {
            options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(host));
        } else {
            options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
        }
        impl->group =
            c10::make_intrusive<c10d::ProcessGroupGloo>(impl->store, o.rank, o.world_size, options);
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error(ErrorCode::Training,
                    fmt::format("rank {} of {}: cannot join the job at {} within {:g} s ({}); "
                                "rank 0 listens there and every rank must start",
                                o.rank, o.world_size, o.master, o.join_seconds, reason(e)));
    }
    return std::unique_ptr<Group>(new Group(std::move(impl)));
}

int Group::rank() const { return impl_->options.rank; }
int Group::size() const { return impl_->options.world_size; }
double Group::gradient_seconds() const { return impl_->gradient_seconds; }

void Group::sum_gradients(const std::vector<torch::Tensor>& params) {
    const auto start = Clock::now();
    std::vector<torch::Tensor> flat;
    flat.reserve(params.size());
    for (const auto& p : params) {
        const auto& g = p.grad();
        flat.push_back(g.defined() ? g.reshape({-1}) : torch::zeros({p.numel()}, p.options()));
    }
    auto buffer = torch::cat(flat);
    impl_->all_reduce(buffer, c10d::ReduceOp::SUM, "the gradient all-reduce");
    std::int64_t offset = 0;
    torch::NoGradGuard no_grad;
    for (const auto& p : params) {
        auto part = buffer.narrow(0, offset, p.numel()).view(p.sizes());
        offset += p.numel();
        if (p.grad().defined()) {
            p.mutable_grad().copy_(part);
        } else {
            p.mutable_grad() = part.clone();
        }
    }
    impl_->gradient_seconds += std::chrono::duration<double>(Clock::now() - start).count();
}

void Group::average_buffers(const std::vector<torch::Tensor>& buffers) {
    std::vector<torch::Tensor> floating;
    for (const auto& b : buffers) {
        if (b.is_floating_point()) floating.push_back(b);
    }
    if (floating.empty()) return;
    std::vector<torch::Tensor> flat;
    for (const auto& b : floating) flat.push_back(b.reshape({-1}));
    auto buffer = torch::cat(flat);
    impl_->all_reduce(buffer, c10d::ReduceOp::SUM, "averaging batch-norm statistics");
    buffer.div_(static_cast<double>(size()));
    std::int64_t offset = 0;
    torch::NoGradGuard no_grad;
    for (auto b : floating) {
        b.copy_(buffer.narrow(0, offset, b.numel()).view(b.sizes()));
        offset += b.numel();
    }
}

double Group::sum(double value) {
    auto t = torch::tensor({value}, torch::kDouble);
    impl_->all_reduce(t, c10d::ReduceOp::SUM, "an all-reduce");
    return t.item<double>();
}

std::string Group::broadcast(const std::string& bytes) {
    auto size = torch::tensor({static_cast<std::int64_t>(bytes.size())}, torch::kLong);
    std::vector<at::Tensor> v = {size};
    impl_->wait(impl_->group->broadcast(v), "the checkpoint broadcast");
    const auto n = size.item<std::int64_t>();
    auto data = torch::empty({n}, torch::kUInt8);
    if (rank() == 0 && n > 0) std::memcpy(data.data_ptr(), bytes.data(), bytes.size());
    if (n > 0) {
        std::vector<at::Tensor> d = {data};
        impl_->wait(impl_->group->broadcast(d), "the checkpoint broadcast");
    }
    return std::string(static_cast<const char*>(data.data_ptr()), static_cast<std::size_t>(n));
}

void Group::check_same(std::uint64_t fingerprint, const std::string& what) {
    auto lo = torch::tensor({static_cast<std::int64_t>(fingerprint)}, torch::kLong);
    auto hi = lo.clone();
    impl_->all_reduce(lo, c10d::ReduceOp::MIN, "the start-up check");
    impl_->all_reduce(hi, c10d::ReduceOp::MAX, "the start-up check");
    MLSTRAT_CHECK(lo.item<std::int64_t>() == hi.item<std::int64_t>(), "rank ", rank(), " of ",
                  size(), ": the ranks do not agree on ", what,
                  "; start every rank with the same config, --set values and data");
}

}  // namespace mlstrat::train
