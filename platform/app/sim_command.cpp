// `hangar sim`: the Bot API simulator as a process of its own, until SIGINT or SIGTERM.
#include <csignal>
#include <exception>
#include <iostream>
#include <memory>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "platform/app/commands.hpp"
#include "platform/cli/text_flag.hpp"
#include "platform/cli/values.hpp"
#include "platform/core/log.hpp"
#include "sim/simulator.hpp"

namespace hangar::app {
namespace {

struct SimCommandOptions {
  sim::SimOptions server;
  std::optional<sim::TrafficOptions> traffic;  // drive users at every bot that polls
  sim::Faults faults;                          // switched on for every bot from the start
};

constexpr const char* default_sim_listen = "127.0.0.1:8081";

sim::FloodLimit flood_limit(const std::string& source, const std::string& text) {
  const auto limit = sim::parse_flood_limit(text);
  if (!limit) cli::fail(source, "\"" + text + "\" is not COUNT/DURATION (like 30/1s)");
  return *limit;
}

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
                     "messages per second in all; enables the traffic generator"),
        traffic_groups(command, "--traffic-groups", "N",
                       "simulated groups per bot; enables the traffic generator"),
        flood_per_bot(command, "--flood-per-bot", "COUNT/DURATION",
                      "flood limit per bot (default 30/1s); implies --flood-limits"),
        flood_per_private_chat(
            command, "--flood-per-private-chat", "COUNT/DURATION",
            "flood limit per private chat (default 3/3s); implies --flood-limits"),
        flood_per_group(
            command, "--flood-per-group", "COUNT/DURATION",
            "flood limit per group or channel (default 20/1m); implies --flood-limits") {
    tls_cert.option()->needs(tls_key.option());
    tls_key.option()->needs(tls_cert.option());
    command.add_flag("--flood-limits", flood_limits_on,
                     "answer sends past Telegram's flood limits 429 Too Many Requests");
    command.add_flag("--instant-get-updates", faults.instant_get_updates,
                     "fault: answer getUpdates at once instead of long-polling");
    command.add_flag("--non-json", faults.non_json,
                     "fault: reply to every Bot API call with a body that is not JSON");
    command.add_flag("--revoked", faults.revoked,
                     "fault: answer every Bot API call 401 Unauthorized");
    command.add_flag("--not-found", faults.not_found,
                     "fault: answer every Bot API call 404 Not Found (a deleted bot)");
    command.add_flag("--server-error", faults.server_error,
                     "fault: answer every Bot API call 500 Internal Server Error");
    command.add_flag("--other-poller", faults.other_poller,
                     "fault: answer getUpdates 409, as when another process polls the token");
  }

  SimCommandOptions options() const {
    SimCommandOptions options;
    options.server.listen = listen.given() ? listen.value(cli::listen_address) : default_sim_listen;
    if (tls_cert.given()) options.server.tls_cert = tls_cert.value(cli::readable_file);
    if (tls_key.given()) options.server.tls_key = tls_key.value(cli::readable_file);
    if (threads.given()) options.server.threads = threads.value(cli::positive_count);
    if (traffic_chats.given() || traffic_rate.given() || traffic_groups.given()) {
      sim::TrafficOptions traffic;
      if (traffic_chats.given()) traffic.chats_per_bot = traffic_chats.value(cli::positive_count);
      if (traffic_groups.given())
        traffic.groups_per_bot = traffic_groups.value(cli::positive_count);
      if (traffic_rate.given())
        traffic.messages_per_second = traffic_rate.value(cli::positive_rate);
      options.traffic = traffic;
    }
    options.faults = faults;  // for every bot
    sim::FloodLimits& limits = options.server.flood_limits;
    if (flood_per_bot.given()) limits.per_bot = flood_per_bot.value(flood_limit);
    if (flood_per_private_chat.given())
      limits.per_private_chat = flood_per_private_chat.value(flood_limit);
    if (flood_per_group.given()) limits.per_group = flood_per_group.value(flood_limit);
    limits.enabled = flood_limits_on || flood_per_bot.given() || flood_per_private_chat.given() ||
                     flood_per_group.given();
    return options;
  }

  cli::TextFlag listen, tls_cert, tls_key, threads, traffic_chats, traffic_rate, traffic_groups;
  cli::TextFlag flood_per_bot, flood_per_private_chat, flood_per_group;
  sim::Faults faults;
  bool flood_limits_on = false;
};

// Prints "Simulator on http(s)://HOST:PORT" to stdout once listening. Returns the exit status.
int run_sim(const SimCommandOptions& options) {
  // Registered before the simulator starts, so a signal that comes as soon as the address is
  // printed is already ours and cannot kill the process half-way.
  boost::asio::io_context signals_context;
  boost::asio::signal_set signals(signals_context, SIGINT, SIGTERM);
  signals.async_wait([](const boost::system::error_code&, int) {});

  std::unique_ptr<sim::Simulator> simulator;
  try {
    simulator = std::make_unique<sim::Simulator>(options.server);
  } catch (const std::exception& error) {
    std::cerr << "hangar sim: " << error.what() << std::endl;
    return 2;
  }
  simulator->set_faults("", options.faults);
  std::unique_ptr<sim::TrafficGenerator> traffic;
  if (options.traffic)
    traffic = std::make_unique<sim::TrafficGenerator>(*simulator, *options.traffic);

  std::cout << "Simulator on " << simulator->base_url() << std::endl;
  signals_context.run();  // returns once the signal's wait has completed

  traffic.reset();  // it injects into the simulator, so it goes first
  simulator.reset();
  return 0;
}

}  // namespace

void add_sim_command(CLI::App& app, cli::Action& action) {
  auto* command = app.add_subcommand("sim", "Run the Telegram Bot API simulator alone");
  auto flags = std::make_shared<SimFlags>(*command);
  command->callback([&action, flags] {
    action = [flags] {
      const auto options = flags->options();
      setup_logging("info");
      return run_sim(options);
    };
  });
}

}  // namespace hangar::app
