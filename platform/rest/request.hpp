#pragma once
// What a REST endpoint reads from a request and from the process, and the error it throws when
// the request cannot be answered as asked.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "platform/core/settings.hpp"
#include "platform/http/server.hpp"
#include "platform/status/fleet_status.hpp"
#include "storage/database.hpp"

namespace hangar::rest {

constexpr std::size_t default_page_limit = 100;
constexpr std::size_t max_page_limit = 1000;  // a larger ?limit= is cut to this

// Answered as {"error": error, "detail": what()} with `status`.
struct ApiError : std::runtime_error {
  ApiError(http::Status status, std::string error, const std::string& detail)
      : std::runtime_error(detail), status(status), error(std::move(error)) {}
  http::Status status;
  std::string error;
};

// 400 whose detail names the parameter: "limit: must be ...".
ApiError bad_parameter(const std::string& parameter, const std::string& problem);
ApiError not_found(const std::string& detail);

// The query string of a request target, percent-decoded. The first of repeated names counts.
class Query {
 public:
  explicit Query(std::string_view target);  // throws ApiError 400 on bad percent-encoding

  std::optional<std::string> get(const std::string& name) const;
  // ?limit=: default_page_limit when absent; 400 unless a whole number above 0.
  std::size_t limit() const;
  // ?before=: the paging cursor, an id; 400 unless a whole number above 0.
  std::optional<std::int64_t> before() const;
  // A whole number above 0 in parameter `name`, or 400.
  std::optional<std::int64_t> positive(const std::string& name) const;

 private:
  std::map<std::string, std::string> values_;
};

// What an endpoint answers from: the database inside the storage worker's transaction, the live
// figures, and the settings `serve` runs with.
struct ReadContext {
  storage::Database& db;
  const FleetStatus& fleet;
  const Settings& settings;
};

}  // namespace hangar::rest
