// hartslag-audit: the audit log service. Flags and wiring only.
#include <algorithm>

#include "services/audit/audit_log.h"
#include "services/audit/audit_service.h"
#include "services/audit/audit_store.h"
#include "services/audit/organisation_directory.h"
#include "services/common/config.h"
#include "services/common/db.h"
#include "services/common/exactly_once.h"
#include "services/common/files.h"
#include "services/common/log.h"
#include "services/common/metrics.h"
#include "services/common/migrations.h"
#include "services/common/operations_service.h"
#include "services/common/periodic_task.h"
#include "services/common/server.h"
#include "services/common/service_audit.h"
#include "services/common/status_macros.h"

namespace {

// Each log's size, the entries no signed tree head covers yet and the age of
// the last head: heads are signed only over logs that grew, so an old head
// is fine on a quiet log and a fault where entries wait unsigned (no one can
// check them).
std::vector<prometheus::MetricFamily> TreeMetrics(hartslag::audit::AuditStore& store) {
  using namespace hartslag;
  std::vector<std::pair<std::string, double>> sizes, unsigned_entries, ages;
  absl::StatusOr<std::vector<std::string>> logs = store.Logs();
  for (const std::string& log : logs.ok() ? *logs : std::vector<std::string>{}) {
    absl::StatusOr<uint64_t> size = store.Size(log);
    absl::StatusOr<std::optional<audit::TreeHead>> head = store.LatestTreeHead(log);
    if (!size.ok() || !head.ok()) continue;
    sizes.emplace_back(log, static_cast<double>(*size));
    unsigned_entries.emplace_back(log, static_cast<double>(*size - (*head ? std::min(*size, (*head)->tree_size) : 0)));
    // Never signed: as old as the metric can say, so that the alert fires.
    ages.emplace_back(log, *head ? absl::ToDoubleSeconds(absl::Now() - (*head)->timestamp) : 1e9);
  }
  audit::AuditStore::AppendCounts appends = store.append_counts();
  return {GaugeFamily("hartslag_audit_tree_size", "entries in the log", "log", sizes),
          CounterFamily("hartslag_audit_appends_total",
                        "appends to the logs, by where their search rows were written (before the log's lock when "
                        "the log's end was known)",
                        "search_rows",
                        {{"before_lock", static_cast<double>(appends.search_rows_before_lock)},
                         {"under_lock", static_cast<double>(appends.search_rows_under_lock)}}),
          CounterFamily("hartslag_audit_appends_expected_wrongly_total",
                        "appends that found the log's end elsewhere than expected and were made again", "",
                        {{"", static_cast<double>(appends.expected_wrongly)}}),
          GaugeFamily("hartslag_audit_unsigned_entries", "entries that no signed tree head covers yet", "log",
                      unsigned_entries),
          GaugeFamily("hartslag_audit_tree_head_age_seconds", "seconds since the log's last signed tree head", "log",
                      ages)};
}

absl::Status Run(int argc, char** argv) {
  using namespace hartslag;
  if (IsMigrateCommand(argc, argv)) {
    return Migrate(argc, argv, "hartslag-audit", "HARTSLAG_AUDIT", audit::kSchema, AuditMigrations());
  }
  Flags flags("hartslag-audit", "keeps the tamper-evident audit log and reports from it");
  AddServerFlags(flags, "HARTSLAG_AUDIT", 7404);
  flags.Add("tree-head-key", "HARTSLAG_AUDIT_TREE_HEAD_KEY", "",
            "PEM file with the Ed25519 private key that signs tree heads");
  flags.Add("tree-head-interval", "HARTSLAG_AUDIT_TREE_HEAD_INTERVAL", "10s",
            "how often to sign a tree head over logs that grew");
  flags.Add("directory", "HARTSLAG_DIRECTORY_ADDR", "",
            "hartslag-directory address, to check the organisation a restriction names");
  flags.Add("directory-ca", "HARTSLAG_CA", "", "PEM file of the CA of the directory's certificate");
  RETURN_IF_ERROR(flags.Parse(argc, argv));
  SetLogService("audit");

  ASSIGN_OR_RETURN(int workers, flags.GetInt("workers"));
  ASSIGN_OR_RETURN(absl::Duration interval, flags.GetDuration("tree-head-interval"));
  if (flags.Get("tree-head-key").empty()) return absl::InvalidArgumentError("--tree-head-key is required");
  ASSIGN_OR_RETURN(std::string key_pem, ReadFile(flags.Get("tree-head-key"), "--tree-head-key"));
  ASSIGN_OR_RETURN(KeyPtr key, ParseEd25519Pem(key_pem, /*is_private=*/true));
  ASSIGN_OR_RETURN(std::string key_id, KeyIdOf(key.get()));

  ASSIGN_OR_RETURN(std::unique_ptr<db::Pool> pool,
                   OpenServiceDatabase(flags, audit::kSchema, AuditMigrations()));
  ASSIGN_OR_RETURN(Authenticator authenticator, AuthenticatorFromFlags(flags));
  ASSIGN_OR_RETURN(Pseudonymizer pseudonyms, Pseudonymizer::FromFile(flags.Get("pseudonym-key")));

  audit::AuditStore store(pool.get());
  audit::OrganisationsOf organisations;
  if (!flags.Get("directory").empty()) {
    ASSIGN_OR_RETURN(auto directory, ServiceChannel(flags, "directory", "directory-ca"));
    organisations = audit::OrganisationsAt(directory);
  }
  audit::AuditLog log(pool.get(), &store, &pseudonyms, std::move(key), key_id, std::move(organisations));
  // The privacy officers' own reads go through the same outbox as any
  // service's records, and into the log from here, in-process.
  ASSIGN_OR_RETURN(std::unique_ptr<ServiceAudit> self_audit,
                   ServiceAudit::Start(flags, pool.get(), audit::kSchema,
                                       [&log](const std::vector<std::string>& payloads)
                                           -> absl::StatusOr<std::vector<OutboxRelay::Refusal>> {
                                         audit::v1::AppendRequest request;
                                         for (const std::string& p : payloads) request.add_events(p);
                                         ASSIGN_OR_RETURN(audit::v1::AppendResponse response,
                                                          log.Append(ServiceIdentity("audit"), request));
                                         return OutboxRelay::Refusals(response.refused());
                                       }));
  // Signs a tree head for every log that grew, every interval.
  PeriodicTask publisher(interval, [&log, interval] {
    if (absl::Status status = log.PublishTreeHeads(); !status.ok()) {
      Log(LogLevel::kWarning, "tree heads not published", {{"error", status.ToString()}});
    }
    return interval;
  });
  std::unique_ptr<PeriodicTask> forgetting = ForgetOldAnswers(pool.get(), audit::kSchema);
  WorkerPool worker_pool(workers);
  RpcRunner runner(&authenticator, &audit::kAuditPolicy, &worker_pool, self_audit->trail());
  audit::AuditServiceImpl service(&runner, &log);
  OperationsServiceImpl operations(&authenticator, &worker_pool, self_audit.get(), pool.get());
  ASSIGN_OR_RETURN(std::unique_ptr<MetricsEndpoint> metrics,
                   ServeMetrics(flags, pool.get(), self_audit.get(), operations.targets(), [&store] {
                     return TreeMetrics(store);
                   }));
  ServerOptions options = ServerOptionsFromFlags(flags);
  options.database = pool.get();
  options.runner = &runner;
  return RunServer(options, {&service, &operations});
}

}  // namespace

int main(int argc, char** argv) { return hartslag::ExitCode(Run(argc, argv)); }
