#include "platform/rest/bots_endpoints.hpp"

#include <algorithm>
#include <charconv>

#include "platform/admin/bot_view.hpp"
#include "platform/core/text.hpp"
#include "platform/core/time_format.hpp"
#include "storage/bot_repository.hpp"
#include "storage/bot_runtime_repository.hpp"

namespace hangar::rest {
namespace {

// The contract's `state`, with its reason: the database's flags outrank whatever the supervisor
// last reported, which may lag behind them.
BotStatus::StateReport state_of(const storage::BotConfig& bot, const BotStatus* status) {
  if (bot.quarantined) return {BotState::quarantined, "restart_intensity", std::nullopt};
  if (!bot.enabled) return {BotState::stopped, "disabled", std::nullopt};
  if (bot.unauthorized) return {BotState::unauthorized, "token_rejected", std::nullopt};
  if (!status) return {BotState::stopped, std::nullopt, std::nullopt};
  return status->state_report();
}

nlohmann::json optional_json(const std::optional<std::string>& text) {
  return text ? nlohmann::json(one_line(*text)) : nullptr;
}

nlohmann::json bot_json(ReadContext& context, const storage::BotConfig& bot) {
  const auto status = context.fleet.find(bot.id);
  // A bot that is not running keeps the figures its runs left in the database.
  const auto runtime = storage::BotRuntimeRepository(context.db).load(bot.id);
  auto json = admin::bot_config_json(bot);
  const std::string api_url = bot.api_url.value_or(context.settings.api_url);
  json["api_url"] = admin::display_api_url(api_url);
  json["proxy"] = admin::proxy_in_use(api_url, bot.proxy, context.settings);
  json["memory_budget"] = bot.memory_budget.value_or(context.settings.bot_memory_budget);
  const auto state = state_of(bot, status.get());
  json["state"] = std::string(to_string(state.state));
  json["state_reason"] = optional_json(state.reason);
  const std::string username = status ? status->username() : "";
  json["username"] = username.empty() ? runtime.username : username;
  json["chats"] = status ? status->chat_count() : 0;
  json["updates_received"] = status ? status->updates_received.load() : 0;
  json["updates_handled"] = status ? status->updates_handled.load() : runtime.updates_handled;
  json["live_bytes"] = status ? status->live_bytes() : 0;
  json["restarts"] = status ? status->restarts.load() : runtime.restarts;
  auto last_error = status ? status->last_error() : std::nullopt;
  if (!last_error && bot.unauthorized) last_error = bot.unauthorized;
  json["last_error"] = optional_json(last_error);
  json["next_retry_at"] =
      state.next_try_ms ? nlohmann::json(format_rfc3339_ms(*state.next_try_ms)) : nullptr;
  return json;
}

storage::BotConfig find_bot(ReadContext& context, std::string_view id_text) {
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
  std::optional<storage::BotConfig> bot;
  if (ec == std::errc() && end == id_text.data() + id_text.size())
    bot = storage::BotRepository(context.db).find(id);
  if (!bot) throw not_found("no bot with this id");
  return *bot;
}

nlohmann::json chat_json(const ChatStatus& chat, std::uint64_t live_bytes,
                         const Settings& settings) {
  const std::uint64_t budget = chat.memory_budget();
  const std::int64_t last_active = chat.last_active_ms.load();
  return {
      {"chat_id", chat.chat_id},
      {"live_bytes", live_bytes},
      {"memory_budget", budget != 0 ? budget : settings.chat_memory_budget},
      {"last_active", last_active > 0 ? nlohmann::json(format_rfc3339_ms(last_active)) : nullptr},
      {"restarts", chat.restarts.load()},
  };
}

}  // namespace

nlohmann::json list_bots(ReadContext& context, const Query& query) {
  const std::size_t limit = query.limit();
  const auto before = query.before();
  auto bots = storage::BotRepository(context.db).list();
  auto page = nlohmann::json::array();
  for (auto it = bots.rbegin(); it != bots.rend() && page.size() < limit; ++it)
    if (!before || it->id < *before) page.push_back(bot_json(context, *it));
  return page;
}

nlohmann::json get_bot(ReadContext& context, std::string_view id) {
  return bot_json(context, find_bot(context, id));
}

nlohmann::json list_chats(ReadContext& context, std::string_view id, const Query& query) {
  const std::size_t limit = query.limit();
  const auto bot = find_bot(context, id);
  const auto status = context.fleet.find(bot.id);
  auto chats = status ? status->chats() : std::vector<std::shared_ptr<const ChatStatus>>{};
  // Read each figure once, so the order is consistent while actors keep changing them.
  std::vector<std::pair<std::uint64_t, const ChatStatus*>> by_size;
  by_size.reserve(chats.size());
  for (const auto& chat : chats) by_size.emplace_back(chat->live_bytes(), chat.get());
  const std::size_t shown = std::min(limit, by_size.size());
  std::partial_sort(
      by_size.begin(), by_size.begin() + shown, by_size.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first > b.first : a.second->chat_id < b.second->chat_id;
      });
  auto page = nlohmann::json::array();
  for (std::size_t i = 0; i < shown; ++i)
    page.push_back(chat_json(*by_size[i].second, by_size[i].first, context.settings));
  return page;
}

}  // namespace hangar::rest
