#include "platform/status/fleet_status.hpp"

#include <array>

namespace hangar {

namespace {
constexpr std::array<std::string_view, bot_state_count> state_names = {
    "starting", "running", "backoff", "conflict", "unauthorized", "quarantined", "stopped"};
constexpr std::array<std::string_view, restart_reason_count> restart_reason_names = {
    "budget", "crash", "config"};
constexpr std::array<std::string_view, api_method_count> method_names = {
    "getMe",           "getUpdates", "deleteWebhook", "sendMessage", "answerCallbackQuery",
    "editMessageText", "other"};

std::size_t counter_index(ApiMethod method, botapi::Outcome outcome) {
  return static_cast<std::size_t>(method) * botapi::outcome_count +
         static_cast<std::size_t>(outcome);
}
}  // namespace

std::string_view to_string(BotState state) {
  return state_names[static_cast<int>(state)];
}
std::string_view to_string(RestartReason reason) {
  return restart_reason_names[static_cast<int>(reason)];
}
std::string_view to_string(ApiMethod method) {
  return method_names[static_cast<int>(method)];
}

ApiMethod api_method_from(std::string_view method) {
  for (int i = 0; i + 1 < api_method_count; ++i)
    if (method_names[i] == method) return static_cast<ApiMethod>(i);
  return ApiMethod::other;
}

BotStatus::BotStatus(std::int64_t id, std::string name) : id(id), name_(std::move(name)) {}

std::string BotStatus::name() const {
  std::lock_guard lock(mutex_);
  return name_;
}
void BotStatus::set_name(std::string name) {
  std::lock_guard lock(mutex_);
  name_ = std::move(name);
}
std::string BotStatus::username() const {
  std::lock_guard lock(mutex_);
  return username_;
}
void BotStatus::set_username(std::string username) {
  std::lock_guard lock(mutex_);
  username_ = std::move(username);
}
std::optional<std::string> BotStatus::last_error() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}
void BotStatus::set_last_error(std::optional<std::string> error) {
  std::lock_guard lock(mutex_);
  last_error_ = std::move(error);
}

void BotStatus::set_state(BotState state, std::optional<std::string> reason,
                          std::optional<std::int64_t> next_try_ms) {
  std::lock_guard lock(mutex_);
  this->state.store(state);
  state_reason_ = std::move(reason);
  next_try_ms_ = next_try_ms;
}
BotStatus::StateReport BotStatus::state_report() const {
  std::lock_guard lock(mutex_);
  return {state.load(), state_reason_, next_try_ms_};
}

void BotStatus::count_api_request(ApiMethod method, botapi::Outcome outcome) {
  api_requests_[counter_index(method, outcome)].fetch_add(1, std::memory_order_relaxed);
}
std::uint64_t BotStatus::api_requests(ApiMethod method, botapi::Outcome outcome) const {
  return api_requests_[counter_index(method, outcome)].load(std::memory_order_relaxed);
}

void BotStatus::count_restart(RestartReason reason) {
  restarts.fetch_add(1, std::memory_order_relaxed);
  restarts_by_reason_[static_cast<int>(reason)].fetch_add(1, std::memory_order_relaxed);
}
std::uint64_t BotStatus::restarts_since_start(RestartReason reason) const {
  return restarts_by_reason_[static_cast<int>(reason)].load(std::memory_order_relaxed);
}

void BotStatus::set_meter(std::shared_ptr<const MemoryMeter> meter) {
  std::lock_guard lock(mutex_);
  meter_ = std::move(meter);
}
std::uint64_t BotStatus::live_bytes() const {
  std::lock_guard lock(mutex_);
  return meter_ ? meter_->total_bytes() : 0;
}
std::uint64_t BotStatus::memory_budget() const {
  std::lock_guard lock(mutex_);
  return meter_ ? meter_->budget() : 0;
}

std::shared_ptr<ChatStatus> BotStatus::add_chat(std::int64_t chat_id,
                                                std::shared_ptr<const MemoryMeter> meter) {
  auto chat = std::make_shared<ChatStatus>(chat_id, std::move(meter));
  std::lock_guard lock(mutex_);
  chats_[chat_id] = chat;
  return chat;
}
void BotStatus::remove_chat(std::int64_t chat_id) {
  std::lock_guard lock(mutex_);
  chats_.erase(chat_id);
}
std::size_t BotStatus::chat_count() const {
  std::lock_guard lock(mutex_);
  return chats_.size();
}
std::vector<std::shared_ptr<const ChatStatus>> BotStatus::chats() const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<const ChatStatus>> result;
  result.reserve(chats_.size());
  for (const auto& [id, chat] : chats_) result.push_back(chat);
  return result;
}

std::shared_ptr<BotStatus> FleetStatus::ensure(std::int64_t id, const std::string& name) {
  std::lock_guard lock(mutex_);
  auto& slot = bots_[id];
  if (!slot)
    slot = std::make_shared<BotStatus>(id, name);
  else
    slot->set_name(name);
  return slot;
}
void FleetStatus::remove(std::int64_t id) {
  std::lock_guard lock(mutex_);
  bots_.erase(id);
}
std::shared_ptr<BotStatus> FleetStatus::find(std::int64_t id) const {
  std::lock_guard lock(mutex_);
  auto it = bots_.find(id);
  return it == bots_.end() ? nullptr : it->second;
}
std::vector<std::shared_ptr<const BotStatus>> FleetStatus::bots() const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<const BotStatus>> result;
  result.reserve(bots_.size());
  for (const auto& [id, bot] : bots_) result.push_back(bot);
  return result;
}

}  // namespace hangar
