// hartslag: the command-line tool for coaches, coordinators, partners and
// operators. Exit codes: 0 success, 1 the service refused or failed, 2 usage.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "clients/cli/commands.h"
#include "services/common/status_details.h"
#include "services/common/config.h"

namespace {

constexpr char kUsage[] = R"(usage: hartslag <command> [flags]

commands:
  login                    log in with a password; --save FILE keeps the token
  refresh                  renew a saved token
  client-token             as an integrated client (mTLS), get a token for a user
  admin area|org|user|client|outbox|dead-letters ...
                           administer the directory; a service's set-aside events (ADMIN)
  signal submit|get|list   submit a signal, show one, list them
  categories               list the signal categories
  triage [queue] | triage decide
                           weigh the week's signals (COORDINATOR)
  case open|get|list|move|reopen|update|note|break-glass-reviews
                           open, read and steer cases (reading needs --purpose)
  meeting schedule|show|agenda|decide|close|export
                           the weekly meetings: agendas, decisions, minutes
  action create|mine|list|update
                           actions on cases; partners work their organisation's
  audit export|verify|tree-head|proof|query|overview|restrict|lift|restrictions
                           the audit log: export and verify it, search it, access overviews
  pki ca|server|client|signing-key|pseudonym-key
                           make the CA, certificates and keys
  dev token                issue a development token

Every command takes --help. Connection flags fall back to the environment:
HARTSLAG_INTAKE_ADDR, HARTSLAG_DIRECTORY_ADDR, HARTSLAG_CASES_ADDR, HARTSLAG_AUDIT_ADDR,
HARTSLAG_CA, HARTSLAG_TOKEN, HARTSLAG_TOKEN_FILE, HARTSLAG_CLIENT_CERT, HARTSLAG_CLIENT_KEY,
HARTSLAG_PURPOSE.
)";

}  // namespace

int main(int argc, char** argv) {
  using namespace hartslag::cli;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "help") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  std::string command = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  absl::Status status;
  if (command == "signal") {
    status = SignalCommand(rest);
  } else if (command == "categories") {
    status = CategoriesCommand(rest);
  } else if (command == "login" || command == "refresh" || command == "client-token" ||
             command == "admin") {
    status = DirectoryCommand(command, rest);
  } else if (command == "meeting") {
    status = MeetingCommand(rest);
  } else if (command == "action") {
    status = ActionCommand(rest);
  } else if (command == "triage") {
    status = TriageCommand(rest);
  } else if (command == "case") {
    status = CaseCommand(rest);
  } else if (command == "audit") {
    status = AuditCommand(rest);
  } else if (command == "pki") {
    status = PkiCommand(rest);
  } else if (command == "dev") {
    status = DevCommand(rest);
  } else {
    std::fprintf(stderr, "hartslag: unknown command %s\n\n%s", command.c_str(), kUsage);
    return 2;
  }
  if (hartslag::IsHelpRequested(status) || status.ok()) return 0;
  // The service's Dutch sentence for the user; the code and English text
  // after it are for whoever supports them.
  std::optional<std::string> dutch = hartslag::LocalizedMessageOf(status);
  if (dutch) std::fprintf(stderr, "fout: %s\n", dutch->c_str());
  std::fprintf(stderr, "%s%s: %s%s\n", dutch ? "  (" : "error: ", absl::StatusCodeToString(status.code()).c_str(),
               std::string(status.message()).c_str(), dutch ? ")" : "");
  return 1;
}
