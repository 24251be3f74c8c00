#pragma once
// Everything `serve` (and `demo`) runs with: the common flags of the README after flag >
// environment variable > default, the timings that --tuning changes, and the documented
// bounds (platform/core/bounds.hpp).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "platform/core/bounds.hpp"

namespace hangar {

struct RestartIntensity {
  unsigned restarts = 5;
  std::chrono::milliseconds period{60000};
};

// The engine's timings. Each is a documented setting (the README's "Timings"), changed with
// `--tuning NAME=DURATION` (platform/core/timings.hpp names them), so that tests run them at
// millisecond scale instead of waiting for real seconds.
struct Timings {
  using ms = std::chrono::milliseconds;
  ms poll_timeout{50000};               // getUpdates long poll; whole seconds on the wire
  ms poll_margin{10000};                // a poll's request timeout on top of poll_timeout
  ms min_empty_poll_interval{1000};     // between two empty polls: no spin against instant answers
  ms call_timeout{30000};               // one Bot API call: connect, write and read
  ms api_backoff_first{1000};           // after a failed start-up step or poll, doubling...
  ms api_backoff_max{60000};            // ...up to this
  ms outbox_retry_first{500};           // a transient failure of a send, doubling...
  ms outbox_retry_max{30000};           // ...up to this (or the server's retry_after)
  ms inbox_recheck{500};                // how often a bot with a full inbox looks again
  ms storage_retry{1000};               // after a failed storage job of a chat, doubling to 32x
  ms storage_busy_timeout{5000};        // a storage job waits this long for another's write lock
  ms drain_timeout{10000};              // SIGTERM: how long chats may finish what they hold
  ms retry_after_max{3600000};          // a Bot API retry_after longer than this is cut to it
  ms bad_response_log_interval{60000};  // a broken Bot API's replies are logged this seldom
  ms config_poll_interval{500};         // how often serve looks for bot changes in SQLite
  ms budget_watch_interval{10};         // how often the supervisor looks at budgets and the guard
  ms chat_budget_window{60000};         // 3 budget stops of one chat within it dead-letter
};

// Telegram's flood limits, which a bot's outbox keeps (actors/outbox/flood_gate.hpp): at most
// `count` messages in any `period`.
struct RateLimit {
  unsigned count = 1;
  std::chrono::milliseconds period{1000};
};

struct FloodLimits {
  bool enabled = true;  // `--flood-limits off`: no windows, only the Bot API's own 429s pause
  RateLimit per_bot{30, std::chrono::milliseconds(1000)};
  RateLimit per_chat{3, std::chrono::milliseconds(3000)};     // about 1/s, with short bursts
  RateLimit per_group{20, std::chrono::milliseconds(60000)};  // negative chat ids
};

// serve's proxy variables, read as curl reads them (lower case first); "" when unset. Which one
// a bot uses is platform/botapi/proxy_choice.hpp's job.
struct ProxyEnvironment {
  std::string https_proxy;  // https_proxy or HTTPS_PROXY: for https:// Bot APIs
  std::string http_proxy;   // http_proxy (lower case only, as in curl): for http:// ones
  std::string all_proxy;    // all_proxy or ALL_PROXY: for either, when the one above is unset
  std::string no_proxy;     // no_proxy or NO_PROXY: hosts reached directly
};

struct Settings {
  std::string db_path = "hangar.db";
  std::string listen = "127.0.0.1:8080";
  std::string api_url = "https://api.telegram.org";
  std::optional<std::string> admin_token;
  std::optional<std::string> metrics_token;
  std::chrono::milliseconds chat_idle_timeout{10 * 60 * 1000};
  std::uint64_t bot_memory_budget = 64ull << 20;
  std::uint64_t chat_memory_budget = 1ull << 20;
  std::optional<std::uint64_t> memory_limit;
  RestartIntensity restart_intensity;
  unsigned quarantine_after = 3;
  std::size_t events_per_bot = bounds::events_per_bot;
  std::optional<std::string> ca_file;
  ProxyEnvironment proxies;  // for bots that name no proxy of their own
  std::string log_level = "info";
  FloodLimits flood_limits;
  Timings timings;

  // Bounds, documented in the README.
  unsigned poll_limit = bounds::updates_per_poll;
  std::size_t inbox_limit = bounds::inbox_updates_per_bot;
  std::size_t max_response_bytes = bounds::response_body_bytes;
  std::size_t open_calls_per_bot = bounds::open_calls_per_bot;
  std::uint64_t sqlite_heap_limit = bounds::sqlite_heap_bytes;
};

}  // namespace hangar
