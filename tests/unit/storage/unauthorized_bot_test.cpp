// A bot whose token the Bot API refused is marked unauthorized in the bots table, so that it makes
// no call across restarts of serve. The mark is written only against the row as serve last read
// it (an operator's new token or enable that came meanwhile wins), and a token or an enable lifts
// it.
#include <catch2/catch.hpp>

#include "storage/bot_repository.hpp"
#include "storage/event_repository.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/storage/storage_test_support.hpp"

using namespace hangar::storage;
using hangar::storage::test::new_bot;
using hangar::storage::test::token;
using hangar::test::TempDir;

namespace {

constexpr const char* why = "getUpdates: api_error 401: Unauthorized";

struct Fixture {
  TempDir dir;
  Database db{dir.file("hangar.db")};
  BotRepository bots{db};
  std::int64_t id = bots.add(new_bot(token(7)));

  bool mark() { return bots.set_unauthorized(id, bots.find(id)->revision, why); }
};

}  // namespace

TEST_CASE("a bot is marked unauthorized with the reason, and enabling it lifts the mark") {
  Fixture f;
  CHECK_FALSE(f.bots.find(f.id)->unauthorized);
  const auto version = f.bots.config_version();
  REQUIRE(f.mark());
  CHECK(f.bots.find(f.id)->unauthorized == std::optional<std::string>(why));
  CHECK(f.bots.config_version() > version);  // serve sees the change like any other
  CHECK(f.bots.find(f.id)->enabled);

  // The bot is enabled already; enabling it again is how the operator says "try again".
  REQUIRE(f.bots.set_enabled(f.id, true));
  CHECK_FALSE(f.bots.find(f.id)->unauthorized);
  EventFilter lifts;
  lifts.kind = EventKind::lift;
  const auto events = EventRepository(f.db).list(lifts);
  REQUIRE(events.size() == 1);
  CHECK(events[0].reason == "enable");
  CHECK(events[0].detail == "unauthorized state lifted by enabling the bot");
}

TEST_CASE("disabling keeps the unauthorized mark, a token given lifts it, even the same one") {
  Fixture f;
  REQUIRE(f.mark());
  REQUIRE(f.bots.set_enabled(f.id, false));
  CHECK(f.bots.find(f.id)->unauthorized);

  BotChanges rename;
  rename.name = "renamed";
  REQUIRE(f.bots.update(f.id, rename));
  CHECK(f.bots.find(f.id)->unauthorized);

  BotChanges same_token;
  same_token.token = token(7);
  REQUIRE(f.bots.update(f.id, same_token));
  CHECK_FALSE(f.bots.find(f.id)->unauthorized);
}

TEST_CASE("the mark is not written over a change of the bot that serve has not seen") {
  Fixture f;
  const auto seen = f.bots.find(f.id)->revision;
  SECTION("an enable") {
    REQUIRE(f.bots.set_enabled(f.id, true));
  }
  SECTION("a token") {
    BotChanges changes;
    changes.token = token(9);
    REQUIRE(f.bots.update(f.id, changes));
  }
  SECTION("a quarantine") {
    REQUIRE(f.bots.set_quarantined(f.id, true));
  }
  CHECK(f.bots.find(f.id)->revision > seen);
  CHECK_FALSE(f.bots.set_unauthorized(f.id, seen, why));
  CHECK_FALSE(f.bots.find(f.id)->unauthorized);
}

TEST_CASE("other bots' changes do not keep a bot from being marked") {
  Fixture f;
  const auto seen = f.bots.find(f.id)->revision;
  const auto other = f.bots.add(new_bot(token(8)));
  REQUIRE(f.bots.set_unauthorized(other, f.bots.find(other)->revision, why));  // revoked together
  CHECK(f.bots.set_unauthorized(f.id, seen, why));
}
