#pragma once
// Bot tokens are secrets: validated here, and shown only masked (`123456:…abcd`).
#include <string>
#include <string_view>

namespace hangar {

bool is_valid_token(std::string_view token);  // ^[0-9]{1,20}:[A-Za-z0-9_-]{30,50}$
std::string mask_token(std::string_view token);

}  // namespace hangar
