#include "platform/botapi/response_parser.hpp"

#include <boost/beast/http/status.hpp>

#include "platform/core/bounds.hpp"
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

CallResult api_error(unsigned status, const json& envelope) {
  CallResult result;
  result.outcome = Outcome::api_error;
  result.http_status = static_cast<int>(status);
  auto code = envelope.find("error_code");
  if (code != envelope.end() && code->is_number_integer()) result.error_code = code->get<int>();
  auto description = envelope.find("description");
  result.description = description != envelope.end() && description->is_string()
                           ? description->get<std::string>()
                           : "no description";
  auto parameters = envelope.find("parameters");
  if (parameters != envelope.end() && parameters->is_object()) {
    auto retry_after = parameters->find("retry_after");
    if (retry_after != parameters->end() && retry_after->is_number_integer())
      result.retry_after_seconds = retry_after->get<int>();
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
