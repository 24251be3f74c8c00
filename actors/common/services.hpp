#pragma once
// What every actor of the fleet borrows from the process. Owned by whoever runs the actor system
// (serve, or an actor test), which outlives it, so actors hold plain references.
#include <functional>
#include <memory>

#include <boost/asio/io_context.hpp>

#include "platform/botapi/session.hpp"
#include "platform/core/settings.hpp"
#include "platform/status/fleet_status.hpp"
#include "storage/job_queue.hpp"

namespace hangar::actors {

// Opens a bot's Bot API session. Serve's opens real connections on the io_context, with the
// process's TLS context; an actor test's scripts the answers.
using SessionFactory =
    std::function<std::shared_ptr<botapi::Session>(botapi::SessionOptions options)>;

struct Services {
  const Settings& settings;
  storage::JobQueue& storage;
  boost::asio::io_context& io;  // the outbox's retry timers run here
  SessionFactory open_session;
  FleetStatus& fleet;
};

}  // namespace hangar::actors
