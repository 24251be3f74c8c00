#pragma once
// An Asio executor that runs every function it is given with a MemoryMeter current, on top of
// another executor (a strand, or the io_context's own). An I/O object typed on it runs all its
// completions with the meter current: not only the final handler, which with_meter alone would
// cover, but also the intermediate steps of composed operations, where a Beast read grows its
// buffer (and a body of unknown length) and a stream's timeout fires. Posts to it and timers
// waiting on it are charged the same way.
//
// Properties (blocking, outstanding work, allocator, ...) are applied to the inner executor and
// the meter carried over, so it can stand wherever the inner executor could. Each function it
// runs holds a copy of the meter's shared_ptr, so the meter stays owned while any of them can run.
#include <memory>
#include <type_traits>
#include <utility>

#include <boost/asio/execution/execute.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/require.hpp>

#include "platform/memory/memory_meter.hpp"

namespace hangar {

template <class Inner>
class MeteredExecutor {
 public:
  // A null meter makes everything run unmetered, as on a plain io thread.
  MeteredExecutor(Inner inner, std::shared_ptr<MemoryMeter> meter) noexcept
      : inner_(std::move(inner)), meter_(std::move(meter)) {}

  template <class Property>
  auto require(const Property& property) const -> MeteredExecutor<
      std::decay_t<decltype(boost::asio::require(std::declval<const Inner&>(), property))>> {
    return {boost::asio::require(inner_, property), meter_};
  }

  template <class Property>
  auto prefer(const Property& property) const -> MeteredExecutor<
      std::decay_t<decltype(boost::asio::prefer(std::declval<const Inner&>(), property))>> {
    return {boost::asio::prefer(inner_, property), meter_};
  }

  template <class Property>
  auto query(const Property& property) const
      -> decltype(boost::asio::query(std::declval<const Inner&>(), property)) {
    return boost::asio::query(inner_, property);
  }

  template <class Function>
  void execute(Function&& function) const {
    boost::asio::execution::execute(inner_, with_meter(meter_, std::forward<Function>(function)));
  }

  friend bool operator==(const MeteredExecutor& a, const MeteredExecutor& b) noexcept {
    return a.inner_ == b.inner_ && a.meter_ == b.meter_;
  }
  friend bool operator!=(const MeteredExecutor& a, const MeteredExecutor& b) noexcept {
    return !(a == b);
  }

 private:
  Inner inner_;
  std::shared_ptr<MemoryMeter> meter_;
};

}  // namespace hangar
