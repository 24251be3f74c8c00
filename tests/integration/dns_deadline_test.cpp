// Acceptance, DNS deadline: a Bot API whose name never resolves, because its DNS server never
// answers, holds its bot no longer than the call's timeout; the bot backs off saying so, and a
// bot on an IP literal keeps answering meanwhile.
//
// The lookup hangs for real: serve runs in a mount namespace of its own (unshare) whose
// /etc/resolv.conf names a DNS server on a loopback address that the test binds and never
// answers, so getaddrinfo waits out resolv.conf's 30 s timeout. That needs root (port 53, the
// mount) and unshare; where either is missing the test says so and checks nothing.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "sim/simulator.hpp"
#include "tests/support/hangar_server.hpp"
#include "tests/support/sim_helpers.hpp"
#include "tests/support/wait_until.hpp"

using namespace hangar::test;

namespace {

// A DNS server that takes queries and never answers, on 127.53.x.y:53.
class SilentDnsServer {
 public:
  SilentDnsServer() {
    const unsigned pid = static_cast<unsigned>(::getpid());
    address_ = "127.53." + std::to_string((pid >> 8) % 256) + "." + std::to_string(pid % 254 + 1);
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    sockaddr_in bound{};
    bound.sin_family = AF_INET;
    bound.sin_port = htons(53);
    ::inet_pton(AF_INET, address_.c_str(), &bound.sin_addr);
    listening_ = fd_ >= 0 && ::bind(fd_, reinterpret_cast<sockaddr*>(&bound), sizeof bound) == 0;
  }
  ~SilentDnsServer() {
    if (fd_ >= 0) ::close(fd_);
  }

  bool listening() const { return listening_; }
  const std::string& address() const { return address_; }
  // Queries received so far (read and dropped).
  std::size_t queries() {
    char datagram[512];
    while (::recv(fd_, datagram, sizeof datagram, 0) > 0) ++queries_;
    return queries_;
  }

 private:
  std::string address_;
  int fd_ = -1;
  bool listening_ = false;
  std::size_t queries_ = 0;
};

const char* const mount_resolv_conf = "mount --bind \"$0\" /etc/resolv.conf && exec \"$@\"";

}  // namespace

TEST_CASE("a DNS lookup that never ends is given up at the call's timeout", "[dns]") {
  SilentDnsServer dns;
  TempDir dir;
  const std::string resolv_conf = dir.file("resolv.conf");
  std::ofstream(resolv_conf) << "nameserver " << dns.address()
                             << "\noptions timeout:30 attempts:1\n";
  const std::vector<std::string> launcher{"/usr/bin/unshare", "--mount",  "/bin/sh", "-c",
                                          mount_resolv_conf,  resolv_conf};
  std::vector<std::string> probe = launcher;
  probe.push_back("/bin/true");
  if (!dns.listening() || ::access(launcher[0].c_str(), X_OK) != 0 ||
      run_process(probe, dir.path()).status.code != 0) {
    WARN("no DNS deadline test here: it needs root and unshare (a mount namespace)");
    return;
  }

  hangar::sim::Simulator sim;
  HangarServer server(dir, sim.base_url(),
                      {"--tuning", "call_timeout=500ms", "--tuning", "api_backoff_first=200ms",
                       "--tuning", "api_backoff_max=1s", "--tuning", "poll_timeout=1s"});
  server.set_launcher(launcher);
  server.add_bot(test_token(1), "literal");
  const auto added =
      server.run_cli({"bot", "add", "--token", test_token(2), "--name", "unresolved", "--api-url",
                      "http://hangar-dns.test:" + std::to_string(sim.port())});
  REQUIRE(added.status.code == 0);
  const auto started = std::chrono::steady_clock::now();
  server.start();

  nlohmann::json bot;
  const bool gave_up = wait_until(
      [&] {
        bot = server.bot("unresolved");
        return bot["last_error"].is_string();
      },
      20s);
  const auto waited = std::chrono::steady_clock::now() - started;
  INFO(bot.dump());
  REQUIRE(gave_up);
  CHECK(bot["state"] == "backoff");
  CHECK(bot["state_reason"] == "timeout");
  CHECK_THAT(bot["last_error"].get<std::string>(),
             Catch::Contains("DNS lookup of hangar-dns.test timed out after"));
  // Well before the resolver's own 30 s: the deadline ended the wait, not getaddrinfo.
  CHECK(waited < std::chrono::seconds(20));
  CHECK(dns.queries() > 0);  // the lookup really went to the silent server

  // An IP literal needs no lookup, so the hung one holds nothing of the other bot's.
  inject(sim, test_token(1), 1, "still here");
  CHECK(wait_for_sent(sim, test_token(1), 1, 1, 15s));
  CHECK(sent_count(sim, test_token(2)) == 0);
}
