// `hangar demo`: serve on its own database against an in-process simulator, with a demo fleet
// and simulated users, so a newcomer sees the platform at work with one command.
#include <iomanip>
#include <iostream>
#include <sstream>

#include "platform/log.hpp"
#include "platform/serve.hpp"
#include "platform/serve_runtime.hpp"
#include "sim/simulator.hpp"
#include "storage/bot_repository.hpp"
#include "storage/settings_repository.hpp"

namespace hangar {

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

// Adds the demo bots that are not there yet. They get no api_url of their own, so they follow
// the simulator's address, which changes with every start.
void register_demo_fleet(const std::string& db_path, std::size_t bots) {
  storage::Database db(db_path);
  storage::BotRepository repository(db);
  for (std::size_t i = 1; i <= bots; ++i) {
    if (repository.find(demo_name(i))) continue;
    storage::NewBot bot;
    bot.token = demo_token(i);
    bot.name = demo_name(i);
    bot.behavior = i % 2 ? "echo" : "counter";
    repository.add(bot);
  }
}

}  // namespace

int run_demo(Settings settings, const DemoOptions& demo) {
  block_stop_signals();
  try {
    sim::Simulator simulator;
    settings.api_url = simulator.base_url();
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
    wait_for_stop_signal();
  } catch (const StartupError& error) {
    std::cerr << "hangar: " << error.what() << std::endl;
    return 2;
  } catch (const std::exception& error) {
    std::cerr << "hangar: demo: " << error.what() << std::endl;
    return 2;
  }
  return 0;
}

}  // namespace hangar
