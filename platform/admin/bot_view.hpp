#pragma once
// A bot's configuration as `hangar bot list --json` and the REST API show it: the token masked,
// the API URL in display form. The REST API adds live figures on top.
#include <string>

#include <nlohmann/json.hpp>

#include "storage/bot_repository.hpp"

namespace hangar::admin {

// `url` as Endpoint::display() shows it; a stored URL that no longer parses shows as
// "(invalid)" rather than verbatim, in case it holds something secret.
std::string display_api_url(const std::string& url);

// "no bot named or numbered X", for a lookup by ID-or-NAME that found nothing. A token typed
// where a name belongs is shown masked.
std::string no_such_bot(const std::string& id_or_name);

// id, name, token (masked), behavior, enabled, quarantined, unauthorized (the Bot API refused
// the token), api_url (display form, or null when the bot follows serve's --api-url),
// memory_budget (bytes, or null when it follows serve's --bot-memory-budget).
nlohmann::json bot_config_json(const storage::BotConfig& bot);

}  // namespace hangar::admin
