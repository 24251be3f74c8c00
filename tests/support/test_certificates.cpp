#include "tests/support/test_certificates.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <stdexcept>

namespace hangar::test {

namespace {

struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertFree {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct ExtensionFree {
  void operator()(X509_EXTENSION* ext) const { X509_EXTENSION_free(ext); }
};
struct FileClose {
  void operator()(FILE* file) const { std::fclose(file); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

[[noreturn]] void fail(const std::string& what) {
  char reason[256] = "no OpenSSL error";
  if (unsigned long code = ERR_get_error()) ERR_error_string_n(code, reason, sizeof reason);
  throw std::runtime_error("test certificates: " + what + ": " + reason);
}

void check(bool ok, const char* what) {
  if (!ok) fail(what);
}

Key make_key() {
  // P-256 rather than RSA: generating it takes microseconds, so every test can have its own.
  Key key(EVP_EC_gen("P-256"));
  check(key != nullptr, "EC key generation");
  return key;
}

bool is_ip_literal(const std::string& name) {
  ASN1_OCTET_STRING* ip = a2i_IPADDRESS(name.c_str());
  ASN1_OCTET_STRING_free(ip);
  return ip != nullptr;
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, ExtensionFree> ext(
      X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  check(ext && X509_add_ext(cert, ext.get(), -1), "adding an extension");
}

std::string alt_names_of(const std::vector<std::string>& names) {
  std::string alt_names;
  for (const auto& name : names) {
    if (!alt_names.empty()) alt_names += ',';
    alt_names += (is_ip_literal(name) ? "IP:" : "DNS:") + name;
  }
  return alt_names;
}

// A certificate valid from a minute ago for a day. Without an issuer it is a self-signed CA;
// with one, a server certificate for `names`.
Cert make_cert(EVP_PKEY* key, const std::vector<std::string>& names, X509* issuer,
               EVP_PKEY* issuer_key) {
  const std::string common_name = issuer ? names.front() : "Hangar test CA";
  Cert cert(X509_new());
  check(cert != nullptr, "X509_new");
  X509_set_version(cert.get(), 2);
  unsigned char serial[8];
  check(RAND_bytes(serial, sizeof serial) == 1, "RAND_bytes");
  serial[0] &= 0x7f;  // serials must be positive
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  check(bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get())), "serial number");
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  check(X509_set_pubkey(cert.get(), key) == 1, "X509_set_pubkey");

  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("Hangar tests"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509* signer = issuer ? issuer : cert.get();
  check(X509_set_issuer_name(cert.get(), X509_get_subject_name(signer)) == 1, "issuer name");
  add_extension(cert.get(), signer, NID_subject_key_identifier, "hash");
  add_extension(cert.get(), signer, NID_authority_key_identifier, "keyid:always");
  if (!issuer) {
    add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
    add_extension(cert.get(), signer, NID_key_usage, "critical,digitalSignature");
    add_extension(cert.get(), signer, NID_ext_key_usage, "serverAuth");
    add_extension(cert.get(), signer, NID_subject_alt_name, alt_names_of(names));
  }
  check(X509_sign(cert.get(), issuer ? issuer_key : key, EVP_sha256()) > 0, "X509_sign");
  return cert;
}

std::unique_ptr<FILE, FileClose> open_for_writing(const std::string& path) {
  std::unique_ptr<FILE, FileClose> file(std::fopen(path.c_str(), "w"));
  if (!file) throw std::runtime_error("test certificates: cannot write " + path);
  return file;
}

void write_certs(const std::string& path, std::initializer_list<X509*> certs) {
  auto file = open_for_writing(path);
  for (X509* cert : certs) check(PEM_write_X509(file.get(), cert) == 1, "PEM_write_X509");
}

void write_key(const std::string& path, EVP_PKEY* key) {
  auto file = open_for_writing(path);
  check(PEM_write_PrivateKey(file.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "PEM_write_PrivateKey");
}

std::string make_temp_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "hangar-certs-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("test certificates: mkdtemp failed");
  return pattern;
}

}  // namespace

struct TestCertificates::Ca {
  Key key;
  Cert cert;
};

TestCertificates::TestCertificates(const std::vector<std::string>& names)
    : dir_(make_temp_dir()), ca_(new Ca{make_key(), nullptr}) {
  ca_->cert = make_cert(ca_->key.get(), {}, nullptr, nullptr);
  ca_cert_ = dir_ + "/ca.crt";
  write_certs(ca_cert_, {ca_->cert.get()});
  server_ = issue(names, "server");
}

TestCertificates::~TestCertificates() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

ServerCertificate TestCertificates::issue(const std::vector<std::string>& names,
                                          const std::string& stem) {
  if (names.empty()) throw std::invalid_argument("test certificates: no names given");
  Key key = make_key();
  Cert cert = make_cert(key.get(), names, ca_->cert.get(), ca_->key.get());

  ServerCertificate files{dir_ + "/" + stem + ".crt", dir_ + "/" + stem + ".key"};
  // The chain includes the CA, as many servers send it; a client that does not trust the CA
  // then reports "self-signed certificate in certificate chain".
  write_certs(files.cert, {cert.get(), ca_->cert.get()});
  write_key(files.key, key.get());
  return files;
}

}  // namespace hangar::test
