#pragma once
// Request targets and application/x-www-form-urlencoded text: splitting them into their parts
// and percent-decoding those parts. Shared by the REST API and the Bot API simulator.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hangar::http {

struct FormField {
  std::string name;
  std::string value;
};

// `text` with each %XX made its byte and each '+' made a space. Nullopt when a '%' is not
// followed by two hex digits.
std::optional<std::string> percent_decode(std::string_view text);

// The decoded name=value pairs of `encoded` ("a=1&b=x+y"), in order, repeats kept. Empty pairs
// are skipped; a pair without '=' has an empty value. Nullopt on malformed percent-encoding.
std::optional<std::vector<FormField>> parse_form(std::string_view encoded);

// The target without its query string, and its query string without the '?' ("" if none).
std::string_view target_path(std::string_view target);
std::string_view target_query(std::string_view target);

}  // namespace hangar::http
