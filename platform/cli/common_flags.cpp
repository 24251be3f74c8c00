#include "platform/cli/common_flags.hpp"

#include <array>
#include <cstdlib>

#include "platform/cli/values.hpp"
#include "platform/core/log.hpp"

namespace hangar::cli {
namespace {

struct FlagSpec {
  const char* flag;
  const char* kind;  // names the value in --help
  const char* variable;
  const char* help;
  bool database_scope;  // also offered by the commands that only edit the database
  void (*apply)(Settings& settings, const std::string& source, const std::string& text);
};

const std::array<FlagSpec, 14> flags = {{
    {"--db", "FILE", "HANGAR_DB",
     "SQLite database FILE (default hangar.db, created with mode 0600)", true,
     [](Settings& s, const std::string& source, const std::string& text) {
       s.db_path = non_empty(source, text);
     }},
    {"--listen", "HOST:PORT", "HANGAR_LISTEN",
     "HOST:PORT of the HTTP server (default 127.0.0.1:8080)", false,
     [](Settings& s, const std::string& source, const std::string& text) {
       s.listen = listen_address(source, text);
     }},
    {"--api-url", "URL", "HANGAR_API_URL",
     "Bot API URL for bots that name none (default https://api.telegram.org)", false,
     [](Settings& s, const std::string& source, const std::string& text) {
       s.api_url = api_url(source, text);
     }},
    {"--admin-token", "TOKEN", "HANGAR_ADMIN_TOKEN",
     "admin TOKEN for the REST API (default: generated at first start and printed once)", false,
     [](Settings& s, const std::string& source, const std::string& text) {
       s.admin_token = access_token(source, text);
     }},
    {"--metrics-token", "TOKEN", "HANGAR_METRICS_TOKEN",
     "TOKEN that /metrics requires as a Bearer token (default: /metrics is open)", false,
     [](Settings& s, const std::string& source, const std::string& text) {
       s.metrics_token = access_token(source, text);
     }},
    {"--chat-idle-timeout", "DURATION", "HANGAR_CHAT_IDLE_TIMEOUT",
     "DURATION after which an idle chat actor quits (default 10m)", false,
     [](Settings& s, const std::string& source, const std::string& text) {
       s.chat_idle_timeout = positive_duration(source, text);
     }},
    {"--bot-memory-budget", "SIZE", "HANGAR_BOT_MEMORY_BUDGET",
     "SIZE a bot with all its chats may hold (default 64MiB)", false,
     [](Settings& s, const std::string& source, const std::string& text) {
       s.bot_memory_budget = positive_size(source, text);
     }},
    {"--chat-memory-budget", "SIZE", "HANGAR_CHAT_MEMORY_BUDGET",
     "SIZE one chat actor may hold (default 1MiB)", false,
     [](Settings& s, const std::string& source, const std::string& text) {
       s.chat_memory_budget = positive_size(source, text);
     }},
    {"--memory-limit", "SIZE", "HANGAR_MEMORY_LIMIT",
     "process-wide memory SIZE guard (default none)", false,
     [](Settings& s, const std::string& source, const std::string& text) {
       s.memory_limit = positive_size(source, text);
     }},
    {"--restart-intensity", "N/DURATION", "HANGAR_RESTART_INTENSITY",
     "N/DURATION: a bot's restarts before it backs off (default 5/60s)", false,
     [](Settings& s, const std::string& source, const std::string& text) {
       s.restart_intensity = restart_intensity(source, text);
     }},
    {"--quarantine-after", "N", "HANGAR_QUARANTINE_AFTER",
     "N backoff periods in a row before quarantine (default 3)", false,
     [](Settings& s, const std::string& source, const std::string& text) {
       s.quarantine_after = positive_count(source, text);
     }},
    {"--events-per-bot", "N", "HANGAR_EVENTS_PER_BOT",
     "N newest events kept per bot (default 10000)", false,
     [](Settings& s, const std::string& source, const std::string& text) {
       s.events_per_bot = positive_count(source, text);
     }},
    {"--ca-file", "FILE", "HANGAR_CA_FILE",
     "PEM FILE of CA certificates (default: the system store)", false,
     [](Settings& s, const std::string& source, const std::string& text) {
       s.ca_file = readable_file(source, text);
     }},
    {"--log-level", "LEVEL", "HANGAR_LOG_LEVEL", "debug, info, warn or error (default info)", true,
     [](Settings& s, const std::string& source, const std::string& text) {
       s.log_level = log_level(source, text);
     }},
}};

}  // namespace

CommonFlags::CommonFlags(CLI::App& command, Scope scope) {
  given_.reserve(flags.size());
  for (std::size_t i = 0; i < flags.size(); ++i) {
    if (scope == Scope::database && !flags[i].database_scope) continue;
    given_.push_back(Given{i, {}, nullptr});
  }
  // Options keep pointers into given_, which no longer grows.
  for (auto& entry : given_) {
    const auto& spec = flags[entry.flag];
    entry.option = command.add_option(spec.flag, entry.value,
                                      std::string(spec.help) + " [env " + spec.variable + "]");
    entry.option->type_name(spec.kind);
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
  setup_logging(settings.log_level);
  return settings;
}

}  // namespace hangar::cli
