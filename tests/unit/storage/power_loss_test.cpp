// Issue 8, durable through power loss: an update is confirmed to the Bot API (by the next poll's
// offset) once its inbox commit completes, so the commit must be on disk by then, not only in
// the page cache. PowerCutVfs keeps what SQLite did not sync apart and throws it away when the
// test cuts the power, as a machine would; a killed process could not show the difference.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdio>
#include <vector>

#include "storage/inbox_repository.hpp"
#include "storage/storage_worker.hpp"
#include "tests/support/power_cut_vfs.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/storage/storage_test_support.hpp"

using namespace hangar::storage;
using hangar::storage::test::new_bot;
using hangar::storage::test::token;
using hangar::test::PowerCutVfs;
using hangar::test::TempDir;

TEST_CASE("every update confirmed to the Bot API is still there after a power cut") {
  TempDir dir;
  const auto path = dir.file("hangar.db");
  std::int64_t bot = 0;
  {
    Database db(path);
    bot = BotRepository(db).add(new_bot(token(111)));
  }

  constexpr std::int64_t batches = 40;
  constexpr std::int64_t per_batch = 5;
  std::atomic<std::int64_t> confirmed{0};  // the next poll's offset: every id below it is gone
  std::size_t unsynced_at_cut = 0;
  {
    PowerCutVfs vfs;
    {
      StorageWorker worker(path);
      for (std::int64_t b = 0; b < batches; ++b) {
        std::vector<InboxUpdate> batch;
        for (std::int64_t i = 1; i <= per_batch; ++i)
          batch.push_back({b * per_batch + i, 10, "{}"});
        // As the poller commits a getUpdates batch: the completion is where it confirms.
        worker.post([bot, batch, &confirmed](Database& db) -> JobQueue::Completion {
          const auto next = InboxRepository(db).append(bot, batch).next_offset;
          return [next, &confirmed] { confirmed = next; };
        });
        worker.flush();
      }
      unsynced_at_cut = vfs.unsynced_operations();
      vfs.cut_power();
    }  // the worker's connection closes, with the power off
  }
  // After a reboot the WAL index is rebuilt from the WAL itself.
  std::remove((path + "-shm").c_str());

  Database db(path);
  InboxRepository inbox(db);
  INFO(unsynced_at_cut << " writes had not been synced when the power went");
  REQUIRE(confirmed == batches * per_batch + 1);
  CHECK(inbox.next_offset(bot) >= confirmed);
  CHECK(inbox.pending_count(bot) == static_cast<std::size_t>(batches * per_batch));
}
