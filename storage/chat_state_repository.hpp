#pragma once
// Each chat's durable state, an opaque string owned by the bot's behaviour.
#include <cstdint>
#include <optional>
#include <string>

#include "storage/database.hpp"

namespace hangar::storage {

class ChatStateRepository {
 public:
  explicit ChatStateRepository(Database& db) : db_(db) {}
  std::optional<std::string> load(std::int64_t bot_id, std::int64_t chat_id);
  void save(std::int64_t bot_id, std::int64_t chat_id, const std::string& state);

 private:
  Database& db_;
};

}  // namespace hangar::storage
