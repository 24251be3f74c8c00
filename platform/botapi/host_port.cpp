#include "platform/botapi/host_port.hpp"

#include <charconv>

#include <boost/asio/ip/address.hpp>

namespace hangar::botapi {

namespace {

std::optional<HostPort> reject(std::string* problem, std::string what) {
  if (problem) *problem = std::move(what);
  return std::nullopt;
}

}  // namespace

std::optional<HostPort> parse_host_port(std::string_view authority, std::string* problem) {
  std::string_view host = authority;
  std::optional<std::string_view> port;
  if (!authority.empty() && authority[0] == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return reject(problem, "an unclosed '['");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after[0] != ':') return reject(problem, "junk after ']'");
    if (!after.empty()) port = after.substr(1);
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return reject(problem, "no host");
  HostPort parsed{std::string(host), std::nullopt};
  if (!port) return parsed;
  if (port->empty()) return reject(problem, "an empty port");
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port->data(), port->data() + port->size(), value);
  if (ec != std::errc() || end != port->data() + port->size() || value == 0 || value > 65535)
    return reject(problem, "a bad port");  // not quoted: a proxy's could be a password
  parsed.port = static_cast<std::uint16_t>(value);
  return parsed;
}

bool is_ip_literal(const std::string& host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  return !ec;
}

}  // namespace hangar::botapi
