#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "storage/database.hpp"
#include "storage/instance_lock.hpp"
#include "tests/support/temp_dir.hpp"

using namespace hangar::storage;
using hangar::test::TempDir;

TEST_CASE("a second serve in the same process is refused, naming the holder's pid") {
  TempDir dir;
  const auto path = dir.file("hangar.db");
  {
    InstanceLock first(path);
    CHECK(hangar::test::read_file(path + ".lock") == std::to_string(::getpid()) + "\n");
    struct stat st {};
    REQUIRE(::stat((path + ".lock").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK_THROWS_WITH(InstanceLock(path), "database " + path + " is already served by pid " +
                                              std::to_string(::getpid()));
  }
  CHECK_NOTHROW(InstanceLock(path));
}

TEST_CASE("a serve in another process is refused until that process dies") {
  TempDir dir;
  const auto path = dir.file("hangar.db");
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // The child only locks, reports, and waits to be killed: no Catch2 in here.
    ::close(ready[0]);
    try {
      InstanceLock lock(path);
      (void)!::write(ready[1], "L", 1);
      for (;;) ::pause();
    } catch (...) {
      (void)!::write(ready[1], "E", 1);
    }
    ::_exit(1);
  }
  ::close(ready[1]);
  char status = 0;
  REQUIRE(::read(ready[0], &status, 1) == 1);
  ::close(ready[0]);
  REQUIRE(status == 'L');

  CHECK_THROWS_WITH(InstanceLock(path),
                    "database " + path + " is already served by pid " + std::to_string(child));

  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  CHECK_NOTHROW(InstanceLock(path));
}
