// hartslag: the command-line tool for coaches, coordinators, partners and
// operators. Exit codes: 0 success (and --help, --version), 1 the service
// refused or failed, 2 usage: the command line itself is wrong.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "clients/cli/commands.h"
#include "clients/cli/dispatch.h"
#include "services/common/config.h"
#include "services/common/status_details.h"

namespace {

using namespace hartslag::cli;

constexpr char kEnvironment[] = R"(
Verbindingsopties vallen terug op de omgeving: HARTSLAG_INTAKE_ADDR, HARTSLAG_DIRECTORY_ADDR,
HARTSLAG_CASES_ADDR, HARTSLAG_AUDIT_ADDR, HARTSLAG_CA, HARTSLAG_TOKEN, HARTSLAG_TOKEN_FILE,
HARTSLAG_CLIENT_CERT, HARTSLAG_CLIENT_KEY, HARTSLAG_PURPOSE; tijden in HARTSLAG_TIME_ZONE (standaard Europe/Amsterdam).
Lijsten kennen -o table|json|csv. Afsluitcode: 0 gelukt, 1 geweigerd of mislukt, 2 verkeerd gebruik.
)";

Command Root() {
  return {"hartslag", "Hartslag op de opdrachtregel.", nullptr,
          {
              {"login", "inloggen met een wachtwoord; --save FILE bewaart het token", LoginCommand},
              {"refresh", "een bewaard token vernieuwen", RefreshCommand},
              {"client-token", "als gekoppeld systeem (mTLS) een token voor een gebruiker halen", ClientTokenCommand},
              {"admin", "de directory beheren; de afgezette gebeurtenissen van een dienst (ADMIN)", nullptr,
               AdminCommands()},
              {"signal", "meldingen indienen, bekijken en opvragen", nullptr, SignalCommands()},
              {"categories", "de meldingscategorieën", CategoriesCommand},
              {"triage", "de meldingen van de week wegen (COORDINATOR)", nullptr, TriageCommands(), "queue"},
              {"case", "casussen openen, lezen en sturen (lezen vraagt --purpose)", nullptr, CaseCommands()},
              {"meeting", "de wekelijkse overleggen: agenda's, besluiten, verslagen", nullptr, MeetingCommands()},
              {"action", "acties op casussen; partners werken die van hun organisatie af", nullptr, ActionCommands()},
              {"figures", "cijfers per week zonder persoonsgegevens, kleine aantallen als <5 (COORDINATOR, ADMIN)",
               FiguresCommand},
              {"audit", "het auditlog: exporteren, controleren, doorzoeken, inzageoverzichten", nullptr,
               AuditCommands()},
              {"health", "of een dienst kan werken (SERVING); voor probes en beheerders", HealthCommand},
              {"pki", "de CA, certificaten en sleutels maken", nullptr, PkiCommands()},
              {"dev", "ontwikkeling: een token uitgeven", nullptr, DevCommands()},
          },
          "",
          kEnvironment};
}

// What went wrong, for the user: the service's Dutch sentence first, the
// code and English text after it for whoever supports them.
int Report(const absl::Status& status) {
  if (hartslag::IsUsageError(status)) {
    std::string command = hartslag::UsageErrorCommand(status);
    std::fprintf(stderr, "%s: %s\nZie '%s --help'.\n", command.c_str(), std::string(status.message()).c_str(),
                 command.c_str());
    return 2;
  }
  std::optional<std::string> dutch = hartslag::LocalizedMessageOf(status);
  if (dutch) std::fprintf(stderr, "fout: %s\n", dutch->c_str());
  std::fprintf(stderr, "%s%s: %s%s\n", dutch ? "  (" : "fout: ", absl::StatusCodeToString(status.code()).c_str(),
               std::string(status.message()).c_str(), dutch ? ")" : "");
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 1 && (args[0] == "--version" || args[0] == "version")) {
    std::printf("hartslag %s\n", HARTSLAG_VERSION);
    return 0;
  }
  absl::Status status = Run("hartslag", Root(), args);
  if (status.ok() || hartslag::IsHelpRequested(status)) return 0;
  return Report(status);
}
