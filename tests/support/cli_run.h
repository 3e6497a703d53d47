// Runs the hartslag command line (the binary this build made) as a user
// would, and returns its exit code and what it printed.
#ifndef HARTSLAG_TESTS_SUPPORT_CLI_RUN_H_
#define HARTSLAG_TESTS_SUPPORT_CLI_RUN_H_

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "absl/strings/str_cat.h"

namespace hartslag::testing {

struct CliRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr
  std::string errors;  // stderr, with CliApart
};

// Runs a shell command line and keeps its stdout.
inline CliRun RunShell(const std::string& command) {
  CliRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) run.output.append(buffer.data(), n);
  int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

inline CliRun Cli(const std::string& args) { return RunShell(absl::StrCat(HARTSLAG_CLI_BINARY, " ", args, " 2>&1")); }

// Like Cli, with stdout in `output` and stderr apart in `errors`: to check
// that help goes to stdout, and that a CSV holds nothing but CSV.
inline CliRun CliApart(const std::string& args) {
  char path[] = "/tmp/hartslag-cli-stderr-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return {};
  close(fd);
  CliRun run = RunShell(absl::StrCat(HARTSLAG_CLI_BINARY, " ", args, " 2>", path));
  std::ifstream in(path);
  run.errors.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  std::remove(path);
  return run;
}

}  // namespace hartslag::testing

#endif  // HARTSLAG_TESTS_SUPPORT_CLI_RUN_H_
