#include <memory>
#include <sstream>
#include <string>

#include "platform/app/commands.hpp"
#include "platform/app/demo.hpp"
#include "platform/app/serve.hpp"
#include "platform/cli/common_flags.hpp"
#include "platform/cli/text_flag.hpp"
#include "platform/cli/values.hpp"

namespace hangar::app {
namespace {

using cli::CommonFlags;
using cli::TextFlag;

// `demo` must never touch the user's real database unless told to.
constexpr const char* demo_database = "hangar-demo.db";

struct DemoFlags {
  explicit DemoFlags(CLI::App& command)
      : common(command, CommonFlags::Scope::serve),
        bots(command, "--bots", "N", "demo bots" + default_of(DemoOptions{}.bots)),
        chats(command, "--chats", "N",
              "simulated chats per bot" + default_of(DemoOptions{}.chats_per_bot)),
        rate(command, "--rate", "RATE",
             "simulated messages per second in all" +
                 default_of(DemoOptions{}.messages_per_second)) {}

  template <typename T>
  static std::string default_of(T value) {
    std::ostringstream text;
    text << " (default " << value << ")";
    return text.str();
  }

  DemoOptions options() const {
    DemoOptions demo;
    if (bots.given()) demo.bots = bots.value(cli::positive_count);
    if (chats.given()) demo.chats_per_bot = chats.value(cli::positive_count);
    if (rate.given()) demo.messages_per_second = rate.value(cli::positive_rate);
    return demo;
  }

  CommonFlags common;
  TextFlag bots, chats, rate;
};

}  // namespace

void add_serve_commands(CLI::App& app, cli::Action& action) {
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

}  // namespace hangar::app
