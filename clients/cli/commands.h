// The CLI's commands, by group. A group gives its subcommands as a table
// (dispatch.h); main.cc puts the groups together. Each command parses its own
// flags from the words after its name, prints its result on stdout and
// returns the error to report: a UsageError for what the user typed wrong.
#ifndef HARTSLAG_CLIENTS_CLI_COMMANDS_H_
#define HARTSLAG_CLIENTS_CLI_COMMANDS_H_

#include <vector>

#include "absl/status/status.h"
#include "clients/cli/dispatch.h"

namespace hartslag::cli {

// hartslag signal submit|get|list, hartslag categories
std::vector<Command> SignalCommands();
absl::Status CategoriesCommand(const Args& args);
// hartslag login|refresh|client-token: tokens from the directory
absl::Status LoginCommand(const Args& args);
absl::Status RefreshCommand(const Args& args);
absl::Status ClientTokenCommand(const Args& args);
// hartslag admin ...: the directory, and every service's outbox
std::vector<Command> AdminCommands();
std::vector<Command> CategoryAdminCommands();
absl::Status OutboxCommand(const Args& args);
// hartslag health: a service's gRPC health check, for probes and operators
absl::Status HealthCommand(const Args& args);
std::vector<Command> DeadLettersCommands();
std::vector<Command> TriageCommands();
std::vector<Command> CaseCommands();
std::vector<Command> MeetingCommands();
std::vector<Command> ActionCommands();
std::vector<Command> AuditCommands();
std::vector<Command> PkiCommands();
// hartslag figures: signals, cases and actions counted, without personal data
absl::Status FiguresCommand(const Args& args);
std::vector<Command> DevCommands();

}  // namespace hartslag::cli

#endif  // HARTSLAG_CLIENTS_CLI_COMMANDS_H_
