#include "sim/telegram_json.hpp"

#include <charconv>
#include <chrono>

namespace hangar::sim {

using nlohmann::json;

namespace {

json simulated_user(std::int64_t chat_id) {
  return {{"id", chat_id},
          {"is_bot", false},
          {"first_name", "User " + std::to_string(chat_id)},
          {"language_code", "en"}};
}

// Telegram's supergroup and channel ids are -100 followed by ten or more digits.
constexpr std::int64_t kFirstSupergroupId = -1000000000000;

json chat_object(std::int64_t chat_id) {
  const std::string id = std::to_string(chat_id);
  if (chat_id >= 0) return {{"id", chat_id}, {"type", "private"}, {"first_name", "User " + id}};
  return {{"id", chat_id}, {"type", chat_type(chat_id)}, {"title", "Group " + id}};
}

// Bot and user texts may carry invalid UTF-8; a simulator must not throw over it.
std::string serialize(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

std::int64_t unix_now() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

std::string chat_type(std::int64_t chat_id) {
  if (chat_id >= 0) return "private";
  return chat_id <= kFirstSupergroupId ? "supergroup" : "group";
}

json bot_user(std::int64_t bot_id) {
  const std::string id = std::to_string(bot_id);
  return {{"id", bot_id},
          {"is_bot", true},
          {"first_name", "Sim Bot " + id},
          {"username", "sim" + id + "_bot"}};
}

json chat_message(std::int64_t message_id, const json& from, std::int64_t chat_id,
                  const std::string& text) {
  return {{"message_id", message_id},
          {"from", from},
          {"chat", chat_object(chat_id)},
          {"date", unix_now()},
          {"text", text}};
}

std::string message_update(std::int64_t update_id, std::int64_t message_id, std::int64_t chat_id,
                           std::int64_t from_id, const std::string& text) {
  return serialize({{"update_id", update_id},
                    {"message", chat_message(message_id, simulated_user(from_id), chat_id, text)}});
}

std::string callback_update(std::int64_t update_id, std::int64_t bot_id, std::int64_t message_id,
                            std::int64_t chat_id, const std::string& data) {
  // The pressed button sits under a message of the bot's; the simulator makes one up.
  json query = {{"id", callback_query_id(chat_id, update_id)},
                {"from", simulated_user(chat_id)},
                {"message", chat_message(message_id, bot_user(bot_id), chat_id, "")},
                {"chat_instance", std::to_string(chat_id)},
                {"data", data}};
  return serialize({{"update_id", update_id}, {"callback_query", std::move(query)}});
}

std::string callback_query_id(std::int64_t chat_id, std::int64_t update_id) {
  return std::to_string(chat_id) + ":" + std::to_string(update_id);
}

std::optional<std::int64_t> chat_of_callback_query(const std::string& callback_query_id) {
  const auto colon = callback_query_id.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  std::int64_t chat_id = 0;
  const char* end = callback_query_id.data() + colon;
  auto [stop, ec] = std::from_chars(callback_query_id.data(), end, chat_id);
  if (ec != std::errc() || stop != end) return std::nullopt;
  return chat_id;
}

std::string ok_body(const std::string& result_json) {
  return R"({"ok":true,"result":)" + result_json + "}";
}

std::string error_body(int error_code, const std::string& description,
                       std::optional<int> retry_after) {
  json body = {{"ok", false}, {"error_code", error_code}, {"description", description}};
  if (retry_after) body["parameters"] = {{"retry_after", *retry_after}};
  return serialize(body);
}

}  // namespace hangar::sim
