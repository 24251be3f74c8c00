#pragma once
// The supervisor's hand on each bot actor: start it, stop it (for good, for a new config, or
// for its memory), and when it ends unasked, restart it under its RestartPolicy: at once, after
// a backoff, or not at all (quarantine). Every restart is counted and recorded as an event.
#include <caf/error.hpp>
#include <caf/exit_reason.hpp>
#include <caf/system_messages.hpp>

#include "actors/fleet/fleet_state.hpp"

namespace hangar::actors::fleet {

// The bot's own --memory-budget, or serve's --bot-memory-budget.
std::uint64_t budget_of(const SupervisorSelf* self, const storage::BotConfig& config);
void start_bot(SupervisorSelf* self, ManagedBot& bot);
void stop_bot(ManagedBot& bot, caf::error reason = caf::exit_reason::user_shutdown);
void stop_for_memory(SupervisorSelf* self, ManagedBot& bot, MemoryStop stop);
// While draining: the supervisor ends once no bot runs.
void end_when_drained(SupervisorSelf* self);
void on_bot_down(SupervisorSelf* self, const caf::down_msg& down);

}  // namespace hangar::actors::fleet
