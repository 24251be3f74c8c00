#pragma once
// Process-wide settings kept in the database, such as the admin token (stored as a SHA-256
// hash, never in clear).
#include <optional>
#include <string>

#include "storage/database.hpp"

namespace hangar::storage {

class SettingsRepository {
 public:
  explicit SettingsRepository(Database& db) : db_(db) {}
  bool has_admin_token();
  void set_admin_token(const std::string& token);        // stores its hash
  bool check_admin_token(const std::string& candidate);  // constant-time comparison of hashes
  std::optional<std::string> admin_token_hash();         // nullopt when none is stored

 private:
  Database& db_;
};

// Whether `candidate`'s SHA-256 is `hash` (as stored), compared in constant time.
bool matches_token_hash(const std::string& hash, const std::string& candidate);

// 32 random bytes from OpenSSL's RAND_bytes, as 43 base64url characters.
std::string generate_secret_token();

}  // namespace hangar::storage
