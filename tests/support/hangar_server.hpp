#pragma once
// Runs the real `hangar` binary as a user would: `hangar serve` as a child process on a database
// in the test's temp dir, and the CLI against the same database. Everything a test asserts goes
// through what a user sees: exit codes, output, /api/, /metrics and the simulator.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::test {

// Fixed so a failing test's log can be replayed by hand with curl.
inline const std::string test_admin_token = "hangar-test-admin-token-0123456789";

// Runs `hangar ARGS...` to completion with its output in `dir`.
RunResult run_hangar(const std::vector<std::string>& args, const TempDir& dir,
                     const std::map<std::string, std::string>& env = {},
                     const std::string& stdin_text = "");

struct HttpReply {
  int status = 0;
  std::string body;
};

// One sample of a Prometheus text exposition.
struct MetricSample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

std::vector<MetricSample> parse_metrics(const std::string& text);
// Sum of every sample called `name` whose labels include all of `match`.
double metric_sum(const std::vector<MetricSample>& samples, const std::string& name,
                  const std::map<std::string, std::string>& match = {});

class HangarServer {
 public:
  // `api_url` is serve's --api-url (the simulator); `extra_args` are further serve flags.
  HangarServer(const TempDir& dir, std::string api_url, std::vector<std::string> extra_args = {});
  ~HangarServer();

  const std::string& db_path() const { return db_path_; }
  // From the next start() on: variables for serve beside those it inherits, and a command that
  // runs serve as its last arguments (e.g. `unshare ... sh -c '...; exec "$@"' sh`).
  void set_environment(std::map<std::string, std::string> env) { env_ = std::move(env); }
  void set_launcher(std::vector<std::string> launcher) { launcher_ = std::move(launcher); }

  // Starts `hangar serve` and waits for "Serving on http://HOST:PORT"; throws with its stderr
  // when it does not get there. May be called again after kill() or stop(): same database.
  void start();
  void kill();  // SIGKILL, as a crash would
  void stop();  // SIGTERM, then SIGKILL if it lingers
  bool running();
  Process& process() { return *process_; }
  std::uint16_t port() const { return port_; }
  std::string log() const;  // stderr of the current (or last) run

  HttpReply get(const std::string& target, bool with_admin_token = true) const;
  nlohmann::json api_get(const std::string& target) const;  // throws unless 200
  // The entry of /api/bots whose name is `name`; null when there is none.
  nlohmann::json bot(const std::string& name) const;
  std::vector<MetricSample> metrics() const;

  // `hangar ARGS... --db <db>`, e.g. run_cli({"bot", "add", "--token", t}).
  RunResult run_cli(std::vector<std::string> args, const std::string& stdin_text = "") const;
  // Registers a bot with the CLI and fails the test when that fails.
  void add_bot(const std::string& token, const std::string& name,
               const std::string& behavior = "echo") const;

 private:
  const TempDir& dir_;
  std::string api_url_;
  std::vector<std::string> extra_args_;
  std::map<std::string, std::string> env_;
  std::vector<std::string> launcher_;
  std::string db_path_;
  int runs_ = 0;
  std::unique_ptr<Process> process_;
  std::uint16_t port_ = 0;
};

}  // namespace hangar::test
