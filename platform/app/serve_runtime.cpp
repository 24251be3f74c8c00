#include "platform/app/serve_runtime.hpp"

#include <signal.h>
#include <sys/resource.h>

#include <cstdlib>
#include <thread>

#include <sqlite3.h>

#include <caf/all.hpp>

#include "actors/fleet/fleet_supervisor.hpp"
#include "platform/botapi/tls_context.hpp"
#include "platform/core/bounds.hpp"
#include "platform/core/io_runtime.hpp"
#include "platform/core/log.hpp"
#include "platform/http/server.hpp"
#include "platform/rest/rest_handler.hpp"
#include "storage/database.hpp"
#include "storage/instance_lock.hpp"
#include "storage/settings_repository.hpp"
#include "storage/storage_worker.hpp"

namespace hangar::app {

namespace {

// Each bot holds up to two sockets, and each chat none; a fleet of thousands needs more than
// the usual soft limit of 1024.
void raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur == limit.rlim_max) return;
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0)
    spdlog::warn("could not raise the open-file limit to {}", limit.rlim_max);
}

// SQLite allocates with malloc, outside every meter; its heap gets a bound of its own. Past it a
// statement fails with SQLITE_NOMEM, which the storage worker reports like any other failure.
void bound_sqlite_heap(const Settings& settings) {
  sqlite3_hard_heap_limit64(static_cast<sqlite3_int64>(settings.sqlite_heap_limit));
}

caf::actor_system_config actor_config() {
  caf::actor_system_config config;
  // The work-stealing policy burns CPU while idle and spawns slowly (see the CAF field notes).
  config.set("scheduler.policy", caf::atom("sharing"));
  return config;
}

// Checks the database (refusing one that is not ours or too new), then takes the instance lock,
// and sets up the admin token. Returns the token when it was generated now.
std::optional<std::string> prepare_database(const Settings& settings,
                                            std::unique_ptr<storage::InstanceLock>& lock) {
  try {
    storage::Database db(settings.db_path);
    lock = std::make_unique<storage::InstanceLock>(settings.db_path);
    storage::SettingsRepository repository(db);
    if (settings.admin_token) {
      repository.set_admin_token(*settings.admin_token);
      return std::nullopt;
    }
    if (repository.has_admin_token()) return std::nullopt;
    auto token = storage::generate_secret_token();
    repository.set_admin_token(token);
    return token;
  } catch (const storage::StorageError& error) {
    throw StartupError(error.what());
  }
}

}  // namespace

// The parts of a running serve. They are built in dependency order, and the HTTP server is
// listening before the fleet starts, so a serve that cannot listen starts no bot. They stop in
// the order of shut_down(), where each step ends the users of a part before the part itself
// stops; only then are the members destroyed.
// Enough for every session to close its sockets; more means something keeps the io threads
// busy, and the shutdown goes on without it.
constexpr std::chrono::milliseconds io_finish_deadline{5000};

struct ServeRuntime::Parts {
  explicit Parts(const Settings& settings)
      : storage(settings.db_path, bounds::storage_jobs_per_transaction,
                settings.timings.storage_busy_timeout),
        io(1),
        admin_io(1),
        services{settings, storage, io.context(), session_factory(io.context(), settings), fleet},
        system(config),
        api(fleet, storage, settings),
        server(admin_io.context(), server_options(settings), api.handler()),
        supervisor(actors::spawn_fleet_supervisor(system, services)) {}

  ~Parts() { shut_down(); }

  // Returns whether every bot drained within the deadline. Runs once; later calls return that.
  bool shut_down() {
    if (stopped) return *stopped;
    // 1. No new request, and the open connections close: REST posts no further job.
    server.stop();
    // 2. Every bot stops polling and confirms its offset, every chat finishes the update in
    //    hand; what is left past the deadline is stopped. Then no actor posts a storage job,
    //    sends a Bot API call or writes the status.
    stopped = drain(services.settings.timings.drain_timeout);
    if (!*stopped) caf::anon_send_exit(supervisor, caf::exit_reason::user_shutdown);
    system.await_all_actors_done();
    // 3. What the REST handler and the actors queued on the storage worker runs now, while
    //    everything its jobs and completions captured (the handler, the io context) still lives.
    storage.flush();
    // 4. The io threads run what is left: the sessions' closes that the ending actors posted,
    //    and the aborted reads and writes of the sockets they close. Past the deadline they are
    //    stopped all the same. A job posted by the last handlers runs too, before anything goes.
    for (auto* runtime : {&io, &admin_io})
      if (!runtime->finish(io_finish_deadline))
        spdlog::warn("network work still pending {} s after stopping; stopped it anyway",
                     std::chrono::duration_cast<std::chrono::seconds>(io_finish_deadline).count());
    storage.flush();
    return *stopped;
  }

  // Asks the fleet to drain and waits up to `deadline` for the supervisor to end.
  bool drain(std::chrono::milliseconds deadline) {
    caf::scoped_actor waiter{system};
    waiter->monitor(supervisor);
    caf::anon_send(supervisor, actors::drain_atom::value);
    bool drained = false;
    waiter->receive([&](caf::down_msg&) { drained = true; }, caf::after(deadline) >> [] {});
    return drained;
  }

  static http::ServerOptions server_options(const Settings& settings) {
    http::ServerOptions options;
    options.listen = settings.listen;
    return options;
  }

  // Real sessions on the io threads, sharing the process's one TLS context.
  static actors::SessionFactory session_factory(boost::asio::io_context& io,
                                                const Settings& settings) {
    std::shared_ptr<boost::asio::ssl::context> tls;
    try {
      tls = botapi::make_client_tls_context(settings.ca_file);
    } catch (const std::exception& error) {
      throw StartupError(error.what());
    }
    return [&io, tls](botapi::SessionOptions options) {
      options.tls = tls;
      return botapi::Session::create(io, std::move(options));
    };
  }

  storage::StorageWorker storage;
  IoRuntime io;  // the bots' sessions
  // The HTTP server's own thread: /metrics, REST and slow or hostile clients never delay a
  // bot's I/O.
  IoRuntime admin_io;
  FleetStatus fleet;
  actors::Services services;
  caf::actor_system_config config = actor_config();
  caf::actor_system system;
  rest::RestHandler api;
  http::HttpServer server;
  actors::FleetSupervisor supervisor;
  std::optional<bool> stopped;  // shut_down() ran: whether the fleet drained in time
};

ServeRuntime::ServeRuntime(const Settings& settings) : settings_(settings) {
  raise_open_file_limit();
  bound_sqlite_heap(settings_);
  std::unique_ptr<storage::InstanceLock> lock;
  generated_token_ = prepare_database(settings_, lock);
  try {
    parts_ = std::make_unique<Parts>(settings_);
  } catch (const StartupError&) {
    throw;
  } catch (const std::exception& error) {
    throw StartupError(error.what());
  }
  lock_ = std::move(lock);
}

ServeRuntime::~ServeRuntime() = default;

bool ServeRuntime::stop() {
  return parts_->shut_down();
}

std::string ServeRuntime::address() const {
  return "http://" + parts_->server.host() + ":" + std::to_string(parts_->server.port());
}

void block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int wait_for_stop_signal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int signal = 0;
  sigwait(&set, &signal);
  return signal;
}

const char* signal_name(int signal) {
  return signal == SIGINT ? "SIGINT" : "SIGTERM";
}

void exit_at_second_signal() {
  std::thread([] {
    const int signal = wait_for_stop_signal();
    spdlog::warn("received {} again: exiting at once", signal_name(signal));
    spdlog::default_logger()->flush();
    std::_Exit(128 + signal);
  }).detach();
}

}  // namespace hangar::app
