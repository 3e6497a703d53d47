// A Hartslag service binary started as a real child process for end-to-end
// tests: it listens on a free port with TLS and is stopped with SIGTERM.
#ifndef HARTSLAG_TESTS_SUPPORT_SERVICE_PROCESS_H_
#define HARTSLAG_TESTS_SUPPORT_SERVICE_PROCESS_H_

#include <signal.h>
#include <sys/types.h>

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

namespace hartslag::testing {

// The development certificates and token keys of the test run
// (hartslag pki, run by the ctest fixture): ca.pem, server.pem, jwt.key, ...
std::string CertsDir();
std::string ReadFileOrDie(const std::string& path);
// A port free when asked, for a service whose address others need before it
// starts.
int FreePort();
// The body of GET http://127.0.0.1:<port><path>, or "" when it cannot be
// read.
std::string HttpGet(int port, const std::string& path);

// What a service's grpc.health.v1 check answers: "SERVING", "NOT_SERVING",
// or the call's error.
std::string HealthOf(const std::shared_ptr<grpc::Channel>& channel);

class ServiceProcess {
 public:
  // Starts `binary` with `args` plus --listen 127.0.0.1:<port> (0: a free
  // one) and a ready file, and waits until it serves (at most 30 s). Throws
  // if it does not.
  ServiceProcess(std::string binary, std::vector<std::string> args, int port = 0);
  ~ServiceProcess();
  ServiceProcess(const ServiceProcess&) = delete;
  ServiceProcess& operator=(const ServiceProcess&) = delete;

  int port() const { return port_; }
  std::string address() const { return "localhost:" + std::to_string(port_); }
  // Sends `signal` (SIGTERM: a graceful stop; SIGKILL: a crash) and waits;
  // returns the exit status (as from waitpid).
  int Stop(int signal = SIGTERM);
  // Everything the process wrote to stderr so far.
  std::string Log() const;
  // Whether the process logged a call of `rpc` under `request_id` and, when
  // given, `traceparent`: the trace a caller's request passed on to it.
  bool LoggedCall(const std::string& rpc, const std::string& request_id, const std::string& traceparent = "") const;

 private:
  std::string dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace hartslag::testing

#endif  // HARTSLAG_TESTS_SUPPORT_SERVICE_PROCESS_H_
