#include <catch2/catch.hpp>

#include "actors/chat/chat_window.hpp"

using hangar::actors::ChatUpdate;
using hangar::actors::ChatWindow;

namespace {
// The window orders by inbox seq; the update ids run backwards, as after a restart of Telegram's
// ids, to show they play no part.
ChatUpdate update(std::int64_t seq) {
  ChatUpdate u;
  u.seq = seq;
  u.update.update_id = 1000 - seq;
  return u;
}
std::vector<ChatUpdate> updates(std::int64_t first, std::int64_t last) {
  std::vector<ChatUpdate> result;
  for (auto seq = first; seq <= last; ++seq) result.push_back(update(seq));
  return result;
}
std::vector<std::int64_t> drain(ChatWindow& window) {
  std::vector<std::int64_t> seqs;
  while (window.has_next()) seqs.push_back(window.take().seq);
  return seqs;
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
