#include <catch2/catch.hpp>

#include "platform/botapi/proxy_url.hpp"

using hangar::botapi::parse_proxy_url;
using hangar::botapi::Proxy;

TEST_CASE("proxy URLs: http CONNECT and SOCKS5, as curl writes them", "[proxy_url]") {
  auto http = parse_proxy_url("http://proxy.example:3128");
  REQUIRE(http);
  CHECK(http->kind == Proxy::Kind::http);
  CHECK(http->host == "proxy.example");
  CHECK(http->port == 3128);
  CHECK_FALSE(http->has_credentials());
  CHECK(http->display() == "http://proxy.example:3128");

  auto bare = parse_proxy_url("Proxy.Example");  // no scheme is http, no port is curl's 1080
  REQUIRE(bare);
  CHECK(bare->kind == Proxy::Kind::http);
  CHECK(bare->host == "proxy.example");
  CHECK(bare->port == 1080);

  auto socks = parse_proxy_url("socks5://127.0.0.1:1080/");
  REQUIRE(socks);
  CHECK(socks->kind == Proxy::Kind::socks5);
  CHECK(socks->display() == "socks5://127.0.0.1:1080");

  auto socks_h = parse_proxy_url("SOCKS5H://[::1]:9050");
  REQUIRE(socks_h);
  CHECK(socks_h->kind == Proxy::Kind::socks5);
  CHECK(socks_h->host == "::1");
  CHECK(socks_h->display() == "socks5h://[::1]:9050");
}

TEST_CASE("proxy credentials are decoded, and never displayed", "[proxy_url]") {
  auto proxy = parse_proxy_url("socks5://us%40er:p%3Ass@w+rd@127.0.0.1:1080");
  REQUIRE(proxy);
  CHECK(proxy->user == "us@er");
  CHECK(proxy->password == "p:ss@w+rd");  // the last '@' ends the user info; '+' is itself
  CHECK(proxy->host == "127.0.0.1");
  CHECK(proxy->display() == "socks5://\u2026@127.0.0.1:1080");

  auto user_only = parse_proxy_url("http://alice@proxy:8080");
  REQUIRE(user_only);
  CHECK(user_only->user == "alice");
  CHECK(user_only->password.empty());
  CHECK(user_only->display().find("alice") == std::string::npos);
}

TEST_CASE("bad proxy URLs are refused with one line that repeats no secret", "[proxy_url]") {
  auto refused = [](const std::string& url) {
    std::string error;
    CHECK_FALSE(parse_proxy_url(url, &error));
    CHECK_FALSE(error.empty());
    CHECK(error.find('\n') == std::string::npos);
    CHECK(error.find("s3cret") == std::string::npos);
    CHECK(error.find("someone") == std::string::npos);
    return error;
  };
  CHECK_THAT(refused("https://someone:s3cret@proxy:443"), Catch::Contains("https proxies"));
  CHECK_THAT(refused("socks4://someone:s3cret@proxy"), Catch::Contains("socks4"));
  CHECK_THAT(refused("http://someone:s3cret@"), Catch::Contains("no host"));
  CHECK_THAT(refused("http://someone:s3cret@proxy:0"), Catch::Contains("port"));
  // Without the '@', the password reads as a port; the error must not quote it.
  CHECK_THAT(refused("http://someone:s3cret"), Catch::Contains("port"));
  CHECK_THAT(refused("http://someone:s3cret@proxy/path"), Catch::Contains("only"));
  CHECK_THAT(refused("http://someone:s3cret%zz@proxy"), Catch::Contains("escape"));
  CHECK_THAT(refused("http://" + std::string(256, 'u') + ":s3cret@proxy"), Catch::Contains("255"));
  CHECK_THAT(refused("http://someone:s3cret@[::1"), Catch::Contains("["));
}
