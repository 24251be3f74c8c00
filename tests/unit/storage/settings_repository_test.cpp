#include <catch2/catch.hpp>

#include <set>

#include "storage/settings_repository.hpp"
#include "tests/support/temp_dir.hpp"

using namespace hangar::storage;
using hangar::test::TempDir;

TEST_CASE("the admin token is checked against a stored hash, never kept in clear") {
  TempDir dir;
  const auto path = dir.file("hangar.db");
  const std::string token = generate_secret_token();
  {
    Database db(path);
    SettingsRepository settings(db);
    CHECK_FALSE(settings.has_admin_token());
    CHECK_FALSE(settings.check_admin_token(""));
    settings.set_admin_token(token);
    CHECK(settings.has_admin_token());
  }
  Database db(path);
  SettingsRepository settings(db);
  CHECK(settings.check_admin_token(token));
  CHECK_FALSE(settings.check_admin_token(token + "x"));
  CHECK_FALSE(settings.check_admin_token(""));

  auto row = db.prepare("SELECT group_concat(value) FROM meta");
  REQUIRE(row.step());
  CHECK(row.column_text(0).find(token) == std::string::npos);
  CHECK_THAT(hangar::test::read_file(path) + hangar::test::read_file(path + "-wal"),
             !Catch::Contains(token));

  const std::string next = generate_secret_token();
  settings.set_admin_token(next);
  CHECK(settings.check_admin_token(next));
  CHECK_FALSE(settings.check_admin_token(token));
}

TEST_CASE("a secret token is 43 base64url characters and never repeats") {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string token = generate_secret_token();
    CHECK(token.size() == 43);
    CHECK(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                  "0123456789-_") == std::string::npos);
    seen.insert(token);
  }
  CHECK(seen.size() == 100);
}
