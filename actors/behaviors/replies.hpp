#pragma once
// Building blocks the behaviours share: the text of a message update, and the calls that answer.
#include <optional>
#include <string>

#include "actors/behaviors/behavior.hpp"

namespace hangar::actors::behaviors {

// The text of a new text message, or nullopt for anything else.
std::optional<std::string> message_text(const telegram::Update& update);
Action send_message(std::int64_t chat_id, const std::string& text);
// What echo does: repeat a text message, and acknowledge a button press so its spinner stops.
Reaction echo_reaction(const telegram::Update& update);

}  // namespace hangar::actors::behaviors
