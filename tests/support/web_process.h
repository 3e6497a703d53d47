// hartslag-web as a real process in front of a Deployment's services, with
// a session key of its own (deleted with it), optionally serving the front
// end's static files.
#ifndef HARTSLAG_TESTS_SUPPORT_WEB_PROCESS_H_
#define HARTSLAG_TESTS_SUPPORT_WEB_PROCESS_H_

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "services/common/crypto.h"
#include "tests/support/deployment.h"
#include "tests/support/service_process.h"

namespace hartslag::testing {

class WebProcess {
 public:
  // `extra_args` are further flags of hartslag-web ("--map-tiles", URL).
  WebProcess(const std::string& binary, Deployment& deployment, const std::string& static_dir = "",
             const std::vector<std::string>& extra_args = {})
      : key_file_(std::filesystem::temp_directory_path() / ("web-session-" + HexEncode(RandomBytes(6)) + ".key")),
        key_(RandomBytes(32)) {
    std::ofstream(key_file_) << HexEncode(key_) << "\n";
    const std::string certs = CertsDir();
    std::vector<std::string> args = {
        "--tls-cert", certs + "/server.pem", "--tls-key", certs + "/server.key", "--session-key", key_file_,
        "--ca", certs + "/ca.pem", "--service-cert", certs + "/web.pem", "--service-key", certs + "/web.key",
        "--intake", deployment.intake().address(), "--directory", deployment.directory().address(),
        "--cases", deployment.cases().address(), "--audit", deployment.audit().address(),
        "--jwt-public-keys", certs + "/jwt.pub", "--audit-public-key", certs + "/audit-tree.pub"};
    if (!static_dir.empty()) args.insert(args.end(), {"--static-dir", static_dir});
    metrics_port_ = FreePort();
    args.insert(args.end(), {"--metrics-address", "127.0.0.1:" + std::to_string(metrics_port_)});
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    process_ = std::make_unique<ServiceProcess>(binary, args);
  }
  ~WebProcess() { std::filesystem::remove(key_file_); }

  ServiceProcess& process() { return *process_; }
  int port() const { return process_->port(); }
  // Its Prometheus endpoint (plain HTTP on 127.0.0.1).
  int metrics_port() const { return metrics_port_; }
  // The key that seals session cookies: to forge or age one in a test.
  const std::string& session_key() const { return key_; }

 private:
  std::string key_file_;
  std::string key_;
  int metrics_port_ = 0;
  std::unique_ptr<ServiceProcess> process_;
};

}  // namespace hartslag::testing

#endif  // HARTSLAG_TESTS_SUPPORT_WEB_PROCESS_H_
