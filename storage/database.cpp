#include "storage/database.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "storage/schema.hpp"

namespace hangar::storage {
namespace {

[[noreturn]] void fail(sqlite3* db, int rc, const std::string& context = {}) {
  std::string message = context.empty() ? std::string() : context + ": ";
  message += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  const int primary = rc & 0xff;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) throw BusyError(message);
  throw StorageError(message);
}

// Some other program's file must not be handed to SQLite, which would happily turn it into a
// database. Returns false when there is no file yet.
bool check_existing_file(const std::string& path, bool create) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) throw StorageError(path + ": " + std::strerror(errno));
    if (!create) throw StorageError(path + " does not exist");
    return false;
  }
  if (st.st_size == 0) return false;  // SQLite treats an empty file as a new database
  static constexpr char magic[16] = "SQLite format 3";  // with its terminating NUL
  char header[sizeof magic] = {};
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw StorageError(path + ": " + std::strerror(errno));
  const ssize_t got = ::read(fd, header, sizeof header);
  ::close(fd);
  if (got != static_cast<ssize_t>(sizeof header) || std::memcmp(header, magic, sizeof magic) != 0)
    throw StorageError(path + " is not a Hangar database (not an SQLite file)");
  return true;
}

// SQLite would create the file with 0644; a database holds bot tokens, so it is created
// first with 0600, and SQLite gives the -wal and -shm files the same mode.
void create_private_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw StorageError("cannot create " + path + ": " + std::strerror(errno));
  ::close(fd);
}

// Errors name the file: these run while opening, before the caller knows it opened.
std::int64_t query_int(sqlite3* db, const char* sql, const std::string& path) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
  if (rc != SQLITE_OK) fail(db, rc, path);
  rc = sqlite3_step(stmt);
  const std::int64_t value = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
  sqlite3_finalize(stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) fail(db, rc, path);
  return value;
}

std::string newer_schema_message(const std::string& path, std::int64_t version) {
  return path + " has schema version " + std::to_string(version) + ", newer than this hangar (" +
         std::to_string(Database::schema_version) + "); upgrade hangar";
}

// Looks at an existing file through a read-only connection, so a file we must refuse is
// refused before anything could write to it.
void check_read_only(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  struct Closer {
    sqlite3* db;
    ~Closer() { sqlite3_close_v2(db); }
  } closer{db};
  if (rc != SQLITE_OK) fail(db, rc, path);
  sqlite3_busy_timeout(db, busy_timeout_ms);
  const std::int64_t version = query_int(db, "PRAGMA user_version", path);
  if (version > Database::schema_version) throw StorageError(newer_schema_message(path, version));
  // An older Hangar file has our application_id; version 0 with tables is someone else's.
  const std::int64_t app = query_int(db, "PRAGMA application_id", path);
  const bool foreign =
      app != 0 ? app != schema::application_id
               : version == 0 && query_int(db, "SELECT count(*) FROM sqlite_schema", path) > 0;
  if (foreign)
    throw StorageError(path + " is not a Hangar database (an SQLite file of another program)");
}

}  // namespace

Statement::~Statement() {
  if (!stmt_) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Statement& Statement::bind(int index, std::int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) fail(sqlite3_db_handle(stmt_), rc);
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  const int rc =
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) fail(sqlite3_db_handle(stmt_), rc);
  return *this;
}

Statement& Statement::bind(int index, const std::string& value) {
  return bind(index, std::string_view(value));
}

Statement& Statement::bind(int index, const char* value) {
  return bind(index, std::string_view(value));
}

Statement& Statement::bind(int index, std::nullopt_t) {
  const int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK) fail(sqlite3_db_handle(stmt_), rc);
  return *this;
}

Statement& Statement::bind(int index, const std::optional<std::int64_t>& value) {
  return value ? bind(index, *value) : bind(index, std::nullopt);
}

Statement& Statement::bind(int index, const std::optional<std::string>& value) {
  return value ? bind(index, std::string_view(*value)) : bind(index, std::nullopt);
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(sqlite3_db_handle(stmt_), rc);
}

void Statement::run() {
  while (step()) {
  }
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::int64_t Statement::column_int64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

std::string Statement::column_text(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  return text ? std::string(text, sqlite3_column_bytes(stmt_, column)) : std::string();
}

std::optional<std::int64_t> Statement::column_optional_int64(int column) const {
  if (is_null(column)) return std::nullopt;
  return column_int64(column);
}

std::optional<std::string> Statement::column_optional_text(int column) const {
  if (is_null(column)) return std::nullopt;
  return column_text(column);
}

Database::Database(const std::string& path, bool create) : path_(path) {
  if (check_existing_file(path, create))
    check_read_only(path);
  else
    create_private_file(path);
  const int rc =
      sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  try {
    if (rc != SQLITE_OK) fail(db_, rc, path);
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, busy_timeout_ms);
    exec("PRAGMA journal_mode = WAL");
    // FULL: in WAL mode every commit syncs the WAL before it returns. The poller confirms an
    // update to the Bot API once its commit completes, so it must be on disk by then; NORMAL
    // would leave it in the page cache, lost with the power (tests/unit/storage/power_loss_test).
    exec("PRAGMA synchronous = FULL");
    exec("PRAGMA foreign_keys = ON");
    exec(("PRAGMA journal_size_limit = " + std::to_string(journal_size_limit)).c_str());
    migrate();
  } catch (...) {
    sqlite3_close_v2(db_);
    throw;
  }
}

Database::~Database() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

void Database::migrate() {
  if (query_int(db_, "PRAGMA user_version", path_) == schema_version)
    return;  // no write lock needed
  Transaction transaction(*this);
  // Another process may have migrated between the check above and taking the lock.
  const std::int64_t version = query_int(db_, "PRAGMA user_version", path_);
  if (version > schema_version) throw StorageError(newer_schema_message(path_, version));
  if (version == schema_version) return;
  schema::upgrade(*this, static_cast<int>(version));
  transaction.commit();
}

void Database::exec(const char* sql) {
  char* error = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &error);
  if (rc == SQLITE_OK) return;
  sqlite3_free(error);  // sqlite3_errmsg holds the same text
  fail(db_, rc);
}

Statement Database::prepare(const char* sql) {
  auto found = statements_.find(sql);
  if (found != statements_.end()) return Statement(found->second);
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) fail(db_, rc);
  statements_.emplace(sql, stmt);
  return Statement(stmt);
}

std::int64_t Database::last_insert_id() const {
  return sqlite3_last_insert_rowid(db_);
}

int Database::changes() const {
  return sqlite3_changes(db_);
}

Transaction::Transaction(Database& db) : db_(db), nested_(!sqlite3_get_autocommit(db.handle())) {
  // Prepared, not exec'd: an inbox append opens one of these per getUpdates batch.
  db_.prepare(nested_ ? "SAVEPOINT hangar_transaction" : "BEGIN IMMEDIATE").run();
}

Transaction::~Transaction() {
  if (done_) return;
  // An I/O or memory error may already have made SQLite roll the whole transaction back.
  if (sqlite3_get_autocommit(db_.handle())) return;
  sqlite3_exec(db_.handle(),
               nested_ ? "ROLLBACK TO hangar_transaction; RELEASE hangar_transaction" : "ROLLBACK",
               nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  db_.prepare(nested_ ? "RELEASE hangar_transaction" : "COMMIT").run();
  done_ = true;
}

}  // namespace hangar::storage
