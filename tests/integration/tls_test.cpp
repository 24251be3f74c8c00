// Acceptance, TLS: sim/ serves HTTPS with a certificate from a CA the test makes. With --ca-file
// naming that CA the fleet works; without it, or with a certificate for another host name, each
// bot shows `backoff` with a last_error naming the certificate problem, and sends nothing.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <string>
#include <thread>
#include <vector>

#include "sim/simulator.hpp"
#include "tests/support/hangar_server.hpp"
#include "tests/support/sim_helpers.hpp"
#include "tests/support/test_certificates.hpp"
#include "tests/support/wait_until.hpp"

using namespace hangar::test;

namespace {

hangar::sim::SimOptions https(const std::string& cert, const std::string& key) {
  hangar::sim::SimOptions options;
  options.tls_cert = cert;
  options.tls_key = key;
  return options;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

const std::vector<std::string> tokens{test_token(1), test_token(2)};

// Starts serve with two echo bots, users writing to both, and expects nothing to be sent, and
// each bot's last_error to name the certificate and mention `problem`.
void expect_certificate_refused(hangar::sim::Simulator& sim, std::vector<std::string> flags,
                                const std::string& problem) {
  TempDir dir;
  HangarServer server(dir, sim.base_url(), std::move(flags));
  for (std::size_t i = 0; i < tokens.size(); ++i)
    server.add_bot(tokens[i], "secure" + std::to_string(i));
  server.start();
  for (const auto& token : tokens) inject(sim, token, 1, "is this safe?");

  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const std::string name = "secure" + std::to_string(i);
    nlohmann::json bot;
    bool backoff = wait_until(
        [&] {
          bot = server.bot(name);
          return bot.is_object() && bot.value("state", "") == "backoff" &&
                 bot["last_error"].is_string();
        },
        15s, 100ms);
    INFO(name << ": " << bot.dump());
    CHECK(backoff);
    if (backoff) {
      const std::string error = lower(bot["last_error"].get<std::string>());
      CHECK(error.find("certificate") != std::string::npos);
      CHECK(error.find(problem) != std::string::npos);
    }
  }
  std::this_thread::sleep_for(1s);
  for (const auto& token : tokens) CHECK(sim.counters(token).sent == 0);
  CHECK(server.running());
}

}  // namespace

TEST_CASE("HTTPS to the Bot API verifies the certificate chain and the host name") {
  TestCertificates certificates({"localhost", "127.0.0.1"});

  SECTION("a certificate from the CA given with --ca-file is trusted") {
    hangar::sim::Simulator sim(https(certificates.server_cert(), certificates.server_key()));
    REQUIRE(sim.base_url().rfind("https://", 0) == 0);
    TempDir dir;
    HangarServer server(dir, sim.base_url(), {"--ca-file", certificates.ca_cert()});
    for (std::size_t i = 0; i < tokens.size(); ++i)
      server.add_bot(tokens[i], "secure" + std::to_string(i));
    server.start();
    for (const auto& token : tokens) {
      REQUIRE(wait_for_polls(sim, token, 1, 15s));
      inject(sim, token, 1, "over TLS");
    }
    for (const auto& token : tokens) {
      REQUIRE(wait_for_sent(sim, token, 1, 1, 15s));
      CHECK(sent_texts(sim, token, 1) == std::vector<std::string>{"over TLS"});
    }
    CHECK(server.bot("secure0").value("state", "") == "running");
  }

  SECTION("without --ca-file the test CA is not trusted") {
    hangar::sim::Simulator sim(https(certificates.server_cert(), certificates.server_key()));
    expect_certificate_refused(sim, {}, "verify");
  }

  SECTION("a certificate for another host name is refused even from a trusted CA") {
    auto wrong = certificates.issue({"wrong.example"}, "wrong");
    hangar::sim::Simulator sim(https(wrong.cert, wrong.key));
    expect_certificate_refused(sim, {"--ca-file", certificates.ca_cert()}, "host");
  }
}
