#pragma once
// How a bot answers a failed step, and what it reports of its health (its BotStatus, its events
// and its log), so that a broken token, a conflict or an outage never turns into a tight loop or
// a crash loop, and never reaches the other bots:
//   - unauthorized (401, or 404 on getMe): no further call at all; the bot actor ends with
//     StopReason::unauthorized and the supervisor parks it until a new token or `bot enable`;
//   - a webhook conflict: deleteWebhook once at once, then polling again;
//   - anything else, storage included: the step again after a RetryBackoff.
// An event is recorded when a streak of failures starts, when its fault changes, and when it
// ends with a good poll (`resume`).
#include <string>

#include "actors/bot/bot_state.hpp"

namespace hangar::actors::bot {

void on_step_failed(BotSelf* self, Step step, const botapi::CallResult& result);
void on_storage_failed(BotSelf* self, Step step, const std::string& error);
void on_token_rejected(BotSelf* self, const std::string& method, const botapi::CallResult& result);
// A 429 paused the bot's sends, or the pause is over: the bot runs on, and says why replies wait.
void on_sends_paused(BotSelf* self, const SendsPaused& paused);
// deleteWebhook and getUpdates answered: the bot runs; a good poll also ends the streak.
void on_step_succeeded(BotSelf* self, Step step);
// A Retry is due: the bot is no longer waiting.
void on_retry_due(BotSelf* self);

}  // namespace hangar::actors::bot
