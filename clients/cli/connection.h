// How the CLI reaches a Hartslag service: a TLS channel checked against the
// deployment's CA, the caller's bearer token on every call, and a deadline.
#ifndef HARTSLAG_CLIENTS_CLI_CONNECTION_H_
#define HARTSLAG_CLIENTS_CLI_CONNECTION_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/config.h"

namespace hartslag::cli {

class Connection {
 public:
  // Declares --server, --ca, --token, --token-file, --cert, --key,
  // --timeout and --purpose on `flags`, with `server_env` as the environment fallback of
  // --server. --cert and --key present a client certificate (integrated
  // clients).
  static void AddFlags(Flags& flags, const std::string& server_env, const std::string& default_server);
  static absl::StatusOr<Connection> FromFlags(const Flags& flags);
  // For a command that talks to one service: declares the connection flags
  // and --json (print JSON) on `flags`, parses `args` and connects.
  static absl::StatusOr<Connection> Parse(Flags& flags, const std::vector<std::string>& args,
                                          const std::string& server_env, const std::string& default_server);

  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
  // A fresh context per call: token, request id and deadline set.
  std::unique_ptr<grpc::ClientContext> NewCall() const;

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::string token_;
  std::string purpose_;
  absl::Duration timeout_;
};

}  // namespace hartslag::cli

#endif  // HARTSLAG_CLIENTS_CLI_CONNECTION_H_
