#include "sim/message_sender.hpp"

#include "sim/telegram_json.hpp"

namespace hangar::sim {

std::optional<std::int64_t> message_sender(const RequestParams& params, std::int64_t chat_id,
                                           std::string& error) {
  if (params.has("chat_type")) {
    const auto type = params.text("chat_type");
    if (!type || (*type != "private" && *type != "group" && *type != "supergroup")) {
      error = "chat_type must be private, group or supergroup";
      return std::nullopt;
    }
    if (*type != chat_type(chat_id)) {
      error = "chat_id " + std::to_string(chat_id) + " is a " + chat_type(chat_id) +
              "'s: private chats are above 0, supergroups -1000000000000 and below (-100...), " +
              "groups between";
      return std::nullopt;
    }
  }
  const auto from_id = params.integer("from_id");
  if (params.has("from_id") && !from_id) {
    error = "from_id must be an integer";
    return std::nullopt;
  }
  if (chat_id >= 0) {
    if (from_id && *from_id != chat_id) {
      error = "a private chat's messages come from its user: from_id must be chat_id";
      return std::nullopt;
    }
    return chat_id;
  }
  if (!from_id || *from_id <= 0) {
    error = "a group's message needs from_id, a user id above 0";
    return std::nullopt;
  }
  return from_id;
}

}  // namespace hangar::sim
