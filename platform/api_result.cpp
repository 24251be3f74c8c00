#include "platform/api_result.hpp"

#include <array>

namespace hangar::botapi {

namespace {
constexpr std::array<std::string_view, outcome_count> outcome_names = {
    "ok", "api_error", "http_error", "bad_response", "network", "timeout"};
}

std::string_view to_string(Outcome outcome) {
  return outcome_names[static_cast<int>(outcome)];
}

bool ApiResult::transient() const {
  switch (outcome) {
    case Outcome::network:
    case Outcome::timeout:
      return true;
    case Outcome::ok:
    case Outcome::bad_response:
      return false;
    case Outcome::api_error:
    case Outcome::http_error:
      break;
  }
  return http_status >= 500 || http_status == 429 || error_code == 429 || error_code >= 500;
}

std::string ApiResult::summary() const {
  std::string line(to_string(outcome));
  if (outcome == Outcome::api_error && error_code != 0)
    line += ' ' + std::to_string(error_code);
  else if (outcome == Outcome::http_error && http_status != 0)
    line += ' ' + std::to_string(http_status);
  if (!description.empty()) line += ": " + description;
  // One line, whatever the server put in its description.
  for (char& c : line)
    if (c == '\n' || c == '\r') c = ' ';
  return line;
}

ApiResult failure(Outcome outcome, std::string description) {
  ApiResult result;
  result.outcome = outcome;
  result.description = std::move(description);
  return result;
}

ApiResult cancelled(std::string description) {
  ApiResult result = failure(Outcome::network, std::move(description));
  result.cancelled = true;
  return result;
}

}  // namespace hangar::botapi
