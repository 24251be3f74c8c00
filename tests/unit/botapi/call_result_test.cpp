#include <catch2/catch.hpp>

#include "platform/botapi/call_result.hpp"
#include "platform/botapi/response_parser.hpp"

using namespace hangar::botapi;

TEST_CASE("outcomes are named as the metrics label names them", "[api_result]") {
  CHECK(to_string(Outcome::ok) == "ok");
  CHECK(to_string(Outcome::api_error) == "api_error");
  CHECK(to_string(Outcome::http_error) == "http_error");
  CHECK(to_string(Outcome::bad_response) == "bad_response");
  CHECK(to_string(Outcome::network) == "network");
  CHECK(to_string(Outcome::timeout) == "timeout");
}

TEST_CASE("an ok envelope carries its result", "[api_result]") {
  auto result = parse_response(
      200, R"({"ok":true,"result":{"id":999,"is_bot":true,"first_name":"Hangar"},"extra":1})");
  CHECK(result.ok());
  CHECK(result.http_status == 200);
  CHECK(result.result["id"] == 999);
  CHECK(result.summary() == "ok");
}

TEST_CASE("an error envelope is an api_error with code and description", "[api_result]") {
  auto result =
      parse_response(401, R"({"ok":false,"error_code":401,"description":"Unauthorized"})");
  CHECK(result.outcome == Outcome::api_error);
  CHECK(result.http_status == 401);
  CHECK(result.error_code == 401);
  CHECK(result.description == "Unauthorized");
  CHECK_FALSE(result.transient());
  CHECK(result.summary() == "api_error 401: Unauthorized");
}

TEST_CASE("flood control keeps retry_after and is transient", "[api_result]") {
  auto result = parse_response(
      429,
      R"({"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}})");
  CHECK(result.outcome == Outcome::api_error);
  CHECK(result.retry_after_seconds == std::optional<int>(7));
  CHECK(result.transient());
}

TEST_CASE("a body that is not a Bot API envelope", "[api_result]") {
  SECTION("with a 2xx status is a bad_response") {
    auto garbage = parse_response(200, "<html>hello</html>");
    CHECK(garbage.outcome == Outcome::bad_response);
    CHECK(garbage.summary() == "bad_response: response is not JSON");
    auto no_ok = parse_response(200, R"({"result":[]})");
    CHECK(no_ok.outcome == Outcome::bad_response);
    CHECK_THAT(no_ok.description, Catch::Contains("'ok'"));
    CHECK(parse_response(200, "[1,2]").outcome == Outcome::bad_response);
    CHECK(parse_response(200, R"({"ok":"yes"})").outcome == Outcome::bad_response);
  }
  SECTION("with an error status is an http_error") {
    auto gateway = parse_response(502, "<html>Bad Gateway</html>");
    CHECK(gateway.outcome == Outcome::http_error);
    CHECK(gateway.http_status == 502);
    CHECK(gateway.transient());
    CHECK(gateway.summary() == "http_error 502: Bad Gateway");
    auto not_found = parse_response(404, "");
    CHECK(not_found.outcome == Outcome::http_error);
    CHECK_FALSE(not_found.transient());
  }
}

TEST_CASE("transient failures are the ones that may go away by themselves", "[api_result]") {
  CHECK(failure(Outcome::network, "x").transient());
  CHECK(failure(Outcome::timeout, "x").transient());
  CHECK(failure(Outcome::bad_response, "x").transient());
  CHECK(parse_response(200, "<html>a proxy's page</html>").transient());
  CHECK(parse_response(302, "").transient());
  CHECK(parse_response(408, "").transient());
  CHECK_FALSE(parse_response(400, R"({"ok":false,"error_code":400,"description":"chat not found"})")
                  .transient());
  CHECK_FALSE(parse_response(403, R"({"ok":false,"error_code":403,"description":"blocked"})")
                  .transient());
  CallResult server_error = failure(Outcome::api_error, "Internal");
  server_error.error_code = 500;
  CHECK(server_error.transient());
  CallResult conflict = failure(Outcome::api_error, "Conflict");
  conflict.error_code = 409;
  conflict.http_status = 409;
  CHECK_FALSE(conflict.transient());
}

TEST_CASE("a summary is one line", "[api_result]") {
  auto result = failure(Outcome::network, "certificate verify failed: hostname mismatch");
  CHECK(result.summary() == "network: certificate verify failed: hostname mismatch");
  CHECK(failure(Outcome::network, "a\nb").summary() == "network: a b");
}

// Parsing any depth is safe, but copying or dumping the value recurses once per level: a million
// levels overflowed the stack and took the whole process down.
TEST_CASE("a body nested past the bound is a bad_response, however deep", "[api_result]") {
  for (const std::size_t depth : {65, 1000000}) {
    const std::string body = R"({"ok":true,"result":[{"update_id":1,"message":)" +
                             std::string(depth, '[') + std::string(depth, ']') + "}]}";
    const auto result = parse_response(200, body);
    CHECK(result.outcome == Outcome::bad_response);
    CHECK(result.description == "response nests deeper than 64 levels");
  }
  CHECK(parse_response(200, R"({"ok":true,"result":[[[[[]]]]]})").ok());
}

TEST_CASE("hostile integers are capped or ignored, never truncated or overflowed", "[api_result]") {
  auto retry_after = [](const std::string& value) {
    return parse_response(429, R"({"ok":false,"error_code":429,"description":"Too Many Requests",)"
                               R"("parameters":{"retry_after":)" +
                                   value + "}}")
        .retry_after_seconds;
  };
  CHECK(retry_after("5") == 5);
  CHECK(retry_after("3600") == 3600);
  // Past the cap (an hour), up to values that would overflow `seconds * 1000` or an int.
  CHECK(retry_after("3601") == 3600);
  CHECK(retry_after("4294967301") == 3600);            // 2^32 + 5: get<int> made it 5
  CHECK(retry_after("18446744073709551615") == 3600);  // 2^64 - 1
  CHECK(retry_after("-7") == 0);
  CHECK_FALSE(retry_after("1.5").has_value());
  CHECK_FALSE(retry_after(R"("10")").has_value());

  auto error_code = [](const std::string& value) {
    return parse_response(
               400, R"({"ok":false,"error_code":)" + value + R"(,"description":"Bad Request"})")
        .error_code;
  };
  CHECK(error_code("400") == 400);
  CHECK(error_code("4294967696") == 0);  // 2^32 + 400: get<int> made it 400; 0 is "none"
  CHECK(error_code("-1") == 0);
}
