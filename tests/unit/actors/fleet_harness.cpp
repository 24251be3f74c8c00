#include "tests/unit/actors/fleet_harness.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>

#include "actors/fleet/fleet_supervisor.hpp"
#include "storage/bot_repository.hpp"
#include "storage/inbox_repository.hpp"

namespace hangar::test {

namespace {

// A bound on settle()'s rounds: a fleet that never settles is a bug the test should report,
// not hang on.
constexpr int max_settle_rounds = 10000;

Settings with_database(Settings settings, const TempDir& dir) {
  settings.db_path = dir.file("hangar.db");
  return settings;
}

}  // namespace

nlohmann::json text_update(std::int64_t update_id, std::int64_t chat_id, const std::string& text) {
  return {{"update_id", update_id},
          {"message",
           {{"message_id", update_id},
            {"date", 1700000000},
            {"chat", {{"id", chat_id}, {"type", "private"}}},
            {"from", {{"id", chat_id}, {"is_bot", false}, {"first_name", "User"}}},
            {"text", text}}}};
}

Settings FleetHarness::default_settings() {
  Settings settings;
  settings.chat_idle_timeout = std::chrono::minutes(1);
  // The outbox's windows run on the real clock, which the harness does not drive.
  settings.flood_limits.enabled = false;
  return settings;
}

FleetHarness::FleetHarness(Settings settings)
    : settings_(with_database(std::move(settings), dir_)),
      db_(std::make_unique<storage::Database>(settings_.db_path)),
      jobs_(settings_.db_path),
      services_{settings_, jobs_, io_,
                [this](botapi::SessionOptions options) {
                  auto session = std::make_shared<ScriptedSession>(std::move(options));
                  sessions_[session->options().token].push_back(session);
                  return std::shared_ptr<botapi::Session>(session);
                },
                fleet_} {
  config_.set("scheduler.policy", caf::atom("testing"));
  system_ = std::make_unique<caf::actor_system>(config_);
  scheduler_ = &dynamic_cast<caf::scheduler::test_coordinator&>(system_->scheduler());
}

FleetHarness::~FleetHarness() {
  if (supervisor_) {
    caf::anon_send_exit(supervisor_, caf::exit_reason::user_shutdown);
    supervisor_ = nullptr;
  }
  for (int round = 0; round < max_settle_rounds && run_actors() + run_storage() > 0; ++round) {
  }
  system_.reset();
}

std::string FleetHarness::token_of(const std::string& name) {
  std::size_t number = std::hash<std::string>{}(name) % 1000000 + 1;
  return std::to_string(number) + ":" + std::string(35, 'T');
}

std::int64_t FleetHarness::add_bot(const std::string& name, const std::string& behavior,
                                   std::optional<std::uint64_t> memory_budget) {
  storage::NewBot bot;
  bot.token = token_of(name);
  bot.name = name;
  bot.behavior = behavior;
  bot.api_url = "http://127.0.0.1:9";  // never dialled: the sessions are scripted
  bot.memory_budget = memory_budget;
  return storage::BotRepository(*db_).add(bot);
}

void FleetHarness::start() {
  supervisor_ = actors::spawn_fleet_supervisor(*system_, services_);
}

std::int64_t FleetHarness::start_with_bot(const std::string& name, const std::string& behavior,
                                          std::optional<std::uint64_t> memory_budget) {
  const auto id = add_bot(name, behavior, memory_budget);
  start();
  settle();
  REQUIRE(session(token_of(name)).polling());
  return id;
}

void FleetHarness::reload() {
  caf::anon_send(supervisor_, actors::reload_atom::value);
}

void FleetHarness::drain() {
  caf::anon_send(supervisor_, actors::drain_atom::value);
}

std::size_t FleetHarness::run_actors() {
  return scheduler_->run();
}

std::size_t FleetHarness::run_supervisor() {
  auto* supervisor =
      dynamic_cast<caf::resumable*>(caf::actor_cast<caf::abstract_actor*>(supervisor_));
  return scheduler_->run_jobs_filtered([&](caf::resumable* job) { return job == supervisor; });
}

void FleetHarness::settle() {
  for (int round = 0; round < max_settle_rounds; ++round)
    if (run_actors() + run_storage() == 0) return;
  FAIL("the fleet did not settle within " << max_settle_rounds << " rounds");
}

void FleetHarness::advance(std::chrono::milliseconds by) {
  scheduler_->advance_time(by);
}

std::vector<std::shared_ptr<ScriptedSession>> FleetHarness::sessions(
    const std::string& token) const {
  auto it = sessions_.find(token);
  return it == sessions_.end() ? std::vector<std::shared_ptr<ScriptedSession>>{} : it->second;
}

ScriptedSession& FleetHarness::session(const std::string& token) const {
  auto all = sessions(token);
  REQUIRE_FALSE(all.empty());
  return *all.back();
}

std::size_t FleetHarness::pending_updates(std::int64_t bot_id) {
  return storage::InboxRepository(*db_).pending_count(bot_id);
}

std::vector<storage::Event> FleetHarness::events(std::int64_t bot_id, storage::EventKind kind) {
  storage::EventFilter filter;
  filter.bot_id = bot_id;
  filter.kind = kind;
  return storage::EventRepository(*db_).list(filter);
}

}  // namespace hangar::test
