#pragma once
// The Telegram objects the simulator speaks (users, chats, messages, updates) and the Bot API
// reply envelopes, in the exact JSON shape api.telegram.org uses.
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace hangar::sim {

std::int64_t unix_now();

// The bot behind a token: its id is the token's numeric prefix.
nlohmann::json bot_user(std::int64_t bot_id);
// "private" for a user's id (above 0), "supergroup" for Telegram's -100... ids, "group" for other
// negative ids.
std::string chat_type(std::int64_t chat_id);
// A message in chat `chat_id` (the private chat with that user, or a group), sent by `from`.
nlohmann::json chat_message(std::int64_t message_id, const nlohmann::json& from,
                            std::int64_t chat_id, const std::string& text);

// Serialized updates, kept as text in the queue so a getUpdates answer is a concatenation.
// `from_id` is the writing user: `chat_id` itself in a private chat.
std::string message_update(std::int64_t update_id, std::int64_t message_id, std::int64_t chat_id,
                           std::int64_t from_id, const std::string& text);
std::string callback_update(std::int64_t update_id, std::int64_t bot_id, std::int64_t message_id,
                            std::int64_t chat_id, const std::string& data);

// A callback query id names its chat, so answerCallbackQuery can be filed under that chat.
std::string callback_query_id(std::int64_t chat_id, std::int64_t update_id);
std::optional<std::int64_t> chat_of_callback_query(const std::string& callback_query_id);

// {"ok":true,"result":<result_json>}
std::string ok_body(const std::string& result_json);
// {"ok":false,"error_code":N,"description":...[,"parameters":{"retry_after":N}]}
std::string error_body(int error_code, const std::string& description,
                       std::optional<int> retry_after = std::nullopt);

}  // namespace hangar::sim
