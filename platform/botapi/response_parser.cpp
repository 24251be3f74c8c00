#include "platform/botapi/response_parser.hpp"

#include <algorithm>
#include <optional>

#include <boost/beast/http/status.hpp>

#include "platform/core/bounds.hpp"
#include "platform/core/json_int.hpp"
#include "platform/core/json_nesting.hpp"

namespace hangar::botapi {

namespace {

using nlohmann::json;

bool success_status(unsigned status) {
  return status >= 200 && status < 300;
}

// A proxy's or a web server's error page: keep the status, not the page.
CallResult http_error(unsigned status) {
  CallResult result;
  result.outcome = Outcome::http_error;
  result.http_status = static_cast<int>(status);
  result.description =
      std::string(boost::beast::http::obsolete_reason(boost::beast::http::int_to_status(status)));
  return result;
}

CallResult bad_response(unsigned status, std::string description) {
  CallResult result = failure(Outcome::bad_response, std::move(description));
  result.http_status = static_cast<int>(status);
  return result;
}

// An integer field from [low, high]; anything else (a float, a string, an unsigned past INT64_MAX,
// a value out of range) is treated as absent instead of being truncated.
std::optional<int> int_within(const json& value, int low, int high) {
  const auto n = json_int64(value);
  if (!n || *n < low || *n > high) return std::nullopt;
  return static_cast<int>(*n);
}

// An integer field brought into [low, high], however large or small; absent when not an integer.
std::optional<int> clamped(const json& value, int low, int high) {
  if (!value.is_number_integer()) return std::nullopt;
  if (value.is_number_unsigned())
    return static_cast<int>(
        std::min<std::uint64_t>(value.get<std::uint64_t>(), static_cast<std::uint64_t>(high)));
  return static_cast<int>(std::clamp<std::int64_t>(value.get<std::int64_t>(), low, high));
}

CallResult api_error(unsigned status, const json& envelope) {
  CallResult result;
  result.outcome = Outcome::api_error;
  result.http_status = static_cast<int>(status);
  auto code = envelope.find("error_code");
  if (code != envelope.end()) result.error_code = int_within(*code, 0, 999).value_or(0);
  auto description = envelope.find("description");
  result.description = description != envelope.end() && description->is_string()
                           ? description->get<std::string>()
                           : "no description";
  auto parameters = envelope.find("parameters");
  if (parameters != envelope.end() && parameters->is_object()) {
    auto retry_after = parameters->find("retry_after");
    // Capped, so that a hostile server cannot park the bot for years (or overflow a delay).
    if (retry_after != parameters->end())
      result.retry_after_seconds = clamped(*retry_after, 0, bounds::retry_after_seconds);
  }
  return result;
}

}  // namespace

CallResult parse_response(unsigned http_status, std::string_view body) {
  if (!json_nesting_within(body, bounds::json_nesting_depth))
    return bad_response(http_status, "response nests deeper than " +
                                         std::to_string(bounds::json_nesting_depth) + " levels");
  json envelope = json::parse(body, nullptr, /*allow_exceptions=*/false);
  const bool is_envelope =
      envelope.is_object() && envelope.contains("ok") && envelope["ok"].is_boolean();
  if (!is_envelope) {
    if (!success_status(http_status)) return http_error(http_status);
    return bad_response(http_status, envelope.is_discarded() ? "response is not JSON"
                                                             : "response has no boolean 'ok'");
  }
  if (!envelope["ok"].get<bool>()) return api_error(http_status, envelope);

  CallResult result;
  result.outcome = Outcome::ok;
  result.http_status = static_cast<int>(http_status);
  auto found = envelope.find("result");
  if (found != envelope.end()) result.result = std::move(*found);
  return result;
}

}  // namespace hangar::botapi
