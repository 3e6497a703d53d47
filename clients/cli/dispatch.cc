#include "clients/cli/dispatch.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/common/config.h"

namespace hartslag::cli {
namespace {

bool IsHelp(const std::string& arg) { return arg == "--help" || arg == "-h" || arg == "help"; }

// "create|update|list", or "area create|update|list, outbox" for nested groups.
std::string Names(const std::vector<Command>& commands) {
  bool nested = std::any_of(commands.begin(), commands.end(), [](const Command& c) { return !c.subcommands.empty(); });
  std::vector<std::string> names;
  for (const Command& c : commands) {
    names.push_back(c.subcommands.empty() ? c.name : absl::StrCat(c.name, " ", Names(c.subcommands)));
  }
  return absl::StrJoin(names, nested ? ", " : "|");
}

}  // namespace

std::string GroupHelp(const std::string& path, const Command& group) {
  std::string out = absl::StrCat("gebruik: ", path, group.default_subcommand.empty() ? " <commando>" : " [<commando>]",
                                 " [opties]\n");
  if (!group.summary.empty()) absl::StrAppend(&out, group.summary, "\n");
  absl::StrAppend(&out, "\ncommando's:\n");
  for (const Command& c : group.subcommands) {
    std::string left = c.subcommands.empty() ? c.name : absl::StrCat(c.name, " ", Names(c.subcommands));
    if (c.name == group.default_subcommand) left = absl::StrCat("[", left, "]");
    if (left.size() <= 24) {
      absl::StrAppend(&out, "  ", left, std::string(25 - left.size(), ' '), c.summary, "\n");
    } else {
      absl::StrAppend(&out, "  ", left, "\n", std::string(27, ' '), c.summary, "\n");
    }
  }
  absl::StrAppend(&out, "\nElk commando kent --help.\n", group.more_help);
  return out;
}

absl::Status Run(const std::string& path, const Command& command, const Args& args) {
  absl::Status status;
  if (command.run) {
    status = command.run(args);
  } else if (!args.empty() && IsHelp(args[0])) {
    std::fputs(GroupHelp(path, command).c_str(), stdout);
    return HelpRequested();
  } else {
    bool flags_only = args.empty() || args[0].rfind("-", 0) == 0;
    std::string wanted = flags_only ? command.default_subcommand : args[0];
    auto sub = std::find_if(command.subcommands.begin(), command.subcommands.end(),
                            [&](const Command& c) { return c.name == wanted; });
    if (wanted.empty()) return UsageError("commando ontbreekt", path);
    if (sub == command.subcommands.end()) return UsageError(absl::StrCat("onbekend commando ", wanted), path);
    status = Run(absl::StrCat(path, " ", sub->name), *sub, flags_only ? args : Args(args.begin() + 1, args.end()));
  }
  if (IsUsageError(status) && UsageErrorCommand(status).empty()) return UsageError(status.message(), path);
  return status;
}

}  // namespace hartslag::cli
