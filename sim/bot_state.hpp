#pragma once
// One simulated bot: its queue of undelivered updates, the getUpdates request parked on it,
// the log of what it sent, its counters and its own fault switches. Thread-safe: every member
// function takes the bot's own mutex, so bots never contend with each other.
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "sim/flood_limiter.hpp"
#include "sim/simulator.hpp"

namespace hangar::sim {

// How a getUpdates ends: with a JSON array of updates (maybe "[]"), or displaced by a newer
// getUpdates of the same bot (nullopt), which Telegram answers with 409 Conflict.
using PollAnswer = std::function<void(std::optional<std::string> updates)>;

struct PollRequest {
  std::int64_t offset = 0;
  std::size_t limit = 100;
  std::chrono::milliseconds wait{0};  // zero: answer at once
  PollAnswer answer;
};

class BotState : public std::enable_shared_from_this<BotState> {
 public:
  BotState(std::int64_t bot_id, const SimOptions& options);
  ~BotState();

  std::int64_t bot_id() const { return bot_id_; }

  // Confirms the updates below the offset, then answers with what is pending, or parks the
  // request until an update arrives or `wait` passes. Timers run on `timers`.
  void poll(PollRequest request, const boost::asio::any_io_executor& timers);
  // Makes an update with the next update_id and message_id (the serializer gets both);
  // nullopt when the queue is full.
  std::optional<std::int64_t> inject(
      const std::function<std::string(std::int64_t update_id, std::int64_t message_id)>&
          make_update);
  // The next update gets `next_update_id` (1 to 2^63 - 2); false when it is out of range.
  bool restart_update_ids(std::int64_t next_update_id);
  // Answers a parked getUpdates with an empty list, e.g. before the simulator forgets the bot.
  void release_parked_poll();

  std::int64_t next_message_id();
  void record_sent(SentMessage message);
  std::vector<SentMessage> sent(std::optional<std::int64_t> chat_id) const;

  // Counts a Bot API request and logs its method and arrival; returns its number (1 for the
  // bot's first call).
  std::uint64_t count_call(bool new_connection, std::string_view method, bool get_updates);
  // Flood control for a sendMessage or editMessageText to `chat_id`: nullopt when accepted, or
  // the retry_after seconds of its refusal, which is counted and marked in call `call_number`'s
  // record.
  std::optional<int> admit_send(std::int64_t chat_id, const FloodLimits& limits,
                                std::uint64_t call_number);
  BotCounters counters() const;
  std::vector<CallRecord> calls() const;

  // The URL setWebhook set; empty when there is none. While there is one, getUpdates is refused.
  std::string webhook() const;
  void set_webhook(std::string url);

  std::optional<Faults> faults() const;
  void set_faults(Faults faults);

 private:
  struct ParkedPoll {
    std::uint64_t ticket = 0;
    std::size_t limit = 0;
    PollAnswer answer;
    std::unique_ptr<boost::asio::steady_timer> timer;
  };

  void confirm_below(std::int64_t offset);
  std::string batch(std::size_t limit) const;
  void on_poll_timeout(std::uint64_t ticket);
  static void finish(std::optional<ParkedPoll> parked, std::optional<std::string> updates);

  const std::int64_t bot_id_;
  const std::size_t max_pending_updates_;
  const std::size_t max_sent_;
  const std::size_t max_calls_logged_;

  mutable std::mutex mutex_;
  struct PendingUpdate {
    std::int64_t update_id;
    std::string json;
  };
  std::deque<PendingUpdate> pending_;
  std::optional<ParkedPoll> parked_;
  std::uint64_t last_ticket_ = 0;
  std::int64_t last_update_id_ = 0;
  std::int64_t last_message_id_ = 0;
  std::deque<SentMessage> sent_;
  BotCounters counters_;
  std::deque<CallRecord> calls_;
  std::string webhook_;
  std::optional<Faults> faults_;
  FloodLimiter flood_;
};

}  // namespace hangar::sim
