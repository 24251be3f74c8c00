#include "sim/request_params.hpp"

#include <charconv>
#include <cstdlib>

#include "platform/core/bounds.hpp"
#include "platform/core/json_int.hpp"
#include "platform/core/json_nesting.hpp"
#include "platform/http/url_encoding.hpp"

namespace hangar::sim {

using nlohmann::json;

namespace {

// Adds `encoded`'s pairs to `into`, a later repeat replacing an earlier one. False on malformed
// percent-encoding.
bool add_urlencoded(std::string_view encoded, json& into) {
  auto fields = http::parse_form(encoded);
  if (!fields) return false;
  for (auto& field : *fields) into[field.name] = std::move(field.value);
  return true;
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

}  // namespace

std::optional<RequestParams> RequestParams::parse(const http::Request& request,
                                                  ParseFailure* failure) {
  const auto fail = [failure](ParseFailure why) {
    if (failure) *failure = why;
    return std::nullopt;
  };
  RequestParams params;
  if (!add_urlencoded(http::target_query(request.target()), params.values_))
    return fail(ParseFailure::malformed_percent_encoding);

  const std::string_view content_type = request[boost::beast::http::field::content_type];
  const std::string& body = request.body();
  if (starts_with(content_type, "application/json")) {
    if (body.empty()) return params;
    // A body nested past the bound could not be copied or dumped without overflowing the stack.
    if (!json_nesting_within(body, bounds::json_nesting_depth))
      return fail(ParseFailure::body_not_json_object);
    json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_object()) return fail(ParseFailure::body_not_json_object);
    for (auto& [name, value] : parsed.items()) params.values_[name] = std::move(value);
  } else if (starts_with(content_type, "application/x-www-form-urlencoded")) {
    if (!add_urlencoded(body, params.values_))
      return fail(ParseFailure::malformed_percent_encoding);
  }
  return params;
}

std::optional<std::int64_t> RequestParams::integer(const std::string& name) const {
  const auto found = values_.find(name);
  if (found == values_.end()) return std::nullopt;
  if (found->is_number_integer()) return json_int64(*found);
  if (!found->is_string()) return std::nullopt;
  const auto& text = found->get_ref<const std::string&>();
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<double> RequestParams::number(const std::string& name) const {
  const auto found = values_.find(name);
  if (found == values_.end()) return std::nullopt;
  if (found->is_number()) return found->get<double>();
  if (!found->is_string() || found->get_ref<const std::string&>().empty()) return std::nullopt;
  const auto& text = found->get_ref<const std::string&>();
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return std::nullopt;
  return value;
}

std::optional<std::string> RequestParams::text(const std::string& name) const {
  const auto found = values_.find(name);
  if (found == values_.end() || !found->is_string()) return std::nullopt;
  return found->get<std::string>();
}

std::optional<bool> RequestParams::boolean(const std::string& name) const {
  const auto found = values_.find(name);
  if (found == values_.end()) return std::nullopt;
  if (found->is_boolean()) return found->get<bool>();
  if (found->is_string()) {
    const auto& text = found->get_ref<const std::string&>();
    if (text == "true" || text == "1") return true;
    if (text == "false" || text == "0") return false;
  }
  return std::nullopt;
}

}  // namespace hangar::sim
