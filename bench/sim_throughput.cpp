// How fast is the simulator itself? K keep-alive clients call sendMessage in a loop for N
// seconds against a simulator in a child process, and the child's CPU time over that window
// (from /proc) gives the cost per request. Benchmarks of Hangar that use the simulator must
// stay well below this limit, or they measure the simulator.
//
//   sim_throughput [--clients K] [--seconds N] [--sim-threads T] [--method sendMessage|getMe]
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "sim/simulator.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;

namespace {

struct CpuTime {
  double user_seconds = 0;
  double system_seconds = 0;
};

// utime and stime of a process, fields 14 and 15 of /proc/PID/stat, in clock ticks.
CpuTime cpu_time_of(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  std::istringstream fields(line.substr(line.rfind(')') + 2));  // the name may hold spaces
  std::string skip;
  for (int field = 3; field < 14; ++field) fields >> skip;
  double user_ticks = 0, system_ticks = 0;
  fields >> user_ticks >> system_ticks;
  const double ticks_per_second = static_cast<double>(sysconf(_SC_CLK_TCK));
  return {user_ticks / ticks_per_second, system_ticks / ticks_per_second};
}

std::string bench_token(int i) {
  std::string token = std::to_string(700000 + i) + ":";
  token.append(35, static_cast<char>('A' + i % 26));
  return token;
}

// Runs the simulator until SIGTERM; reports its port through `port_pipe`.
[[noreturn]] void run_simulator_child(unsigned threads, int port_pipe) {
  sigset_t terminate;
  sigemptyset(&terminate);
  sigaddset(&terminate, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &terminate, nullptr);  // before any thread exists
  {
    hangar::sim::SimOptions options;
    options.threads = threads;
    hangar::sim::Simulator simulator(options);
    const std::uint16_t port = simulator.port();
    if (write(port_pipe, &port, sizeof port) != sizeof port) _exit(1);
    int signal = 0;
    sigwait(&terminate, &signal);
  }
  _exit(0);
}

// One keep-alive connection doing request, response, request... until the deadline.
class Client : public std::enable_shared_from_this<Client> {
 public:
  Client(asio::io_context& io, std::string target, std::string body, Clock::time_point deadline)
      : stream_(io), deadline_(deadline) {
    request_ = {http::verb::post, target, 11};
    request_.set(http::field::host, "127.0.0.1");
    request_.set(http::field::content_type, "application/json");
    request_.body() = std::move(body);
    request_.prepare_payload();
  }

  void start(const asio::ip::tcp::endpoint& endpoint) {
    stream_.async_connect(endpoint,
                          beast::bind_front_handler(&Client::on_connect, shared_from_this()));
  }

  std::uint64_t completed() const { return completed_; }
  std::uint64_t failed() const { return failed_; }

 private:
  void on_connect(beast::error_code ec) {
    if (ec) return fail();
    send();
  }
  void send() {
    http::async_write(stream_, request_,
                      beast::bind_front_handler(&Client::on_write, shared_from_this()));
  }
  void on_write(beast::error_code ec, std::size_t) {
    if (ec) return fail();
    response_ = {};
    http::async_read(stream_, buffer_, response_,
                     beast::bind_front_handler(&Client::on_read, shared_from_this()));
  }
  void on_read(beast::error_code ec, std::size_t) {
    if (ec || response_.result() != http::status::ok) return fail();
    ++completed_;
    if (Clock::now() < deadline_) send();
  }
  void fail() { ++failed_; }

  beast::tcp_stream stream_;
  Clock::time_point deadline_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  beast::flat_buffer buffer_;
  std::uint64_t completed_ = 0;
  std::uint64_t failed_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Measures the Bot API simulator's own request rate and CPU cost per request"};
  int clients = 32;
  double seconds = 10;
  unsigned sim_threads = 1;
  std::string method = "sendMessage";
  app.add_option("--clients", clients, "concurrent keep-alive connections")
      ->check(CLI::Range(1, 10000));
  app.add_option("--seconds", seconds, "measuring window")->check(CLI::PositiveNumber);
  app.add_option("--sim-threads", sim_threads, "the simulator's io threads")
      ->check(CLI::Range(1, 64));
  app.add_option("--method", method, "Bot API method to call")
      ->check(CLI::IsMember({"sendMessage", "getMe"}));
  CLI11_PARSE(app, argc, argv);

  int port_pipe[2];
  if (pipe(port_pipe) != 0) return 1;
  const pid_t child = fork();
  if (child == 0) run_simulator_child(sim_threads, port_pipe[1]);
  std::uint16_t port = 0;
  if (read(port_pipe[0], &port, sizeof port) != sizeof port) {
    std::cerr << "the simulator did not start\n";
    return 1;
  }

  asio::io_context io;
  const asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
  const auto started = Clock::now();
  const auto deadline =
      started + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::vector<std::shared_ptr<Client>> running;
  for (int i = 0; i < clients; ++i) {
    const std::string body = R"({"chat_id":)" + std::to_string(1000 + i) + R"(,"text":"bench"})";
    running.push_back(
        std::make_shared<Client>(io, "/bot" + bench_token(i) + "/" + method, body, deadline));
    running.back()->start(endpoint);
  }
  const CpuTime before = cpu_time_of(child);
  io.run();  // ends when every client is past the deadline
  const CpuTime after = cpu_time_of(child);
  const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();

  kill(child, SIGTERM);
  waitpid(child, nullptr, 0);

  std::uint64_t completed = 0, failed = 0;
  for (const auto& client : running) {
    completed += client->completed();
    failed += client->failed();
  }
  const double user = after.user_seconds - before.user_seconds;
  const double system = after.system_seconds - before.system_seconds;
  const double per_request_us = 1e6 / static_cast<double>(std::max<std::uint64_t>(completed, 1));
  std::printf("method=%s clients=%d sim_threads=%u window=%.2fs\n", method.c_str(), clients,
              sim_threads, elapsed);
  std::printf("requests=%llu failed=%llu rate=%.0f req/s\n",
              static_cast<unsigned long long>(completed), static_cast<unsigned long long>(failed),
              static_cast<double>(completed) / elapsed);
  std::printf("sim cpu: %.1f%% of a core; per request %.1f us (user %.1f us, system %.1f us)\n",
              100 * (user + system) / elapsed, (user + system) * per_request_us,
              user * per_request_us, system * per_request_us);
  return failed == 0 ? 0 : 1;
}
