#pragma once
// Typed views of the Bot API objects Hangar reads. Parsing ignores unknown fields and
// tolerates missing optional ones, because real servers and emulators differ.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace hangar::telegram {

struct User {
  std::int64_t id = 0;
  bool is_bot = false;
  std::string first_name;
  std::string username;  // empty when absent
};

struct Chat {
  std::int64_t id = 0;
  std::string type;  // "private", "group", "supergroup", "channel"
  std::string title;
  std::string username;
};

struct Message {
  std::int64_t message_id = 0;
  std::int64_t date = 0;
  Chat chat;
  std::optional<User> from;
  std::optional<std::string> text;
};

struct CallbackQuery {
  std::string id;
  User from;
  std::optional<Message> message;
  std::optional<std::string> data;
};

struct ChatMemberUpdated {
  Chat chat;
  User from;
  std::int64_t date = 0;
};

struct Update {
  std::int64_t update_id = 0;
  std::optional<Message> message;
  std::optional<Message> edited_message;
  std::optional<CallbackQuery> callback_query;
  std::optional<ChatMemberUpdated> my_chat_member;
  std::string raw_json;  // the update exactly as the Bot API sent it, kept for the inbox

  // The chat this update belongs to, or nullopt for updates that belong to no chat.
  std::optional<std::int64_t> chat_id() const;
};

// Each throws ParseError naming the missing or mistyped field.
struct ParseError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
User parse_user(const nlohmann::json& j);
Chat parse_chat(const nlohmann::json& j);
Message parse_message(const nlohmann::json& j);
Update parse_update(const nlohmann::json& j);  // fills raw_json with j.dump()
Update parse_update(const std::string& raw_json);
// getMe's result: the bot's username, or "" when it has none or the result is no object.
std::string bot_username(const nlohmann::json& me);
// The "result" array of getUpdates. An element that fails to parse but has an update_id is
// still returned (with only update_id and raw_json set) so that it is acknowledged, not lost.
std::vector<Update> parse_updates(const nlohmann::json& result_array);

}  // namespace hangar::telegram
