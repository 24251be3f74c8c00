#pragma once
// Shared steps for the memory-budget tests (issue 3): reading /api/events, telling budget-stop
// timestamps apart, sampling a bot's live bytes while traffic runs, and checking that every
// message a test wrote got at least one reply. Header-only so it adds nothing to the support
// library the other tests link.
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/simulator.hpp"
#include "tests/support/hangar_server.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/sim_helpers.hpp"
#include "tests/support/wait_until.hpp"

namespace hangar::test {

// "2026-12-01T03:14:15.123Z" -> milliseconds since the epoch. Throws on anything else, so a
// malformed crossed_at/stopped_at fails the test that reads it.
inline std::int64_t parse_rfc3339_ms(const std::string& text) {
  struct tm parts {};
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, millis = 0;
  char zone = 0;
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3d%c%n", &year, &month, &day, &hour,
                  &minute, &second, &millis, &zone, &consumed) != 8 ||
      zone != 'Z' || static_cast<std::size_t>(consumed) != text.size() || text.size() != 24)
    throw std::runtime_error("not an RFC 3339 UTC time with milliseconds: \"" + text + "\"");
  parts.tm_year = year - 1900;
  parts.tm_mon = month - 1;
  parts.tm_mday = day;
  parts.tm_hour = hour;
  parts.tm_min = minute;
  parts.tm_sec = second;
  return static_cast<std::int64_t>(timegm(&parts)) * 1000 + millis;
}

// Milliseconds since the epoch -> "2026-12-01T03:14:15.123Z"; "never" for 0.
inline std::string format_ms(std::int64_t ms) {
  if (ms == 0) return "never";
  const time_t seconds = static_cast<time_t>(ms / 1000);
  struct tm parts {};
  gmtime_r(&seconds, &parts);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900,
                parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec,
                static_cast<int>(ms % 1000));
  return text;
}

// /api/events for one bot (name) and, optionally, one kind; newest first, up to 1000.
inline nlohmann::json bot_events(const HangarServer& server, const std::string& bot,
                                 const std::string& kind = "") {
  std::string target = "/api/events?limit=1000&bot=" + bot;
  if (!kind.empty()) target += "&kind=" + kind;
  return server.api_get(target);
}

// bot_events(server, bot, kind) once it is not empty, or after `timeout` whatever it holds
// (events are written by the storage thread, a moment after what they record).
inline nlohmann::json await_bot_events(const HangarServer& server, const std::string& bot,
                                       const std::string& kind, std::chrono::milliseconds timeout) {
  nlohmann::json events;
  wait_until(
      [&] {
        events = bot_events(server, bot, kind);
        return !events.empty();
      },
      timeout);
  return events;
}

// The events of `events` whose fields match every entry of `match` (json equality).
inline std::vector<nlohmann::json> events_where(const nlohmann::json& events,
                                                const nlohmann::json& match) {
  std::vector<nlohmann::json> found;
  for (const auto& event : events) {
    bool all = true;
    for (auto it = match.begin(); it != match.end(); ++it)
      all = all && event.contains(it.key()) && event[it.key()] == it.value();
    if (all) found.push_back(event);
  }
  return found;
}

// stopped_at - crossed_at of a budget or memory stop, in ms; throws when either is missing.
inline std::int64_t stop_gap_ms(const nlohmann::json& event) {
  if (!event.contains("crossed_at") || !event["crossed_at"].is_string() ||
      !event.contains("stopped_at") || !event["stopped_at"].is_string())
    throw std::runtime_error("event without crossed_at/stopped_at: " + event.dump());
  return parse_rfc3339_ms(event["stopped_at"].get<std::string>()) -
         parse_rfc3339_ms(event["crossed_at"].get<std::string>());
}

// A compact, one-line-per-event rendering for INFO/UNSCOPED_INFO in failure reports.
inline std::string describe_events(const nlohmann::json& events, std::size_t at_most = 40) {
  std::ostringstream out;
  std::size_t shown = 0;
  for (const auto& event : events) {
    if (shown++ == at_most) {
      out << "  ... " << (events.size() - at_most) << " more\n";
      break;
    }
    out << "  #" << event.value("id", 0) << " " << event.value("at", "") << " "
        << event.value("kind", "") << "/" << event.value("reason", "")
        << " chat=" << event["chat"].dump() << " live=" << event["live_bytes"].dump()
        << " budget=" << event["budget"].dump() << " crossed=" << event["crossed_at"].dump()
        << " stopped=" << event["stopped_at"].dump() << " \"" << event.value("detail", "")
        << "\"\n";
  }
  return out.str();
}

// Reads GET /api/bots/{id} every `interval` on a thread of its own (one keep-alive connection)
// and keeps the largest live_bytes seen, the states seen, and how regular the sampling was.
class BotSampler {
 public:
  BotSampler(std::uint16_t port, std::int64_t bot_id,
             std::chrono::milliseconds interval = std::chrono::milliseconds(10))
      : port_(port), bot_id_(bot_id), interval_(interval), thread_([this] { run(); }) {}
  ~BotSampler() { stop(); }

  void stop() {
    running_ = false;
    if (thread_.joinable()) thread_.join();
  }
  std::uint64_t max_live_bytes() const { return max_live_bytes_; }
  std::uint64_t samples() const { return samples_; }
  std::uint64_t failures() const { return failures_; }
  // The longest time between two successful samples, in ms.
  std::int64_t max_gap_ms() const { return max_gap_ms_; }
  std::set<std::string> states() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return states_;
  }
  bool saw_state(const std::string& state) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return states_.count(state) > 0;
  }

 private:
  void run() {
    using Clock = std::chrono::steady_clock;
    const HttpHeaders headers{{"Authorization", "Bearer " + test_admin_token}};
    const std::string target = "/api/bots/" + std::to_string(bot_id_);
    std::unique_ptr<HttpTestClient> client;
    std::optional<Clock::time_point> last_sample;
    auto next = Clock::now();
    while (running_) {
      try {
        if (!client) client = std::make_unique<HttpTestClient>("127.0.0.1", port_);
        auto response = client->get(target, headers);
        if (response.status != 200) throw std::runtime_error("status");
        auto bot = nlohmann::json::parse(response.body);
        const auto now = Clock::now();
        const auto live = bot.at("live_bytes").get<std::uint64_t>();
        max_live_bytes_ = std::max<std::uint64_t>(max_live_bytes_, live);
        {
          std::lock_guard<std::mutex> lock(mutex_);
          states_.insert(bot.value("state", "?"));
        }
        if (last_sample)
          max_gap_ms_ = std::max<std::int64_t>(
              max_gap_ms_,
              std::chrono::duration_cast<std::chrono::milliseconds>(now - *last_sample).count());
        last_sample = now;
        ++samples_;
      } catch (const std::exception&) {
        ++failures_;
        client.reset();
      }
      next += interval_;
      const auto now = Clock::now();
      if (next < now) next = now;  // behind: sample at once, do not burst to catch up
      std::this_thread::sleep_until(next);
    }
  }

  std::uint16_t port_;
  std::int64_t bot_id_;
  std::chrono::milliseconds interval_;
  std::atomic<bool> running_{true};
  std::atomic<std::uint64_t> max_live_bytes_{0};
  std::atomic<std::uint64_t> samples_{0};
  std::atomic<std::uint64_t> failures_{0};
  std::atomic<std::int64_t> max_gap_ms_{0};
  mutable std::mutex mutex_;
  std::set<std::string> states_;
  std::thread thread_;
};

// What a test wrote: per token and chat, the texts in the order they were injected. Texts are
// unique per test, so a reply names the message it answers.
class Written {
 public:
  void add(const std::string& token, std::int64_t chat, const std::string& text) {
    std::lock_guard<std::mutex> lock(mutex_);
    texts_[token][chat].push_back(text);
  }
  std::size_t count(const std::string& token) const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::size_t n = 0;
    auto it = texts_.find(token);
    if (it != texts_.end())
      for (const auto& [chat, texts] : it->second) n += texts.size();
    return n;
  }
  std::map<std::int64_t, std::vector<std::string>> chats(const std::string& token) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = texts_.find(token);
    return it == texts_.end() ? std::map<std::int64_t, std::vector<std::string>>{} : it->second;
  }

  // Messages of `token` with no reply yet (sendMessage with the same text to the same chat),
  // up to `sample` of them named in `examples`.
  std::size_t unanswered(const sim::Simulator& sim, const std::string& token,
                         std::vector<std::string>* examples = nullptr,
                         std::size_t sample = 5) const {
    std::size_t missing = 0;
    std::map<std::int64_t, std::set<std::string>> replies;
    for (const auto& message : sim.sent(token))
      if (message.method == "sendMessage") replies[message.chat_id].insert(message.text);
    for (const auto& [chat, texts] : chats(token))
      for (const auto& text : texts)
        if (!replies[chat].count(text)) {
          ++missing;
          if (examples && examples->size() < sample)
            examples->push_back("chat " + std::to_string(chat) + " \"" + text + "\"");
        }
    return missing;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::map<std::int64_t, std::vector<std::string>>> texts_;
};

// Injects and records.
inline void write_message(sim::Simulator& sim, Written& written, const std::string& token,
                          std::int64_t chat, const std::string& text) {
  inject(sim, token, chat, text);
  written.add(token, chat, text);
}

// The id of the bot called `name` in /api/bots; throws when there is none.
inline std::int64_t bot_id(const HangarServer& server, const std::string& name) {
  auto bot = server.bot(name);
  if (bot.is_null()) throw std::runtime_error("no bot called " + name + " in /api/bots");
  return bot.at("id").get<std::int64_t>();
}

// The last `lines` lines of serve's stderr, for failure messages.
inline std::string log_tail(const HangarServer& server, std::size_t lines = 60) {
  const std::string log = server.log();
  std::size_t start = log.size();
  for (std::size_t n = 0; n <= lines; ++n) {
    if (start == 0) return log;
    const auto newline = log.rfind('\n', start - 1);
    if (newline == std::string::npos) return log;
    start = newline;
  }
  return log.substr(start + 1);
}

}  // namespace hangar::test
