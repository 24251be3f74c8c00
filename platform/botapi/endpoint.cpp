#include "platform/botapi/endpoint.hpp"

#include <charconv>
#include <string_view>

namespace hangar::botapi {

namespace {

std::optional<Endpoint> reject(std::string* error, std::string reason) {
  if (error) *error = std::move(reason);
  return std::nullopt;
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

}  // namespace

std::string Endpoint::display() const {
  std::string url = tls ? "https://" : "http://";
  // An IPv6 literal needs its brackets back to be a URL again.
  url += host.find(':') == std::string::npos ? host : '[' + host + ']';
  if (port != (tls ? 443 : 80)) url += ':' + std::to_string(port);
  return url + path_prefix;
}

std::optional<Endpoint> parse_api_url(const std::string& url, std::string* error) {
  Endpoint endpoint;
  std::string_view rest = url;
  if (starts_with(rest, "https://")) {
    rest.remove_prefix(8);
  } else if (starts_with(rest, "http://")) {
    endpoint.tls = false;
    endpoint.port = 80;
    rest.remove_prefix(7);
  } else {
    return reject(error, "API URL must start with http:// or https://: " + url);
  }
  if (rest.find_first_of("?#") != std::string_view::npos)
    return reject(error, "API URL must not have a query or fragment: " + url);

  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos)
    return reject(error, "API URL must not contain user info");

  std::string_view host = authority;
  std::string_view port;
  if (starts_with(authority, "[")) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos)
      return reject(error, "API URL has an unclosed '[': " + url);
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after[0] != ':')
      return reject(error, "API URL has junk after ']': " + url);
    if (!after.empty()) port = after.substr(1);
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (port.empty()) return reject(error, "API URL has an empty port: " + url);
  }
  if (host.empty()) return reject(error, "API URL has no host: " + url);
  endpoint.host = std::string(host);

  if (!port.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
      return reject(error, "API URL has a bad port '" + std::string(port) + "': " + url);
    endpoint.port = static_cast<std::uint16_t>(value);
  }

  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  endpoint.path_prefix = std::string(path);
  return endpoint;
}

}  // namespace hangar::botapi
