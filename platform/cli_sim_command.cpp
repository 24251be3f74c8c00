#include <memory>

#include "platform/cli_commands.hpp"
#include "platform/cli_flag.hpp"
#include "platform/cli_values.hpp"
#include "platform/log.hpp"
#include "sim/sim_command.hpp"

namespace hangar::cli {
namespace {

constexpr const char* default_sim_listen = "127.0.0.1:8081";

struct SimFlags {
  explicit SimFlags(CLI::App& command)
      : listen(command, "--listen", "HOST:PORT",
               std::string("where to serve (default ") + default_sim_listen + ")"),
        tls_cert(command, "--tls-cert", "FILE", "PEM certificate; with --tls-key, serve HTTPS"),
        tls_key(command, "--tls-key", "FILE", "PEM private key; with --tls-cert, serve HTTPS"),
        threads(command, "--threads", "N", "threads serving requests (default 1)"),
        traffic_chats(command, "--traffic-chats", "N",
                      "simulated chats per bot; enables the traffic generator"),
        traffic_rate(command, "--traffic-rate", "RATE",
                     "messages per second in all; enables the traffic generator") {
    tls_cert.option()->needs(tls_key.option());
    tls_key.option()->needs(tls_cert.option());
    command.add_flag("--instant-get-updates", faults.instant_get_updates,
                     "fault: answer getUpdates at once instead of long-polling");
    command.add_flag("--non-json", faults.non_json,
                     "fault: reply to every Bot API call with a body that is not JSON");
    command.add_flag("--revoked", faults.revoked,
                     "fault: answer every Bot API call 401 Unauthorized");
  }

  sim::SimCommandOptions options() const {
    sim::SimCommandOptions options;
    options.server.listen = listen.given() ? listen.value(listen_address) : default_sim_listen;
    if (tls_cert.given()) options.server.tls_cert = tls_cert.value(readable_file);
    if (tls_key.given()) options.server.tls_key = tls_key.value(readable_file);
    if (threads.given()) options.server.threads = threads.value(positive_count);
    if (traffic_chats.given() || traffic_rate.given()) {
      sim::TrafficOptions traffic;
      if (traffic_chats.given()) traffic.chats_per_bot = traffic_chats.value(positive_count);
      if (traffic_rate.given()) traffic.messages_per_second = traffic_rate.value(positive_rate);
      options.traffic = traffic;
    }
    options.faults = faults;  // for every bot
    return options;
  }

  TextFlag listen, tls_cert, tls_key, threads, traffic_chats, traffic_rate;
  sim::Faults faults;
};

}  // namespace

void add_sim_command(CLI::App& app, Action& action) {
  auto* command = app.add_subcommand("sim", "Run the Telegram Bot API simulator alone");
  auto flags = std::make_shared<SimFlags>(*command);
  command->callback([&action, flags] {
    action = [flags] {
      const auto options = flags->options();
      setup_logging("info");
      return sim::run_sim(options);
    };
  });
}

}  // namespace hangar::cli
