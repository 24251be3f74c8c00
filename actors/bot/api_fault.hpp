#pragma once
// What a failed Bot API call means for its bot: the state it goes to, and why.
//   - 401 on any method, or 404 on getMe: the token was revoked (or its bot deleted), so no call
//     can succeed until the operator acts: `unauthorized`, reason `token_rejected`.
//   - 409: another client holds the updates: `conflict`, reason `webhook` when a webhook is set
//     (deleteWebhook fixes that) or `other_poller` when another getUpdates took over.
//   - 429 on getUpdates: flood control; the bot stays `running`, reason `flood_wait`, and polls
//     again after retry_after.
//   - anything else may pass by itself: `backoff`, with the outcome as the reason (`network`,
//     `timeout`, `http_error`, `bad_response`, `api_error`).
#include <string>
#include <string_view>

#include "platform/botapi/call_result.hpp"
#include "platform/status/fleet_status.hpp"

namespace hangar::actors::bot {

struct ApiFault {
  BotState state = BotState::backoff;
  std::string reason;
};

ApiFault classify(std::string_view method, const botapi::CallResult& result);

}  // namespace hangar::actors::bot
