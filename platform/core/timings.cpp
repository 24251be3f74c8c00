#include "platform/core/timings.hpp"

#include "platform/core/units.hpp"

namespace hangar {

const std::vector<TimingSetting>& timing_settings() {
  static const std::vector<TimingSetting> settings = {
      {"poll_timeout", &Timings::poll_timeout, "getUpdates long-poll timeout (whole seconds)"},
      {"poll_margin", &Timings::poll_margin, "a poll's request timeout beyond poll_timeout"},
      {"min_empty_poll_interval", &Timings::min_empty_poll_interval,
       "least time between two empty polls"},
      {"call_timeout", &Timings::call_timeout, "one Bot API call"},
      {"api_backoff_first", &Timings::api_backoff_first,
       "first wait after a failed start-up step or poll (doubles)"},
      {"api_backoff_max", &Timings::api_backoff_max, "longest such wait"},
      {"outbox_retry_first", &Timings::outbox_retry_first,
       "first wait before a failed send is retried (doubles)"},
      {"outbox_retry_max", &Timings::outbox_retry_max, "longest such wait"},
      {"retry_after_max", &Timings::retry_after_max,
       "longest wait a Bot API 429 (retry_after) imposes on polling or sends"},
      {"inbox_recheck", &Timings::inbox_recheck, "how often a full inbox is counted again"},
      {"storage_retry", &Timings::storage_retry,
       "first wait before a chat's failed storage job is tried again (doubles, up to 32x)"},
      {"drain_timeout", &Timings::drain_timeout,
       "on SIGINT or SIGTERM, how long the chats may finish the update in hand"},
      {"storage_busy_timeout", &Timings::storage_busy_timeout,
       "how long SQLite waits for another connection's write lock before a job fails"},
      {"bad_response_log_interval", &Timings::bad_response_log_interval,
       "least time between two log lines about unreadable Bot API replies"},
      {"config_poll_interval", &Timings::config_poll_interval,
       "how often serve looks for bot changes"},
      {"budget_watch_interval", &Timings::budget_watch_interval,
       "how often memory budgets and --memory-limit are checked"},
      {"chat_budget_window", &Timings::chat_budget_window,
       "a chat stopped 3 times within it for its budget dead-letters its update"},
  };
  return settings;
}

std::string apply_timing(Timings& timings, std::string_view assignment) {
  const auto equals = assignment.find('=');
  if (equals == std::string_view::npos) return "expected NAME=DURATION";
  const auto name = assignment.substr(0, equals);
  const auto value = assignment.substr(equals + 1);
  for (const auto& setting : timing_settings()) {
    if (name != setting.name) continue;
    const auto duration = parse_duration(value);
    if (!duration) return "\"" + std::string(value) + "\" is not a duration (use 250ms, 2s, 10m)";
    if (duration->count() == 0 && setting.field != &Timings::poll_timeout)
      return std::string(name) + " must be more than 0";
    timings.*setting.field = *duration;
    return "";
  }
  std::string known;
  for (const auto& setting : timing_settings())
    known += (known.empty() ? "" : ", ") + std::string(setting.name);
  return "unknown timing \"" + std::string(name) + "\" (known: " + known + ")";
}

}  // namespace hangar
