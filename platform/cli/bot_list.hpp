#pragma once
// `hangar bot list` output: an aligned table for people, or a JSON array for scripts. Tokens
// are masked in both.
#include <ostream>
#include <vector>

#include "storage/bot_repository.hpp"

namespace hangar::cli {

void print_bot_table(const std::vector<storage::BotConfig>& bots, std::ostream& out);
void print_bot_json(const std::vector<storage::BotConfig>& bots, std::ostream& out);

}  // namespace hangar::cli
