#include "platform/botapi/proxy_choice.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <stdexcept>
#include <vector>

#include <boost/asio/ip/address.hpp>

namespace hangar::botapi {

namespace {

namespace ip = boost::asio::ip;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim_dots(std::string_view name) {
  while (!name.empty() && name.front() == '.') name.remove_prefix(1);
  while (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return name;
}

std::optional<ip::address> address_of(std::string_view text) {
  if (text.size() > 2 && text.front() == '[' && text.back() == ']')
    text = text.substr(1, text.size() - 2);
  boost::system::error_code ec;
  auto address = ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  return address;
}

// The first `bits` bits of both addresses agree (same family only).
bool same_prefix(const ip::address& a, const ip::address& b, unsigned bits) {
  if (a.is_v4() != b.is_v4()) return false;
  auto bytes = [](const ip::address& address) {
    if (address.is_v4()) {
      auto v4 = address.to_v4().to_bytes();
      return std::vector<unsigned char>(v4.begin(), v4.end());
    }
    auto v6 = address.to_v6().to_bytes();
    return std::vector<unsigned char>(v6.begin(), v6.end());
  };
  const auto x = bytes(a);
  const auto y = bytes(b);
  if (bits > x.size() * 8) return false;
  for (std::size_t i = 0; bits > 0; ++i) {
    const unsigned take = std::min(bits, 8u);
    const auto mask = static_cast<unsigned char>(0xFF << (8 - take));
    if ((x[i] & mask) != (y[i] & mask)) return false;
    bits -= take;
  }
  return true;
}

bool address_matches(std::string_view entry, const ip::address& host) {
  const auto slash = entry.find('/');
  const auto network = address_of(entry.substr(0, slash));
  if (!network) return false;
  if (slash == std::string_view::npos) return *network == host;
  unsigned bits = 0;
  const auto text = entry.substr(slash + 1);
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), bits);
  return ec == std::errc() && end == text.data() + text.size() && same_prefix(*network, host, bits);
}

bool name_matches(std::string_view entry, std::string_view host) {
  entry = trim_dots(entry);
  host = trim_dots(host);
  if (entry.empty()) return false;
  if (iequals(entry, host)) return true;
  return host.size() > entry.size() && host[host.size() - entry.size() - 1] == '.' &&
         iequals(host.substr(host.size() - entry.size()), entry);
}

bool entry_matches(std::string_view entry, const std::string& host) {
  if (entry == "*") return true;
  if (const auto address = address_of(host)) return address_matches(entry, *address);
  return name_matches(entry, host);
}

const std::string& environment_proxy(const Endpoint& endpoint, const ProxyEnvironment& env) {
  const std::string& own_scheme = endpoint.tls ? env.https_proxy : env.http_proxy;
  return own_scheme.empty() ? env.all_proxy : own_scheme;
}

}  // namespace

bool no_proxy_matches(std::string_view list, const std::string& host) {
  while (!list.empty()) {
    const auto end = list.find_first_of(", \t");
    const auto entry = list.substr(0, end);
    if (!entry.empty() && entry_matches(entry, host)) return true;
    list = end == std::string_view::npos ? std::string_view() : list.substr(end + 1);
  }
  return false;
}

std::optional<Proxy> choose_proxy(const Endpoint& endpoint, const std::optional<std::string>& own,
                                  const ProxyEnvironment& environment) {
  std::string url;
  if (own) {
    if (*own == direct_proxy) return std::nullopt;
    url = *own;
  } else {
    url = environment_proxy(endpoint, environment);
    if (url.empty() || no_proxy_matches(environment.no_proxy, endpoint.host)) return std::nullopt;
  }
  std::string error;
  auto proxy = parse_proxy_url(url, &error);
  if (!proxy) throw std::invalid_argument(error);
  return proxy;
}

}  // namespace hangar::botapi
