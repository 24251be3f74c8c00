#pragma once
// A proxy between a bot and its Bot API, for networks where Telegram is blocked: an HTTP proxy
// (CONNECT) or a SOCKS5 proxy, with optional user and password. Written as curl writes it:
// `http://[user:password@]host[:port]`, `socks5://...` or `socks5h://...`; no scheme means
// http. SOCKS5 always lets the proxy resolve the Bot API's name (socks5h), since a network that
// blocks Telegram often poisons its DNS answers too.
#include <cstdint>
#include <optional>
#include <string>

namespace hangar::botapi {

struct Proxy {
  enum class Kind { http, socks5 };
  Kind kind = Kind::http;
  std::string scheme = "http";  // as written, lower case: http, socks5 or socks5h
  std::string host;             // a name, or an IP literal (IPv6 without brackets)
  std::uint16_t port = 1080;
  std::string user;      // secret, like a token: never logged or shown
  std::string password;  // secret

  bool has_credentials() const { return !user.empty() || !password.empty(); }
  // For logs, errors and the UI: `socks5://…@host:port` when it has credentials, so that neither
  // the user nor the password ever shows.
  std::string display() const;
};

// RFC 1929 sends each of them with a one-byte length; Basic auth is held to the same.
constexpr std::size_t max_proxy_credential_bytes = 255;

// Returns nullopt and sets `error` to one line when `url` is not a proxy URL. The error never
// repeats the URL's user or password.
std::optional<Proxy> parse_proxy_url(const std::string& url, std::string* error = nullptr);

// A bot's stored proxy setting that means "no proxy, whatever the environment says".
constexpr const char* direct_proxy = "direct";

}  // namespace hangar::botapi
