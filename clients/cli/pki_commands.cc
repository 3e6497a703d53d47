// hartslag pki: the deployment's certificates and token signing key, made with
// OpenSSL. Every command keeps files that already exist, so it can run on
// every start of a development setup.
//
//   hartslag pki ca --dir DIR                         DIR/ca.pem, DIR/ca.key
//   hartslag pki server --dir DIR [--dns localhost] [--ip 127.0.0.1]
//                                                     DIR/server.pem, DIR/server.key
//   hartslag pki client --dir DIR --name NAME --uri URI
//                                                     DIR/NAME.pem, DIR/NAME.key
//   hartslag pki signing-key --dir DIR [--name jwt]   DIR/NAME.key, DIR/NAME.pub (Ed25519:
//                                                     token issuer, audit tree heads)
//   hartslag pki pseudonym-key --dir DIR              DIR/pseudonym.key (32 random bytes, hex)
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "absl/strings/str_cat.h"
#include "services/common/crypto.h"
#include "clients/cli/commands.h"
#include "clients/cli/flag_values.h"
#include "services/common/config.h"
#include "services/common/status_macros.h"

namespace hartslag::cli {
namespace {

using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using CertPtr = std::unique_ptr<X509, decltype(&X509_free)>;

constexpr long kCaDays = 3650;
constexpr long kLeafDays = 825;

bool Exists(const std::string& path) { return std::filesystem::exists(path); }

absl::Status WriteKey(const std::string& path, EVP_PKEY* key) {
  std::unique_ptr<FILE, decltype(&fclose)> f(fopen(path.c_str(), "w"), fclose);
  if (!f) return absl::InvalidArgumentError(absl::StrCat("cannot write ", path));
  chmod(path.c_str(), 0600);
  if (PEM_write_PrivateKey(f.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return absl::InternalError(absl::StrCat("cannot write key ", path));
  }
  return absl::OkStatus();
}

absl::Status WriteCert(const std::string& path, X509* cert) {
  std::unique_ptr<FILE, decltype(&fclose)> f(fopen(path.c_str(), "w"), fclose);
  if (!f || PEM_write_X509(f.get(), cert) != 1) {
    return absl::InvalidArgumentError(absl::StrCat("cannot write ", path));
  }
  return absl::OkStatus();
}

absl::StatusOr<KeyPtr> ReadKey(const std::string& path) {
  std::unique_ptr<FILE, decltype(&fclose)> f(fopen(path.c_str(), "r"), fclose);
  if (!f) return absl::InvalidArgumentError(absl::StrCat("cannot read ", path, "; run hartslag pki ca first"));
  KeyPtr key(PEM_read_PrivateKey(f.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
  if (!key) return absl::InvalidArgumentError(absl::StrCat(path, " holds no private key"));
  return key;
}

absl::StatusOr<CertPtr> ReadCert(const std::string& path) {
  std::unique_ptr<FILE, decltype(&fclose)> f(fopen(path.c_str(), "r"), fclose);
  if (!f) return absl::InvalidArgumentError(absl::StrCat("cannot read ", path, "; run hartslag pki ca first"));
  CertPtr cert(PEM_read_X509(f.get(), nullptr, nullptr, nullptr), X509_free);
  if (!cert) return absl::InvalidArgumentError(absl::StrCat(path, " holds no certificate"));
  return cert;
}

KeyPtr NewEcKey() { return KeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), EVP_PKEY_free); }

absl::Status AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) return absl::InvalidArgumentError(absl::StrCat("bad certificate extension ", value));
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  return absl::OkStatus();
}

// A certificate for `key`, signed by `issuer_key` (self-signed when `issuer`
// is null), with the given extensions.
absl::StatusOr<CertPtr> MakeCert(EVP_PKEY* key, const std::string& common_name, long days,
                                 X509* issuer, EVP_PKEY* issuer_key,
                                 const std::vector<std::pair<int, std::string>>& extensions) {
  CertPtr cert(X509_new(), X509_free);
  X509_set_version(cert.get(), 2);
  std::unique_ptr<BIGNUM, decltype(&BN_free)> serial(BN_new(), BN_free);
  BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY);
  BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get()));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), days * 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("Hartslag"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
  for (const auto& [nid, value] : extensions) {
    RETURN_IF_ERROR(AddExtension(cert.get(), issuer ? issuer : cert.get(), nid, value));
  }
  if (X509_sign(cert.get(), issuer_key, EVP_sha256()) == 0) {
    return absl::InternalError("signing the certificate failed");
  }
  return cert;
}

absl::Status Leaf(const std::string& dir, const std::string& name, const std::string& common_name,
                  const std::string& san, const std::string& usage) {
  std::string cert_path = absl::StrCat(dir, "/", name, ".pem");
  if (Exists(cert_path)) return absl::OkStatus();
  ASSIGN_OR_RETURN(CertPtr ca, ReadCert(dir + "/ca.pem"));
  ASSIGN_OR_RETURN(KeyPtr ca_key, ReadKey(dir + "/ca.key"));
  KeyPtr key = NewEcKey();
  ASSIGN_OR_RETURN(CertPtr cert,
                   MakeCert(key.get(), common_name, kLeafDays, ca.get(), ca_key.get(),
                            {{NID_basic_constraints, "critical,CA:FALSE"},
                             {NID_key_usage, "critical,digitalSignature"},
                             {NID_ext_key_usage, usage},
                             {NID_subject_alt_name, san}}));
  RETURN_IF_ERROR(WriteKey(absl::StrCat(dir, "/", name, ".key"), key.get()));
  return WriteCert(cert_path, cert.get());
}

absl::Status Pki(const std::string& what, const std::vector<std::string>& args) {
  Flags flags(absl::StrCat("hartslag pki ", what), "make certificates and keys");
  flags.Add("dir", "HARTSLAG_PKI_DIR", "", "folder of the CA and the files made");
  flags.Add("dns", "", "localhost", "server: DNS name");
  flags.Add("ip", "", "127.0.0.1", "server: IP address");
  flags.Add("name", "", "", "client: file name and common name, e.g. politie-bvh; signing-key: file name (default jwt)");
  flags.Add("uri", "", "", "client: the URI SAN registered for it in the directory");
  RETURN_IF_ERROR(flags.Parse(args));
  std::string dir = flags.Get("dir");
  RETURN_IF_ERROR(Required(flags, {"dir"}));
  std::filesystem::create_directories(dir);

  if (what == "ca") {
    if (Exists(dir + "/ca.pem")) return absl::OkStatus();
    KeyPtr key = NewEcKey();
    ASSIGN_OR_RETURN(CertPtr cert, MakeCert(key.get(), "Hartslag CA", kCaDays, nullptr, key.get(),
                                            {{NID_basic_constraints, "critical,CA:TRUE"},
                                             {NID_key_usage, "critical,keyCertSign,cRLSign"},
                                             {NID_subject_key_identifier, "hash"}}));
    RETURN_IF_ERROR(WriteKey(dir + "/ca.key", key.get()));
    return WriteCert(dir + "/ca.pem", cert.get());
  }
  if (what == "server") {
    return Leaf(dir, "server", flags.Get("dns"),
                absl::StrCat("DNS:", flags.Get("dns"), ",IP:", flags.Get("ip")), "serverAuth");
  }
  if (what == "client") {
    if (flags.Get("name").empty() || flags.Get("uri").empty()) {
      return UsageError("--name en --uri ontbreken");
    }
    return Leaf(dir, flags.Get("name"), flags.Get("name"), absl::StrCat("URI:", flags.Get("uri")),
                "clientAuth");
  }
  if (what == "signing-key") {
    std::string base = absl::StrCat(dir, "/", flags.Get("name").empty() ? "jwt" : flags.Get("name"));
    if (Exists(base + ".key")) return absl::OkStatus();
    KeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), EVP_PKEY_free);
    RETURN_IF_ERROR(WriteKey(base + ".key", key.get()));
    std::unique_ptr<FILE, decltype(&fclose)> f(fopen((base + ".pub").c_str(), "w"), fclose);
    if (!f || PEM_write_PUBKEY(f.get(), key.get()) != 1) {
      return absl::InvalidArgumentError(absl::StrCat("cannot write ", base, ".pub"));
    }
    return absl::OkStatus();
  }
  if (what == "pseudonym-key") {
    std::string path = dir + "/pseudonym.key";
    if (Exists(path)) return absl::OkStatus();
    // Created private from the start, before the secret is written.
    std::unique_ptr<FILE, decltype(&fclose)> f(fopen(path.c_str(), "wx"), fclose);
    if (!f || chmod(path.c_str(), 0600) != 0 ||
        std::fputs((HexEncode(RandomBytes(32)) + "\n").c_str(), f.get()) < 0) {
      return absl::InvalidArgumentError(absl::StrCat("cannot write ", path));
    }
    return absl::OkStatus();
  }
  return absl::InternalError(absl::StrCat("pki ", what, ": not in the command table"));
}

}  // namespace

std::vector<Command> PkiCommands() {
  auto pki = [](std::string what) { return [what](const Args& args) { return Pki(what, args); }; };
  return {{"ca", "DIR/ca.pem en DIR/ca.key", pki("ca")},
          {"server", "DIR/server.pem en DIR/server.key (--dns, --ip)", pki("server")},
          {"client", "DIR/NAME.pem en DIR/NAME.key voor een gekoppeld systeem (--name, --uri)", pki("client")},
          {"signing-key", "DIR/NAME.key en .pub (Ed25519: tokens, tree heads)", pki("signing-key")},
          {"pseudonym-key", "DIR/pseudonym.key (32 willekeurige bytes, hex)", pki("pseudonym-key")}};
}

}  // namespace hartslag::cli
