#pragma once
// A Bot API server that gets everything wrong in the most revealing way: it answers every
// request with 401 and a description that quotes the request target, as a proxy's or a
// misconfigured server's error message may. The target holds the bot's token
// (/bot<token>/<method>), so a client that logs or shows descriptions as they come leaks it.
// Header-only, as holding_proxy.hpp is.
#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

namespace hangar::test {

class EchoingBotApi {
 public:
  EchoingBotApi()
      : acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}),
        work_(boost::asio::make_work_guard(io_)) {
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~EchoingBotApi() {
    work_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }
  EchoingBotApi(const EchoingBotApi&) = delete;
  EchoingBotApi& operator=(const EchoingBotApi&) = delete;

  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
  }
  std::size_t requests() const { return requests_->load(); }

 private:
  using tcp = boost::asio::ip::tcp;

  class Session : public std::enable_shared_from_this<Session> {
   public:
    Session(tcp::socket socket, std::shared_ptr<std::atomic<std::size_t>> requests)
        : socket_(std::move(socket)), requests_(std::move(requests)) {}
    void read() {
      request_ = {};
      boost::beast::http::async_read(
          socket_, buffer_, request_,
          [self = shared_from_this()](boost::beast::error_code error, std::size_t) {
            if (!error) self->answer();
          });
    }

   private:
    void answer() {
      ++*requests_;
      namespace http = boost::beast::http;
      response_ = {};
      response_.version(request_.version());
      response_.result(http::status::unauthorized);
      response_.set(http::field::content_type, "application/json");
      response_.body() = nlohmann::json{{"ok", false},
                                        {"error_code", 401},
                                        {"description", "Unauthorized: nothing answers at " +
                                                            std::string(request_.target())}}
                             .dump();
      response_.keep_alive(request_.keep_alive());
      response_.prepare_payload();
      http::async_write(socket_, response_,
                        [self = shared_from_this()](boost::beast::error_code error, std::size_t) {
                          if (!error && self->response_.keep_alive()) self->read();
                        });
    }

    tcp::socket socket_;
    std::shared_ptr<std::atomic<std::size_t>> requests_;
    boost::beast::flat_buffer buffer_;
    boost::beast::http::request<boost::beast::http::string_body> request_;
    boost::beast::http::response<boost::beast::http::string_body> response_;
  };

  void accept() {
    acceptor_.async_accept([this](boost::system::error_code error, tcp::socket socket) {
      if (error) return;
      std::make_shared<Session>(std::move(socket), requests_)->read();
      accept();
    });
  }

  boost::asio::io_context io_;
  tcp::acceptor acceptor_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::shared_ptr<std::atomic<std::size_t>> requests_ =
      std::make_shared<std::atomic<std::size_t>>(0);
  std::thread thread_;
};

}  // namespace hangar::test
