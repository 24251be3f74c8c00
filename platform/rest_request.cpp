#include "platform/rest_request.hpp"

#include <charconv>

namespace hangar::rest {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view text) {
  std::string decoded;
  decoded.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      decoded += ' ';
    } else if (text[i] != '%') {
      decoded += text[i];
    } else {
      const int high = i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
      const int low = high >= 0 ? hex_value(text[i + 2]) : -1;
      if (low < 0)
        throw ApiError(http::Status::bad_request, "bad_request", "malformed percent-encoding");
      decoded += static_cast<char>(high * 16 + low);
      i += 2;
    }
  }
  return decoded;
}

}  // namespace

ApiError bad_parameter(const std::string& parameter, const std::string& problem) {
  return ApiError(http::Status::bad_request, "bad_request", parameter + ": " + problem);
}

ApiError not_found(const std::string& detail) {
  return ApiError(http::Status::not_found, "not_found", detail);
}

Query::Query(std::string_view target) {
  const auto question = target.find('?');
  if (question == std::string_view::npos) return;
  std::string_view rest = target.substr(question + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const auto equals = pair.find('=');
    std::string name = percent_decode(pair.substr(0, equals));
    std::string value =
        equals == std::string_view::npos ? "" : percent_decode(pair.substr(equals + 1));
    values_.emplace(std::move(name), std::move(value));
  }
}

std::optional<std::string> Query::get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::int64_t> Query::positive(const std::string& name) const {
  auto text = get(name);
  if (!text) return std::nullopt;
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || value <= 0)
    throw bad_parameter(name, "must be a whole number above 0");
  return value;
}

std::size_t Query::limit() const {
  auto limit = positive("limit");
  if (!limit) return default_page_limit;
  return static_cast<std::size_t>(std::min<std::int64_t>(*limit, max_page_limit));
}

std::optional<std::int64_t> Query::before() const {
  return positive("before");
}

std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find('?'));
}

}  // namespace hangar::rest
