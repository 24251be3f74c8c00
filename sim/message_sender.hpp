#pragma once
// Who writes a message injected through the control API: in a private chat its user (the chat's
// own id), in a group the user `from_id` names. `chat_type`, when given, must be the one the
// chat's id has in Telegram.
#include <cstdint>
#include <optional>
#include <string>

#include "sim/request_params.hpp"

namespace hangar::sim {

// The sender's user id, or nullopt with `error` saying what is wrong with the parameters.
std::optional<std::int64_t> message_sender(const RequestParams& params, std::int64_t chat_id,
                                           std::string& error);

}  // namespace hangar::sim
