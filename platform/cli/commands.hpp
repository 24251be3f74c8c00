#pragma once
// The subcommands of `hangar`. Each add_* function registers its commands on the root app; when
// one of them is chosen on the command line, its callback stores in `action` what to run once
// parsing has finished.
#include <functional>

#include <CLI/CLI.hpp>

namespace hangar::cli {

using Action = std::function<int()>;  // returns the exit status

void add_bot_commands(CLI::App& app, Action& action);  // bot add|set|list|remove|enable|disable
void add_admin_token_command(CLI::App& app, Action& action);

}  // namespace hangar::cli
