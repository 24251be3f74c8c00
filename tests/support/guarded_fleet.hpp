#pragma once
// Shared steps of the memory-guard tests (issue 3): a serve with --memory-limit 12MiB (the guard
// acts from 90% of it), --chat-idle-timeout 10m (so only the guard frees chats) and budgets too
// large to trip, with a proxy that can hold replies back; and a watcher of the metered heap.
// Header-only, as budget_helpers.hpp is.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/simulator.hpp"
#include "tests/support/budget_helpers.hpp"
#include "tests/support/hangar_server.hpp"
#include "tests/support/holding_proxy.hpp"
#include "tests/support/sim_helpers.hpp"
#include "tests/support/wait_until.hpp"

namespace hangar::test {

constexpr std::uint64_t guard_limit = 12 * 1024 * 1024;

inline std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Wall-clock microseconds of a simulator record (stamped with the steady clock).
inline std::int64_t wall_us_of(const sim::SentMessage& message) {
  const auto wall_minus_steady_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count() -
                                    std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count();
  return message.at_us + wall_minus_steady_us;
}

// hangar_heap_metered_bytes from /metrics every 20 ms: how many reads succeeded, the largest
// value, and when (wall clock) it was first seen at or over the limit. A maximum means something
// only with the number of samples beside it: with none, max_heap() is 0.
class HeapWatcher {
 public:
  explicit HeapWatcher(const HangarServer& server) : server_(server), thread_([this] { run(); }) {}
  ~HeapWatcher() { stop(); }
  void stop() {
    running_ = false;
    if (thread_.joinable()) thread_.join();
  }
  double max_heap() const { return max_heap_; }
  std::uint64_t samples() const { return samples_; }
  std::uint64_t failures() const { return failures_; }
  std::int64_t first_over_limit_ms() const { return first_over_limit_ms_; }  // 0: never
  // The samples one read every 20 ms over `seconds` would take.
  static std::uint64_t expected_samples(double seconds) {
    return static_cast<std::uint64_t>(seconds * 50);
  }

 private:
  void run() {
    while (running_) {
      try {
        const double heap = metric_sum(server_.metrics(), "hangar_heap_metered_bytes");
        if (heap > max_heap_) max_heap_ = heap;
        if (heap >= static_cast<double>(guard_limit) && first_over_limit_ms_ == 0)
          first_over_limit_ms_ = wall_ms();
        ++samples_;
      } catch (const std::exception&) {
        ++failures_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  const HangarServer& server_;
  std::atomic<bool> running_{true};
  std::atomic<double> max_heap_{0};
  std::atomic<std::uint64_t> samples_{0};
  std::atomic<std::uint64_t> failures_{0};
  std::atomic<std::int64_t> first_over_limit_ms_{0};
  std::thread thread_;
};

struct GuardedFleet {
  sim::Simulator sim;
  HoldingProxy proxy{sim.port()};
  TempDir dir;
  HangarServer server{
      dir,
      sim.base_url(),
      {"--memory-limit", "12MiB", "--chat-idle-timeout", "10m", "--chat-memory-budget", "64MiB"}};
  Written written;

  // Adds a bot; `held` ones reach the simulator through the proxy.
  std::string add(int index, const std::string& name, const std::string& behavior, bool held) {
    const std::string token = test_token(index);
    std::vector<std::string> args{"bot",    "add", "--token",    token,
                                  "--name", name,  "--behavior", behavior};
    if (held) {
      args.push_back("--api-url");
      args.push_back(proxy.url());
    }
    RunResult result = server.run_cli(args);
    if (result.status.code != 0)
      throw std::runtime_error("bot add " + name + " failed: " + result.err);
    return token;
  }

  void start(const std::vector<std::string>& tokens) {
    server.start();
    for (const auto& token : tokens)
      if (!wait_for_polls(sim, token, 1, std::chrono::seconds(15)))
        throw std::runtime_error("a bot never polled; serve log:\n" + log_tail(server));
  }

  // Chats `first`, `first + 1`, ... write one message each, `gap` apart; true once all of
  // `token`'s messages are answered (within 30 s).
  bool fill_idle_chats(const std::string& token, std::int64_t first, int count,
                       std::chrono::milliseconds gap, const std::string& prefix = "once-") {
    for (int i = 0; i < count; ++i) {
      write_message(sim, written, token, first + i, prefix + std::to_string(i));
      std::this_thread::sleep_for(gap);
    }
    return answered(token);
  }

  bool answered(const std::string& token) const {
    return wait_until([&] { return written.unanswered(sim, token) == 0; }, std::chrono::seconds(30),
                      std::chrono::milliseconds(100));
  }

  // The events of every bot, newest first.
  nlohmann::json events() const { return server.api_get("/api/events?limit=1000"); }
};

inline std::vector<nlohmann::json> memory_limit_restarts(const nlohmann::json& events) {
  return events_where(events, {{"kind", "restart"}, {"reason", "memory_limit"}});
}

}  // namespace hangar::test
