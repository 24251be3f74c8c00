#pragma once
// A bot's configuration as `hangar bot list --json` and the REST API show it: the token masked,
// the API URL in display form. The REST API adds live figures on top.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "platform/core/settings.hpp"
#include "storage/bot_repository.hpp"

namespace hangar::admin {

// `url` as Endpoint::display() shows it; a stored URL that no longer parses shows as
// "(invalid)" rather than verbatim, in case it holds something secret.
std::string display_api_url(const std::string& url);

// A bot's stored proxy setting as it may be shown: "direct", or the URL with any user and
// password masked (`socks5://…@host:port`); "(invalid)" for one that no longer parses.
std::string display_proxy(const std::string& setting);

// The proxy a bot with this API URL and proxy setting uses under `settings` (its own, or the
// environment's), masked; null when it connects directly.
nlohmann::json proxy_in_use(const std::string& api_url, const std::optional<std::string>& own,
                            const Settings& settings);

// "no bot named or numbered X", for a lookup by ID-or-NAME that found nothing. A token typed
// where a name belongs is shown masked.
std::string no_such_bot(const std::string& id_or_name);

// id, name, token (masked), behavior, enabled, quarantined, unauthorized (the Bot API refused
// the token), api_url (display form, or null when the bot follows serve's --api-url),
// proxy (display_proxy, or null when it follows serve's proxy variables), memory_budget (bytes,
// or null when it follows serve's --bot-memory-budget).
nlohmann::json bot_config_json(const storage::BotConfig& bot);

}  // namespace hangar::admin
