#pragma once
// Hangar's schema as a list of versioned migrations, keyed on PRAGMA user_version. Version N
// is reached by running every migration above the file's version, in order, in one
// transaction; adding version 2 means appending one entry to the list in schema.cpp.
#include <cstdint>

namespace hangar::storage {

class Database;

namespace schema {

// PRAGMA application_id of a Hangar database ("Hang"), so another program's SQLite file is
// recognised and refused rather than migrated.
constexpr std::int32_t application_id = 0x48616e67;

// Runs the migrations above `from`. Call inside a write transaction.
void upgrade(Database& db, int from);

}  // namespace schema
}  // namespace hangar::storage
