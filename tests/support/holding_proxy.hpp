#pragma once
// A TCP proxy in front of the simulator that can hold a bot's calls back, as a slow or stalled
// Bot API would: once armed with hold_after(n), the requests carrying `marker` (e.g.
// "/sendMessage") after the first n are not passed on until release(). Everything else (other
// connections, such as the long poll, and every reply) flows as usual. A bot is pointed at it
// with `bot add --api-url <proxy.url()>`.
//
// HTTP/1.1 clients wait for a reply before sending the next request on a connection, so a held
// connection simply stalls: the caller sees a slow call, nothing else. When the client closes a
// held connection (its bot was stopped), the held bytes are dropped.
//
// Header-only, so that it adds nothing to the support library the other tests link.
#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio.hpp>

namespace hangar::test {

class HoldingProxy {
 public:
  // Proxies 127.0.0.1:<port()> to 127.0.0.1:`target_port`.
  explicit HoldingProxy(std::uint16_t target_port, std::string marker = "/sendMessage")
      : shared_(std::make_shared<Shared>()),
        target_port_(target_port),
        acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}),
        work_(boost::asio::make_work_guard(io_)) {
    shared_->marker = std::move(marker);
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  // Stops the io thread; the connections' sockets close as their pending handlers are destroyed.
  ~HoldingProxy() {
    work_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }
  HoldingProxy(const HoldingProxy&) = delete;
  HoldingProxy& operator=(const HoldingProxy&) = delete;

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }

  // From now on, pass `n` more requests carrying the marker, then hold the rest.
  void hold_after(std::size_t n) {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    shared_->armed = true;
    shared_->seen = 0;
    shared_->pass = n;
    shared_->holds_begun = 0;
  }
  // Disarms and lets every held request go (unless its client has gone meanwhile).
  void release() {
    {
      std::lock_guard<std::mutex> lock(shared_->mutex);
      shared_->armed = false;
    }
    boost::asio::post(io_, [this] {
      for (auto& weak : connections_)
        if (auto connection = weak.lock()) connection->release();
    });
  }
  // Requests carrying the marker seen since hold_after(), and how many connections began to
  // hold since then (counting those whose client has closed them since, as a stopped bot does).
  std::size_t seen() const {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    return shared_->seen;
  }
  std::size_t holds_begun() const { return shared_->holds_begun.load(); }

 private:
  using tcp = boost::asio::ip::tcp;

  struct Shared {
    mutable std::mutex mutex;
    std::string marker;
    bool armed = false;
    std::size_t seen = 0;
    std::size_t pass = 0;
    std::atomic<std::size_t> holds_begun{0};

    // Counts `markers` more requests; true when the connection that carries them must hold.
    bool count(std::size_t markers) {
      std::lock_guard<std::mutex> lock(mutex);
      if (!armed) return false;
      seen += markers;
      return seen > pass;
    }
  };

  class Connection : public std::enable_shared_from_this<Connection> {
   public:
    Connection(tcp::socket client, boost::asio::io_context& io, std::shared_ptr<Shared> shared)
        : client_(std::move(client)), server_(io), shared_(std::move(shared)) {}

    void start(std::uint16_t target_port) {
      boost::system::error_code error;
      server_.connect({boost::asio::ip::make_address("127.0.0.1"), target_port}, error);
      if (error) return close();
      read_up();
      read_down();
    }

    void close() {
      if (closed_) return;
      closed_ = true;
      holding_ = false;
      held_.clear();
      boost::system::error_code ignored;
      client_.close(ignored);
      server_.close(ignored);
    }

    void release() {
      if (closed_ || !holding_) return;
      holding_ = false;
      for (auto& chunk : held_) up_queue_.push_back(std::move(chunk));
      held_.clear();
      write_up();
    }

   private:
    // Client -> simulator, looking for the marker (which may straddle two reads).
    void read_up() {
      client_.async_read_some(
          boost::asio::buffer(up_buffer_),
          [self = shared_from_this()](boost::system::error_code error, std::size_t n) {
            if (error) return self->close();
            self->on_up(std::string(self->up_buffer_.data(), n));
          });
    }

    void on_up(std::string chunk) {
      if (closed_) return;
      const std::string& marker = shared_->marker;
      std::string scan = carry_ + chunk;
      std::size_t markers = 0;
      for (auto pos = scan.find(marker); pos != std::string::npos;
           pos = scan.find(marker, pos + marker.size()))
        ++markers;
      const std::size_t keep = marker.size() > 1 ? marker.size() - 1 : 0;
      carry_ = scan.size() > keep ? scan.substr(scan.size() - keep) : scan;
      if (!holding_ && markers > 0 && shared_->count(markers)) {
        holding_ = true;
        shared_->holds_begun++;
      }
      if (holding_)
        held_.push_back(std::move(chunk));
      else
        up_queue_.push_back(std::move(chunk));
      write_up();
      read_up();
    }

    void write_up() {
      if (up_writing_ || up_queue_.empty() || closed_) return;
      up_writing_ = true;
      auto chunk = std::make_shared<std::string>(std::move(up_queue_.front()));
      up_queue_.pop_front();
      boost::asio::async_write(
          server_, boost::asio::buffer(*chunk),
          [self = shared_from_this(), chunk](boost::system::error_code error, std::size_t) {
            self->up_writing_ = false;
            if (error) return self->close();
            self->write_up();
          });
    }

    // Simulator -> client, as it comes.
    void read_down() {
      server_.async_read_some(
          boost::asio::buffer(down_buffer_),
          [self = shared_from_this()](boost::system::error_code error, std::size_t n) {
            if (error) return self->close();
            auto chunk = std::make_shared<std::string>(self->down_buffer_.data(), n);
            boost::asio::async_write(self->client_, boost::asio::buffer(*chunk),
                                     [self, chunk](boost::system::error_code error, std::size_t) {
                                       if (error) return self->close();
                                       self->read_down();
                                     });
          });
    }

    tcp::socket client_;
    tcp::socket server_;
    std::shared_ptr<Shared> shared_;
    std::array<char, 16384> up_buffer_{};
    std::array<char, 16384> down_buffer_{};
    std::string carry_;
    std::deque<std::string> up_queue_;
    bool up_writing_ = false;
    bool holding_ = false;
    std::vector<std::string> held_;
    bool closed_ = false;
  };

  void accept() {
    acceptor_.async_accept([this](boost::system::error_code error, tcp::socket socket) {
      if (error) return;  // closed
      auto connection = std::make_shared<Connection>(std::move(socket), io_, shared_);
      connection->start(target_port_);
      // Forget the connections that ended.
      std::vector<std::weak_ptr<Connection>> alive;
      for (auto& weak : connections_)
        if (!weak.expired()) alive.push_back(weak);
      alive.push_back(connection);
      connections_ = std::move(alive);
      accept();
    });
  }

  std::shared_ptr<Shared> shared_;
  std::uint16_t target_port_;
  boost::asio::io_context io_;
  tcp::acceptor acceptor_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::vector<std::weak_ptr<Connection>> connections_;
  std::thread thread_;
};

}  // namespace hangar::test
