#include "sim/request_params.hpp"

#include <charconv>
#include <cstdlib>

namespace hangar::sim {

using nlohmann::json;

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string url_decode(std::string_view encoded) {
  std::string decoded;
  decoded.reserve(encoded.size());
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    const char c = encoded[i];
    if (c == '+') {
      decoded += ' ';
    } else if (c == '%' && i + 2 < encoded.size() && hex_value(encoded[i + 1]) >= 0 &&
               hex_value(encoded[i + 2]) >= 0) {
      decoded += static_cast<char>(hex_value(encoded[i + 1]) * 16 + hex_value(encoded[i + 2]));
      i += 2;
    } else {
      decoded += c;
    }
  }
  return decoded;
}

void add_urlencoded(std::string_view encoded, json& into) {
  while (!encoded.empty()) {
    const auto amp = encoded.find('&');
    const std::string_view pair = encoded.substr(0, amp);
    encoded = amp == std::string_view::npos ? std::string_view{} : encoded.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    const std::string name = url_decode(pair.substr(0, eq));
    into[name] = eq == std::string_view::npos ? "" : url_decode(pair.substr(eq + 1));
  }
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

}  // namespace

std::string_view target_path(std::string_view target) {
  return target.substr(0, target.find('?'));
}

std::optional<RequestParams> RequestParams::parse(const http::Request& request) {
  RequestParams params;
  const std::string_view target = request.target();
  if (const auto question = target.find('?'); question != std::string_view::npos)
    add_urlencoded(target.substr(question + 1), params.values_);

  const std::string_view content_type = request[boost::beast::http::field::content_type];
  const std::string& body = request.body();
  if (starts_with(content_type, "application/json")) {
    if (body.empty()) return params;
    json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_object()) return std::nullopt;
    for (auto& [name, value] : parsed.items()) params.values_[name] = std::move(value);
  } else if (starts_with(content_type, "application/x-www-form-urlencoded")) {
    add_urlencoded(body, params.values_);
  }
  return params;
}

std::optional<std::int64_t> RequestParams::integer(const std::string& name) const {
  const auto found = values_.find(name);
  if (found == values_.end()) return std::nullopt;
  if (found->is_number_integer()) return found->get<std::int64_t>();
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
