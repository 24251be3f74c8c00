#include <sqlite3.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "storage/bot_repository.hpp"
#include "storage/inbox_repository.hpp"
#include "storage/storage_worker.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/storage/storage_test_support.hpp"

using namespace hangar::storage;
using hangar::storage::test::new_bot;
using hangar::storage::test::token;
using hangar::test::TempDir;

namespace {

struct Fixture {
  TempDir dir;
  std::string path = dir.file("hangar.db");
  Database db{path};  // creates and migrates the file, then reads what the worker wrote
  std::int64_t bot = BotRepository(db).add(new_bot(token(111)));
};

int count_commit(void* commits) {
  ++*static_cast<std::atomic<int>*>(commits);
  return 0;
}

// Holds the worker inside a job until released, so that what is posted meanwhile queues up
// and goes into the next batch together.
class Gate {
 public:
  void hold(StorageWorker& worker, std::atomic<int>* commits = nullptr) {
    worker.post([this, commits](Database& db) -> StorageWorker::Completion {
      if (commits) sqlite3_commit_hook(db.handle(), count_commit, commits);
      entered_.set_value();
      release_.get_future().wait();
      return {};
    });
    entered_.get_future().wait();
  }
  void open() { release_.set_value(); }

 private:
  std::promise<void> entered_;
  std::promise<void> release_;
};

StorageWorker::Job append(std::int64_t bot, std::int64_t update_id) {
  return [bot, update_id](Database& db) -> StorageWorker::Completion {
    InboxRepository(db).append(bot, {{update_id, 10, "{}"}});
    return {};
  };
}

}  // namespace

TEST_CASE_METHOD(Fixture, "jobs queued together commit together") {
  std::atomic<int> commits{0};
  std::atomic<int> completed{0};
  {
    StorageWorker worker(path, 100);
    Gate gate;
    gate.hold(worker, &commits);
    for (int i = 1; i <= 500; ++i)
      worker.post([i, this, &completed](Database& db) -> StorageWorker::Completion {
        InboxRepository(db).append(bot, {{i, 10, "{}"}});
        return [&completed] { ++completed; };
      });
    CHECK(worker.queued() == 501);
    gate.open();
    worker.flush();
    CHECK(worker.queued() == 0);
  }
  CHECK(completed == 500);
  CHECK(commits == 1 + 5);  // the gate's own batch, then 500 jobs in batches of 100
  CHECK(InboxRepository(db).pending_count(bot) == 500);
}

TEST_CASE_METHOD(Fixture, "a job that throws is rolled back alone and reported to its poster") {
  StorageWorker worker(path);
  std::vector<std::string> outcomes;
  Gate gate;
  gate.hold(worker);
  worker.post(append(bot, 1), [&](const std::string& e) { outcomes.push_back("1 failed: " + e); });
  worker.post(
      [this](Database& db) -> StorageWorker::Completion {
        InboxRepository(db).append(bot, {{2, 10, "{}"}});
        BotRepository(db).add(new_bot(token(111)));  // the same token again
        return {};
      },
      [&](const std::string& e) { outcomes.push_back("2 failed: " + e); });
  worker.post([this, &outcomes](Database& db) -> StorageWorker::Completion {
    InboxRepository(db).append(bot, {{3, 10, "{}"}});
    return [&outcomes] { outcomes.push_back("3 done"); };
  });
  gate.open();
  worker.flush();

  CHECK(outcomes == std::vector<std::string>{"2 failed: a bot with this token already exists (id " +
                                                 std::to_string(bot) + ")",
                                             "3 done"});
  InboxRepository inbox(db);
  CHECK(inbox.pending_count(bot) == 2);
  CHECK(inbox.pending(bot, 10, 1, 10).front().update_id == 3);  // 2 was rolled back
  CHECK(inbox.next_offset(bot) == 4);
}

TEST_CASE_METHOD(Fixture, "a completion runs only once its write is visible to other connections") {
  StorageWorker worker(path);
  std::size_t seen_by_reader = 0;
  worker.post([this, &seen_by_reader](Database& db) -> StorageWorker::Completion {
    InboxRepository(db).append(bot, {{1, 10, "{}"}});
    return [this, &seen_by_reader] {
      Database reader(path, false);
      seen_by_reader = InboxRepository(reader).pending_count(bot);
    };
  });
  worker.flush();
  CHECK(seen_by_reader == 1);
}

TEST_CASE_METHOD(Fixture, "a read posted after a write sees it") {
  StorageWorker worker(path);
  std::vector<std::int64_t> read;
  worker.post(append(bot, 7));
  worker.post([this, &read](Database& db) -> StorageWorker::Completion {
    auto pending = InboxRepository(db).pending(bot, 10, 0, 10);
    return [&read, pending] {
      for (const auto& update : pending) read.push_back(update.update_id);
    };
  });
  worker.flush();
  CHECK(read == std::vector<std::int64_t>{7});
}

TEST_CASE_METHOD(Fixture, "when the commit fails every job of the batch is told") {
  StorageWorker worker(path);
  std::vector<std::string> failures;
  const auto record = [&](const std::string& e) { failures.push_back(e); };
  Gate gate;
  gate.hold(worker);
  worker.post(append(bot, 1), record);
  // Deferred foreign keys are checked only at COMMIT, which then fails for the whole batch.
  worker.post(
      [](Database& db) -> StorageWorker::Completion {
        db.exec("PRAGMA defer_foreign_keys = ON");
        db.exec(
            "INSERT INTO chat_state (bot_id, chat_id, state, updated_at) VALUES (999, 1, '', 0)");
        return {};
      },
      record);
  gate.open();
  worker.flush();

  REQUIRE(failures.size() == 2);
  CHECK_THAT(failures[0], Catch::StartsWith("commit failed: ") && Catch::Contains("FOREIGN KEY"));
  CHECK(InboxRepository(db).pending_count(bot) == 0);

  // The worker carries on with the next batch.
  worker.post(append(bot, 2), record);
  worker.flush();
  CHECK(InboxRepository(db).pending_count(bot) == 1);
}

TEST_CASE_METHOD(Fixture, "the worker waits for another process's write lock instead of failing") {
  StorageWorker worker(path);
  std::atomic<bool> done{false};
  std::atomic<bool> failed{false};
  {
    Database cli(path);
    Transaction cli_transaction(cli);  // a `hangar bot add` in progress
    worker.post(
        [this, &done](Database& db) -> StorageWorker::Completion {
          InboxRepository(db).append(bot, {{1, 10, "{}"}});
          return [&done] { done = true; };
        },
        [&failed](const std::string&) { failed = true; });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK_FALSE(done);
    cli_transaction.commit();
  }
  worker.flush();
  CHECK(done);
  CHECK_FALSE(failed);
}

TEST_CASE_METHOD(Fixture, "stopping the worker runs everything already queued") {
  std::atomic<int> completed{0};
  {
    StorageWorker worker(path, 8);
    for (int i = 1; i <= 50; ++i)
      worker.post([i, this, &completed](Database& db) -> StorageWorker::Completion {
        InboxRepository(db).append(bot, {{i, 10, "{}"}});
        return [&completed] { ++completed; };
      });
  }
  CHECK(completed == 50);
  CHECK(InboxRepository(db).pending_count(bot) == 50);
}

TEST_CASE_METHOD(Fixture, "flush from a completion is refused instead of deadlocking") {
  StorageWorker worker(path);
  std::string error;
  worker.post([&worker, &error](Database&) -> StorageWorker::Completion {
    return [&worker, &error] {
      try {
        worker.flush();
      } catch (const StorageError& e) {
        error = e.what();
      }
    };
  });
  worker.flush();
  CHECK(error == "StorageWorker::flush() called from the storage worker thread");
}

TEST_CASE("a worker needs an existing database") {
  TempDir dir;
  CHECK_THROWS_WITH(StorageWorker(dir.file("missing.db")),
                    dir.file("missing.db") + " does not exist");
}
