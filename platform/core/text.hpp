#pragma once
// Text as Hangar shows it to users: errors, log lines and last_error are one line each, whatever
// a server or a library put in them.
#include <string>

namespace hangar {

// `text` with every line break made a space, and trailing spaces dropped.
std::string one_line(std::string text);

}  // namespace hangar
