// Command-line flags with environment fallbacks, shared by every binary.
//
//   Flags flags("hartslag-intake", "Signal intake service.");
//   flags.Add("listen", "HARTSLAG_INTAKE_LISTEN", "127.0.0.1:7402", "address to listen on");
//   if (auto s = flags.Parse(argc, argv); !s.ok()) { ... }
//   std::string listen = flags.Get("listen");
//
// Precedence: --name=value or --name value on the command line, then the
// environment variable, then the default. `--help` makes Parse return a
// kCancelled status after printing the flags, so callers exit 0. A command
// line Parse, GetInt or GetDuration cannot use is a UsageError (exit 2).
// Arguments that are not flags are kept, in order, as positionals. Not
// thread-safe during Parse; read-only afterwards.
#ifndef HARTSLAG_SERVICES_COMMON_CONFIG_H_
#define HARTSLAG_SERVICES_COMMON_CONFIG_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace hartslag {

class Flags {
 public:
  Flags(std::string program, std::string summary);

  // Declares a flag. `env` may be empty for flags without a fallback.
  void Add(std::string name, std::string env, std::string default_value, std::string help);
  // Declares a boolean flag: `--name` alone means true.
  void AddBool(std::string name, std::string env, bool default_value, std::string help);
  // Lets `short_name` (e.g. "-o") stand for --`name`.
  void AddShort(std::string short_name, std::string name);

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
  std::map<std::string, std::string> shorts_;
  std::vector<std::string> positionals_;
};

// True when Parse's status means "help was printed, exit 0".
bool IsHelpRequested(const absl::Status& status);
absl::Status HelpRequested();

// The command line itself is wrong: an unknown command or flag, a bad or
// missing value. Callers exit 2 and point at `command --help`. `command` may
// be left empty for whoever dispatched the command to fill in.
absl::Status UsageError(absl::string_view message, absl::string_view command = "");
bool IsUsageError(const absl::Status& status);
// The command whose --help a usage error points at ("" if none was named).
std::string UsageErrorCommand(const absl::Status& status);

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_CONFIG_H_
