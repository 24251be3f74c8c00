#pragma once
// A child process for black-box tests: spawned with posix_spawn (the test process has simulator
// threads running, so fork+exec with arbitrary code between them would be unsafe), its stdout
// and stderr going to files so nothing blocks on a full pipe. Killed and reaped on destruction,
// so a failing test never leaves a `hangar serve` behind.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hangar::test {

struct ProcessOptions {
  // Added to (or replacing) the inherited environment. HANGAR_* and proxy variables
  // (HTTPS_PROXY, ALL_PROXY, ...) are never inherited from the developer's shell: a test sees
  // only the ones it sets.
  std::map<std::string, std::string> env;
  std::string cwd;          // "" keeps the test's working directory
  std::string stdin_text;   // written to a file and given as stdin
  std::string stdout_path;  // required: where the output goes
  std::string stderr_path;
};

struct ExitStatus {
  int code = -1;   // exit status, or -1 when killed by a signal
  int signal = 0;  // the terminating signal, or 0
  bool exited() const { return signal == 0; }
};

class Process {
 public:
  // args[0] is the executable's path.
  Process(const std::vector<std::string>& args, ProcessOptions options);
  ~Process();  // SIGKILL and reap when still running
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  std::string out() const;  // everything written to stdout so far
  std::string err() const;

  // The exit status once the process ended within `timeout`; nullopt while it still runs.
  std::optional<ExitStatus> wait_for(std::chrono::milliseconds timeout);
  bool running();
  void send_signal(int signal);
  void terminate();  // SIGTERM
  void kill();       // SIGKILL, then reap

  // User plus system CPU time the process has used so far, from /proc/<pid>/stat.
  std::chrono::duration<double> cpu_time() const;

 private:
  pid_t pid_ = -1;
  ProcessOptions options_;
  std::optional<ExitStatus> status_;
};

struct RunResult {
  ExitStatus status;
  std::string out;
  std::string err;
};

// Runs a command to completion in `work_dir` (which holds its output files) and returns what it
// printed. Fails the test (throws) when it does not end within `timeout`.
RunResult run_process(const std::vector<std::string>& args, const std::string& work_dir,
                      ProcessOptions options = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(30));

// Open TCP connections of process `pid` whose remote end is 127.0.0.1:`remote_port` (from its
// socket fds and /proc/<pid>/net/tcp), so a test can see that sockets really were closed.
std::size_t tcp_connections(pid_t pid, std::uint16_t remote_port);

}  // namespace hangar::test
