#pragma once
// The bot's graceful stop (drain_atom from the fleet supervisor): it polls no more, confirms its
// offset to the Bot API with a last getUpdates (timeout 0, whatever it returns is left there for
// the next start), lets each chat finish the update in hand, and ends once both are done. What
// is still in the inbox is handled at the next start.
#include "actors/bot/bot_state.hpp"

namespace hangar::actors::bot {

void start_drain(BotSelf* self);
// The commit in flight when the drain began ended: with the batch's offset when it was stored
// (its updates wait in the inbox), nullopt when it failed.
void on_drain_commit(BotSelf* self, std::optional<std::int64_t> next_offset);
void on_offset_confirmed(BotSelf* self);
void on_chat_drained(BotSelf* self, std::int64_t chat_key);
// Ends the bot when nothing is left to wait for.
void finish_drain_when_done(BotSelf* self);

}  // namespace hangar::actors::bot
