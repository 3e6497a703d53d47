// hartslag-intake: the signal intake service. Flags and wiring only.
#include <cstdio>

#include "services/common/area_sync.h"
#include "services/common/config.h"
#include "services/common/db.h"
#include "services/common/files.h"
#include "services/common/log.h"
#include "services/common/migrations.h"
#include "services/common/operations_service.h"
#include "services/common/server.h"
#include "services/common/service_audit.h"
#include "services/common/status_macros.h"
#include "services/intake/intake_service.h"
#include "services/intake/signal_figures_service.h"
#include "services/intake/signal_intake.h"
#include "services/intake/signal_retention.h"
#include "services/intake/signal_store.h"

namespace {

absl::Status Run(int argc, char** argv) {
  using namespace hartslag;
  if (IsMigrateCommand(argc, argv)) {
    return Migrate(argc, argv, "hartslag-intake", "HARTSLAG_INTAKE", intake::kSchema, IntakeMigrations());
  }
  Flags flags("hartslag-intake", "takes in signals and shows them to who may see them");
  // Enough handlers to fill a group commit: most of them wait for one (the
  // records of reads; submissions go to theirs without a worker).
  AddServerFlags(flags, "HARTSLAG_INTAKE", 7402, /*default_workers=*/64);
  AddAuditClientFlags(flags);
  AddAreaSyncFlags(flags);
  flags.Add("retention-interval", "HARTSLAG_INTAKE_RETENTION_INTERVAL", "1h",
            "how often to look for signals whose retention period has passed");
  RETURN_IF_ERROR(flags.Parse(argc, argv));
  SetLogService("intake");

  ASSIGN_OR_RETURN(int workers, flags.GetInt("workers"));
  ASSIGN_OR_RETURN(std::unique_ptr<db::Pool> pool,
                   OpenServiceDatabase(flags, intake::kSchema, IntakeMigrations()));
  ASSIGN_OR_RETURN(Authenticator authenticator, AuthenticatorFromFlags(flags));

  ASSIGN_OR_RETURN(std::unique_ptr<ServiceAudit> audit, ServiceAudit::Start(flags, pool.get(), intake::kSchema));
  intake::SignalStore store(pool.get());
  intake::CategoryStore categories(pool.get());
  intake::SignalIntake signal_intake(&store, &categories);
  ASSIGN_OR_RETURN(std::unique_ptr<AreaSync> area_sync,
                   StartAreaSync(flags, [&store, &signal_intake](const directory::v1::Tenant& tenant,
                                                                 const std::vector<AreaRow>& areas) {
                     RETURN_IF_ERROR(store.CreateTenant(tenant.tenant_id(), tenant.name(), areas));
                     RETURN_IF_ERROR(store.StoreTenantSettings(tenant.tenant_id(), tenant.settings()));
                     signal_intake.ReferenceDataChanged(tenant.tenant_id());
                     return absl::OkStatus();
                   }));
  intake::CategoryAdmin category_admin(
      &categories, [&signal_intake](const std::string& tenant) { signal_intake.ReferenceDataChanged(tenant); });
  intake::AttachmentStore attachment_store(pool.get());
  intake::PostgresAttachmentContents attachment_contents(pool.get());
  intake::SignalAttachments attachments(&store, &attachment_store, &attachment_contents);
  ASSIGN_OR_RETURN(absl::Duration retention_interval, flags.GetDuration("retention-interval"));
  intake::SignalRetention retention(&store, &attachment_contents, &attachments, audit->trail(), retention_interval);
  WorkerPool worker_pool(workers);
  RpcRunner runner(&authenticator, &intake::kIntakePolicy, &worker_pool, audit->trail());
  intake::SignalServiceImpl service(&runner, &signal_intake, &attachments);
  intake::TriageFeedServiceImpl triage_feed(&runner, &signal_intake);
  intake::SignalFiguresStore figures_store(pool.get());
  intake::SignalFigures figures(&figures_store);
  intake::SignalFiguresServiceImpl figures_service(&runner, &figures);
  intake::CategoryServiceImpl category_service(&runner, &category_admin);
  OperationsServiceImpl operations(&authenticator, &worker_pool, audit.get(), pool.get());
  ASSIGN_OR_RETURN(std::unique_ptr<MetricsEndpoint> metrics,
                   ServeMetrics(flags, pool.get(), audit.get(), operations.targets()));
  ServerOptions options = ServerOptionsFromFlags(flags);
  options.database = pool.get();
  options.runner = &runner;
  return RunServer(options, {&service, &triage_feed, &figures_service, &category_service, &operations});
}

}  // namespace

int main(int argc, char** argv) { return hartslag::ExitCode(Run(argc, argv)); }
