#include "actors/behaviors/replies.hpp"

namespace hangar::actors::behaviors {

std::optional<std::string> message_text(const telegram::Update& update) {
  if (update.message && update.message->text) return update.message->text;
  return std::nullopt;
}

Action send_message(std::int64_t chat_id, const std::string& text) {
  return Action{"sendMessage", {{"chat_id", chat_id}, {"text", text}}};
}

Reaction echo_reaction(const telegram::Update& update) {
  Reaction reaction;
  if (auto text = message_text(update))
    reaction.actions.push_back(send_message(update.message->chat.id, *text));
  else if (update.callback_query)
    reaction.actions.push_back(
        Action{"answerCallbackQuery", {{"callback_query_id", update.callback_query->id}}});
  return reaction;
}

}  // namespace hangar::actors::behaviors
