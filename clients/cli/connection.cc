#include "clients/cli/connection.h"

#include <cstdio>
#include <cstdlib>

#include "clients/cpp/channel.h"
#include "services/common/status_macros.h"

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

absl::StatusOr<Connection> Connection::FromFlags(const Flags& flags) { return FromFlags(flags, flags.Get("server")); }

absl::StatusOr<Connection> Connection::FromFlags(const Flags& flags, const std::string& server) {
  if (flags.Get("ca").empty()) {
    return UsageError("--ca ontbreekt (of zet HARTSLAG_CA)");
  }
  if (flags.Get("cert").empty() != flags.Get("key").empty()) {
    return UsageError("--cert en --key: geef ze allebei of geen van beide");
  }
  client::ChannelOptions channel_options{server, flags.Get("ca"), flags.Get("cert"), flags.Get("key")};
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = client::OpenChannel(channel_options);
  if (!channel.ok()) {
    // The library names its options; the CLI user knows them as flags.
    std::string message(channel.status().message());
    for (auto [option, flag] : {std::pair{"client_cert_file", "--cert"}, {"client_key_file", "--key"},
                                {"ca_file", "--ca"}, {"address", "--server"}}) {
      if (message.rfind(option, 0) == 0) message = flag + message.substr(std::string(option).size());
    }
    return absl::Status(channel.status().code(), message);
  }
  client::TokenSourcePtr tokens;
  if (!flags.Get("token").empty()) {
    tokens = client::StaticToken(flags.Get("token"));
  } else if (!flags.Get("token-file").empty()) {
    tokens = client::SavedTokenFile(flags.Get("token-file"));
    absl::StatusOr<std::string> token = tokens->Token();
    if (!token.ok()) {
      return absl::Status(token.status().code(), absl::StrCat("--token-file: ", token.status().message()));
    }
  }
  client::CallOptions call_options;
  if (!absl::ParseDuration(flags.Get("timeout"), &call_options.timeout) ||
      call_options.timeout <= absl::ZeroDuration()) {
    return UsageError("--timeout: moet een duur zijn, zoals 10s");
  }
  call_options.purpose = flags.Get("purpose");
  return Connection(*std::move(channel), client::Session(std::move(tokens), std::move(call_options)));
}

absl::StatusOr<Connection> Connection::Parse(Flags& flags, const std::vector<std::string>& args,
                                             const std::string& server_env, const std::string& default_server,
                                             Shape shape) {
  AddFlags(flags, server_env, default_server);
  AddOutputFlags(flags);
  RETURN_IF_ERROR(flags.Parse(args));
  RETURN_IF_ERROR(OutputFormat(flags, shape).status());
  return FromFlags(flags);
}

std::unique_ptr<grpc::ClientContext> Connection::NewCall() const {
  absl::StatusOr<std::unique_ptr<grpc::ClientContext>> call = session_.NewCall();
  if (!call.ok()) {
    std::fprintf(stderr, "fout: %s: %s\n", absl::StatusCodeToString(call.status().code()).c_str(),
                 std::string(call.status().message()).c_str());
    std::exit(1);
  }
  return *std::move(call);
}

}  // namespace hartslag::cli
