// Runs the hartslag command line (the binary this build made) as a user
// would, and returns its exit code and what it printed.
#ifndef HARTSLAG_TESTS_SUPPORT_CLI_RUN_H_
#define HARTSLAG_TESTS_SUPPORT_CLI_RUN_H_

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"

namespace hartslag::testing {

struct CliRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

inline CliRun Cli(const std::string& args) {
  CliRun run;
  std::string command = absl::StrCat(HARTSLAG_CLI_BINARY, " ", args, " 2>&1");
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) run.output.append(buffer.data(), n);
  int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

}  // namespace hartslag::testing

#endif  // HARTSLAG_TESTS_SUPPORT_CLI_RUN_H_
