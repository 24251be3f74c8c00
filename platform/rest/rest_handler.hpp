#pragma once
// The HTTP API of the README ("HTTP"): /healthz, /metrics and the read endpoints under /api/, as
// one http::Handler. Everything under /api/ needs the admin token, as `Authorization: Bearer` or
// the dashboard's `hangar_session` cookie. It is checked in memory first (AdminCredential), so a
// wrong token costs no storage work; the answer is read in a job on the storage worker, so the
// io thread never waits for the disk. /healthz and /metrics answer
// from memory on the io thread.
//
// The RestHandler must outlive the jobs it posted: stop the HTTP server and flush the worker
// before destroying it.
#include <string>

#include "platform/core/settings.hpp"
#include "platform/http/server.hpp"
#include "platform/rest/admin_credential.hpp"
#include "platform/rest/metrics_exposition.hpp"
#include "platform/status/fleet_status.hpp"
#include "storage/job_queue.hpp"

namespace hangar::rest {

constexpr const char* session_cookie = "hangar_session";

class RestHandler {
 public:
  // From `settings`: the metrics token (when set, /metrics needs it as a Bearer token) and the
  // defaults a bot follows when it names none (API URL, memory budgets).
  RestHandler(FleetStatus& fleet, storage::JobQueue& worker, Settings settings);

  void handle(http::Request&& request, const http::RequestContext& context, http::Respond respond);
  // For HttpServer: calls handle() on this object, which must outlive the server.
  http::Handler handler();

 private:
  http::Response metrics(const http::Request& request) const;
  void answer_api(std::shared_ptr<const http::Request> request, http::Respond respond);
  void run_endpoint(std::shared_ptr<const http::Request> request, http::Respond respond);

  FleetStatus& fleet_;
  storage::JobQueue& worker_;
  Settings settings_;
  AdminCredential admin_;
};

}  // namespace hangar::rest
