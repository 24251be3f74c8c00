#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "storage/bot_repository.hpp"
#include "storage/database.hpp"
#include "storage/event_repository.hpp"
#include "storage/inbox_repository.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/storage/storage_test_support.hpp"

using namespace hangar::storage;
using hangar::storage::test::new_bot;
using hangar::storage::test::token;
using hangar::test::read_file;
using hangar::test::TempDir;
using hangar::test::write_file;

namespace {

std::int64_t pragma(Database& db, const char* sql) {
  auto row = db.prepare(sql);
  REQUIRE(row.step());
  return row.column_int64(0);
}

std::string text_pragma(Database& db, const char* sql) {
  auto row = db.prepare(sql);
  REQUIRE(row.step());
  return row.column_text(0);
}

// What a version 2 file looked like: the inbox keyed by update_id, no inbox sequence, bots
// without the unauthorized state and their proxy.
constexpr const char* version_2_layout =
    "ALTER TABLE bots DROP COLUMN proxy; ALTER TABLE bots DROP COLUMN unauthorized; "
    "ALTER TABLE bots DROP COLUMN revision; "
    "DROP TABLE inbox; ALTER TABLE bot_runtime DROP COLUMN inbox_seq; "
    "CREATE TABLE inbox (bot_id INTEGER NOT NULL REFERENCES bots (id) ON DELETE CASCADE, "
    "update_id INTEGER NOT NULL, chat_id INTEGER, payload TEXT NOT NULL, "
    "received_at INTEGER NOT NULL, PRIMARY KEY (bot_id, update_id)) WITHOUT ROWID; "
    "CREATE INDEX inbox_by_chat ON inbox (bot_id, chat_id, update_id); ";

}  // namespace

TEST_CASE("a new database is private, in WAL mode and at the current schema version") {
  TempDir dir;
  const auto path = dir.file("hangar.db");
  Database db(path);

  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(pragma(db, "PRAGMA user_version") == Database::schema_version);
  CHECK(text_pragma(db, "PRAGMA journal_mode") == "wal");
  CHECK(pragma(db, "PRAGMA foreign_keys") == 1);
  CHECK(pragma(db, "PRAGMA synchronous") == 2);  // FULL: a commit is on disk when it returns
  CHECK(pragma(db, "PRAGMA busy_timeout") == 5000);
}

TEST_CASE("a database keeps its data when reopened") {
  TempDir dir;
  const auto path = dir.file("hangar.db");
  {
    Database db(path);
    BotRepository(db).add(new_bot(token(1), "alpha"));
  }
  Database db(path, false);
  auto bot = BotRepository(db).find("alpha");
  REQUIRE(bot);
  CHECK(bot->token == token(1));
  CHECK(pragma(db, "PRAGMA user_version") == Database::schema_version);
}

TEST_CASE("an empty file is migrated like a new database") {
  TempDir dir;
  const auto path = dir.file("empty.db");
  write_file(path, "");
  Database db(path);
  CHECK(pragma(db, "PRAGMA user_version") == Database::schema_version);
  CHECK(BotRepository(db).list().empty());
}

TEST_CASE("a missing file is refused when it may not be created") {
  TempDir dir;
  const auto path = dir.file("missing.db");
  CHECK_THROWS_WITH(Database(path, false), path + " does not exist");
  struct stat st {};
  CHECK(::stat(path.c_str(), &st) != 0);
}

TEST_CASE("a file that is not SQLite is refused and left byte for byte as it was") {
  TempDir dir;
  const auto path = dir.file("notes.txt");
  const std::string content =
      GENERATE(std::string("short"), std::string("my precious notes, not a database\n"));
  write_file(path, content);

  CHECK_THROWS_WITH(Database(path), path + " is not a Hangar database (not an SQLite file)");
  CHECK(read_file(path) == content);
}

TEST_CASE("a database from a newer hangar is refused and left untouched") {
  TempDir dir;
  const auto path = dir.file("hangar.db");
  { Database db(path); }
  hangar::storage::test::raw_exec(path, "PRAGMA user_version = 7");
  const std::string before = read_file(path);

  CHECK_THROWS_WITH(Database(path), path + " has schema version 7, newer than this hangar (" +
                                        std::to_string(Database::schema_version) +
                                        "); upgrade hangar");
  CHECK(read_file(path) == before);
}

TEST_CASE("another program's SQLite file is refused and left untouched") {
  TempDir dir;
  const auto path = dir.file("other.db");
  hangar::storage::test::raw_exec(path, "CREATE TABLE photos (id INTEGER PRIMARY KEY)");
  const std::string before = read_file(path);

  CHECK_THROWS_WITH(Database(path),
                    path + " is not a Hangar database (an SQLite file of another program)");
  CHECK(read_file(path) == before);
}

TEST_CASE("a transaction rolls back unless committed, and nests as a savepoint") {
  TempDir dir;
  Database db(dir.file("hangar.db"));
  BotRepository bots(db);
  {
    Transaction outer(db);
    bots.add(new_bot(token(1), "kept"));
    {
      Transaction inner(db);
      bots.add(new_bot(token(2), "dropped"));
    }
    outer.commit();
  }
  CHECK(bots.find("kept"));
  CHECK_FALSE(bots.find("dropped"));
  {
    Transaction abandoned(db);
    bots.remove(bots.find("kept")->id);
  }
  CHECK(bots.find("kept"));
}

TEST_CASE("SQL errors come back as StorageError with SQLite's reason") {
  TempDir dir;
  Database db(dir.file("hangar.db"));
  CHECK_THROWS_AS(db.exec("SELECT * FROM no_such_table"), StorageError);
  CHECK_THROWS_WITH(db.prepare("SELECT missing_column FROM bots"),
                    Catch::Contains("no such column"));
}

TEST_CASE("a version 1 database is upgraded and keeps its events") {
  TempDir dir;
  const auto path = dir.file("v1.db");
  { Database db(path); }
  // What a version 1 file looked like: a version 2 file, with events without the budget-stop
  // times.
  hangar::storage::test::raw_exec(
      path,
      std::string(version_2_layout) +
          "ALTER TABLE events DROP COLUMN crossed_at_ms; ALTER TABLE events DROP COLUMN "
          "stopped_at_ms; INSERT INTO events (at_ms, kind, reason, detail) VALUES (1, 'restart', "
          "'crash', 'old'); PRAGMA user_version = 1");
  Database db(path);
  CHECK(pragma(db, "PRAGMA user_version") == Database::schema_version);
  const auto events = EventRepository(db).list({});
  REQUIRE(events.size() == 1);
  CHECK(events[0].detail == "old");
  CHECK_FALSE(events[0].crossed_at_ms);
}

TEST_CASE("a version 2 database is upgraded and its pending updates keep their order") {
  TempDir dir;
  const auto path = dir.file("v2.db");
  std::int64_t bot = 0;
  {
    Database db(path);
    bot = BotRepository(db).add(new_bot(token(111)));
  }
  hangar::storage::test::raw_exec(
      path, std::string(version_2_layout) +
                "INSERT INTO bot_runtime (bot_id, next_offset) VALUES (" + std::to_string(bot) +
                ", 8); INSERT INTO inbox VALUES (" + std::to_string(bot) + ", 7, 10, '{}', 1), (" +
                std::to_string(bot) + ", 5, 10, '{}', 1); PRAGMA user_version = 2");
  Database db(path);
  CHECK(pragma(db, "PRAGMA user_version") == Database::schema_version);
  InboxRepository inbox(db);
  const auto stored = inbox.append(bot, {{8, 10, "{}"}}).stored;
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].seq == 8);  // after every row carried over
  std::vector<std::int64_t> order;
  for (const auto& update : inbox.pending(bot, 10, 0, 10)) order.push_back(update.update_id);
  CHECK(order == std::vector<std::int64_t>{5, 7, 8});
  CHECK(inbox.next_offset(bot) == 9);
}
