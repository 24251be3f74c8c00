#include "platform/app/command_line.hpp"

#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "platform/app/commands.hpp"
#include "platform/cli/values.hpp"
#include "platform/core/text.hpp"
#include "storage/database.hpp"

namespace hangar::app {
namespace {

// CLI11's messages occasionally span lines; the contract promises one.
int usage_error(const std::string& message) {
  std::cerr << "hangar: " << one_line(message) << "\n";
  return 2;
}

}  // namespace

int run_command_line(int argc, char** argv) {
  CLI::App app("Hangar runs many Telegram bots in one process, with bounded, visible memory.",
               "hangar");
  app.require_subcommand(1);
  cli::Action action;
  add_serve_commands(app, action);
  add_sim_command(app, action);
  cli::add_bot_commands(app, action);
  cli::add_admin_token_command(app, action);

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
  } catch (const cli::UsageError& error) {
    return usage_error(error.what());
  } catch (const storage::StorageError& error) {
    return usage_error(error.what());
  } catch (const std::exception& error) {
    std::cerr << "hangar: " << one_line(error.what()) << "\n";
    return 1;
  }
}

}  // namespace hangar::app
