#include <catch2/catch.hpp>

#include "actors/behaviors/behavior.hpp"

using namespace hangar::actors;
using hangar::telegram::Update;

namespace {
Update text_message(std::int64_t chat_id, const std::string& text) {
  return hangar::telegram::parse_update(
      nlohmann::json{{"update_id", 1},
                     {"message",
                      {{"message_id", 7},
                       {"date", 0},
                       {"chat", {{"id", chat_id}, {"type", "private"}}},
                       {"text", text}}}});
}
std::unique_ptr<Behavior> make(const std::string& text) {
  std::string error;
  auto spec = parse_behavior(text, &error);
  INFO(error);
  REQUIRE(spec);
  return make_behavior(*spec);
}
}  // namespace

TEST_CASE("behaviour names are checked with a clear error") {
  std::string error;
  CHECK(parse_behavior("echo"));
  CHECK(parse_behavior("leak:64KiB"));
  CHECK_FALSE(parse_behavior("foo", &error));
  CHECK_THAT(error, Catch::Contains("unknown behaviour \"foo\""));
  CHECK_FALSE(parse_behavior("leak:lots", &error));
  CHECK_THAT(error, Catch::Contains("needs a size"));
  CHECK_FALSE(parse_behavior("echo:1", &error));
  CHECK_FALSE(parse_behavior("slow", &error));
}

TEST_CASE("echo repeats the text to the same chat") {
  std::string state;
  auto reaction = make("echo")->on_update(text_message(42, "hi"), state);
  REQUIRE(reaction.actions.size() == 1);
  CHECK(reaction.actions[0].method == "sendMessage");
  CHECK(reaction.actions[0].params["chat_id"] == 42);
  CHECK(reaction.actions[0].params["text"] == "hi");
  CHECK_FALSE(reaction.state_changed);
}

TEST_CASE("counter numbers the chat's messages from its saved state") {
  std::string state = "41";
  auto reaction = make("counter")->on_update(text_message(1, "x"), state);
  CHECK(reaction.actions.at(0).params["text"] == "#42 x");
  CHECK(reaction.state_changed);
  CHECK(state == "42");
}

TEST_CASE("slow delays only messages that ask for it; crash-on throws on its text") {
  std::string state;
  auto slow = make("slow:2s");
  CHECK(slow->on_update(text_message(1, "slow one"), state).delay == std::chrono::seconds(2));
  CHECK(slow->on_update(text_message(1, "fast"), state).delay.count() == 0);
  auto crash = make("crash-on:boom");
  CHECK_NOTHROW(crash->on_update(text_message(1, "fine"), state));
  CHECK_THROWS(crash->on_update(text_message(1, "boom"), state));
}
