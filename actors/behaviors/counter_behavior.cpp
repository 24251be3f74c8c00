#include "actors/behaviors/counter_behavior.hpp"

#include <string>

#include "actors/behaviors/replies.hpp"

namespace hangar::actors::behaviors {

Reaction CounterBehavior::on_update(const telegram::Update& update, std::string& state) {
  Reaction reaction;
  auto text = message_text(update);
  if (!text) return reaction;
  // A state we cannot read restarts the count rather than crashing the chat forever.
  std::uint64_t count = 0;
  try {
    count = state.empty() ? 0 : std::stoull(state);
  } catch (const std::exception&) {
    count = 0;
  }
  ++count;
  state = std::to_string(count);
  reaction.state_changed = true;
  reaction.actions.push_back(
      send_message(update.message->chat.id, "#" + std::to_string(count) + " " + *text));
  return reaction;
}

}  // namespace hangar::actors::behaviors
