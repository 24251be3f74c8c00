#include "sim/flood_gate.hpp"

#include <string>

#include "sim/telegram_json.hpp"

namespace hangar::sim {

std::optional<ApiReply> flood_refusal(const SimState& state, BotState& bot,
                                      std::string_view lowercase_method,
                                      const RequestParams& params, std::uint64_t call_number) {
  if (lowercase_method != "sendmessage" && lowercase_method != "editmessagetext")
    return std::nullopt;
  // An inline message's edit belongs to no chat.
  if (params.has("inline_message_id")) return std::nullopt;
  const auto chat_id = params.integer("chat_id");
  if (!chat_id) return std::nullopt;
  const auto limits = state.flood_limits_in_force();
  if (!limits) return std::nullopt;
  const auto retry_after = bot.admit_send(*chat_id, *limits, call_number);
  if (!retry_after) return std::nullopt;
  return ApiReply{429,
                  error_body(429, "Too Many Requests: retry after " + std::to_string(*retry_after),
                             *retry_after)};
}

}  // namespace hangar::sim
