#pragma once
// A Bot API or control request's parameters, from wherever the client put them: the query
// string, an application/x-www-form-urlencoded body, or a JSON object body. Body values win.
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "platform/http/server.hpp"

namespace hangar::sim {

class RequestParams {
 public:
  enum class ParseFailure { body_not_json_object, malformed_percent_encoding };

  // Nullopt when the body claims to be JSON but is not a JSON object (or nests deeper than
  // bounds::json_nesting_depth), or when the query string or a form body has malformed
  // percent-encoding (a '%' without two hex digits after it).
  // `failure`, when given, is set to which.
  static std::optional<RequestParams> parse(const http::Request& request,
                                            ParseFailure* failure = nullptr);

  bool has(const std::string& name) const { return values_.contains(name); }
  // Numbers may arrive as JSON numbers or as decimal strings (query and form values).
  std::optional<std::int64_t> integer(const std::string& name) const;
  std::optional<double> number(const std::string& name) const;
  std::optional<std::string> text(const std::string& name) const;
  std::optional<bool> boolean(const std::string& name) const;

 private:
  nlohmann::json values_ = nlohmann::json::object();
};

}  // namespace hangar::sim
