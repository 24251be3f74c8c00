#include "platform/rest/request.hpp"

#include <charconv>

#include "platform/http/url_encoding.hpp"

namespace hangar::rest {

ApiError bad_parameter(const std::string& parameter, const std::string& problem) {
  return ApiError(http::Status::bad_request, "bad_request", parameter + ": " + problem);
}

ApiError not_found(const std::string& detail) {
  return ApiError(http::Status::not_found, "not_found", detail);
}

Query::Query(std::string_view target) {
  auto fields = http::parse_form(http::target_query(target));
  if (!fields)
    throw ApiError(http::Status::bad_request, "bad_request", "malformed percent-encoding");
  for (auto& field : *fields) values_.emplace(std::move(field.name), std::move(field.value));
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

}  // namespace hangar::rest
