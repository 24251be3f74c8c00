#include "sim/simulator.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace hangar::sim {

namespace {

using Clock = std::chrono::steady_clock;

// New bots are picked up this often; listing every token per message would cost more than
// the injection itself with thousands of bots.
constexpr auto kBotListRefresh = std::chrono::seconds(1);
// After a stall (a full queue, a descheduled thread) the generator catches up at most this
// much, instead of firing the whole backlog at once.
constexpr auto kMaxCatchUp = std::chrono::milliseconds(200);

}  // namespace

struct TrafficGenerator::Impl {
  Impl(Simulator& simulator, TrafficOptions options)
      : simulator(simulator), options(options), thread([this] { run(); }) {}

  ~Impl() {
    {
      std::lock_guard lock(mutex);
      stopping = true;
    }
    wake.notify_all();
    thread.join();
  }

  // Returns false once stopping.
  bool sleep_until(Clock::time_point when) {
    std::unique_lock lock(mutex);
    return !wake.wait_until(lock, when, [this] { return stopping; });
  }

  void run() {
    if (options.messages_per_second <= 0 || options.chats_per_bot + options.groups_per_bot == 0) {
      std::unique_lock lock(mutex);
      wake.wait(lock, [this] { return stopping; });
      return;
    }
    const auto interval = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(1.0 / options.messages_per_second));
    std::vector<std::string> bots;
    auto next_refresh = Clock::now();
    auto next_message = Clock::now();
    std::uint64_t sequence = 0;
    while (sleep_until(next_message)) {
      const auto now = Clock::now();
      if (now >= next_refresh) {
        bots = simulator.tokens_seen();
        next_refresh = now + kBotListRefresh;
      }
      if (bots.empty()) {
        next_message = next_refresh;
        continue;
      }
      next_message = std::max(next_message + interval, now - kMaxCatchUp);
      const std::uint64_t k = sequence++;
      if (inject(bots[k % bots.size()], k / bots.size(), "hello " + std::to_string(k)))
        injected.fetch_add(1, std::memory_order_relaxed);
    }
  }

  // Message k goes to bot k mod B, so every bot gets the same share, and each bot's share, its
  // message n = k / B, walks through its chats and then its groups in turn. In a group, the
  // writers take turns among the bot's private chats' users.
  bool inject(const std::string& token, std::uint64_t n, const std::string& text) {
    const std::uint64_t places = options.chats_per_bot + options.groups_per_bot;
    const auto place = static_cast<std::int64_t>(n % places);
    const auto chats = static_cast<std::int64_t>(options.chats_per_bot);
    if (place < chats)
      return simulator.inject_message(token, options.first_chat_id + place, text).has_value();
    const auto writer =
        static_cast<std::int64_t>((n / places) % std::max<std::uint64_t>(options.chats_per_bot, 1));
    return simulator
        .inject_group_message(token, -(options.first_chat_id + place - chats),
                              options.first_chat_id + writer, text)
        .has_value();
  }

  Simulator& simulator;
  const TrafficOptions options;
  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  std::atomic<std::uint64_t> injected{0};
  std::thread thread;  // last: it starts running in the constructor
};

TrafficGenerator::TrafficGenerator(Simulator& simulator, TrafficOptions options)
    : impl_(std::make_unique<Impl>(simulator, options)) {}

TrafficGenerator::~TrafficGenerator() = default;

std::uint64_t TrafficGenerator::injected() const {
  return impl_->injected.load(std::memory_order_relaxed);
}

}  // namespace hangar::sim
