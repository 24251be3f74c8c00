#include "tests/support/log_lines.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>
#include <stdexcept>

#include "tests/support/budget_helpers.hpp"

namespace hangar::test {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::vector<std::string> lines_mentioning(const std::string& text,
                                          const std::vector<std::string>& all,
                                          const std::vector<std::string>& any) {
  std::vector<std::string> found;
  for (const auto& line : lines_of(text)) {
    const std::string folded = lower(line);
    auto has = [&](const std::string& word) {
      return folded.find(lower(word)) != std::string::npos;
    };
    if (std::all_of(all.begin(), all.end(), has) &&
        (any.empty() || std::any_of(any.begin(), any.end(), has)))
      found.push_back(line);
  }
  return found;
}

std::int64_t log_line_ms(const std::string& line) {
  const std::size_t length = 24;  // 2026-12-01T03:14:15.123Z
  if (line.size() < length) throw std::runtime_error("not a log line: \"" + line + "\"");
  return parse_rfc3339_ms(line.substr(0, length));
}

}  // namespace hangar::test
