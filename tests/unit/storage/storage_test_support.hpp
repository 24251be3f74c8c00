#pragma once
// What the storage tests share: bots to register, and a plain SQLite connection standing in for
// another program. Temp directories come from tests/support/temp_dir.hpp.
#include <sqlite3.h>

#include <optional>
#include <stdexcept>
#include <string>

#include "storage/bot_repository.hpp"

namespace hangar::storage::test {

// A well-formed token whose owner (the part before ':') is `owner`.
inline std::string token(int owner, char fill = 'A') {
  return std::to_string(owner) + ":" + std::string(35, fill);
}

inline NewBot new_bot(const std::string& token, std::optional<std::string> name = std::nullopt) {
  NewBot bot;
  bot.token = token;
  bot.name = std::move(name);
  return bot;
}

// Runs SQL on the file through a plain connection, as another program or an older or newer
// hangar would.
inline void raw_exec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  const std::string message = error ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  if (rc != SQLITE_OK) throw std::runtime_error(message);
}

}  // namespace hangar::storage::test
