#include "tests/support/service_process.h"

#include <random>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "clients/cpp/health.h"

namespace hartslag::testing {

std::string CertsDir() {
  const char* state = std::getenv("HARTSLAG_TEST_STATE");
  if (state == nullptr) throw std::runtime_error("HARTSLAG_TEST_STATE is not set; run through ctest");
  return std::string(state) + "/certs";
}

std::string HttpGet(int port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  std::string answer;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) {
    std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
      char buffer[4096];
      for (ssize_t n; (n = read(fd, buffer, sizeof(buffer))) > 0;) answer.append(buffer, n);
    }
  }
  close(fd);
  size_t body = answer.find("\r\n\r\n");
  return body == std::string::npos ? "" : answer.substr(body + 4);
}

std::string HealthOf(const std::shared_ptr<grpc::Channel>& channel) {
  absl::StatusOr<bool> serving = client::IsServing(channel, absl::Seconds(5));
  if (!serving.ok()) return std::string(serving.status().message());
  return *serving ? "SERVING" : "NOT_SERVING";
}

// A port below the kernel's ephemeral range (32768 and up): every service
// of every concurrent test binds port 0 and gets an ephemeral one, so a port
// from here stays free until its service binds it, whatever else starts
// meanwhile. (CI saw a port taken from the ephemeral range lost that race.)
// A port that no other test of this machine has been given lately: each
// test process binds to see that a port is free, but a parallel test could
// see the same port free before either service binds it. A reservation file
// per port, made with O_EXCL, settles who has it; reservations lapse after
// ten minutes, long after the service bound the port.
static bool Reserve(int port) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "hartslag-test-ports";
  std::error_code ignored;
  std::filesystem::create_directories(dir, ignored);
  const std::filesystem::path file = dir / std::to_string(port);
  for (int attempt = 0; attempt < 2; ++attempt) {
    int fd = open(file.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0666);
    if (fd >= 0) {
      close(fd);
      return true;
    }
    auto written = std::filesystem::last_write_time(file, ignored);
    if (ignored || std::filesystem::file_time_type::clock::now() - written < std::chrono::minutes(10)) return false;
    std::filesystem::remove(file, ignored);  // lapsed: take it over
  }
  return false;
}

int FreePort() {
  static std::mt19937 random(std::random_device{}());
  std::uniform_int_distribution<int> below_ephemeral(20000, 32000);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) break;
    sockaddr_in address = {};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<uint16_t>(below_ephemeral(random)));
    bool bound = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
    close(fd);
    if (bound && Reserve(ntohs(address.sin_port))) return ntohs(address.sin_port);
  }
  throw std::runtime_error("no free port");
}

std::string ReadFileOrDie(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

ServiceProcess::ServiceProcess(std::string binary, std::vector<std::string> args, int port) {
  char dir_template[] = "/tmp/hartslag-service.XXXXXX";
  if (mkdtemp(dir_template) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = dir_template;
  std::string ready = dir_ + "/ready";
  args.insert(args.begin(),
              {binary, "--listen", "127.0.0.1:" + std::to_string(port), "--ready-file", ready});
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    // The service must not outlive a crashed test, nor hold ctest's output pipe.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int log = open((dir_ + "/stderr.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(log, STDERR_FILENO);
    dup2(log, STDOUT_FILENO);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  absl::Time give_up = absl::Now() + absl::Seconds(30);
  while (absl::Now() < give_up) {
    std::ifstream in(ready);
    if (in >> port_ && port_ > 0) return;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("service exited during start-up: " + Log());
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  Stop();
  throw std::runtime_error("service did not start within 30 s: " + Log());
}

ServiceProcess::~ServiceProcess() {
  Stop();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

int ServiceProcess::Stop(int signal) {
  if (pid_ <= 0) return 0;
  kill(pid_, signal);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

std::string ServiceProcess::Log() const {
  std::ifstream in(dir_ + "/stderr.log");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

bool ServiceProcess::LoggedCall(const std::string& rpc, const std::string& request_id,
                                const std::string& traceparent) const {
  for (absl::string_view line : absl::StrSplit(Log(), '\n')) {
    if (absl::StrContains(line, absl::StrCat("\"rpc\":\"", rpc, "\"")) &&
        absl::StrContains(line, absl::StrCat("\"request_id\":\"", request_id, "\"")) &&
        absl::StrContains(line, traceparent)) {
      return true;
    }
  }
  return false;
}

}  // namespace hartslag::testing
