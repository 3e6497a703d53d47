// Channels to Hartslag services: TLS checked against the deployment's CA,
// and, for integrated partner systems, mutual TLS with the client
// certificate the directory knows the system by.
//
//   ChannelOptions options;
//   options.address = "cases.heerlen.example:7403";
//   options.ca_file = "/etc/politie-bvh/hartslag-ca.pem";
//   options.client_cert_file = "/etc/politie-bvh/client.pem";  // mutual TLS
//   options.client_key_file = "/etc/politie-bvh/client.key";
//   ASSIGN_OR_RETURN(std::shared_ptr<grpc::Channel> cases, OpenChannel(options));
//
// A channel is thread-safe and meant to be shared by every call to the same
// service; it connects lazily and reconnects by itself, at most 5 s apart.
#ifndef HARTSLAG_CLIENTS_CPP_CHANNEL_H_
#define HARTSLAG_CLIENTS_CPP_CHANNEL_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace hartslag::client {

struct ChannelOptions {
  // host:port of the service.
  std::string address;
  // PEM file of the CA that signed the services' certificates (required:
  // Hartslag speaks TLS only).
  std::string ca_file;
  // PEM client certificate chain and its private key, both or neither.
  std::string client_cert_file;
  std::string client_key_file;
};

// INVALID_ARGUMENT naming the option when one is missing or a file cannot be
// read; the connection itself is made on the first call.
absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenChannel(const ChannelOptions& options);

}  // namespace hartslag::client

#endif  // HARTSLAG_CLIENTS_CPP_CHANNEL_H_
