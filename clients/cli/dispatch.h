// The CLI's command tree. Each group names its subcommands once, in a table
// that both runs them and writes the help, so the help cannot miss one.
#ifndef HARTSLAG_CLIENTS_CLI_DISPATCH_H_
#define HARTSLAG_CLIENTS_CLI_DISPATCH_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace hartslag::cli {

using Args = std::vector<std::string>;

struct Command {
  std::string name;
  std::string summary;  // one line, for the help
  // Runs the command with the words after its name; empty for a group.
  std::function<absl::Status(const Args&)> run = nullptr;
  std::vector<Command> subcommands = {};
  // A group run with no subcommand, or with flags only, runs this one.
  std::string default_subcommand = "";
  // Printed under the group's help.
  std::string more_help = "";
};

// Runs `command` (`path` names it, e.g. "hartslag case") with `args`.
// --help, -h or help prints a group's help and returns HelpRequested(); a
// missing or unknown subcommand is a UsageError. A UsageError that names no
// command gets the path of the command that returned it.
absl::Status Run(const std::string& path, const Command& command, const Args& args);

// The help of a group: its usage line and every subcommand.
std::string GroupHelp(const std::string& path, const Command& group);

}  // namespace hartslag::cli

#endif  // HARTSLAG_CLIENTS_CLI_DISPATCH_H_
