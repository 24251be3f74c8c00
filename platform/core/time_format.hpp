#pragma once
// Times as the HTTP API shows them: RFC 3339 in UTC with milliseconds.
#include <cstdint>
#include <string>

namespace hangar {

// 1700000000123 -> "2023-11-14T22:13:20.123Z"
std::string format_rfc3339_ms(std::int64_t ms_since_epoch);

}  // namespace hangar
