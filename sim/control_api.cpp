#include "sim/control_api.hpp"

#include <nlohmann/json.hpp>

#include "platform/core/token.hpp"
#include "sim/message_sender.hpp"
#include "sim/request_params.hpp"

namespace hangar::sim {

using http::Status;
using nlohmann::json;
namespace bhttp = boost::beast::http;

namespace {

http::Response bad_request(const http::Request& request, const std::string& detail) {
  return http::json_error(request, Status::bad_request, "bad_request", detail);
}

// The 400 detail for parameters RequestParams::parse could not read.
std::string unreadable(RequestParams::ParseFailure failure) {
  return failure == RequestParams::ParseFailure::malformed_percent_encoding
             ? "malformed percent-encoding"
             : "the body is not a JSON object";
}

json to_json(const SentMessage& message) {
  return {{"method", message.method},
          {"chat_id", message.chat_id},
          {"message_id", message.message_id},
          {"text", message.text},
          {"at_us", message.at_us}};
}

}  // namespace

http::Response ControlApi::handle(const http::Request& request, std::string_view path) {
  const bool get = request.method() == bhttp::verb::get;
  const bool post = request.method() == bhttp::verb::post;
  if (path == "/control/messages" && post) return inject(request, false);
  if (path == "/control/callbacks" && post) return inject(request, true);
  if (path == "/control/sent" && get) return sent(request);
  if (path == "/control/bots" && get) return bot_counters(request);
  if (path == "/control/calls" && get) return calls(request);
  if (path == "/control/tokens" && get) return tokens(request);
  if (path == "/control/faults" && post) return faults(request);
  if (path == "/control/restart_ids" && post) return restart_ids(request);
  if (path == "/control/reset" && post) return reset(request);
  if (path == "/control/flood_limits" && (get || post)) return flood_limits(request);
  return http::json_error(
      request, Status::not_found, "not_found",
      "no control endpoint " + std::string(request.method_string()) + " " + std::string(path));
}

http::Response ControlApi::inject(const http::Request& request, bool callback) {
  RequestParams::ParseFailure failure{};
  const auto params = RequestParams::parse(request, &failure);
  if (!params) return bad_request(request, unreadable(failure));
  const auto token = params->text("token");
  const auto chat_id = params->integer("chat_id");
  const char* payload_name = callback ? "data" : "text";
  const auto payload = params->text(payload_name);
  if (!token || !is_valid_token(*token))
    return bad_request(request, "token is missing or malformed");
  if (!chat_id) return bad_request(request, "chat_id must be an integer");
  if (!payload) return bad_request(request, std::string(payload_name) + " must be a string");

  std::string sender_error;
  const auto from_id = callback ? chat_id : message_sender(*params, *chat_id, sender_error);
  if (!from_id) return bad_request(request, sender_error);
  const auto update_id = callback ? state_.inject_callback(*token, *chat_id, *payload)
                         : *chat_id < 0
                             ? state_.inject_group_message(*token, *chat_id, *from_id, *payload)
                             : state_.inject_message(*token, *chat_id, *payload);
  if (!update_id)
    return http::json_error(request, Status::too_many_requests, "queue_full",
                            "the bot's pending updates are at their limit");
  return http::json_response(request, Status::ok, {{"update_id", *update_id}});
}

http::Response ControlApi::sent(const http::Request& request) {
  const auto params = RequestParams::parse(request);
  const auto token = params ? params->text("token") : std::nullopt;
  if (!token) return bad_request(request, "token is required");
  std::vector<SentMessage> messages;
  if (params->has("chat_id")) {
    const auto chat_id = params->integer("chat_id");
    if (!chat_id) return bad_request(request, "chat_id must be an integer");
    messages = state_.sent(*token, *chat_id);
  } else {
    messages = state_.sent(*token, std::nullopt);
  }
  json list = json::array();
  for (const auto& message : messages) list.push_back(to_json(message));
  return http::json_response(request, Status::ok, list);
}

http::Response ControlApi::bot_counters(const http::Request& request) {
  const auto params = RequestParams::parse(request);
  const auto token = params ? params->text("token") : std::nullopt;
  if (!token) return bad_request(request, "token is required");
  const BotCounters counters = state_.counters(*token);
  return http::json_response(request, Status::ok,
                             {{"connections", counters.connections},
                              {"get_updates", counters.get_updates},
                              {"calls", counters.calls},
                              {"sent", counters.sent},
                              {"pending", counters.pending},
                              {"flood_refused", counters.flood_refused}});
}

http::Response ControlApi::calls(const http::Request& request) {
  const auto params = RequestParams::parse(request);
  const auto token = params ? params->text("token") : std::nullopt;
  if (!token) return bad_request(request, "token is required");
  json list = json::array();
  for (const auto& call : state_.calls(*token))
    list.push_back(
        {{"method", call.method}, {"at_us", call.at_us}, {"flood_refused", call.flood_refused}});
  return http::json_response(request, Status::ok, list);
}

http::Response ControlApi::tokens(const http::Request& request) {
  return http::json_response(request, Status::ok, state_.tokens_seen());
}

http::Response ControlApi::faults(const http::Request& request) {
  RequestParams::ParseFailure failure{};
  const auto params = RequestParams::parse(request, &failure);
  if (!params) return bad_request(request, unreadable(failure));
  const std::string token = params->text("token").value_or("");
  if (!token.empty() && !is_valid_token(token)) return bad_request(request, "token is malformed");
  // The body states the whole set of switches: one left out is off.
  Faults faults;
  faults.instant_get_updates = params->boolean("instant_get_updates").value_or(false);
  faults.non_json = params->boolean("non_json").value_or(false);
  faults.revoked = params->boolean("revoked").value_or(false);
  faults.deeply_nested = params->boolean("deeply_nested").value_or(false);
  faults.not_found = params->boolean("not_found").value_or(false);
  faults.server_error = params->boolean("server_error").value_or(false);
  faults.other_poller = params->boolean("other_poller").value_or(false);
  state_.set_faults(token, faults);
  return http::json_response(request, Status::ok,
                             {{"token", token},
                              {"instant_get_updates", faults.instant_get_updates},
                              {"non_json", faults.non_json},
                              {"revoked", faults.revoked},
                              {"deeply_nested", faults.deeply_nested},
                              {"not_found", faults.not_found},
                              {"server_error", faults.server_error},
                              {"other_poller", faults.other_poller}});
}

http::Response ControlApi::restart_ids(const http::Request& request) {
  RequestParams::ParseFailure failure{};
  const auto params = RequestParams::parse(request, &failure);
  if (!params) return bad_request(request, unreadable(failure));
  const auto token = params->text("token");
  const auto next = params->integer("next_update_id");
  if (!token || !is_valid_token(*token))
    return bad_request(request, "token is missing or malformed");
  if (!next || !state_.restart_update_ids(*token, *next))
    return bad_request(request, "next_update_id must be an integer from 1 to 2^63 - 2");
  return http::json_response(request, Status::ok, {{"next_update_id", *next}});
}

http::Response ControlApi::reset(const http::Request& request) {
  state_.reset();
  return http::json_response(request, Status::ok, {{"ok", true}});
}

}  // namespace hangar::sim
