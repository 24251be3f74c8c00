#pragma once
// Every bot the simulator knows, by token, and the fault switches that apply to them all. A
// bot appears when its token is first used (a Bot API call, an injection or a fault switch)
// and stays until reset(). The map has its own mutex; each bot locks itself.
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/bot_state.hpp"
#include "sim/simulator.hpp"

namespace hangar::sim {

class SimState {
 public:
  explicit SimState(const SimOptions& options);
  ~SimState();

  // The bot for a well-formed token, created on first use; nullptr for a malformed token or
  // when max_bots are known already.
  std::shared_ptr<BotState> bot(const std::string& token);
  std::shared_ptr<BotState> existing_bot(const std::string& token) const;

  // Simulator's user-facing operations; see simulator.hpp.
  std::optional<std::int64_t> inject_message(const std::string& token, std::int64_t chat_id,
                                             const std::string& text);
  std::optional<std::int64_t> inject_group_message(const std::string& token, std::int64_t chat_id,
                                                   std::int64_t from_id, const std::string& text);
  std::optional<std::int64_t> inject_callback(const std::string& token, std::int64_t chat_id,
                                              const std::string& data);
  std::vector<SentMessage> sent(const std::string& token,
                                std::optional<std::int64_t> chat_id) const;
  BotCounters counters(const std::string& token) const;
  std::vector<CallRecord> calls(const std::string& token) const;

  // The bot's own switches when it has any, else those set for every bot.
  Faults faults_for(const BotState& bot) const;
  void set_faults(const std::string& token, Faults faults);  // empty token: every bot
  bool restart_update_ids(const std::string& token, std::int64_t next_update_id);

  FloodLimits flood_limits() const;
  void set_flood_limits(const FloodLimits& limits);
  // The limits a send must pass; nullopt while they are off, without taking the mutex.
  std::optional<FloodLimits> flood_limits_in_force() const;

  std::vector<std::string> tokens_seen() const;  // bots that made at least one Bot API call
  void reset();

 private:
  const SimOptions options_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<BotState>> bots_;
  Faults every_bot_faults_;
  FloodLimits flood_limits_;
  std::atomic<bool> flood_enabled_;
};

}  // namespace hangar::sim
