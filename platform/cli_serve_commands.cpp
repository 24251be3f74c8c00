#include <memory>

#include "platform/cli_commands.hpp"
#include "platform/cli_common_flags.hpp"
#include "platform/cli_flag.hpp"
#include "platform/cli_values.hpp"
#include "platform/serve.hpp"

namespace hangar::cli {
namespace {

// `demo` must never touch the user's real database unless told to.
constexpr const char* demo_database = "hangar-demo.db";

struct DemoFlags {
  explicit DemoFlags(CLI::App& command)
      : common(command, CommonFlags::Scope::serve),
        bots(command, "--bots", "N", "demo bots (default 20)"),
        chats(command, "--chats", "N", "simulated chats per bot (default 5)"),
        rate(command, "--rate", "RATE", "simulated messages per second in all (default 20)") {}

  DemoOptions options() const {
    DemoOptions demo;
    if (bots.given()) demo.bots = bots.value(positive_count);
    if (chats.given()) demo.chats_per_bot = chats.value(positive_count);
    if (rate.given()) demo.messages_per_second = rate.value(positive_rate);
    return demo;
  }

  CommonFlags common;
  TextFlag bots, chats, rate;
};

}  // namespace

void add_serve_commands(CLI::App& app, Action& action) {
  auto* serve = app.add_subcommand(
      "serve", "Run the platform: the supervisor, every enabled bot and the HTTP server");
  auto serve_flags = std::make_shared<CommonFlags>(*serve, CommonFlags::Scope::serve);
  serve->callback([&action, serve_flags] {
    action = [serve_flags] { return run_serve(serve_flags->settle()); };
  });

  auto* demo = app.add_subcommand(
      "demo",
      "Serve a demo fleet against an in-process simulator, on its own database (default "
      "hangar-demo.db)");
  auto demo_flags = std::make_shared<DemoFlags>(*demo);
  demo->callback([&action, demo_flags] {
    action = [demo_flags] {
      // Options first: every value is checked before the database is opened.
      const DemoOptions options = demo_flags->options();
      Settings defaults;
      defaults.db_path = demo_database;
      return run_demo(demo_flags->common.settle(std::move(defaults)), options);
    };
  });
}

}  // namespace hangar::cli
