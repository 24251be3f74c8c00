#include "platform/cli/common_flags.hpp"

#include <array>
#include <cstdlib>
#include <string_view>

#include "platform/cli/proxy_environment.hpp"
#include "platform/cli/values.hpp"
#include "platform/core/log.hpp"
#include "platform/core/timings.hpp"
#include "platform/core/units.hpp"

namespace hangar::cli {
namespace {

constexpr const char* tuning_variable = "HANGAR_TUNING";

struct FlagSpec {
  const char* flag;
  const char* kind;  // names the value in --help
  const char* variable;
  const char* help;
  // What --help shows as the default, read off a default-constructed Settings so that each
  // default is written once.
  std::string (*default_text)(const Settings& defaults);
  bool database_scope;  // also offered by the commands that only edit the database
  void (*apply)(Settings& settings, const std::string& source, const std::string& text);
};

const std::array<FlagSpec, 16> flags = {{
    {"--db", "FILE", "HANGAR_DB", "SQLite database FILE, created with mode 0600",
     [](const Settings& d) { return d.db_path; }, true,
     [](Settings& s, const std::string& source, const std::string& text) {
       s.db_path = non_empty(source, text);
     }},
    {"--listen", "HOST:PORT", "HANGAR_LISTEN", "HOST:PORT of the HTTP server",
     [](const Settings& d) { return d.listen; }, false,
     [](Settings& s, const std::string& source, const std::string& text) {
       s.listen = listen_address(source, text);
     }},
    {"--api-url", "URL", "HANGAR_API_URL", "Bot API URL for bots that name none",
     [](const Settings& d) { return d.api_url; }, false,
     [](Settings& s, const std::string& source, const std::string& text) {
       s.api_url = api_url(source, text);
     }},
    {"--admin-token", "TOKEN", "HANGAR_ADMIN_TOKEN", "admin TOKEN for the REST API",
     [](const Settings&) { return std::string("generated at first start and printed once"); },
     false,
     [](Settings& s, const std::string& source, const std::string& text) {
       s.admin_token = access_token(source, text);
     }},
    {"--metrics-token", "TOKEN", "HANGAR_METRICS_TOKEN",
     "TOKEN that /metrics requires as a Bearer token",
     [](const Settings&) { return std::string("none: /metrics is open"); }, false,
     [](Settings& s, const std::string& source, const std::string& text) {
       s.metrics_token = access_token(source, text);
     }},
    {"--chat-idle-timeout", "DURATION", "HANGAR_CHAT_IDLE_TIMEOUT",
     "DURATION after which an idle chat actor quits",
     [](const Settings& d) { return format_duration(d.chat_idle_timeout); }, false,
     [](Settings& s, const std::string& source, const std::string& text) {
       s.chat_idle_timeout = positive_duration(source, text);
     }},
    {"--bot-memory-budget", "SIZE", "HANGAR_BOT_MEMORY_BUDGET",
     "SIZE a bot with all its chats may hold",
     [](const Settings& d) { return format_size(d.bot_memory_budget); }, false,
     [](Settings& s, const std::string& source, const std::string& text) {
       s.bot_memory_budget = positive_size(source, text);
     }},
    {"--chat-memory-budget", "SIZE", "HANGAR_CHAT_MEMORY_BUDGET", "SIZE one chat actor may hold",
     [](const Settings& d) { return format_size(d.chat_memory_budget); }, false,
     [](Settings& s, const std::string& source, const std::string& text) {
       s.chat_memory_budget = positive_size(source, text);
     }},
    {"--memory-limit", "SIZE", "HANGAR_MEMORY_LIMIT", "process-wide memory SIZE guard",
     [](const Settings&) { return std::string("none"); }, false,
     [](Settings& s, const std::string& source, const std::string& text) {
       s.memory_limit = positive_size(source, text);
     }},
    {"--restart-intensity", "N/DURATION", "HANGAR_RESTART_INTENSITY",
     "N/DURATION: a bot's restarts before it backs off",
     [](const Settings& d) {
       return std::to_string(d.restart_intensity.restarts) + "/" +
              format_duration(d.restart_intensity.period);
     },
     false,
     [](Settings& s, const std::string& source, const std::string& text) {
       s.restart_intensity = restart_intensity(source, text);
     }},
    {"--flood-limits", "on|off|SPEC", "HANGAR_FLOOD_LIMITS",
     "Telegram's flood limits the outbox keeps: off, or N/DURATION per bot, chat and group",
     [](const Settings& d) { return format_flood_limits(d.flood_limits); }, false,
     [](Settings& s, const std::string& source, const std::string& text) {
       s.flood_limits = flood_limits(source, text);
     }},
    {"--quarantine-after", "N", "HANGAR_QUARANTINE_AFTER",
     "N backoff periods in a row before quarantine",
     [](const Settings& d) { return std::to_string(d.quarantine_after); }, false,
     [](Settings& s, const std::string& source, const std::string& text) {
       s.quarantine_after = positive_count(source, text);
     }},
    {"--events-per-bot", "N", "HANGAR_EVENTS_PER_BOT", "N newest events kept per bot",
     [](const Settings& d) { return std::to_string(d.events_per_bot); }, false,
     [](Settings& s, const std::string& source, const std::string& text) {
       s.events_per_bot = positive_count(source, text);
     }},
    {"--inbox-limit", "N", "HANGAR_INBOX_LIMIT",
     "N updates waiting in a bot's inbox before its polling pauses",
     [](const Settings& d) { return std::to_string(d.inbox_limit); }, false,
     [](Settings& s, const std::string& source, const std::string& text) {
       s.inbox_limit = positive_count(source, text);
     }},
    {"--ca-file", "FILE", "HANGAR_CA_FILE", "PEM FILE of CA certificates, beside the system store",
     [](const Settings&) { return std::string("the system store only"); }, false,
     [](Settings& s, const std::string& source, const std::string& text) {
       s.ca_file = readable_file(source, text);
     }},
    {"--log-level", "LEVEL", "HANGAR_LOG_LEVEL", "debug, info, warn or error",
     [](const Settings& d) { return d.log_level; }, true,
     [](Settings& s, const std::string& source, const std::string& text) {
       s.log_level = log_level(source, text);
     }},
}};

}  // namespace

CommonFlags::CommonFlags(CLI::App& command, Scope scope) : scope_(scope) {
  given_.reserve(flags.size());
  for (std::size_t i = 0; i < flags.size(); ++i) {
    if (scope == Scope::database && !flags[i].database_scope) continue;
    given_.push_back(Given{i, {}, nullptr});
  }
  // Options keep pointers into given_, which no longer grows.
  for (auto& entry : given_) {
    const auto& spec = flags[entry.flag];
    entry.option =
        command.add_option(spec.flag, entry.value,
                           std::string(spec.help) + " (default " + spec.default_text(Settings{}) +
                               ") [env " + spec.variable + "]");
    entry.option->type_name(spec.kind);
  }
  if (scope == Scope::serve) {
    std::string names;
    for (const auto& timing : timing_settings())
      names += (names.empty() ? "" : ", ") + std::string(timing.name);
    tuning_option_ = command.add_option(
        "--tuning", tuning_,
        "change one of the engine's timings, for tests and benchmarks (repeatable; see the "
        "README): " +
            names + " [env " + tuning_variable + ", comma-separated]");
    tuning_option_->type_name("NAME=DURATION");
  }
}

void CommonFlags::apply_tuning(Settings& settings) const {
  if (!tuning_option_) return;
  auto apply = [&](const std::string& source, const std::string& assignment) {
    const auto problem = apply_timing(settings.timings, assignment);
    if (!problem.empty()) fail(source, problem);
  };
  if (tuning_option_->count() > 0) {
    for (const auto& assignment : tuning_) apply("--tuning", assignment);
    return;
  }
  const char* value = std::getenv(tuning_variable);
  if (!value || !*value) return;
  std::string_view list = value;
  while (!list.empty()) {
    const auto comma = list.find(',');
    apply(tuning_variable, std::string(list.substr(0, comma)));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
}

Settings CommonFlags::settle(Settings defaults) const {
  Settings settings = std::move(defaults);
  for (const auto& entry : given_) {
    const auto& spec = flags[entry.flag];
    if (entry.option->count() > 0) {
      spec.apply(settings, spec.flag, entry.value);
    } else if (const char* value = std::getenv(spec.variable); value && *value) {
      spec.apply(settings, spec.variable, value);
    }
  }
  apply_tuning(settings);
  if (scope_ == Scope::serve) settings.proxies = read_proxy_environment();
  setup_logging(settings.log_level);
  return settings;
}

}  // namespace hangar::cli
