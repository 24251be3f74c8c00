#include "platform/admin/bot_view.hpp"

#include <stdexcept>

#include "platform/botapi/endpoint.hpp"
#include "platform/botapi/proxy_choice.hpp"
#include "platform/core/token.hpp"

namespace hangar::admin {

std::string display_api_url(const std::string& url) {
  auto endpoint = botapi::parse_api_url(url);
  return endpoint ? endpoint->display() : "(invalid)";
}

std::string display_proxy(const std::string& setting) {
  if (setting == botapi::direct_proxy) return setting;
  auto proxy = botapi::parse_proxy_url(setting);
  return proxy ? proxy->display() : "(invalid)";
}

nlohmann::json proxy_in_use(const std::string& api_url, const std::optional<std::string>& own,
                            const Settings& settings) {
  const auto endpoint = botapi::parse_api_url(api_url);
  if (!endpoint) return nullptr;
  try {
    const auto proxy = botapi::choose_proxy(*endpoint, own, settings.proxies);
    return proxy ? nlohmann::json(proxy->display()) : nullptr;
  } catch (const std::invalid_argument&) {
    return "(invalid)";
  }
}

std::string no_such_bot(const std::string& id_or_name) {
  return "no bot named or numbered " +
         (is_valid_token(id_or_name) ? mask_token(id_or_name) : id_or_name);
}

nlohmann::json bot_config_json(const storage::BotConfig& bot) {
  return {
      {"id", bot.id},
      {"name", bot.name},
      {"token", mask_token(bot.token)},
      {"behavior", bot.behavior},
      {"enabled", bot.enabled},
      {"quarantined", bot.quarantined},
      {"unauthorized", bot.unauthorized.has_value()},
      {"api_url", bot.api_url ? nlohmann::json(display_api_url(*bot.api_url)) : nullptr},
      {"proxy", bot.proxy ? nlohmann::json(display_proxy(*bot.proxy)) : nullptr},
      {"memory_budget", bot.memory_budget ? nlohmann::json(*bot.memory_budget) : nullptr},
  };
}

}  // namespace hangar::admin
