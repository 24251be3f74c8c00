#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "platform/admin/bot_view.hpp"
#include "platform/botapi/proxy_url.hpp"
#include "platform/cli/bot_list.hpp"
#include "platform/cli/commands.hpp"
#include "platform/cli/common_flags.hpp"
#include "platform/cli/text_flag.hpp"
#include "platform/cli/values.hpp"
#include "storage/bot_repository.hpp"

namespace hangar::cli {
namespace {

// The value of --api-url, --proxy and --memory-budget that goes back to following serve's
// flags (for --proxy: its environment).
constexpr const char* follow_default = "default";

// First line of `in`, without surrounding whitespace (a trailing newline or CR is usual).
std::string first_line(std::istream& in) {
  std::string line;
  std::getline(in, line);
  const auto begin = line.find_first_not_of(" \t\r");
  const auto end = line.find_last_not_of(" \t\r");
  return begin == std::string::npos ? "" : line.substr(begin, end - begin + 1);
}

// The flags `bot add` and `bot set` share. Reading them checks every value, so a command
// fails before it opens the database.
struct BotFlags {
  explicit BotFlags(CLI::App& command)
      : token(command, "--token", "TOKEN", "the bot's token, or - to read it from stdin"),
        token_file(command, "--token-file", "FILE",
                   "read the bot's token from the first line of FILE"),
        name(command, "--name", "NAME", "unique name of the bot (default bot<id>)"),
        behavior(command, "--behavior", "BEHAVIOR",
                 "what the bot does: echo (default), counter, leak:SIZE..."),
        api_url(command, "--api-url", "URL",
                "this bot's Bot API (default, or `default`: follow serve's --api-url)"),
        proxy(command, "--proxy", "URL",
              "reach the Bot API through this proxy: http://[USER:PASSWORD@]HOST:PORT "
              "(CONNECT) or socks5://... (the proxy resolves names); `direct`: no proxy even if "
              "serve's HTTPS_PROXY or ALL_PROXY names one (default, or `default`: follow them)"),
        memory_budget(command, "--memory-budget", "SIZE",
                      "what the bot with its chats may hold (default, or `default`: follow "
                      "serve's --bot-memory-budget)") {
    token.option()->excludes(token_file.option());
  }

  // Keeps the token out of `ps` and shell history when it comes from stdin or a file.
  std::optional<std::string> read_token() const {
    if (token.given() && token.text() == "-") return bot_token(token.name(), first_line(std::cin));
    if (token.given()) return token.value(bot_token);
    if (!token_file.given()) return std::nullopt;
    std::ifstream file(token_file.value(readable_file));
    return bot_token(token_file.name() + " " + token_file.text(), first_line(file));
  }

  storage::BotChanges changes() const {
    storage::BotChanges changes;
    changes.token = read_token();
    if (name.given()) changes.name = name.value(bot_name);
    if (behavior.given()) changes.behavior = behavior.value(cli::behavior);
    // BotRepository reads an empty URL and a budget of 0 as "follow serve's default".
    if (api_url.given())
      changes.api_url = api_url.text() == follow_default ? "" : api_url.value(cli::api_url);
    if (proxy.given()) changes.proxy = proxy_setting();
    if (memory_budget.given())
      changes.memory_budget =
          memory_budget.text() == follow_default ? 0 : memory_budget.value(positive_size);
    return changes;
  }

  // "" (follow the environment), "direct", or a checked proxy URL.
  std::string proxy_setting() const {
    if (proxy.text() == follow_default) return "";
    if (proxy.text() == botapi::direct_proxy) return proxy.text();
    return proxy.value(proxy_url);
  }

  bool any_given() const {
    return token.given() || token_file.given() || name.given() || behavior.given() ||
           api_url.given() || proxy.given() || memory_budget.given();
  }

  TextFlag token, token_file, name, behavior, api_url, proxy, memory_budget;
};

storage::BotConfig find_bot(storage::BotRepository& bots, const std::string& id_or_name) {
  auto bot = bots.find(id_or_name);
  if (!bot) throw UsageError(admin::no_such_bot(id_or_name));
  return *bot;
}

// A `bot` subcommand with its own copy of --db and --log-level.
struct BotCommand {
  BotCommand(CLI::App& bot_group, const std::string& name, const std::string& help)
      : command(bot_group.add_subcommand(name, help)),
        common(*command, CommonFlags::Scope::database) {}

  // A command that works on one existing bot gets its ID-or-NAME argument.
  BotCommand& with_target() {
    command->add_option("bot", target, "the bot's id or name")->required()->type_name("ID-or-NAME");
    return *this;
  }

  CLI::App* command;
  CommonFlags common;
  std::string target;
};

// Registers `run` to be called with the open bots table once the command line was parsed.
// `check` reads and validates the command's own flags first.
template <typename Check, typename Run>
void on_chosen(Action& action, std::shared_ptr<BotCommand> bot, Check check, Run run) {
  bot->command->callback([&action, bot, check, run] {
    action = [bot, check, run] {
      auto checked = check();
      const Settings settings = bot->common.settle();
      storage::Database db(settings.db_path);
      storage::BotRepository bots(db);
      return run(bots, std::move(checked));
    };
  });
}

void add_add(CLI::App& group, Action& action) {
  auto bot = std::make_shared<BotCommand>(group, "add", "Register a bot and print its id");
  auto flags = std::make_shared<BotFlags>(*bot->command);
  on_chosen(
      action, bot,
      [flags] {
        auto changes = flags->changes();
        if (!changes.token) fail("--token", "is required (or --token-file FILE, or --token -)");
        return changes;
      },
      [](storage::BotRepository& bots, storage::BotChanges changes) {
        storage::NewBot added;
        added.token = *changes.token;
        added.name = changes.name;
        if (changes.behavior) added.behavior = *changes.behavior;
        if (changes.api_url && !changes.api_url->empty()) added.api_url = changes.api_url;
        if (changes.proxy && !changes.proxy->empty()) added.proxy = changes.proxy;
        if (changes.memory_budget && *changes.memory_budget != 0)
          added.memory_budget = changes.memory_budget;
        std::cout << bots.add(added) << "\n";
        return 0;
      });
}

void add_set(CLI::App& group, Action& action) {
  auto bot = std::make_shared<BotCommand>(group, "set", "Change a bot's settings");
  bot->with_target();
  auto flags = std::make_shared<BotFlags>(*bot->command);
  on_chosen(
      action, bot,
      [flags] {
        if (!flags->any_given())
          throw UsageError(
              "bot set: give at least one of --token, --token-file, --name, --behavior, "
              "--api-url, --proxy, --memory-budget");
        return flags->changes();
      },
      [bot](storage::BotRepository& bots, storage::BotChanges changes) {
        bots.update(find_bot(bots, bot->target).id, changes);
        return 0;
      });
}

void add_list(CLI::App& group, Action& action) {
  auto bot = std::make_shared<BotCommand>(group, "list", "List the bots, tokens masked");
  auto json = std::make_shared<bool>(false);
  bot->command->add_flag("--json", *json, "print a JSON array instead of a table");
  on_chosen(
      action, bot, [json] { return *json; },
      [](storage::BotRepository& bots, bool as_json) {
        const auto list = bots.list();
        as_json ? print_bot_json(list, std::cout) : print_bot_table(list, std::cout);
        return 0;
      });
}

// remove, enable and disable: one existing bot, no flags of their own.
template <typename Change>
void add_bot_change(CLI::App& group, Action& action, const std::string& name,
                    const std::string& help, Change change) {
  auto bot = std::make_shared<BotCommand>(group, name, help);
  bot->with_target();
  on_chosen(
      action, bot, [] { return 0; },
      [bot, change](storage::BotRepository& bots, int) {
        change(bots, find_bot(bots, bot->target).id);
        return 0;
      });
}

}  // namespace

void add_bot_commands(CLI::App& app, Action& action) {
  auto* group = app.add_subcommand("bot", "Add, change, list and remove bots");
  group->require_subcommand(1);
  add_add(*group, action);
  add_set(*group, action);
  add_list(*group, action);
  add_bot_change(*group, action, "remove", "Delete a bot and all its state",
                 [](storage::BotRepository& bots, std::int64_t id) { bots.remove(id); });
  add_bot_change(*group, action, "enable",
                 "Enable a bot; this also lifts a quarantine and the unauthorized state",
                 [](storage::BotRepository& bots, std::int64_t id) { bots.set_enabled(id, true); });
  add_bot_change(
      *group, action, "disable", "Disable a bot",
      [](storage::BotRepository& bots, std::int64_t id) { bots.set_enabled(id, false); });
}

}  // namespace hangar::cli
