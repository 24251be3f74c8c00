#include "actors/bot/api_fault.hpp"

namespace hangar::actors::bot {

namespace {

bool is_conflict(const botapi::CallResult& result) {
  return result.outcome == botapi::Outcome::api_error &&
         (result.error_code == 409 || result.http_status == 409);
}

}  // namespace

ApiFault classify(std::string_view method, const botapi::CallResult& result) {
  const bool bot_gone = method == "getMe" && result.outcome == botapi::Outcome::api_error &&
                        (result.error_code == 404 || result.http_status == 404);
  if (result.unauthorized() || bot_gone) return {BotState::unauthorized, "token_rejected"};
  if (is_conflict(result)) {
    // Telegram's words: "Conflict: can't use getUpdates method while webhook is active; use
    // deleteWebhook to delete the webhook first".
    const bool webhook = result.description.find("webhook") != std::string::npos;
    return {BotState::conflict, webhook ? "webhook" : "other_poller"};
  }
  // Flood control on polling: the bot is well, it only waits retry_after before the next poll.
  if (result.too_many_requests() && method == "getUpdates")
    return {BotState::running, "flood_wait"};
  return {BotState::backoff, std::string(botapi::to_string(result.outcome))};
}

}  // namespace hangar::actors::bot
