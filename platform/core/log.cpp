#include "platform/core/log.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <array>
#include <memory>
#include <optional>

namespace hangar {
namespace {

struct LevelName {
  std::string_view name;
  spdlog::level::level_enum level;
};

// The names --log-level takes (README); the log lines use the same ones, so spdlog's
// "warning" prints as "warn".
constexpr std::array<LevelName, 4> level_names = {{{"debug", spdlog::level::debug},
                                                   {"info", spdlog::level::info},
                                                   {"warn", spdlog::level::warn},
                                                   {"error", spdlog::level::err}}};

std::string_view name_of(spdlog::level::level_enum level) {
  for (const auto& entry : level_names)
    if (entry.level == level) return entry.name;
  return level == spdlog::level::critical ? "critical" : "trace";
}

class LevelFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& message, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const auto name = name_of(message.level);
    dest.append(name.data(), name.data() + name.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<LevelFlag>();
  }
};

}  // namespace

bool setup_logging(std::string_view level) {
  std::optional<spdlog::level::level_enum> chosen;
  for (const auto& entry : level_names)
    if (entry.name == level) chosen = entry.level;
  if (!chosen) return false;

  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("hangar", std::move(sink));
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  formatter->add_flag<LevelFlag>('*').set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %* %v");
  logger->set_formatter(std::move(formatter));
  logger->set_level(*chosen);
  spdlog::set_default_logger(std::move(logger));
  return true;
}

}  // namespace hangar
