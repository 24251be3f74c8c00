#pragma once
// Everything `serve` runs, built in dependency order and torn down in reverse: the database
// checks and the instance lock, the storage worker, the io threads, the actor system with the
// fleet supervisor, and the HTTP server. `demo` builds the same around its simulator.
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "platform/core/settings.hpp"

namespace hangar::storage {
class InstanceLock;
}

namespace hangar::app {

// A reason serve cannot start, as one line for the user (exit status 2).
struct StartupError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class ServeRuntime {
 public:
  explicit ServeRuntime(const Settings& settings);  // throws StartupError
  ~ServeRuntime();
  ServeRuntime(const ServeRuntime&) = delete;
  ServeRuntime& operator=(const ServeRuntime&) = delete;

  // Drains the fleet (README "Durability") and stops everything; returns whether every bot
  // drained within Timings::drain_timeout. The destructor does the same if it was not called.
  bool stop();

  std::string address() const;  // "http://HOST:PORT"
  // Set when this start generated the admin token (shown once, never stored in clear).
  const std::optional<std::string>& generated_admin_token() const { return generated_token_; }

 private:
  struct Parts;
  Settings settings_;
  std::optional<std::string> generated_token_;
  std::unique_ptr<storage::InstanceLock> lock_;  // held until everything else has stopped
  std::unique_ptr<Parts> parts_;
};

// Blocks SIGINT and SIGTERM in this thread and every thread started after it, so that
// wait_for_stop_signal() can take them synchronously. Call first thing in main's command.
void block_stop_signals();
// Waits for SIGINT or SIGTERM; returns which.
int wait_for_stop_signal();
const char* signal_name(int signal);
// From now on, a further SIGINT or SIGTERM ends the process at once, with status 128 + signal.
void exit_at_second_signal();

}  // namespace hangar::app
