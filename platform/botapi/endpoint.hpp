#pragma once
// Where a bot's Bot API lives: `<scheme>://<host>[:port][/prefix]`, reached as
// `<prefix>/bot<token>/<method>`.
#include <cstdint>
#include <optional>
#include <string>

namespace hangar::botapi {

struct Endpoint {
  bool tls = true;
  std::string host;
  std::uint16_t port = 443;
  std::string path_prefix;  // "" or "/something", never with a trailing slash

  // For logs and the UI: the URL without any token.
  std::string display() const;
};

// Returns nullopt and sets `error` to one line when the URL is not http(s)://host[:port][/path].
std::optional<Endpoint> parse_api_url(const std::string& url, std::string* error = nullptr);

}  // namespace hangar::botapi
