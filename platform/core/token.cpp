#include "platform/core/token.hpp"

namespace hangar {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_secret_char(char c) {
  return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == '-';
}

constexpr std::string_view ellipsis = "\u2026";
constexpr std::size_t shown_tail = 4;
// Below this length even four characters would give away too much of a malformed token.
constexpr std::size_t min_length_for_tail = 9;

}  // namespace

bool is_valid_token(std::string_view token) {
  const auto colon = token.find(':');
  if (colon == std::string_view::npos || colon < 1 || colon > 20) return false;
  const auto owner = token.substr(0, colon);
  const auto secret = token.substr(colon + 1);
  if (secret.size() < 30 || secret.size() > 50) return false;
  for (char c : owner)
    if (!is_digit(c)) return false;
  for (char c : secret)
    if (!is_secret_char(c)) return false;
  return true;
}

std::string mask_token(std::string_view token) {
  std::string masked;
  // The part before the colon is the bot's public id, so a well-formed token keeps it.
  if (is_valid_token(token)) masked = std::string(token.substr(0, token.find(':') + 1));
  masked += ellipsis;
  if (token.size() >= min_length_for_tail) masked += token.substr(token.size() - shown_tail);
  return masked;
}

}  // namespace hangar
