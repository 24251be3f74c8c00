#include "platform/botapi/proxy_url.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "platform/botapi/host_port.hpp"

namespace hangar::botapi {

namespace {

std::optional<Proxy> reject(std::string* error, std::string reason) {
  if (error) *error = std::move(reason);
  return std::nullopt;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

// RFC 3986 user info: %XX is a byte, '+' is itself (unlike in a form).
std::optional<std::string> percent_decode(std::string_view text) {
  std::string decoded;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      decoded += text[i];
      continue;
    }
    const int high = i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
    const int low = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
    if (high < 0 || low < 0) return std::nullopt;
    decoded += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return decoded;
}

std::string lower(std::string_view text) {
  std::string result(text);
  std::transform(result.begin(), result.end(), result.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return result;
}

// Safe to repeat in an error: it cannot be a piece of user info.
bool plain_word(const std::string& text) {
  return !text.empty() && text.size() <= 10 &&
         std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isalnum(c); });
}

}  // namespace

std::string Proxy::display() const {
  std::string url = scheme + "://";
  if (has_credentials()) url += "\u2026@";
  url += host.find(':') == std::string::npos ? host : '[' + host + ']';
  return url + ':' + std::to_string(port);
}

std::optional<Proxy> parse_proxy_url(const std::string& url, std::string* error) {
  Proxy proxy;
  std::string_view rest = url;
  if (const auto colon_slashes = rest.find("://"); colon_slashes != std::string_view::npos) {
    proxy.scheme = lower(rest.substr(0, colon_slashes));
    rest.remove_prefix(colon_slashes + 3);
  }
  if (proxy.scheme == "socks5" || proxy.scheme == "socks5h")
    proxy.kind = Proxy::Kind::socks5;
  else if (proxy.scheme != "http")
    return reject(error, "proxy URL must start with http://, socks5:// or socks5h:// (" +
                             (plain_word(proxy.scheme) ? proxy.scheme : "its scheme") +
                             " proxies are not supported)");

  const auto end = rest.find_first_of("/?#");
  if (end != std::string_view::npos && rest.substr(end) != "/")
    return reject(error, "proxy URL must be only scheme://[user:password@]host[:port]");
  std::string_view authority = rest.substr(0, end);

  // The last '@' ends the user info: a password may hold an unescaped '@', the host cannot.
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view info = authority.substr(0, at);
    authority.remove_prefix(at + 1);
    const auto colon = info.find(':');
    auto user = percent_decode(info.substr(0, colon));
    auto password = percent_decode(colon == std::string_view::npos ? "" : info.substr(colon + 1));
    if (!user || !password)
      return reject(error, "proxy URL has a malformed %-escape in its user or password");
    if (user->size() > max_proxy_credential_bytes || password->size() > max_proxy_credential_bytes)
      return reject(error, "proxy user and password are at most " +
                               std::to_string(max_proxy_credential_bytes) + " bytes each");
    proxy.user = std::move(*user);
    proxy.password = std::move(*password);
  }

  std::string problem;
  auto host_port = parse_host_port(authority, &problem);
  if (!host_port) return reject(error, "proxy URL has " + problem);
  proxy.host = lower(host_port->host);
  proxy.port = host_port->port.value_or(proxy.port);
  return proxy;
}

}  // namespace hangar::botapi
