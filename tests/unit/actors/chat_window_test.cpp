#include <catch2/catch.hpp>

#include "actors/chat/chat_window.hpp"

using hangar::actors::ChatWindow;
using hangar::telegram::Update;

namespace {
Update update(std::int64_t id) {
  Update u;
  u.update_id = id;
  return u;
}
std::vector<Update> updates(std::int64_t first, std::int64_t last) {
  std::vector<Update> result;
  for (auto id = first; id <= last; ++id) result.push_back(update(id));
  return result;
}
std::vector<std::int64_t> drain(ChatWindow& window) {
  std::vector<std::int64_t> ids;
  while (window.has_next()) ids.push_back(window.take().update_id);
  return ids;
}
}  // namespace

TEST_CASE("a new chat reads the inbox before anything else") {
  ChatWindow window(4);
  CHECK(window.needs_fetch());
  window.begin_fetch();
  window.offer(update(3));  // arrives while the first read runs; the read saw it
  window.end_fetch(updates(1, 3));
  CHECK(drain(window) == std::vector<std::int64_t>{1, 2, 3});
  CHECK_FALSE(window.needs_fetch());
}

TEST_CASE("an arrival the first read missed is fetched again, in order") {
  ChatWindow window(4);
  window.begin_fetch();
  window.offer(update(5));
  window.end_fetch(updates(1, 2));
  CHECK(drain(window) == std::vector<std::int64_t>{1, 2});
  REQUIRE(window.needs_fetch());
  window.begin_fetch();
  window.end_fetch(updates(3, 5));
  CHECK(drain(window) == std::vector<std::int64_t>{3, 4, 5});
  CHECK_FALSE(window.needs_fetch());
}

TEST_CASE("a backlog beyond the window waits in the inbox and keeps its order") {
  ChatWindow window(2);
  window.begin_fetch();
  window.end_fetch({});
  for (std::int64_t id = 1; id <= 5; ++id) window.offer(update(id));
  CHECK(drain(window) == std::vector<std::int64_t>{1, 2});
  REQUIRE(window.needs_fetch());
  window.begin_fetch();
  window.end_fetch(updates(3, 4));  // a full page: there may be more
  CHECK(drain(window) == std::vector<std::int64_t>{3, 4});
  REQUIRE(window.needs_fetch());
  window.begin_fetch();
  window.end_fetch(updates(5, 5));
  CHECK(drain(window) == std::vector<std::int64_t>{5});
  CHECK_FALSE(window.needs_fetch());
  window.offer(update(6));
  CHECK(drain(window) == std::vector<std::int64_t>{6});
}

TEST_CASE("updates seen before are dropped") {
  ChatWindow window(4);
  window.begin_fetch();
  window.end_fetch(updates(1, 2));
  CHECK(drain(window) == std::vector<std::int64_t>{1, 2});
  window.offer(update(2));
  window.offer(update(1));
  CHECK_FALSE(window.has_next());
}

TEST_CASE("a failed read is asked again") {
  ChatWindow window(4);
  window.begin_fetch();
  window.fetch_failed();
  CHECK(window.needs_fetch());
}
