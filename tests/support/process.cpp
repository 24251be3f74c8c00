#include "tests/support/process.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/support/temp_dir.hpp"

extern char** environ;

namespace hangar::test {
namespace {

// A developer's proxy would send serve's connections to 127.0.0.1 away.
bool is_proxy_variable(std::string name) {
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name == "https_proxy" || name == "http_proxy" || name == "all_proxy" || name == "no_proxy";
}

std::vector<std::string> child_environment(const std::map<std::string, std::string>& overrides) {
  std::vector<std::string> result;
  for (char** entry = environ; *entry; ++entry) {
    std::string variable(*entry);
    std::string name = variable.substr(0, variable.find('='));
    if (name.rfind("HANGAR_", 0) == 0 || is_proxy_variable(name) || overrides.count(name)) continue;
    result.push_back(std::move(variable));
  }
  for (const auto& [name, value] : overrides) result.push_back(name + "=" + value);
  return result;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> result;
  for (auto& s : strings) result.push_back(s.data());
  result.push_back(nullptr);
  return result;
}

void check(int rc, const char* what) {
  if (rc != 0) throw std::runtime_error(std::string(what) + ": " + std::strerror(rc));
}

ExitStatus decode(int raw) {
  ExitStatus status;
  if (WIFEXITED(raw)) status.code = WEXITSTATUS(raw);
  if (WIFSIGNALED(raw)) status.signal = WTERMSIG(raw);
  return status;
}

}  // namespace

Process::Process(const std::vector<std::string>& args, ProcessOptions options)
    : options_(std::move(options)) {
  if (args.empty()) throw std::invalid_argument("Process needs a program");
  if (options_.stdout_path.empty() || options_.stderr_path.empty())
    throw std::invalid_argument("Process needs stdout_path and stderr_path");
  std::string stdin_path = "/dev/null";
  if (!options_.stdin_text.empty()) {
    stdin_path = options_.stdout_path + ".stdin";
    write_file(stdin_path, options_.stdin_text);
  }

  posix_spawn_file_actions_t actions;
  check(posix_spawn_file_actions_init(&actions), "posix_spawn_file_actions_init");
  struct Cleanup {
    posix_spawn_file_actions_t* actions;
    ~Cleanup() { posix_spawn_file_actions_destroy(actions); }
  } cleanup{&actions};
  // File actions run in order: these opens happen before the chdir, relative to our cwd.
  check(posix_spawn_file_actions_addopen(&actions, 0, stdin_path.c_str(), O_RDONLY, 0),
        "addopen stdin");
  check(posix_spawn_file_actions_addopen(&actions, 1, options_.stdout_path.c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0644),
        "addopen stdout");
  check(posix_spawn_file_actions_addopen(&actions, 2, options_.stderr_path.c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0644),
        "addopen stderr");
  if (!options_.cwd.empty())
    check(posix_spawn_file_actions_addchdir_np(&actions, options_.cwd.c_str()), "addchdir");

  std::vector<std::string> argv_strings = args;
  std::vector<std::string> env_strings = child_environment(options_.env);
  auto argv = c_strings(argv_strings);
  auto envp = c_strings(env_strings);
  check(posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data()),
        ("posix_spawn " + args[0]).c_str());
}

Process::~Process() {
  if (!status_) kill();
}

std::string Process::out() const {
  return read_file(options_.stdout_path);
}
std::string Process::err() const {
  return read_file(options_.stderr_path);
}

std::optional<ExitStatus> Process::wait_for(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!status_) {
    int raw = 0;
    pid_t rc = waitpid(pid_, &raw, WNOHANG);
    if (rc == pid_) {
      status_ = decode(raw);
      break;
    }
    if (rc < 0 && errno != EINTR) throw std::runtime_error("waitpid failed");
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return status_;
}

bool Process::running() {
  return !wait_for(std::chrono::milliseconds(0));
}

void Process::send_signal(int signal) {
  if (!status_) ::kill(pid_, signal);
}

void Process::terminate() {
  send_signal(SIGTERM);
}

void Process::kill() {
  if (status_) return;
  ::kill(pid_, SIGKILL);
  int raw = 0;
  while (waitpid(pid_, &raw, 0) < 0 && errno == EINTR) {
  }
  status_ = decode(raw);
}

std::chrono::duration<double> Process::cpu_time() const {
  std::string stat = read_file("/proc/" + std::to_string(pid_) + "/stat");
  auto close = stat.rfind(')');  // the command name may contain spaces and parentheses
  if (close == std::string::npos)
    throw std::runtime_error("cannot read /proc stat of " + std::to_string(pid_));
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  // After the name: state is field 3; utime and stime are fields 14 and 15.
  unsigned long long utime = 0, stime = 0;
  for (int index = 3; index <= 15 && fields >> field; ++index) {
    if (index == 14) utime = std::stoull(field);
    if (index == 15) stime = std::stoull(field);
  }
  return std::chrono::duration<double>(static_cast<double>(utime + stime) /
                                       static_cast<double>(sysconf(_SC_CLK_TCK)));
}

RunResult run_process(const std::vector<std::string>& args, const std::string& work_dir,
                      ProcessOptions options, std::chrono::milliseconds timeout) {
  static std::atomic<int> sequence{0};
  const std::string stem = work_dir + "/run-" + std::to_string(++sequence);
  options.stdout_path = stem + ".out";
  options.stderr_path = stem + ".err";
  Process process(args, std::move(options));
  auto status = process.wait_for(timeout);
  if (!status) {
    process.kill();
    throw std::runtime_error(args[0] + " did not finish in time; stderr: " + process.err());
  }
  return RunResult{*status, process.out(), process.err()};
}

std::size_t tcp_connections(pid_t pid, std::uint16_t remote_port) {
  const std::string proc = "/proc/" + std::to_string(pid);
  std::set<std::string> inodes;
  if (DIR* fds = opendir((proc + "/fd").c_str())) {
    while (dirent* entry = readdir(fds)) {
      char target[256];
      std::string link = proc + "/fd/" + entry->d_name;
      ssize_t length = readlink(link.c_str(), target, sizeof target - 1);
      if (length <= 0) continue;
      std::string text(target, static_cast<std::size_t>(length));
      if (text.rfind("socket:[", 0) == 0) inodes.insert(text.substr(8, text.size() - 9));
    }
    closedir(fds);
  }
  std::size_t count = 0;
  for (const char* table : {"/net/tcp", "/net/tcp6"}) {
    std::istringstream lines(read_file(proc + table));
    std::string line;
    std::getline(lines, line);  // header
    while (std::getline(lines, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
      fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
          timeout >> inode;
      auto colon = remote.rfind(':');
      if (colon == std::string::npos) continue;
      unsigned port = std::stoul(remote.substr(colon + 1), nullptr, 16);
      if (port == remote_port && inodes.count(inode)) ++count;
    }
  }
  return count;
}

}  // namespace hangar::test
