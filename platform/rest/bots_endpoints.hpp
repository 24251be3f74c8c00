#pragma once
// GET /api/bots, /api/bots/{id} and /api/bots/{id}/chats: each bot's configuration from the
// database joined with its live figures from FleetStatus.
#include <string_view>

#include <nlohmann/json.hpp>

#include "platform/rest/request.hpp"

namespace hangar::rest {

// Newest first (highest id); ?before=ID gives the page after the bot with that id.
nlohmann::json list_bots(ReadContext& context, const Query& query);
// `id` is the path segment; 404 when no bot has it.
nlohmann::json get_bot(ReadContext& context, std::string_view id);
// The bot's active chats, most live bytes first, at most ?limit= of them.
nlohmann::json list_chats(ReadContext& context, std::string_view id, const Query& query);

}  // namespace hangar::rest
