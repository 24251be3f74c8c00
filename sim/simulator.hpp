#pragma once
// A Telegram Bot API server for any well-formed token, for tests, the demo and benchmarks.
// Bot API: getMe, getUpdates (real long poll: offset confirmation, timeout, limit),
// sendMessage, answerCallbackQuery, editMessageText, and setWebhook, deleteWebhook and
// getWebhookInfo (a webhook blocks getUpdates, as Telegram's does), at /bot<token>/<method>.
// Control API under /control/ (documented in the README) lets a test act as users.
// Everything here is also callable in-process.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/flood_limits.hpp"

namespace hangar::sim {

struct SimOptions {
  std::string listen = "127.0.0.1:0";
  std::optional<std::string> tls_cert;  // PEM files; both set: serve HTTPS
  std::optional<std::string> tls_key;
  unsigned threads = 1;
  std::size_t max_pending_updates_per_bot = 100000;  // injections past it are refused
  std::size_t max_sent_per_bot = 1000000;            // the oldest sent records go first
  std::size_t max_bots = 100000;  // Bot API calls of further tokens get 429 Too Many Requests
  std::size_t max_calls_logged_per_bot = 10000;  // the oldest call records go first
  FloodLimits flood_limits;                      // off unless enabled
};

// What a bot sent through sendMessage or editMessageText, in arrival order.
struct SentMessage {
  std::string method;  // "sendMessage", "editMessageText", "answerCallbackQuery"
  std::int64_t chat_id = 0;
  std::int64_t message_id = 0;
  std::string text;
  std::int64_t at_us = 0;  // steady clock, microseconds
};

// A Bot API request as it arrived, before any fault answered it.
struct CallRecord {
  std::string method;          // as the client spelled it
  std::int64_t at_us = 0;      // steady clock, microseconds
  bool flood_refused = false;  // answered 429 by the flood limits
};

// Switches that make the simulator misbehave for one token (or all, with an empty token).
struct Faults {
  bool instant_get_updates = false;  // answer getUpdates at once, never long-poll
  bool non_json = false;             // reply to every Bot API call with a non-JSON body
  bool revoked = false;              // 401 Unauthorized for every call
  // Answer getUpdates with an update whose message nests a million arrays deep: valid JSON that
  // a naive client overflows its stack on when it copies or prints it.
  bool deeply_nested = false;
  bool not_found = false;     // 404 Not Found for every call, as for a token whose bot was deleted
  bool server_error = false;  // 500 Internal Server Error for every call
  // getUpdates answers 409 "terminated by other getUpdates request", as when another process
  // polls the same token.
  bool other_poller = false;
};

struct BotCounters {
  std::size_t connections = 0;  // TCP connections whose first request named this token
  std::uint64_t get_updates = 0;
  std::uint64_t calls = 0;  // every Bot API request
  std::uint64_t sent = 0;
  std::size_t pending = 0;          // updates not confirmed yet (by an offset past them)
  std::uint64_t flood_refused = 0;  // sends answered 429 by the flood limits
};

class Simulator {
 public:
  explicit Simulator(SimOptions options = {});  // starts serving; throws on bind failure
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  std::uint16_t port() const;
  std::string base_url() const;  // "http://127.0.0.1:PORT" or "https://localhost:PORT"

  // Acting as users. Returns the new update_id, or nullopt when the bot's queue is full.
  std::optional<std::int64_t> inject_message(const std::string& token, std::int64_t chat_id,
                                             const std::string& text);
  std::optional<std::int64_t> inject_callback(const std::string& token, std::int64_t chat_id,
                                              const std::string& data);
  // A user's message in a group: `chat_id` < 0 (a "supergroup" from -10^12 down, Telegram's
  // -100... ids, a "group" above), `from_id` > 0. Nullopt for other ids or a full queue.
  std::optional<std::int64_t> inject_group_message(const std::string& token, std::int64_t chat_id,
                                                   std::int64_t from_id, const std::string& text);

  std::vector<SentMessage> sent(const std::string& token) const;
  std::vector<SentMessage> sent(const std::string& token, std::int64_t chat_id) const;
  BotCounters counters(const std::string& token) const;
  std::vector<CallRecord> calls(const std::string& token) const;  // oldest first
  std::vector<std::string> tokens_seen() const;  // every token that called the Bot API

  void set_faults(const std::string& token, Faults faults);  // empty token: every bot
  void set_flood_limits(const FloodLimits& limits);          // for every bot, from the next send
  FloodLimits flood_limits() const;
  // As Telegram does after a bot had no updates for a week: the bot's next update gets
  // `next_update_id` (from 1 to 2^63 - 2), usually below the offset its client confirmed.
  // False for a malformed token or an id out of range.
  bool restart_update_ids(const std::string& token, std::int64_t next_update_id);
  // Forgets every bot, update, record and fault; the flood limits return to SimOptions'.
  void reset();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Drives messages into every bot that has polled: `chats` chats per bot, `rate` messages per
// second in all, until stopped. Used by `hangar demo`, `hangar sim --traffic` and benchmarks.
struct TrafficOptions {
  std::size_t chats_per_bot = 10;
  double messages_per_second = 10;
  std::int64_t first_chat_id = 1000;
  std::size_t groups_per_bot = 0;  // groups -first_chat_id, -first_chat_id - 1, ...
};

class TrafficGenerator {
 public:
  TrafficGenerator(Simulator& simulator, TrafficOptions options);  // starts its own thread
  ~TrafficGenerator();                                             // stops it
  std::uint64_t injected() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hangar::sim
