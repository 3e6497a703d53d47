// The CLI's commands. Each parses its own flags from `args` (the words after
// the command), prints its result on stdout and returns the error to report.
#ifndef HARTSLAG_CLIENTS_CLI_COMMANDS_H_
#define HARTSLAG_CLIENTS_CLI_COMMANDS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace hartslag::cli {

// hartslag signal submit|get|list
absl::Status SignalCommand(const std::vector<std::string>& args);
// hartslag categories
absl::Status CategoriesCommand(const std::vector<std::string>& args);
// hartslag login|refresh|client-token, and hartslag admin ... (`command`
// says which)
absl::Status DirectoryCommand(const std::string& command, const std::vector<std::string>& args);
// hartslag admin dead-letters <service>
absl::Status DeadLettersCommand(const std::vector<std::string>& args);
// hartslag admin outbox
absl::Status OutboxCommand(const std::vector<std::string>& args);
// hartslag audit verify
absl::Status AuditCommand(const std::vector<std::string>& args);
absl::Status CaseCommand(const std::vector<std::string>& args);
absl::Status TriageCommand(const std::vector<std::string>& args);
absl::Status ActionCommand(const std::vector<std::string>& args);
absl::Status MeetingCommand(const std::vector<std::string>& args);
// hartslag pki ca|server|client|signing-key
absl::Status PkiCommand(const std::vector<std::string>& args);
// hartslag dev token
absl::Status DevCommand(const std::vector<std::string>& args);

}  // namespace hartslag::cli

#endif  // HARTSLAG_CLIENTS_CLI_COMMANDS_H_
