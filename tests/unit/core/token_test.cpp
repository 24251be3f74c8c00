#include <catch2/catch.hpp>

#include <string>

#include "platform/core/token.hpp"

using hangar::is_valid_token;
using hangar::mask_token;

namespace {
const std::string secret30(30, 'a');
const std::string secret50(50, 'Z');
const std::string good = "123456:ABCdef_ghi-jkl0123456789mnopqrstuvwxyz";
}  // namespace

TEST_CASE("a token is 1 to 20 digits, a colon, and 30 to 50 of [A-Za-z0-9_-]") {
  CHECK(is_valid_token(good));
  CHECK(is_valid_token("1:" + secret30));
  CHECK(is_valid_token("12345678901234567890:" + secret50));
  CHECK(is_valid_token("0:" + std::string(15, '_') + std::string(15, '-')));

  CHECK_FALSE(is_valid_token(""));
  CHECK_FALSE(is_valid_token(":" + secret30));                       // no id
  CHECK_FALSE(is_valid_token("123456789012345678901:" + secret30));  // 21 digits
  CHECK_FALSE(is_valid_token("12a:" + secret30));
  CHECK_FALSE(is_valid_token("-1:" + secret30));
  CHECK_FALSE(is_valid_token("1:" + secret30.substr(1)));  // 29
  CHECK_FALSE(is_valid_token("1:" + secret50 + "a"));      // 51
  CHECK_FALSE(is_valid_token("1" + secret30));             // no colon
  CHECK_FALSE(is_valid_token("1:" + secret30 + ":"));
  CHECK_FALSE(is_valid_token("1:" + secret30 + " "));
  CHECK_FALSE(is_valid_token(" 1:" + secret30));
  CHECK_FALSE(is_valid_token("1:" + secret30 + "\n"));
  CHECK_FALSE(is_valid_token("1:" + std::string(29, 'a') + "."));
  CHECK_FALSE(is_valid_token("1:" + std::string(29, 'a') + "\xc3\xa9"));
}

TEST_CASE("a token is masked to its bot id and last four characters") {
  CHECK(mask_token(good) == "123456:\u2026wxyz");
  CHECK(mask_token("1:" + secret30) == "1:\u2026aaaa");
}

TEST_CASE("a malformed token shows nothing of what might be its secret part") {
  const std::string masked = mask_token("not a token but a long secret phrase");
  CHECK(masked == "\u2026rase");
  CHECK(mask_token("abc:defghijk") == "\u2026hijk");  // no id shown: it may not be one
  CHECK(mask_token("12345678") == "\u2026");          // too short to show even four
  CHECK(mask_token("") == "\u2026");
  CHECK(mask_token("123456:short") == "\u2026hort");
}
