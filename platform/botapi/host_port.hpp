#pragma once
// The `host[:port]` part of a URL, shared by the Bot API's URL and a proxy's.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hangar::botapi {

struct HostPort {
  std::string host;  // an IPv6 literal without its brackets
  std::optional<std::uint16_t> port;
};

// "host", "host:port", "[v6]" or "[v6]:port". Nullopt when malformed, and `problem` says what is
// wrong in words that follow "has": "no host", "a bad port", "an unclosed '['".
std::optional<HostPort> parse_host_port(std::string_view authority, std::string* problem);

// An IPv4 or IPv6 address, which needs no DNS lookup.
bool is_ip_literal(const std::string& host);

}  // namespace hangar::botapi
