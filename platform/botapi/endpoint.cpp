#include "platform/botapi/endpoint.hpp"

#include <string_view>

#include "platform/botapi/host_port.hpp"

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

  std::string problem;
  auto host_port = parse_host_port(authority, &problem);
  if (!host_port) return reject(error, "API URL has " + problem + ": " + url);
  endpoint.host = std::move(host_port->host);
  endpoint.port = host_port->port.value_or(endpoint.port);

  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  endpoint.path_prefix = std::string(path);
  return endpoint;
}

}  // namespace hangar::botapi
