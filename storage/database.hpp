#pragma once
// One SQLite connection in WAL mode, with the schema migrated to this binary's version.
// A file that is not SQLite, or whose schema is newer than this binary, is refused with a
// StorageError and left untouched. New files are created with mode 0600.
//
// Bounds and settings: busy_timeout 5000 ms (the CLI writes while `serve` runs), WAL with
// synchronous=NORMAL, the WAL file truncated back to journal_size_limit (64 MiB) after a
// checkpoint, foreign keys enforced. A Database is used by one thread at a time.
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace hangar::storage {

struct StorageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// SQLITE_BUSY or SQLITE_LOCKED even after busy_timeout: another process held the write lock.
// Worth retrying, unlike other storage errors.
struct BusyError : StorageError {
  using StorageError::StorageError;
};

constexpr int busy_timeout_ms = 5000;
constexpr std::int64_t journal_size_limit = 64 << 20;

// A prepared statement, reset when the holder goes away. Column and bind indexes: bind from 1,
// columns from 0, as SQLite counts them. Text is copied when bound. The statement is shared
// through the cache, so hold one Statement per SQL text at a time.
class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Statement(Statement&& other) noexcept : stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Statement(const Statement&) = delete;
  ~Statement();  // resets and clears bindings; the statement itself stays cached

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::string_view value);
  // These two exist because a std::string or a literal would be ambiguous between the
  // string_view and the optional<std::string> overloads.
  Statement& bind(int index, const std::string& value);
  Statement& bind(int index, const char* value);
  Statement& bind(int index, std::nullopt_t);
  Statement& bind(int index, const std::optional<std::int64_t>& value);
  Statement& bind(int index, const std::optional<std::string>& value);

  bool step();  // true while there is a row; throws StorageError on failure
  void run();   // steps to completion
  bool is_null(int column) const;
  std::int64_t column_int64(int column) const;
  std::string column_text(int column) const;
  std::optional<std::int64_t> column_optional_int64(int column) const;
  std::optional<std::string> column_optional_text(int column) const;

 private:
  sqlite3_stmt* stmt_;
};

class Database {
 public:
  static constexpr int schema_version = 5;

  // `create` false refuses a missing file instead of creating it.
  explicit Database(const std::string& path, bool create = true);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  const std::string& path() const { return path_; }
  sqlite3* handle() { return db_; }
  void exec(const char* sql);
  // Cached by the SQL text's address: prepare once, reuse on every call. `sql` must outlive
  // the Database (a literal, or a static string), since its address is the cache key.
  Statement prepare(const char* sql);
  std::int64_t last_insert_id() const;
  int changes() const;

 private:
  void migrate();
  std::string path_;
  sqlite3* db_ = nullptr;
  std::unordered_map<const char*, sqlite3_stmt*> statements_;
};

// BEGIN IMMEDIATE on construction, ROLLBACK unless commit() ran. Inside a transaction already
// (a StorageWorker job) it is a SAVEPOINT instead, so repositories compose with the worker.
// Throws BusyError when another process kept the write lock past busy_timeout.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  void commit();

 private:
  Database& db_;
  bool done_ = false;
  bool nested_ = false;
};

}  // namespace hangar::storage
