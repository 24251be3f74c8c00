#include <iostream>
#include <memory>

#include "platform/cli/commands.hpp"
#include "platform/cli/common_flags.hpp"
#include "storage/settings_repository.hpp"

namespace hangar::cli {

void add_admin_token_command(CLI::App& app, Action& action) {
  auto* group = app.add_subcommand("admin-token", "Manage the REST API's admin token");
  group->require_subcommand(1);
  auto* reset = group->add_subcommand(
      "reset", "Make a new admin token, print it once, and invalidate the old one");
  auto flags = std::make_shared<CommonFlags>(*reset, CommonFlags::Scope::database);
  reset->callback([&action, flags] {
    action = [flags] {
      const Settings settings = flags->settle();
      storage::Database db(settings.db_path);
      const std::string token = storage::generate_secret_token();
      storage::SettingsRepository(db).set_admin_token(token);
      // The only place an admin credential is ever printed; only its hash is stored.
      std::cout << token << "\n";
      return 0;
    };
  });
}

}  // namespace hangar::cli
