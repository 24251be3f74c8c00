#include <catch2/catch.hpp>

#include <string>

#include "platform/core/json_nesting.hpp"

using hangar::json_nesting_within;

namespace {
std::string nested(std::size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}
}  // namespace

TEST_CASE("nesting is counted over arrays and objects together") {
  CHECK(json_nesting_within("", 0));
  CHECK(json_nesting_within("42", 0));
  CHECK(json_nesting_within(R"({"a":[1,{"b":2}],"c":{}})", 3));
  CHECK_FALSE(json_nesting_within(R"({"a":[1,{"b":2}],"c":{}})", 2));
  CHECK(json_nesting_within(nested(64), 64));
  CHECK_FALSE(json_nesting_within(nested(65), 64));
  // Siblings do not add up: depth goes back down after each closes.
  CHECK(json_nesting_within("[[1],[2],[3],[4]]", 2));
}

TEST_CASE("brackets inside strings, escaped quotes included, do not count") {
  CHECK(json_nesting_within(R"({"text":"[[[[{{{{"})", 1));
  CHECK(json_nesting_within(R"({"text":"say \"[[[[\" and \\","n":[1]})", 2));
  CHECK_FALSE(json_nesting_within(R"({"text":"\\","n":[[1]]})", 2));
}

TEST_CASE("a million levels are refused at once, without recursion") {
  CHECK_FALSE(json_nesting_within(nested(1000000), 64));
  CHECK_FALSE(json_nesting_within(std::string(1000000, '{'), 64));  // unclosed, too
}
