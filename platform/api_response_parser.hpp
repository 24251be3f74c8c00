#pragma once
// Turns one HTTP response from the Bot API into an ApiResult: the JSON envelope
// {"ok":..., "result":..., "error_code":..., "description":..., "parameters":{"retry_after":...}}
// decides, and the HTTP status matters only when the body is not such an envelope.
#include <string_view>

#include "platform/api_result.hpp"

namespace hangar::botapi {

ApiResult parse_api_response(unsigned http_status, std::string_view body);

}  // namespace hangar::botapi
