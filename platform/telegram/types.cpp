#include "platform/telegram/types.hpp"

#include <limits>
#include <optional>

#include <nlohmann/json.hpp>

#include "platform/core/bounds.hpp"
#include "platform/core/json_int.hpp"
#include "platform/core/json_nesting.hpp"

namespace hangar::telegram {

namespace {

using nlohmann::json;

// The error names the field by its path ("message.chat.id") so a bad update is easy to find.
[[noreturn]] void fail(const std::string& field, const char* problem) {
  throw ParseError("field '" + field + "' " + problem);
}

const json& require(const json& j, const char* key, const std::string& path) {
  if (!j.is_object()) fail(path.empty() ? "(root)" : path, "is not an object");
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) fail(path + key, "is missing");
  return *it;
}

std::int64_t require_int(const json& j, const char* key, const std::string& path) {
  const json& value = require(j, key, path);
  if (!value.is_number_integer()) fail(path + key, "is not an integer");
  const auto n = json_int64(value);
  if (!n) fail(path + key, "is out of range");
  return *n;
}

// The update's id, when it is one the offset can move past: 0 <= id < INT64_MAX, so id + 1 never
// overflows.
std::optional<std::int64_t> valid_update_id(const json& value) {
  const auto id = json_int64(value);
  if (!id || *id < 0 || *id == std::numeric_limits<std::int64_t>::max()) return std::nullopt;
  return id;
}

std::string require_string(const json& j, const char* key, const std::string& path) {
  const json& value = require(j, key, path);
  if (!value.is_string()) fail(path + key, "is not a string");
  return value.get<std::string>();
}

// Optional fields of the wrong type are treated as absent: they carry nothing Hangar needs.
const json* optional_member(const json& j, const char* key) {
  auto it = j.find(key);
  return it == j.end() || it->is_null() ? nullptr : &*it;
}

std::string optional_string(const json& j, const char* key) {
  const json* value = optional_member(j, key);
  return value && value->is_string() ? value->get<std::string>() : std::string();
}

std::optional<std::string> maybe_string(const json& j, const char* key) {
  const json* value = optional_member(j, key);
  if (!value || !value->is_string()) return std::nullopt;
  return value->get<std::string>();
}

User user_at(const json& j, const std::string& path) {
  User user;
  user.id = require_int(j, "id", path);
  const json* is_bot = optional_member(j, "is_bot");
  user.is_bot = is_bot && is_bot->is_boolean() && is_bot->get<bool>();
  user.first_name = optional_string(j, "first_name");
  user.username = optional_string(j, "username");
  return user;
}

Chat chat_at(const json& j, const std::string& path) {
  Chat chat;
  chat.id = require_int(j, "id", path);
  chat.type = optional_string(j, "type");
  chat.title = optional_string(j, "title");
  chat.username = optional_string(j, "username");
  return chat;
}

Message message_at(const json& j, const std::string& path) {
  Message message;
  message.message_id = require_int(j, "message_id", path);
  message.chat = chat_at(require(j, "chat", path), path + "chat.");
  const json* date = optional_member(j, "date");
  if (date) message.date = json_int64(*date).value_or(message.date);
  if (const json* from = optional_member(j, "from")) message.from = user_at(*from, path + "from.");
  message.text = maybe_string(j, "text");
  return message;
}

CallbackQuery callback_query_at(const json& j, const std::string& path) {
  CallbackQuery query;
  query.id = require_string(j, "id", path);
  query.from = user_at(require(j, "from", path), path + "from.");
  // An inaccessible message (date 0, no chat) still lets the query be answered.
  const json* message = optional_member(j, "message");
  if (message && message->is_object() && message->contains("chat"))
    query.message = message_at(*message, path + "message.");
  query.data = maybe_string(j, "data");
  return query;
}

ChatMemberUpdated chat_member_updated_at(const json& j, const std::string& path) {
  ChatMemberUpdated updated;
  updated.chat = chat_at(require(j, "chat", path), path + "chat.");
  updated.from = user_at(require(j, "from", path), path + "from.");
  const json* date = optional_member(j, "date");
  if (date) updated.date = json_int64(*date).value_or(updated.date);
  return updated;
}

}  // namespace

std::optional<std::int64_t> Update::chat_id() const {
  if (message) return message->chat.id;
  if (edited_message) return edited_message->chat.id;
  if (callback_query) {
    if (callback_query->message) return callback_query->message->chat.id;
    return std::nullopt;
  }
  if (my_chat_member) return my_chat_member->chat.id;
  return std::nullopt;
}

User parse_user(const json& j) {
  return user_at(j, "");
}
Chat parse_chat(const json& j) {
  return chat_at(j, "");
}
Message parse_message(const json& j) {
  return message_at(j, "");
}

Update parse_update(const json& j) {
  Update update;
  const auto id = valid_update_id(require(j, "update_id", ""));
  if (!id) fail("update_id", "is not an integer from 0 to 2^63 - 2");
  update.update_id = *id;
  if (const json* m = optional_member(j, "message")) update.message = message_at(*m, "message.");
  if (const json* m = optional_member(j, "edited_message"))
    update.edited_message = message_at(*m, "edited_message.");
  if (const json* q = optional_member(j, "callback_query"))
    update.callback_query = callback_query_at(*q, "callback_query.");
  if (const json* c = optional_member(j, "my_chat_member"))
    update.my_chat_member = chat_member_updated_at(*c, "my_chat_member.");
  update.raw_json = j.dump();
  return update;
}

Update parse_update(const std::string& raw_json) {
  if (!json_nesting_within(raw_json, bounds::json_nesting_depth))
    throw ParseError("update nests deeper than " + std::to_string(bounds::json_nesting_depth) +
                     " levels");
  json j = json::parse(raw_json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) throw ParseError("update is not valid JSON");
  Update update = parse_update(j);
  update.raw_json = raw_json;
  return update;
}

std::string bot_username(const json& me) {
  return me.is_object() ? optional_string(me, "username") : std::string();
}

std::vector<Update> parse_updates(const json& result_array) {
  if (!result_array.is_array()) throw ParseError("field 'result' is not an array");
  std::vector<Update> updates;
  updates.reserve(result_array.size());
  for (const json& element : result_array) {
    try {
      updates.push_back(parse_update(element));
    } catch (const ParseError&) {
      // Keep it by id so the offset moves past it; dropping it would re-fetch it forever.
      // An update without a usable id cannot be moved past; the bot's pacing of empty polls
      // keeps a server that sends only such updates from being spun against.
      const json* id = element.is_object() ? optional_member(element, "update_id") : nullptr;
      const auto valid_id = id ? valid_update_id(*id) : std::nullopt;
      if (!valid_id) continue;
      Update broken;
      broken.update_id = *valid_id;
      broken.raw_json = element.dump();
      updates.push_back(std::move(broken));
    }
  }
  return updates;
}

}  // namespace hangar::telegram
