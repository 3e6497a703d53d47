#include "clients/cpp/channel.h"

#include "services/common/files.h"
#include "services/common/status_macros.h"

namespace hartslag::client {

absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenChannel(const ChannelOptions& options) {
  if (options.address.empty()) return absl::InvalidArgumentError("address: the service's host:port is required");
  if (options.ca_file.empty()) return absl::InvalidArgumentError("ca_file: the CA's PEM file is required");
  if (options.client_cert_file.empty() != options.client_key_file.empty()) {
    return absl::InvalidArgumentError("client_cert_file and client_key_file: give both or neither");
  }
  grpc::SslCredentialsOptions tls;
  ASSIGN_OR_RETURN(tls.pem_root_certs, ReadFile(options.ca_file, "ca_file"));
  grpc::ChannelArguments args;
  // gRPC waits up to two minutes between reconnects by default and fails
  // calls at once meanwhile: a restarted service would stay unreached long
  // after it is back. Seconds are enough for a handful of services.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 200);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 5000);
  // Every address of the service is kept connected and calls spread over
  // those that answer: the services are stateless and scale out behind one
  // name.
  args.SetLoadBalancingPolicyName("round_robin");
  if (!options.client_cert_file.empty()) {
    ASSIGN_OR_RETURN(tls.pem_cert_chain, ReadFile(options.client_cert_file, "client_cert_file"));
    ASSIGN_OR_RETURN(tls.pem_private_key, ReadFile(options.client_key_file, "client_key_file"));
    // A client certificate belongs to the connection: gRPC would otherwise
    // share one connection to the address between channels that present
    // different certificates (or none).
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  }
  return grpc::CreateCustomChannel(options.address, grpc::SslCredentials(tls), args);
}

}  // namespace hartslag::client
