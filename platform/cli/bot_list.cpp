#include "platform/cli/bot_list.hpp"

#include <algorithm>
#include <array>
#include <string>

#include <nlohmann/json.hpp>

#include "platform/admin/bot_view.hpp"
#include "platform/core/token.hpp"
#include "platform/core/units.hpp"

namespace hangar::cli {
namespace {

constexpr std::size_t column_count = 8;
using Row = std::array<std::string, column_count>;

const Row header = {"ID", "NAME", "TOKEN", "BEHAVIOR", "STATUS", "API-URL", "PROXY", "BUDGET"};

std::string status_of(const storage::BotConfig& bot) {
  if (bot.quarantined) return "quarantined";
  if (bot.enabled && bot.unauthorized) return "unauthorized";
  return bot.enabled ? "enabled" : "disabled";
}

Row row_of(const storage::BotConfig& bot) {
  // "default" means the bot follows what `serve` is given (--api-url, its proxy variables,
  // --bot-memory-budget).
  return {std::to_string(bot.id),
          bot.name,
          mask_token(bot.token),
          bot.behavior,
          status_of(bot),
          bot.api_url ? admin::display_api_url(*bot.api_url) : "default",
          bot.proxy ? admin::display_proxy(*bot.proxy) : "default",
          bot.memory_budget ? format_size(*bot.memory_budget) : "default"};
}

// Display width: the masked token's ellipsis is three bytes but one column.
std::size_t width_of(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

}  // namespace

void print_bot_table(const std::vector<storage::BotConfig>& bots, std::ostream& out) {
  std::vector<Row> rows{header};
  for (const auto& bot : bots) rows.push_back(row_of(bot));
  std::array<std::size_t, column_count> widths{};
  for (const auto& row : rows)
    for (std::size_t i = 0; i < column_count; ++i)
      widths[i] = std::max(widths[i], width_of(row[i]));
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < column_count; ++i) {
      line += row[i];
      if (i + 1 < column_count) line += std::string(widths[i] - width_of(row[i]) + 2, ' ');
    }
    out << line << "\n";
  }
}

void print_bot_json(const std::vector<storage::BotConfig>& bots, std::ostream& out) {
  auto list = nlohmann::json::array();
  for (const auto& bot : bots) list.push_back(admin::bot_config_json(bot));
  out << list.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace hangar::cli
