#pragma once
// The classified outcome of one Bot API call, as the `outcome` label of the README's metrics names
// it.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace hangar::botapi {

enum class Outcome { ok, api_error, http_error, bad_response, network, timeout };
constexpr int outcome_count = 6;
std::string_view to_string(Outcome outcome);

struct CallResult {
  Outcome outcome = Outcome::network;
  int http_status = 0;                     // 0 when no HTTP response arrived
  int error_code = 0;                      // the Bot API's error_code, when present
  std::string description;                 // the Bot API's description, or our one-line reason
  std::optional<int> retry_after_seconds;  // parameters.retry_after, when present
  nlohmann::json result;                   // the "result" member when outcome == ok
  // The session or the outbox was closed before a final answer (its bot is stopping). Such a
  // call may or may not have reached the Bot API; it is not final for the caller.
  bool cancelled = false;

  bool ok() const { return outcome == Outcome::ok; }
  // A failure that may go away by itself: network, timeout, an unreadable answer, 3xx, 408, 429,
  // 5xx. The outbox retries these; the rest (chat not found, bot blocked) are final.
  bool transient() const;
  // The Bot API's flood control (429): wait retry_after before the next call.
  bool too_many_requests() const { return error_code == 429 || http_status == 429; }
  // The Bot API's 401: it no longer accepts the token (revoked), whatever the method.
  bool unauthorized() const;
  // One line for logs and last_error: "api_error 401: Unauthorized", "network: certificate
  // verify failed (self-signed certificate in certificate chain)". Never contains the token.
  std::string summary() const;
};

// A result with no Bot API answer behind it, only our one-line reason.
CallResult failure(Outcome outcome, std::string description);
// The result of a call cut short by closing ("session closed", "outbox closed"): outcome network.
CallResult cancelled(std::string description);

}  // namespace hangar::botapi
