#pragma once
// Turns one HTTP response from the Bot API into an CallResult: the JSON envelope
// {"ok":..., "result":..., "error_code":..., "description":..., "parameters":{"retry_after":...}}
// decides, and the HTTP status matters only when the body is not such an envelope.
#include <string_view>

#include "platform/botapi/call_result.hpp"

namespace hangar::botapi {

CallResult parse_response(unsigned http_status, std::string_view body);

}  // namespace hangar::botapi
