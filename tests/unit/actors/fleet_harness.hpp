#pragma once
// The fleet on one thread, for deterministic actor tests: a CAF actor system on the test
// coordinator (the actor clock moves only when the test advances it), storage jobs that run
// when the test says (SteppedJobs, on a real SQLite file), and Bot API sessions that the test
// scripts (ScriptedSession). The fleet supervisor, bot and chat actors are the real ones.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include "actors/common/services.hpp"
#include "actors/fleet/fleet_protocol.hpp"
#include "platform/status/fleet_status.hpp"
#include "storage/database.hpp"
#include "storage/event_repository.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/actors/scripted_session.hpp"
#include "tests/unit/actors/stepped_jobs.hpp"

namespace hangar::test {

// A Telegram update with a text message from a user in a private chat.
nlohmann::json text_update(std::int64_t update_id, std::int64_t chat_id, const std::string& text);

class FleetHarness {
 public:
  // Timings a test can count on: a chat retires after a minute idle.
  static Settings default_settings();

  explicit FleetHarness(Settings settings = default_settings());
  // Stops the supervisor and runs until every actor has ended.
  ~FleetHarness();
  FleetHarness(const FleetHarness&) = delete;
  FleetHarness& operator=(const FleetHarness&) = delete;

  // The database, as `hangar bot ...` and the tests' assertions see it.
  storage::Database& db() { return *db_; }
  // Registers a bot as `hangar bot add` would; returns its id.
  std::int64_t add_bot(const std::string& name, const std::string& behavior = "echo",
                       std::optional<std::uint64_t> memory_budget = std::nullopt);
  static std::string token_of(const std::string& name);

  void start();  // spawns the fleet supervisor, which reads the bots table
  // A fleet of one bot: add_bot, start, and settle until the bot's first poll waits.
  std::int64_t start_with_bot(const std::string& name, const std::string& behavior = "echo",
                              std::optional<std::uint64_t> memory_budget = std::nullopt);
  void reload();  // tells it the table changed (reload_atom)
  void drain();   // serve's graceful stop (drain_atom)

  // Runs the actors' mailboxes until none holds anything; returns how many times one ran.
  std::size_t run_actors();
  // Runs the fleet supervisor's mailbox only, so that its bots lag behind it.
  std::size_t run_supervisor();
  // Runs the storage jobs posted so far; returns how many ran.
  std::size_t run_storage() { return jobs_.run(); }
  std::size_t storage_waiting() const { return jobs_.waiting(); }
  // The next `count` storage jobs fail (SteppedJobs::fail_next).
  void fail_storage(std::size_t count) { jobs_.fail_next(count, "disk I/O error"); }
  // Both, until neither has anything left to do.
  void settle();
  // Moves the actor clock on by `by`, firing every timer due by then (their messages are queued,
  // not yet handled).
  void advance(std::chrono::milliseconds by);

  // The sessions opened for the bot with this token, oldest first.
  std::vector<std::shared_ptr<ScriptedSession>> sessions(const std::string& token) const;
  // The newest of them; fails the test when there is none.
  ScriptedSession& session(const std::string& token) const;

  FleetStatus& fleet() { return fleet_; }
  const Settings& settings() const { return settings_; }
  std::size_t pending_updates(std::int64_t bot_id);
  // The bot's events of one kind, newest first, as /api/events lists them.
  std::vector<storage::Event> events(std::int64_t bot_id, storage::EventKind kind);

 private:
  TempDir dir_;
  Settings settings_;
  std::unique_ptr<storage::Database> db_;
  SteppedJobs jobs_;
  boost::asio::io_context io_;
  FleetStatus fleet_;
  std::map<std::string, std::vector<std::shared_ptr<ScriptedSession>>> sessions_;
  actors::Services services_;
  caf::actor_system_config config_;
  std::unique_ptr<caf::actor_system> system_;
  caf::scheduler::test_coordinator* scheduler_ = nullptr;
  actors::FleetSupervisor supervisor_;
};

}  // namespace hangar::test
