// How the CLI reaches a Hartslag service, through the client library
// (clients/cpp): a TLS channel checked against the deployment's CA (mutual
// TLS with --cert/--key), the caller's bearer token on every call, the
// purpose, a request id and a deadline.
#ifndef HARTSLAG_CLIENTS_CLI_CONNECTION_H_
#define HARTSLAG_CLIENTS_CLI_CONNECTION_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "clients/cpp/session.h"
#include "clients/cli/output.h"
#include "clients/cpp/token_source.h"
#include "services/common/config.h"

namespace hartslag::cli {

class Connection {
 public:
  // Declares --server, --ca, --token, --token-file, --cert, --key,
  // --timeout and --purpose on `flags`, with `server_env` as the environment fallback of
  // --server. --cert and --key present a client certificate (integrated
  // clients).
  static void AddFlags(Flags& flags, const std::string& server_env, const std::string& default_server);
  // Checks the flags and that the token (if any) can be read.
  static absl::StatusOr<Connection> FromFlags(const Flags& flags);
  // The same for the service at `server` instead of --server's, for a
  // command that asks two services.
  static absl::StatusOr<Connection> FromFlags(const Flags& flags, const std::string& server);
  // For a command that talks to one service: declares the connection flags
  // and the output flags (-o, for the `shape` it prints) on `flags`, parses
  // `args` and connects. Everything the user typed is checked before any call.
  static absl::StatusOr<Connection> Parse(Flags& flags, const std::vector<std::string>& args,
                                          const std::string& server_env, const std::string& default_server,
                                          Shape shape = Shape::kObject);

  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
  // The token source: --token as it is, or --token-file, read again when its
  // token nears expiry or is refused (whoever logs in keeps it fresh). Null
  // without a token.
  const client::TokenSourcePtr& tokens() const { return session_.tokens(); }
  const client::Session& session() const { return session_; }
  // A fresh context per call: token, request id, purpose and deadline set.
  // Exits with 1 and the reason when the token file became unreadable or its
  // token expired since FromFlags checked it: a one-shot command has nothing
  // better to do.
  std::unique_ptr<grpc::ClientContext> NewCall() const;

 private:
  Connection(std::shared_ptr<grpc::Channel> channel, client::Session session)
      : channel_(std::move(channel)), session_(std::move(session)) {}

  std::shared_ptr<grpc::Channel> channel_;
  client::Session session_;
};

}  // namespace hartslag::cli

#endif  // HARTSLAG_CLIENTS_CLI_CONNECTION_H_
