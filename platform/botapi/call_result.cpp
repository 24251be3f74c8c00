#include "platform/botapi/call_result.hpp"

#include <array>

#include "platform/core/text.hpp"

namespace hangar::botapi {

namespace {
constexpr std::array<std::string_view, outcome_count> outcome_names = {
    "ok", "api_error", "http_error", "bad_response", "network", "timeout"};
}

std::string_view to_string(Outcome outcome) {
  return outcome_names[static_cast<int>(outcome)];
}

bool CallResult::transient() const {
  switch (outcome) {
    case Outcome::network:
    case Outcome::timeout:
    // Garbage, a cut body, a 200 that is not the Bot API's: whether the call took effect is
    // unknown, and the next try may meet a server (or proxy) that works again.
    case Outcome::bad_response:
      return true;
    case Outcome::ok:
      return false;
    case Outcome::api_error:
    case Outcome::http_error:
      break;
  }
  // A redirect or a 408 comes from something between us and the Bot API, not from it.
  const bool passing_status = (http_status >= 300 && http_status < 400) || http_status == 408 ||
                              http_status == 429 || http_status >= 500;
  return passing_status || error_code == 429 || error_code >= 500;
}

bool CallResult::unauthorized() const {
  return outcome == Outcome::api_error && (error_code == 401 || http_status == 401);
}

std::string CallResult::summary() const {
  std::string line(to_string(outcome));
  if (outcome == Outcome::api_error && error_code != 0)
    line += ' ' + std::to_string(error_code);
  else if (outcome == Outcome::http_error && http_status != 0)
    line += ' ' + std::to_string(http_status);
  if (!description.empty()) line += ": " + description;
  return one_line(std::move(line));
}

CallResult failure(Outcome outcome, std::string description) {
  CallResult result;
  result.outcome = outcome;
  result.description = std::move(description);
  return result;
}

CallResult cancelled(std::string description) {
  CallResult result = failure(Outcome::network, std::move(description));
  result.cancelled = true;
  return result;
}

}  // namespace hangar::botapi
