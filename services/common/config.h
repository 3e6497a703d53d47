// Command-line flags with environment fallbacks, shared by every binary.
//
//   Flags flags("hartslag-intake", "Signal intake service.");
//   flags.Add("listen", "HARTSLAG_INTAKE_LISTEN", "127.0.0.1:7402", "address to listen on");
//   if (auto s = flags.Parse(argc, argv); !s.ok()) { ... }
//   std::string listen = flags.Get("listen");
//
// Precedence: --name=value or --name value on the command line, then the
// environment variable, then the default. `--help` makes Parse return a
// kCancelled status after printing the flags, so callers exit 0. Arguments
// that are not flags are kept, in order, as positionals. Not thread-safe
// during Parse; read-only afterwards.
#ifndef HARTSLAG_SERVICES_COMMON_CONFIG_H_
#define HARTSLAG_SERVICES_COMMON_CONFIG_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace hartslag {

class Flags {
 public:
  Flags(std::string program, std::string summary);

  // Declares a flag. `env` may be empty for flags without a fallback.
  void Add(std::string name, std::string env, std::string default_value, std::string help);
  // Declares a boolean flag: `--name` alone means true.
  void AddBool(std::string name, std::string env, bool default_value, std::string help);

  // Parses argv[first..argc).
  absl::Status Parse(int argc, char** argv, int first = 1);
  absl::Status Parse(const std::vector<std::string>& args);

  std::string Get(const std::string& name) const;
  absl::StatusOr<int> GetInt(const std::string& name) const;
  absl::StatusOr<absl::Duration> GetDuration(const std::string& name) const;
  bool GetBool(const std::string& name) const;
  // True when the value came from the command line or the environment.
  bool IsSet(const std::string& name) const;
  const std::vector<std::string>& positionals() const { return positionals_; }

  // The --help text.
  std::string Usage() const;

 private:
  struct Flag {
    std::string env;
    std::string default_value;
    std::string help;
    bool is_bool = false;
    std::string value;
    bool set = false;
  };
  std::string program_;
  std::string summary_;
  std::map<std::string, Flag> flags_;
  std::vector<std::string> order_;
  std::vector<std::string> positionals_;
};

// True when Parse's status means "help was printed, exit 0".
bool IsHelpRequested(const absl::Status& status);

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_CONFIG_H_
