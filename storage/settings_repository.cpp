#include "storage/settings_repository.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace hangar::storage {
namespace {

constexpr const char* admin_token_key = "admin_token_sha256";

std::string sha256_hex(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr) != 1)
    throw StorageError("SHA-256 failed");
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(size * 2, '\0');
  for (unsigned int i = 0; i < size; ++i) {
    out[2 * i] = hex[digest[i] >> 4];
    out[2 * i + 1] = hex[digest[i] & 0xf];
  }
  return out;
}

std::optional<std::string> load_hash(Database& db) {
  auto row = db.prepare("SELECT value FROM meta WHERE key = ?1");
  if (!row.bind(1, admin_token_key).step()) return std::nullopt;
  return row.column_text(0);
}

}  // namespace

bool SettingsRepository::has_admin_token() {
  return load_hash(db_).has_value();
}

void SettingsRepository::set_admin_token(const std::string& token) {
  db_.prepare(
         "INSERT INTO meta (key, value) VALUES (?1, ?2) "
         "ON CONFLICT (key) DO UPDATE SET value = excluded.value")
      .bind(1, admin_token_key)
      .bind(2, sha256_hex(token))
      .run();
}

bool SettingsRepository::check_admin_token(const std::string& candidate) {
  const auto stored = load_hash(db_);
  return stored && matches_token_hash(*stored, candidate);
}

std::optional<std::string> SettingsRepository::admin_token_hash() {
  return load_hash(db_);
}

bool matches_token_hash(const std::string& hash, const std::string& candidate) {
  const std::string candidate_hash = sha256_hex(candidate);
  return hash.size() == candidate_hash.size() &&
         CRYPTO_memcmp(hash.data(), candidate_hash.data(), hash.size()) == 0;
}

std::string generate_secret_token() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw StorageError("RAND_bytes failed");
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((sizeof bytes * 4 + 2) / 3);
  std::uint32_t bits = 0;
  int count = 0;
  for (unsigned char byte : bytes) {
    bits = (bits << 8) | byte;
    count += 8;
    while (count >= 6) {
      count -= 6;
      out.push_back(alphabet[(bits >> count) & 0x3f]);
    }
  }
  if (count > 0) out.push_back(alphabet[(bits << (6 - count)) & 0x3f]);
  return out;
}

}  // namespace hangar::storage
