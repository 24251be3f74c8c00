#pragma once
// Throwaway PKI for TLS tests: a fresh CA and server certificates it signs, written as PEM files
// into a temp directory that is removed again when the object goes away.
#include <memory>
#include <string>
#include <vector>

namespace hangar::test {

struct ServerCertificate {
  std::string cert;  // PEM: the server certificate followed by the CA certificate
  std::string key;   // PEM: the server's private key
};

class TestCertificates {
 public:
  // `names` become the server certificate's subjectAltNames: DNS names, or IP literals
  // ("127.0.0.1", "::1"). The first one is also its common name.
  explicit TestCertificates(const std::vector<std::string>& names = {"localhost", "127.0.0.1"});
  ~TestCertificates();
  TestCertificates(const TestCertificates&) = delete;
  TestCertificates& operator=(const TestCertificates&) = delete;

  const std::string& dir() const { return dir_; }
  const std::string& ca_cert() const { return ca_cert_; }  // trust this in the client
  const std::string& server_cert() const { return server_.cert; }
  const std::string& server_key() const { return server_.key; }

  // Another server certificate from the same CA, written as <stem>.crt and <stem>.key; use it
  // with names the client does not connect to ("wrong.example") to provoke a hostname mismatch.
  ServerCertificate issue(const std::vector<std::string>& names, const std::string& stem);

 private:
  struct Ca;
  std::string dir_;
  std::unique_ptr<Ca> ca_;  // OpenSSL types stay out of this header
  std::string ca_cert_;
  ServerCertificate server_;
};

}  // namespace hangar::test
