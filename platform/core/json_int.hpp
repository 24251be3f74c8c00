#pragma once
// An integer read from untrusted JSON. nlohmann keeps a large positive number as unsigned, and
// get<std::int64_t>() wraps one past INT64_MAX into a negative value; every reader of integers
// from the network goes through this instead.
#include <cstdint>
#include <limits>
#include <optional>

#include <nlohmann/json.hpp>

namespace hangar {

// The value when it is an integer that fits in int64; nullopt otherwise (not an integer, a
// float, or an unsigned past INT64_MAX).
inline std::optional<std::int64_t> json_int64(const nlohmann::json& value) {
  if (!value.is_number_integer()) return std::nullopt;
  if (value.is_number_unsigned() &&
      value.get<std::uint64_t>() > std::uint64_t{std::numeric_limits<std::int64_t>::max()})
    return std::nullopt;
  return value.get<std::int64_t>();
}

}  // namespace hangar
