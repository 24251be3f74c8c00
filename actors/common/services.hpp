#pragma once
// What every actor of the fleet borrows from the process. Owned by run_serve, which outlives the
// actor system, so actors hold plain references.
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include "platform/status/fleet_status.hpp"
#include "platform/core/settings.hpp"
#include "storage/storage_worker.hpp"

namespace hangar::actors {

struct Services {
  const Settings& settings;
  storage::StorageWorker& storage;
  boost::asio::io_context& io;
  std::shared_ptr<boost::asio::ssl::context> tls;
  FleetStatus& fleet;
};

}  // namespace hangar::actors
