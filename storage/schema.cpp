#include "storage/schema.hpp"

#include <iterator>
#include <string>

#include "storage/database.hpp"

namespace hangar::storage::schema {
namespace {

struct Migration {
  int version;
  const char* sql;
};

// Times are milliseconds since the epoch. Every table that belongs to a bot cascades from
// bots, so removing a bot removes its state. WITHOUT ROWID where the primary key is how rows
// are found, which saves a second b-tree on the hot inbox and chat_state paths.
constexpr const char* version_1 = R"sql(
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value
) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('config_version', 0);

CREATE TABLE bots (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  token TEXT NOT NULL UNIQUE,
  behavior TEXT NOT NULL,
  api_url TEXT,
  memory_budget INTEGER,
  enabled INTEGER NOT NULL DEFAULT 1,
  quarantined INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

-- Triggers rather than application code, so writes from any process (the CLI while serve
-- runs) are seen by config_version().
CREATE TRIGGER bots_inserted AFTER INSERT ON bots BEGIN
  UPDATE meta SET value = value + 1 WHERE key = 'config_version';
END;
CREATE TRIGGER bots_updated AFTER UPDATE ON bots BEGIN
  UPDATE meta SET value = value + 1 WHERE key = 'config_version';
END;
CREATE TRIGGER bots_deleted AFTER DELETE ON bots BEGIN
  UPDATE meta SET value = value + 1 WHERE key = 'config_version';
END;

CREATE TABLE bot_runtime (
  bot_id INTEGER PRIMARY KEY REFERENCES bots (id) ON DELETE CASCADE,
  next_offset INTEGER NOT NULL DEFAULT 0,
  username TEXT NOT NULL DEFAULT '',
  restarts INTEGER NOT NULL DEFAULT 0,
  updates_handled INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE inbox (
  bot_id INTEGER NOT NULL REFERENCES bots (id) ON DELETE CASCADE,
  update_id INTEGER NOT NULL,
  chat_id INTEGER,
  payload TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (bot_id, update_id)
) WITHOUT ROWID;
CREATE INDEX inbox_by_chat ON inbox (bot_id, chat_id, update_id);

CREATE TABLE dead_letters (
  id INTEGER PRIMARY KEY,
  bot_id INTEGER NOT NULL REFERENCES bots (id) ON DELETE CASCADE,
  update_id INTEGER NOT NULL,
  chat_id INTEGER,
  payload TEXT NOT NULL,
  reason TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX dead_letters_by_bot ON dead_letters (bot_id, id);

CREATE TABLE chat_state (
  bot_id INTEGER NOT NULL REFERENCES bots (id) ON DELETE CASCADE,
  chat_id INTEGER NOT NULL,
  state TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (bot_id, chat_id)
) WITHOUT ROWID;

-- AUTOINCREMENT keeps ids growing after pruning, so a ?before= cursor stays valid.
CREATE TABLE events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at_ms INTEGER NOT NULL,
  bot_id INTEGER REFERENCES bots (id) ON DELETE CASCADE,
  chat_id INTEGER,
  kind TEXT NOT NULL,
  reason TEXT NOT NULL,
  live_bytes INTEGER,
  budget INTEGER,
  detail TEXT NOT NULL
);
CREATE INDEX events_by_bot ON events (bot_id, id);
CREATE INDEX events_by_kind ON events (kind, id);
)sql";

// Budget events say when the budget was crossed and when the actor was stopped.
constexpr const char* version_2 = R"sql(
ALTER TABLE events ADD COLUMN crossed_at_ms INTEGER;
ALTER TABLE events ADD COLUMN stopped_at_ms INTEGER;
)sql";

// The inbox is ordered by its own sequence number, since Telegram's update ids can restart
// lower. Rows carried over keep their order: their update ids become their seq.
constexpr const char* version_3 = R"sql(
CREATE TABLE inbox_by_seq (
  bot_id INTEGER NOT NULL REFERENCES bots (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  update_id INTEGER NOT NULL,
  chat_id INTEGER,
  payload TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (bot_id, seq)
) WITHOUT ROWID;
INSERT INTO inbox_by_seq (bot_id, seq, update_id, chat_id, payload, received_at)
  SELECT bot_id, update_id, update_id, chat_id, payload, received_at FROM inbox;
DROP TABLE inbox;
ALTER TABLE inbox_by_seq RENAME TO inbox;
CREATE INDEX inbox_by_chat ON inbox (bot_id, chat_id, seq);

ALTER TABLE bot_runtime ADD COLUMN inbox_seq INTEGER NOT NULL DEFAULT 0;
INSERT OR IGNORE INTO bot_runtime (bot_id) SELECT DISTINCT bot_id FROM inbox;
UPDATE bot_runtime SET inbox_seq =
  coalesce((SELECT max(seq) FROM inbox WHERE inbox.bot_id = bot_runtime.bot_id), 0);
)sql";

// A bot whose token the Bot API refused makes no calls until a new token or `bot enable`, and
// that holds across restarts of serve: `unauthorized` says why it was refused (NULL: it was
// not). `revision` grows with every change of the row, so serve marks it only if the operator
// changed nothing since serve read it.
constexpr const char* version_4 = R"sql(
ALTER TABLE bots ADD COLUMN unauthorized TEXT;
ALTER TABLE bots ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
)sql";

// A bot's own proxy to its Bot API: NULL follows serve's HTTPS_PROXY / ALL_PROXY, 'direct' is
// none. Its credentials are secrets, like the token.
constexpr const char* version_5 = R"sql(
ALTER TABLE bots ADD COLUMN proxy TEXT;
)sql";

constexpr Migration migrations[] = {
    {1, version_1}, {2, version_2}, {3, version_3}, {4, version_4}, {5, version_5},
};

constexpr int last_version() {
  return migrations[std::size(migrations) - 1].version;
}
static_assert(last_version() == Database::schema_version,
              "the last migration must bring the schema to Database::schema_version");

}  // namespace

void upgrade(Database& db, int from) {
  for (const Migration& migration : migrations) {
    if (migration.version <= from) continue;
    db.exec(migration.sql);
    db.exec(("PRAGMA user_version = " + std::to_string(migration.version)).c_str());
  }
  db.exec(("PRAGMA application_id = " + std::to_string(application_id)).c_str());
}

}  // namespace hangar::storage::schema
