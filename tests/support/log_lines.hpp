#pragma once
// Reading serve's log as a user would: its lines, the ones that mention given words, and the
// time each was written (every line starts with an RFC 3339 UTC time with milliseconds).
#include <cstdint>
#include <string>
#include <vector>

namespace hangar::test {

// The non-empty lines of `text`.
std::vector<std::string> lines_of(const std::string& text);

std::string lower(std::string text);

// The lines of `text` that contain every one of `all` and at least one of `any` (when `any` is
// not empty), ignoring case.
std::vector<std::string> lines_mentioning(const std::string& text,
                                          const std::vector<std::string>& all,
                                          const std::vector<std::string>& any = {});

// Milliseconds since the epoch at which a log line was written; throws when the line does not
// start with serve's timestamp.
std::int64_t log_line_ms(const std::string& line);

}  // namespace hangar::test
