#pragma once
// Everything `serve` (and `demo`) runs with: the common flags of CONTRACT.md after flag >
// environment variable > default, plus the documented internal bounds.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace hangar {

struct RestartIntensity {
  unsigned restarts = 5;
  std::chrono::milliseconds period{60000};
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
  std::size_t events_per_bot = 10000;  // newest events kept per bot (not in CONTRACT.md)
  std::optional<std::string> ca_file;
  std::string log_level = "info";

  // Internal bounds, documented in the README.
  std::chrono::seconds poll_timeout{50};              // getUpdates long-poll timeout
  unsigned poll_limit = 100;                          // getUpdates limit
  std::chrono::milliseconds min_empty_poll_interval{1000};  // no spin against instant replies
  std::size_t inbox_limit = 10000;                    // per bot; polling pauses while full
  std::size_t max_response_bytes = 8u << 20;          // Bot API response body cap
  std::chrono::milliseconds config_poll_interval{500};  // how often serve looks for bot changes
  std::uint64_t sqlite_heap_limit = 64ull << 20;      // SQLite's own heap, which no meter sees
};

}  // namespace hangar
