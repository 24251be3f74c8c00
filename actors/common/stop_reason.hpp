#pragma once
// Why Hangar itself stopped an actor. It travels as the actor's exit reason, so the actor that
// monitors it tells a stop it asked for from a crash. And how to stop one at once.
#include <cstdint>
#include <optional>

#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/exit_reason.hpp>
#include <caf/message.hpp>
#include <caf/message_id.hpp>
#include <caf/system_messages.hpp>

namespace hangar::actors {

enum class StopReason : std::uint8_t {
  over_budget = 1,   // the actor's bytes passed its memory budget
  memory_limit = 2,  // the process-wide guard (--memory-limit) needed its memory back
  unauthorized = 3,  // a bot whose token the Bot API refused: it waits for the operator
};

constexpr caf::atom_value stop_reason_category = caf::atom("hangar");

inline caf::error make_error(StopReason reason) {
  return caf::error(static_cast<std::uint8_t>(reason), stop_reason_category);
}

inline std::optional<StopReason> stop_reason_of(const caf::error& error) {
  if (!error || error.category() != stop_reason_category) return std::nullopt;
  return static_cast<StopReason>(error.code());
}

// Tells `actor` to exit with `reason` ahead of the messages already in its mailbox (an exit
// message sent the usual way queues behind them, so a chat with a backlog would keep running it).
inline void stop_now(const caf::strong_actor_ptr& actor, caf::error reason) {
  if (!actor) return;
  actor->enqueue(nullptr, caf::make_message_id(caf::message_priority::high),
                 caf::make_message(caf::exit_msg{actor->address(), std::move(reason)}), nullptr);
}

}  // namespace hangar::actors
