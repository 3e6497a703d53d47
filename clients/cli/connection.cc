#include "clients/cli/connection.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/common/crypto.h"
#include "services/common/files.h"

namespace hartslag::cli {
void Connection::AddFlags(Flags& flags, const std::string& server_env,
                          const std::string& default_server) {
  flags.Add("server", server_env, default_server, "service address (host:port)");
  flags.Add("ca", "HARTSLAG_CA", "", "PEM file of the CA that signed the service's certificate");
  flags.Add("token", "HARTSLAG_TOKEN", "", "bearer token");
  flags.Add("token-file", "HARTSLAG_TOKEN_FILE", "", "file holding the bearer token");
  flags.Add("cert", "HARTSLAG_CLIENT_CERT", "", "PEM client certificate (integrated clients)");
  flags.Add("key", "HARTSLAG_CLIENT_KEY", "", "PEM private key of the client certificate");
  flags.Add("timeout", "HARTSLAG_TIMEOUT", "10s", "deadline for each call");
  flags.Add("purpose", "HARTSLAG_PURPOSE", "",
            "why you read personal data (e.g. TRIAGE, SUBJECT_ACCESS_REQUEST); recorded in the audit log");
}

absl::StatusOr<Connection> Connection::FromFlags(const Flags& flags) {
  Connection connection;
  if (flags.Get("ca").empty()) {
    return absl::InvalidArgumentError("--ca is required (or set HARTSLAG_CA)");
  }
  grpc::SslCredentialsOptions tls;
  auto ca = ReadFile(flags.Get("ca"), "--ca");
  if (!ca.ok()) return ca.status();
  tls.pem_root_certs = *ca;
  if (!flags.Get("cert").empty() || !flags.Get("key").empty()) {
    auto cert = ReadFile(flags.Get("cert"), "--cert");
    if (!cert.ok()) return cert.status();
    auto key = ReadFile(flags.Get("key"), "--key");
    if (!key.ok()) return key.status();
    tls.pem_cert_chain = *cert;
    tls.pem_private_key = *key;
  }
  connection.token_ = flags.Get("token");
  if (connection.token_.empty() && !flags.Get("token-file").empty()) {
    auto token = ReadFile(flags.Get("token-file"), "--token-file");
    if (!token.ok()) return token.status();
    connection.token_ = std::string(absl::StripAsciiWhitespace(*token));
  }
  if (!absl::ParseDuration(flags.Get("timeout"), &connection.timeout_) ||
      connection.timeout_ <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--timeout: must be a duration such as 10s");
  }
  connection.purpose_ = flags.Get("purpose");
  connection.channel_ = grpc::CreateChannel(flags.Get("server"), grpc::SslCredentials(tls));
  return connection;
}

absl::StatusOr<Connection> Connection::Parse(Flags& flags, const std::vector<std::string>& args,
                                             const std::string& server_env, const std::string& default_server) {
  AddFlags(flags, server_env, default_server);
  flags.AddBool("json", "", false, "print JSON instead of a table");
  absl::Status parsed = flags.Parse(args);
  if (!parsed.ok()) return parsed;
  return FromFlags(flags);
}

std::unique_ptr<grpc::ClientContext> Connection::NewCall() const {
  auto call = std::make_unique<grpc::ClientContext>();
  if (!token_.empty()) call->AddMetadata("authorization", absl::StrCat("Bearer ", token_));
  call->AddMetadata("x-request-id", HexEncode(RandomBytes(8)));
  if (!purpose_.empty()) call->AddMetadata("x-hartslag-purpose", purpose_);
  call->set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
  return call;
}

}  // namespace hartslag::cli
