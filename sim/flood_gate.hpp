#pragma once
// Telegram's flood control in front of the methods it limits here: sendMessage, and
// editMessageText of a chat's message. Counted when a request arrives, after the fault switches
// and before the method runs, so a refused request has no effect at all.
#include <cstdint>
#include <optional>
#include <string_view>

#include "sim/bot_api_handler.hpp"
#include "sim/bot_state.hpp"
#include "sim/request_params.hpp"
#include "sim/sim_state.hpp"

namespace hangar::sim {

// Telegram's 429 with retry_after when the limits in force refuse the request; nullopt when they
// are off, do not apply to it, or accept it (it then counts in its windows). `call_number` is
// what BotState::count_call returned for the request.
std::optional<ApiReply> flood_refusal(const SimState& state, BotState& bot,
                                      std::string_view lowercase_method,
                                      const RequestParams& params, std::uint64_t call_number);

}  // namespace hangar::sim
