#pragma once
// Live figures of every bot and active chat, written by the actors and their sessions with
// atomics and read by the HTTP server and /metrics without asking any actor.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/botapi/call_observer.hpp"
#include "platform/botapi/call_result.hpp"
#include "platform/memory/memory_meter.hpp"

namespace hangar {

enum class BotState { starting, running, backoff, conflict, unauthorized, quarantined, stopped };
constexpr int bot_state_count = 7;
std::string_view to_string(BotState state);

// The Bot API methods counted one by one in hangar_api_requests_total; the rest are "other".
enum class ApiMethod {
  getMe,
  getUpdates,
  deleteWebhook,
  sendMessage,
  answerCallbackQuery,
  editMessageText,
  other
};
constexpr int api_method_count = 7;
ApiMethod api_method_from(std::string_view method);
std::string_view to_string(ApiMethod method);

// Why a bot actor was restarted, as hangar_restarts_total's `reason` label names it.
enum class RestartReason { budget, crash, config };
constexpr int restart_reason_count = 3;
std::string_view to_string(RestartReason reason);

struct ChatStatus {
  ChatStatus(std::int64_t chat_id, std::shared_ptr<const MemoryMeter> meter)
      : chat_id(chat_id), meter(std::move(meter)) {}
  const std::int64_t chat_id;
  const std::shared_ptr<const MemoryMeter> meter;  // the chat actor's; null: unmetered
  std::atomic<std::int64_t> last_active_ms{0};     // since the epoch
  std::atomic<std::uint32_t> restarts{0};          // of this chat's actor while its bot runs
  std::atomic<bool> busy{false};  // an update in hand or waiting: the memory guard leaves it

  std::uint64_t live_bytes() const { return meter ? meter->total_bytes() : 0; }
  std::uint64_t memory_budget() const { return meter ? meter->budget() : 0; }
};

// A bot's figures; as its session's CallObserver it counts every Bot API call by method and
// outcome.
class BotStatus final : public botapi::CallObserver {
 public:
  BotStatus(std::int64_t id, std::string name);

  const std::int64_t id;
  // Written through set_state, which keeps the reason and the next try with it; read freely.
  std::atomic<BotState> state{BotState::starting};
  std::atomic<std::uint64_t> updates_received{0};
  std::atomic<std::uint64_t> updates_handled{0};  // since the bot was added (seeded from SQLite)
  std::atomic<std::uint64_t> restarts{0};         // since the bot was added (seeded from SQLite)

  // The meter of the bot actor now running (or last run): its bytes with its chats', and its
  // budget. Replaced at each start.
  void set_meter(std::shared_ptr<const MemoryMeter> meter);
  std::uint64_t live_bytes() const;
  std::uint64_t memory_budget() const;  // 0: not started yet

  void count_restart(RestartReason reason);  // both counters
  std::uint64_t restarts_since_start(RestartReason reason) const;

  std::string name() const;
  void set_name(std::string name);
  std::string username() const;
  void set_username(std::string username);
  std::optional<std::string> last_error() const;
  void set_last_error(std::optional<std::string> error);

  // The state, why it is that (one word such as `network`, `webhook` or `token_rejected`; none
  // for starting and running), and when the bot tries again (ms since the epoch; none when it
  // does not wait for a time). Set and read together, so a reader never mixes two of them.
  struct StateReport {
    BotState state = BotState::starting;
    std::optional<std::string> reason;
    std::optional<std::int64_t> next_try_ms;
  };
  void set_state(BotState state, std::optional<std::string> reason = std::nullopt,
                 std::optional<std::int64_t> next_try_ms = std::nullopt);
  StateReport state_report() const;

  void count_api_request(ApiMethod method, botapi::Outcome outcome);
  void on_call_finished(std::string_view method, botapi::Outcome outcome) noexcept override {
    count_api_request(api_method_from(method), outcome);
  }
  std::uint64_t api_requests(ApiMethod method, botapi::Outcome outcome) const;

  // Active chat actors register here while they live.
  std::shared_ptr<ChatStatus> add_chat(std::int64_t chat_id,
                                       std::shared_ptr<const MemoryMeter> meter = nullptr);
  void remove_chat(std::int64_t chat_id);
  std::size_t chat_count() const;
  std::vector<std::shared_ptr<const ChatStatus>> chats() const;

 private:
  mutable std::mutex mutex_;  // guards the strings, the state's reason, the meter and the chats
  std::string name_;
  std::string username_;
  std::optional<std::string> last_error_;
  std::optional<std::string> state_reason_;
  std::optional<std::int64_t> next_try_ms_;
  std::shared_ptr<const MemoryMeter> meter_;
  std::map<std::int64_t, std::shared_ptr<ChatStatus>> chats_;
  std::array<std::atomic<std::uint64_t>, api_method_count * botapi::outcome_count> api_requests_{};
  std::array<std::atomic<std::uint64_t>, restart_reason_count> restarts_by_reason_{};
};

class FleetStatus {
 public:
  // The status of bot `id`, created on first use; a later call renames it.
  std::shared_ptr<BotStatus> ensure(std::int64_t id, const std::string& name);
  void remove(std::int64_t id);
  std::shared_ptr<BotStatus> find(std::int64_t id) const;
  std::vector<std::shared_ptr<const BotStatus>> bots() const;  // ordered by id

 private:
  mutable std::mutex mutex_;
  std::map<std::int64_t, std::shared_ptr<BotStatus>> bots_;
};

}  // namespace hangar
