// /control/flood_limits: reads and sets the flood limits for every bot (sim/README.md).
#include <nlohmann/json.hpp>

#include "sim/control_api.hpp"
#include "sim/request_params.hpp"

namespace hangar::sim {

using http::Status;
using nlohmann::json;

namespace {

json to_json(const FloodLimits& limits) {
  return {{"enabled", limits.enabled},
          {"per_bot", format_flood_limit(limits.per_bot)},
          {"per_private_chat", format_flood_limit(limits.per_private_chat)},
          {"per_group", format_flood_limit(limits.per_group)}};
}

// Reads limit `name` into `into` when the body has it; false when its value is not N/DURATION.
bool read_limit(const RequestParams& params, const std::string& name, FloodLimit& into) {
  if (!params.has(name)) return true;
  const auto text = params.text(name);
  const auto limit = text ? parse_flood_limit(*text) : std::nullopt;
  if (!limit) return false;
  into = *limit;
  return true;
}

}  // namespace

http::Response ControlApi::flood_limits(const http::Request& request) {
  if (request.method() == boost::beast::http::verb::get)
    return http::json_response(request, Status::ok, to_json(state_.flood_limits()));
  const auto params = RequestParams::parse(request);
  if (!params)
    return http::json_error(request, Status::bad_request, "bad_request",
                            "the body is not a JSON object");
  // The body states the whole set: a limit left out takes Telegram's default, and posting limits
  // means enforcing them unless "enabled" says otherwise.
  if (params->has("enabled") && !params->boolean("enabled"))
    return http::json_error(request, Status::bad_request, "bad_request",
                            "enabled must be true or false");
  FloodLimits limits;
  limits.enabled = params->boolean("enabled").value_or(true);
  for (auto [name, limit] : {std::pair{"per_bot", &limits.per_bot},
                             std::pair{"per_private_chat", &limits.per_private_chat},
                             std::pair{"per_group", &limits.per_group}})
    if (!read_limit(*params, name, *limit))
      return http::json_error(request, Status::bad_request, "bad_request",
                              std::string(name) + " must be COUNT/DURATION, like 30/1s");
  state_.set_flood_limits(limits);
  return http::json_response(request, Status::ok, to_json(limits));
}

}  // namespace hangar::sim
