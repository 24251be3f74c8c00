#pragma once
// What a bot's runs leave behind across process restarts: its Bot API username, how many
// times it was restarted since it was added, and how many updates it has handled.
#include <cstdint>
#include <optional>
#include <string>

#include "storage/database.hpp"

namespace hangar::storage {

struct BotRuntime {
  std::string username;
  std::uint64_t restarts = 0;
  std::uint64_t updates_handled = 0;
};

class BotRuntimeRepository {
 public:
  explicit BotRuntimeRepository(Database& db) : db_(db) {}
  BotRuntime load(std::int64_t bot_id);  // zeros for a bot never run
  // The writes do nothing for a bot that no longer exists: its figures went with it.
  void set_username(std::int64_t bot_id, const std::string& username);
  void add_restart(std::int64_t bot_id);
  void add_handled(std::int64_t bot_id, std::uint64_t count);

 private:
  Database& db_;
};

}  // namespace hangar::storage
