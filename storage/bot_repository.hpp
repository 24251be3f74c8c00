#pragma once
// The bots table: each bot's configuration, as `hangar bot add/set` and the REST API write it.
// Every change bumps a config version that the fleet supervisor watches.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/database.hpp"

namespace hangar::storage {

struct BotConfig {
  std::int64_t id = 0;
  std::string name;
  std::string token;
  std::string behavior = "echo";
  std::optional<std::string> api_url;  // nullopt: follow serve's --api-url
  // nullopt: follow serve's proxy variables; "direct": none; else a proxy URL (a secret).
  std::optional<std::string> proxy;
  std::optional<std::uint64_t> memory_budget;  // nullopt: follow serve's --bot-memory-budget
  bool enabled = true;
  bool quarantined = false;
  // Why the Bot API refused the token (401, or 404 on getMe); nullopt: it did not. Such a bot
  // makes no call until its token changes or it is enabled again.
  std::optional<std::string> unauthorized;
  std::int64_t revision = 0;  // grows with every change of the bot's row
};

struct NewBot {
  std::string token;
  std::optional<std::string> name;  // defaults to "bot<id>"
  std::string behavior = "echo";
  std::optional<std::string> api_url;
  std::optional<std::string> proxy;
  std::optional<std::uint64_t> memory_budget;
};

struct BotChanges {
  std::optional<std::string> token;
  std::optional<std::string> name;
  std::optional<std::string> behavior;
  std::optional<std::string> api_url;
  std::optional<std::string> proxy;
  std::optional<std::uint64_t> memory_budget;
};

class BotRepository {
 public:
  explicit BotRepository(Database& db) : db_(db) {}

  // Throws StorageError naming the clash when the name or token is taken, or the name empty.
  std::int64_t add(const NewBot& bot);
  // Returns false when no such bot. Throws StorageError on a name or token clash. An empty
  // api_url or proxy, or a memory_budget of 0, goes back to following serve's default. A token
  // given lifts the unauthorized state, even the same one (the operator says it works again). A
  // token of another Bot API bot (a different number before ':') resets the next offset and empties
  // the inbox, whose update ids belonged to the old bot.
  bool update(std::int64_t id, const BotChanges& changes);
  bool remove(std::int64_t id);  // deletes the bot and all its state
  // Enabling also lifts a quarantine and the unauthorized state, even of an enabled bot.
  bool set_enabled(std::int64_t id, bool enabled);
  bool set_quarantined(std::int64_t id, bool quarantined);
  // Marks the bot unauthorized with `why`, unless its row changed since it was read at
  // `revision`: a new token or an enable that came meanwhile wins. Returns whether it did.
  bool set_unauthorized(std::int64_t id, std::int64_t revision, const std::string& why);

  std::optional<BotConfig> find(std::int64_t id);
  // A decimal string is tried as an id first, then as a name.
  std::optional<BotConfig> find(const std::string& id_or_name);
  std::vector<BotConfig> list();  // ordered by id

  // Grows with every change to the bots table, from any process.
  std::int64_t config_version();

 private:
  Database& db_;
};

}  // namespace hangar::storage
