#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "platform/telegram/types.hpp"

using namespace hangar::telegram;
using nlohmann::json;

namespace {

// Shaped like real getUpdates replies, including fields Hangar does not model.
const char* const text_message_update = R"({
  "update_id": 815372401,
  "message": {
    "message_id": 4711,
    "from": {"id": 123456789, "is_bot": false, "first_name": "Ada", "last_name": "Lovelace",
             "username": "ada", "language_code": "en", "is_premium": true},
    "chat": {"id": 123456789, "first_name": "Ada", "last_name": "Lovelace", "username": "ada",
             "type": "private"},
    "date": 1700000000,
    "text": "/start hello",
    "entities": [{"offset": 0, "length": 6, "type": "bot_command"}],
    "link_preview_options": {"is_disabled": true}
  }
})";

const char* const callback_update = R"({
  "update_id": 815372402,
  "callback_query": {
    "id": "4382bfdwdsb323b2d9",
    "from": {"id": 42, "is_bot": false, "first_name": "Bob"},
    "message": {"message_id": 7, "date": 1700000001,
                "chat": {"id": -100200300, "title": "Crew", "type": "supergroup"},
                "from": {"id": 999, "is_bot": true, "first_name": "Hangar", "username": "hangar_bot"},
                "text": "Pick one", "reply_markup": {"inline_keyboard": []}},
    "chat_instance": "-8837717293",
    "data": "choice:1"
  }
})";

const char* const my_chat_member_update = R"({
  "update_id": 815372403,
  "my_chat_member": {
    "chat": {"id": -4001, "title": "Fans", "type": "group", "all_members_are_administrators": true},
    "from": {"id": 42, "is_bot": false, "first_name": "Bob"},
    "date": 1700000002,
    "old_chat_member": {"user": {"id": 999, "is_bot": true, "first_name": "Hangar"}, "status": "left"},
    "new_chat_member": {"user": {"id": 999, "is_bot": true, "first_name": "Hangar"}, "status": "member"}
  }
})";

}  // namespace

TEST_CASE("a text message update parses and ignores unknown fields", "[telegram]") {
  Update update = parse_update(std::string(text_message_update));
  CHECK(update.update_id == 815372401);
  REQUIRE(update.message);
  CHECK(update.message->message_id == 4711);
  CHECK(update.message->date == 1700000000);
  CHECK(update.message->chat.id == 123456789);
  CHECK(update.message->chat.type == "private");
  CHECK(update.message->chat.username == "ada");
  REQUIRE(update.message->from);
  CHECK(update.message->from->first_name == "Ada");
  CHECK_FALSE(update.message->from->is_bot);
  CHECK(update.message->text == std::optional<std::string>("/start hello"));
  CHECK(update.raw_json == text_message_update);
  CHECK(update.chat_id() == std::optional<std::int64_t>(123456789));
}

TEST_CASE("parsing from a json value keeps the update as raw json", "[telegram]") {
  json j = json::parse(text_message_update);
  Update update = parse_update(j);
  CHECK(json::parse(update.raw_json) == j);
}

TEST_CASE("missing optional fields are tolerated", "[telegram]") {
  Update update = parse_update(json::parse(R"({"update_id": 5, "message":
      {"message_id": 1, "chat": {"id": 77}}})"));
  REQUIRE(update.message);
  CHECK_FALSE(update.message->from);
  CHECK_FALSE(update.message->text);
  CHECK(update.message->date == 0);
  CHECK(update.message->chat.type.empty());
  CHECK(update.chat_id() == std::optional<std::int64_t>(77));
}

TEST_CASE("a callback query belongs to the chat of its message", "[telegram]") {
  Update update = parse_update(std::string(callback_update));
  REQUIRE(update.callback_query);
  CHECK(update.callback_query->id == "4382bfdwdsb323b2d9");
  CHECK(update.callback_query->from.id == 42);
  CHECK(update.callback_query->data == std::optional<std::string>("choice:1"));
  REQUIRE(update.callback_query->message);
  CHECK(update.callback_query->message->chat.title == "Crew");
  CHECK(update.chat_id() == std::optional<std::int64_t>(-100200300));
}

TEST_CASE("a callback query without a message belongs to no chat", "[telegram]") {
  Update update = parse_update(json::parse(R"({"update_id": 9, "callback_query":
      {"id": "q", "from": {"id": 1, "first_name": "A"}, "inline_message_id": "abc"}})"));
  REQUIRE(update.callback_query);
  CHECK_FALSE(update.callback_query->message);
  CHECK_FALSE(update.chat_id());
}

TEST_CASE("my_chat_member and edited_message updates name their chat", "[telegram]") {
  Update member = parse_update(std::string(my_chat_member_update));
  REQUIRE(member.my_chat_member);
  CHECK(member.my_chat_member->from.first_name == "Bob");
  CHECK(member.chat_id() == std::optional<std::int64_t>(-4001));

  Update edited = parse_update(json::parse(R"({"update_id": 10, "edited_message":
      {"message_id": 3, "date": 1, "edit_date": 2, "chat": {"id": 55, "type": "private"},
       "text": "fixed"}})"));
  REQUIRE(edited.edited_message);
  CHECK(edited.chat_id() == std::optional<std::int64_t>(55));
}

TEST_CASE("an update of a kind Hangar does not model belongs to no chat", "[telegram]") {
  Update update = parse_update(json::parse(R"({"update_id": 11, "poll": {"id": "p"}})"));
  CHECK(update.update_id == 11);
  CHECK_FALSE(update.chat_id());
}

TEST_CASE("a missing or mistyped required field is named in the error", "[telegram]") {
  CHECK_THROWS_WITH(parse_update(json::parse(R"({"message": {}})")), Catch::Contains("update_id"));
  CHECK_THROWS_WITH(parse_update(json::parse(R"({"update_id": 1, "message": {"message_id": 2}})")),
                    Catch::Contains("message.chat"));
  CHECK_THROWS_WITH(parse_update(json::parse(
                        R"({"update_id": 1, "message": {"message_id": 2, "chat": {"id": "x"}}})")),
                    Catch::Contains("message.chat.id"));
  CHECK_THROWS_AS(parse_user(json::parse(R"({"first_name": "A"})")), ParseError);
  CHECK_THROWS_AS(parse_update(std::string("{not json")), ParseError);
}

TEST_CASE("parse_updates keeps a broken update by its id so it is acknowledged", "[telegram]") {
  json result = json::array({
      json::parse(text_message_update),
      json::parse(R"({"update_id": 815372405, "message": {"message_id": "oops"}})"),
      json::parse(R"({"no_id": true})"),
      json::parse(callback_update),
  });
  auto updates = parse_updates(result);
  REQUIRE(updates.size() == 3);
  CHECK(updates[0].message);
  CHECK(updates[1].update_id == 815372405);
  CHECK_FALSE(updates[1].message);
  CHECK_FALSE(updates[1].chat_id());
  CHECK(json::parse(updates[1].raw_json) == result[1]);
  CHECK(updates[2].callback_query);
}

TEST_CASE("parse_updates refuses a result that is not an array", "[telegram]") {
  CHECK_THROWS_AS(parse_updates(json::object()), ParseError);
  CHECK(parse_updates(json::array()).empty());
}

TEST_CASE("an update nested past the bound is refused, not parsed") {
  const std::string deep = R"({"update_id":5,"message":{"x":)" + std::string(1000000, '[') +
                           std::string(1000000, ']') + "}}";
  CHECK_THROWS_WITH(hangar::telegram::parse_update(deep),
                    Catch::Contains("nests deeper than 64 levels"));
}

TEST_CASE("update ids the offset cannot move past are refused, never overflowed") {
  using hangar::telegram::parse_update;
  using hangar::telegram::parse_updates;
  const auto update = [](const std::string& id) {
    return R"({"update_id":)" + id + R"(,"message":{"message_id":1,"chat":{"id":5},"text":"x"}})";
  };
  CHECK(parse_update(update("9223372036854775806")).update_id == 9223372036854775806);
  // INT64_MAX (id + 1 would overflow), past it as an unsigned (it would wrap), and below zero.
  for (const char* id : {"9223372036854775807", "18446744073709551615", "-1"}) {
    INFO(id);
    CHECK_THROWS_WITH(parse_update(update(id)), Catch::Contains("update_id"));
  }
  // In a batch they are left out, while a broken update with a usable id is kept by its id.
  const auto batch = nlohmann::json::parse(
      "[" + update("9223372036854775807") + "," + update("18446744073709551615") + "," +
      R"({"update_id":7,"message":"not an object"})" + "," + update("8") + "]");
  const auto updates = parse_updates(batch);
  REQUIRE(updates.size() == 2);
  CHECK(updates[0].update_id == 7);
  CHECK(updates[1].update_id == 8);
}

TEST_CASE("an unsigned id past INT64_MAX is out of range, not wrapped") {
  const std::string text = R"({"update_id":1,"message":{"message_id":1,)"
                           R"("chat":{"id":18446744073709551615},"text":"x"}})";
  CHECK_THROWS_WITH(hangar::telegram::parse_update(text),
                    Catch::Contains("chat.id' is out of range"));
}
