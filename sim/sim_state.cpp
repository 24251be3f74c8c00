#include "sim/sim_state.hpp"

#include <algorithm>
#include <charconv>

#include "platform/core/token.hpp"
#include "sim/telegram_json.hpp"

namespace hangar::sim {

namespace {

std::int64_t bot_id_of(const std::string& token) {
  std::int64_t id = 0;
  std::from_chars(token.data(), token.data() + token.find(':'), id);
  return id;
}

}  // namespace

SimState::SimState(const SimOptions& options)
    : options_(options),
      flood_limits_(options.flood_limits),
      flood_enabled_(options.flood_limits.enabled) {}

SimState::~SimState() {
  reset();
}

std::shared_ptr<BotState> SimState::bot(const std::string& token) {
  if (!is_valid_token(token)) return nullptr;
  std::lock_guard lock(mutex_);
  if (auto found = bots_.find(token); found != bots_.end()) return found->second;
  if (bots_.size() >= options_.max_bots) return nullptr;
  auto created = std::make_shared<BotState>(bot_id_of(token), options_);
  bots_.emplace(token, created);
  return created;
}

std::shared_ptr<BotState> SimState::existing_bot(const std::string& token) const {
  std::lock_guard lock(mutex_);
  const auto found = bots_.find(token);
  return found == bots_.end() ? nullptr : found->second;
}

std::optional<std::int64_t> SimState::inject_message(const std::string& token, std::int64_t chat_id,
                                                     const std::string& text) {
  auto found = bot(token);
  if (!found) return std::nullopt;
  return found->inject([&](std::int64_t update_id, std::int64_t message_id) {
    return message_update(update_id, message_id, chat_id, chat_id, text);
  });
}

std::optional<std::int64_t> SimState::inject_group_message(const std::string& token,
                                                           std::int64_t chat_id,
                                                           std::int64_t from_id,
                                                           const std::string& text) {
  if (chat_id >= 0 || from_id <= 0) return std::nullopt;
  auto found = bot(token);
  if (!found) return std::nullopt;
  return found->inject([&](std::int64_t update_id, std::int64_t message_id) {
    return message_update(update_id, message_id, chat_id, from_id, text);
  });
}

bool SimState::restart_update_ids(const std::string& token, std::int64_t next_update_id) {
  auto found = bot(token);
  return found && found->restart_update_ids(next_update_id);
}

std::optional<std::int64_t> SimState::inject_callback(const std::string& token,
                                                      std::int64_t chat_id,
                                                      const std::string& data) {
  auto found = bot(token);
  if (!found) return std::nullopt;
  return found->inject([&](std::int64_t update_id, std::int64_t message_id) {
    return callback_update(update_id, found->bot_id(), message_id, chat_id, data);
  });
}

std::vector<SentMessage> SimState::sent(const std::string& token,
                                        std::optional<std::int64_t> chat_id) const {
  auto found = existing_bot(token);
  return found ? found->sent(chat_id) : std::vector<SentMessage>{};
}

BotCounters SimState::counters(const std::string& token) const {
  auto found = existing_bot(token);
  return found ? found->counters() : BotCounters{};
}

std::vector<CallRecord> SimState::calls(const std::string& token) const {
  auto found = existing_bot(token);
  return found ? found->calls() : std::vector<CallRecord>{};
}

Faults SimState::faults_for(const BotState& bot) const {
  if (auto own = bot.faults()) return *own;
  std::lock_guard lock(mutex_);
  return every_bot_faults_;
}

void SimState::set_faults(const std::string& token, Faults faults) {
  if (token.empty()) {
    std::lock_guard lock(mutex_);
    every_bot_faults_ = faults;
    return;
  }
  if (auto found = bot(token)) found->set_faults(faults);
}

FloodLimits SimState::flood_limits() const {
  std::lock_guard lock(mutex_);
  return flood_limits_;
}

void SimState::set_flood_limits(const FloodLimits& limits) {
  std::lock_guard lock(mutex_);
  flood_limits_ = limits;
  flood_enabled_ = limits.enabled;
}

std::optional<FloodLimits> SimState::flood_limits_in_force() const {
  if (!flood_enabled_) return std::nullopt;
  auto limits = flood_limits();
  if (!limits.enabled) return std::nullopt;  // switched off meanwhile
  return limits;
}

std::vector<std::string> SimState::tokens_seen() const {
  std::vector<std::shared_ptr<BotState>> bots;
  std::vector<std::string> tokens;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [token, bot] : bots_) {
      tokens.push_back(token);
      bots.push_back(bot);
    }
  }
  // Counters lock each bot; gather them outside the map's mutex.
  std::vector<std::string> seen;
  for (std::size_t i = 0; i < bots.size(); ++i)
    if (bots[i]->counters().calls > 0) seen.push_back(std::move(tokens[i]));
  std::sort(seen.begin(), seen.end());  // a stable order for whoever walks them in turn
  return seen;
}

void SimState::reset() {
  std::unordered_map<std::string, std::shared_ptr<BotState>> forgotten;
  {
    std::lock_guard lock(mutex_);
    forgotten.swap(bots_);
    every_bot_faults_ = {};
    flood_limits_ = options_.flood_limits;
    flood_enabled_ = flood_limits_.enabled;
  }
  for (auto& [token, bot] : forgotten) bot->release_parked_poll();
}

}  // namespace hangar::sim
