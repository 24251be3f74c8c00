#pragma once
// The subcommands that only the app module can offer, since they run the whole platform or the
// simulator. The others (bot, admin-token) come from platform/cli.
#include <CLI/CLI.hpp>

#include "platform/cli/commands.hpp"

namespace hangar::app {

void add_serve_commands(CLI::App& app, cli::Action& action);  // serve, demo
void add_sim_command(CLI::App& app, cli::Action& action);

}  // namespace hangar::app
