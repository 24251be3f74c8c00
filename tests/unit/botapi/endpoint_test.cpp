#include <catch2/catch.hpp>

#include "platform/botapi/endpoint.hpp"

using hangar::botapi::parse_api_url;

TEST_CASE("https URLs default to port 443 and TLS", "[api_endpoint]") {
  auto endpoint = parse_api_url("https://api.telegram.org");
  REQUIRE(endpoint);
  CHECK(endpoint->tls);
  CHECK(endpoint->host == "api.telegram.org");
  CHECK(endpoint->port == 443);
  CHECK(endpoint->path_prefix.empty());
  CHECK(endpoint->display() == "https://api.telegram.org");
}

TEST_CASE("http URLs default to port 80", "[api_endpoint]") {
  auto endpoint = parse_api_url("http://localhost");
  REQUIRE(endpoint);
  CHECK_FALSE(endpoint->tls);
  CHECK(endpoint->port == 80);
}

TEST_CASE("ports, prefixes and trailing slashes", "[api_endpoint]") {
  auto endpoint = parse_api_url("http://127.0.0.1:8081/tg/api/");
  REQUIRE(endpoint);
  CHECK(endpoint->host == "127.0.0.1");
  CHECK(endpoint->port == 8081);
  CHECK(endpoint->path_prefix == "/tg/api");
  CHECK(endpoint->display() == "http://127.0.0.1:8081/tg/api");

  auto bare = parse_api_url("https://example.org:8443/");
  REQUIRE(bare);
  CHECK(bare->path_prefix.empty());
  CHECK(bare->display() == "https://example.org:8443");
}

TEST_CASE("IPv6 literals keep their brackets only in the URL", "[api_endpoint]") {
  auto endpoint = parse_api_url("http://[::1]:9000");
  REQUIRE(endpoint);
  CHECK(endpoint->host == "::1");
  CHECK(endpoint->port == 9000);
  CHECK(endpoint->display() == "http://[::1]:9000");
}

TEST_CASE("bad URLs are refused with one line naming the problem", "[api_endpoint]") {
  auto refused = [](const std::string& url) {
    std::string error;
    CHECK_FALSE(parse_api_url(url, &error));
    CHECK_FALSE(error.empty());
    CHECK(error.find('\n') == std::string::npos);
    return error;
  };
  CHECK_THAT(refused("ftp://example.org"), Catch::Contains("http://"));
  CHECK_THAT(refused("example.org"), Catch::Contains("http://"));
  CHECK_THAT(refused("https://"), Catch::Contains("no host"));
  CHECK_THAT(refused("https://:443"), Catch::Contains("no host"));
  CHECK_THAT(refused("https://example.org:0"), Catch::Contains("port"));
  CHECK_THAT(refused("https://example.org:65536"), Catch::Contains("port"));
  CHECK_THAT(refused("https://example.org:12ab"), Catch::Contains("port"));
  CHECK_THAT(refused("https://example.org:"), Catch::Contains("port"));
  CHECK_THAT(refused("https://example.org/?x=1"), Catch::Contains("query"));
  CHECK_THAT(refused("https://[::1"), Catch::Contains("["));
}

TEST_CASE("user info is refused without echoing it", "[api_endpoint]") {
  std::string error;
  CHECK_FALSE(parse_api_url("https://user:s3cret@example.org", &error));
  CHECK_THAT(error, Catch::Contains("user info"));
  CHECK(error.find("s3cret") == std::string::npos);
}

TEST_CASE("the error pointer is optional", "[api_endpoint]") {
  CHECK_FALSE(parse_api_url("gopher://x"));
}
