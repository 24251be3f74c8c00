#include "platform/cli_app.hpp"

#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "platform/cli_commands.hpp"
#include "platform/cli_values.hpp"
#include "storage/database.hpp"

namespace hangar::cli {
namespace {

// CLI11's messages occasionally span lines; the contract promises one.
std::string one_line(std::string text) {
  for (char& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

int usage_error(const std::string& message) {
  std::cerr << "hangar: " << one_line(message) << "\n";
  return 2;
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app("Hangar runs many Telegram bots in one process, with bounded, visible memory.",
               "hangar");
  app.require_subcommand(1);
  Action action;
  add_serve_commands(app, action);
  add_sim_command(app, action);
  add_bot_commands(app, action);
  add_admin_token_command(app, action);

  try {
    app.parse(argc, argv);
    return action();
  } catch (const CLI::ParseError& error) {
    // --help arrives here as an "error" whose exit code is 0; CLI11 prints the help of the
    // subcommand that was asked.
    if (error.get_exit_code() == 0) return app.exit(error);
    // CLI11 reports `hangar fly` as a missing subcommand; the word it could not place says more.
    const auto unplaced = app.remaining(true);
    if (dynamic_cast<const CLI::RequiredError*>(&error) && !unplaced.empty())
      return usage_error("unknown command \"" + unplaced.front() + "\" (see --help)");
    return usage_error(error.what());
  } catch (const UsageError& error) {
    return usage_error(error.what());
  } catch (const storage::StorageError& error) {
    return usage_error(error.what());
  } catch (const std::exception& error) {
    std::cerr << "hangar: " << one_line(error.what()) << "\n";
    return 1;
  }
}

}  // namespace hangar::cli
