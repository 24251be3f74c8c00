#include "sim/sim_command.hpp"

#include <csignal>
#include <exception>
#include <iostream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

namespace hangar::sim {

int run_sim(const SimCommandOptions& options) {
  // Registered before the simulator starts, so a signal that comes as soon as the address is
  // printed is already ours and cannot kill the process half-way.
  boost::asio::io_context signals_context;
  boost::asio::signal_set signals(signals_context, SIGINT, SIGTERM);
  signals.async_wait([](const boost::system::error_code&, int) {});

  std::unique_ptr<Simulator> simulator;
  try {
    simulator = std::make_unique<Simulator>(options.server);
  } catch (const std::exception& error) {
    std::cerr << "hangar sim: " << error.what() << std::endl;
    return 2;
  }
  simulator->set_faults("", options.faults);
  std::unique_ptr<TrafficGenerator> traffic;
  if (options.traffic) traffic = std::make_unique<TrafficGenerator>(*simulator, *options.traffic);

  std::cout << "Simulator on " << simulator->base_url() << std::endl;
  signals_context.run();  // returns once the signal's wait has completed

  traffic.reset();  // it injects into the simulator, so it goes first
  simulator.reset();
  return 0;
}

}  // namespace hangar::sim
