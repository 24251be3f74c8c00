#include <catch2/catch.hpp>

#include <stdexcept>

#include "platform/botapi/proxy_choice.hpp"

using hangar::ProxyEnvironment;
using hangar::botapi::choose_proxy;
using hangar::botapi::no_proxy_matches;
using hangar::botapi::parse_api_url;

namespace {

std::string chosen(const std::string& api_url, const std::optional<std::string>& own,
                   const ProxyEnvironment& environment) {
  auto proxy = choose_proxy(*parse_api_url(api_url), own, environment);
  return proxy ? proxy->display() : "direct";
}

}  // namespace

TEST_CASE("the environment's proxy follows the Bot API's scheme, as in curl", "[proxy_choice]") {
  ProxyEnvironment environment;
  CHECK(chosen("https://api.telegram.org", std::nullopt, environment) == "direct");

  environment.all_proxy = "socks5://127.0.0.1:1080";
  CHECK(chosen("https://api.telegram.org", std::nullopt, environment) == "socks5://127.0.0.1:1080");
  CHECK(chosen("http://bot-api.local:8081", std::nullopt, environment) ==
        "socks5://127.0.0.1:1080");

  environment.https_proxy = "http://10.0.0.1:3128";
  environment.http_proxy = "http://10.0.0.2:3128";
  CHECK(chosen("https://api.telegram.org", std::nullopt, environment) == "http://10.0.0.1:3128");
  CHECK(chosen("http://bot-api.local:8081", std::nullopt, environment) == "http://10.0.0.2:3128");
}

TEST_CASE("a bot's own proxy beats the environment, and NO_PROXY", "[proxy_choice]") {
  ProxyEnvironment environment;
  environment.all_proxy = "socks5://127.0.0.1:1080";
  environment.no_proxy = "*";
  CHECK(chosen("https://api.telegram.org", std::nullopt, environment) == "direct");
  CHECK(chosen("https://api.telegram.org", "http://u:p@10.0.0.1:3128", environment) ==
        "http://\u2026@10.0.0.1:3128");
  environment.no_proxy = "";
  CHECK(chosen("https://api.telegram.org", "direct", environment) == "direct");
}

TEST_CASE("a setting that is not a proxy URL never means going direct", "[proxy_choice]") {
  ProxyEnvironment environment;
  CHECK_THROWS_AS(choose_proxy(*parse_api_url("https://api.telegram.org"), "ftp://x", environment),
                  std::invalid_argument);
  environment.https_proxy = "gopher://x";
  CHECK_THROWS_AS(
      choose_proxy(*parse_api_url("https://api.telegram.org"), std::nullopt, environment),
      std::invalid_argument);
}

TEST_CASE("NO_PROXY matches names, their subdomains, addresses and networks", "[proxy_choice]") {
  const std::string list =
      "localhost, .internal.example,Bot-Api.Local 10.0.0.0/8,[::1],192.168.1.7";
  CHECK(no_proxy_matches(list, "localhost"));
  CHECK(no_proxy_matches(list, "internal.example"));
  CHECK(no_proxy_matches(list, "a.b.internal.example"));
  CHECK(no_proxy_matches(list, "bot-api.local"));
  CHECK(no_proxy_matches(list, "BOT-API.LOCAL."));
  CHECK(no_proxy_matches(list, "10.20.30.40"));
  CHECK(no_proxy_matches(list, "::1"));
  CHECK(no_proxy_matches(list, "192.168.1.7"));

  CHECK_FALSE(no_proxy_matches(list, "api.telegram.org"));
  CHECK_FALSE(no_proxy_matches(list, "notlocalhost"));  // a suffix only at a dot
  CHECK_FALSE(no_proxy_matches(list, "internal.example.org"));
  CHECK_FALSE(no_proxy_matches(list, "11.0.0.1"));
  CHECK_FALSE(no_proxy_matches(list, "192.168.1.8"));
  CHECK_FALSE(no_proxy_matches(list, "::2"));
  CHECK_FALSE(no_proxy_matches("", "localhost"));

  CHECK(no_proxy_matches("*", "api.telegram.org"));
  CHECK(no_proxy_matches("127.0.0.0/8", "127.0.0.1"));
  CHECK(no_proxy_matches("fd00::/8", "fd12::1"));
  CHECK_FALSE(no_proxy_matches("fd00::/8", "fe80::1"));
  CHECK_FALSE(no_proxy_matches("127.0.0.0/8", "::1"));  // families never mix
  CHECK_FALSE(no_proxy_matches("127.0.0.0/99", "127.0.0.1"));
  CHECK_FALSE(no_proxy_matches("10.0.0.1", "ten.example"));  // an address never matches a name
}
