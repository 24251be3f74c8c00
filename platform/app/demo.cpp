// `hangar demo`: serve on its own database against an in-process simulator, with a demo fleet
// and simulated users, so a newcomer sees the platform at work with one command.
#include <iomanip>
#include <iostream>
#include <sstream>

#include "platform/app/demo.hpp"
#include "platform/app/serve_runtime.hpp"
#include "platform/core/log.hpp"
#include "sim/simulator.hpp"
#include "storage/bot_repository.hpp"
#include "storage/settings_repository.hpp"

namespace hangar::app {

namespace {

// Demo tokens only need to look like tokens: the simulator accepts any well-formed one.
std::string demo_token(std::size_t index) {
  std::ostringstream token;
  token << 7000000 + index << ":DEMO" << std::setw(31) << std::setfill('x') << index;
  return token.str();
}

std::string demo_name(std::size_t index) {
  std::ostringstream name;
  name << "demo-" << std::setw(2) << std::setfill('0') << index;
  return name.str();
}

// The supervisor at work: a bot that keeps 64 KiB per message under a 2 MiB budget passes it
// about every 30 messages. At the demo's rate (about one message a second per bot) that is a
// restart every half minute or so, well inside the default intensity of 5 in 60 s, so it never
// backs off or goes to quarantine.
constexpr const char* leak_bot_name = "demo-leak";
constexpr const char* leak_behavior = "leak:64KiB";
constexpr std::uint64_t leak_budget = 2u << 20;
constexpr std::size_t leak_token_index = 9999;  // clear of the numbered bots

// Adds the demo bots that are not there yet. They get no api_url of their own, so they follow
// the simulator's address, which changes with every start.
void register_demo_fleet(const std::string& db_path, std::size_t bots) {
  storage::Database db(db_path);
  storage::BotRepository repository(db);
  auto add = [&](std::string name, std::string token, std::string behavior,
                 std::optional<std::uint64_t> budget) {
    if (repository.find(name)) return;
    storage::NewBot bot;
    bot.token = std::move(token);
    bot.name = std::move(name);
    bot.behavior = std::move(behavior);
    bot.memory_budget = budget;
    repository.add(bot);
  };
  for (std::size_t i = 1; i <= bots; ++i)
    add(demo_name(i), demo_token(i), i % 2 ? "echo" : "counter", std::nullopt);
  add(leak_bot_name, demo_token(leak_token_index), leak_behavior, leak_budget);
}

}  // namespace

int run_demo(Settings settings, const DemoOptions& demo) {
  block_stop_signals();
  try {
    sim::Simulator simulator;
    settings.api_url = simulator.base_url();
    settings.proxies = {};  // the simulator is in this process: a proxy could only be in the way
    register_demo_fleet(settings.db_path, demo.bots);
    // The demo shows its admin token at every start, so it makes a new one each time.
    if (!settings.admin_token) settings.admin_token = storage::generate_secret_token();
    ServeRuntime runtime(settings);
    sim::TrafficGenerator traffic(
        simulator, sim::TrafficOptions{demo.chats_per_bot, demo.messages_per_second, 1000});
    std::cout << "Hangar demo on " << runtime.address() << "  (database " << settings.db_path
              << ", simulator " << simulator.base_url() << ")\n"
              << "Admin token: " << *settings.admin_token << "\n"
              << "Try: curl -H 'Authorization: Bearer " << *settings.admin_token << "' "
              << runtime.address() << "/api/bots\n"
              << "Stop with Ctrl-C." << std::endl;
    spdlog::info("received {}, stopping", signal_name(wait_for_stop_signal()));
    exit_at_second_signal();
  } catch (const StartupError& error) {
    std::cerr << "hangar: " << error.what() << std::endl;
    return 2;
  } catch (const std::exception& error) {
    std::cerr << "hangar: demo: " << error.what() << std::endl;
    return 2;
  }
  return 0;
}

}  // namespace hangar::app
