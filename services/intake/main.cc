// hartslag-intake: the signal intake service. Flags and wiring only.
#include <cstdio>

#include "services/common/config.h"
#include "services/common/db.h"
#include "services/common/files.h"
#include "services/common/log.h"
#include "services/common/migrations.h"
#include "services/common/server.h"
#include "services/common/service_audit.h"
#include "services/common/status_macros.h"
#include "services/intake/area_sync.h"
#include "services/intake/intake_service.h"
#include "services/intake/signal_intake.h"
#include "services/intake/signal_store.h"

namespace {

absl::StatusOr<std::unique_ptr<hartslag::intake::AreaSync>> StartAreaSync(
    const hartslag::Flags& flags, hartslag::intake::SignalStore* store) {
  using namespace hartslag;
  absl::Duration interval;
  if (!absl::ParseDuration(flags.Get("area-sync-interval"), &interval) || interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--area-sync-interval: must be a duration such as 60s");
  }
  ASSIGN_OR_RETURN(auto credentials, ServiceClientCredentials(flags, "directory-ca"));
  auto sync = std::make_unique<intake::AreaSync>(grpc::CreateChannel(flags.Get("directory"), credentials),
                                                 store, interval);
  // A directory that is down at start-up only delays the copy: intake serves
  // with the areas it already has and the background sync retries.
  if (absl::Status status = sync->SyncOnce(); !status.ok()) {
    Log(LogLevel::kWarning, "area sync failed at start-up; retrying", {{"error", status.ToString()}});
  }
  sync->Start();
  return sync;
}

absl::Status Run(int argc, char** argv) {
  using namespace hartslag;
  Flags flags("hartslag-intake", "takes in signals and shows them to who may see them");
  AddServerFlags(flags, "HARTSLAG_INTAKE", 7402);
  AddAuditClientFlags(flags);
  flags.Add("directory", "HARTSLAG_DIRECTORY_ADDR", "",
            "hartslag-directory address to copy tenants and areas from (empty: no copying)");
  flags.Add("directory-ca", "HARTSLAG_CA", "", "PEM file of the CA of the directory's certificate");
  flags.Add("area-sync-interval", "HARTSLAG_INTAKE_AREA_SYNC_INTERVAL", "60s",
            "how often to copy tenants and areas from the directory");
  RETURN_IF_ERROR(flags.Parse(argc, argv));
  SetLogService("intake");

  ASSIGN_OR_RETURN(int workers, flags.GetInt("workers"));
  ASSIGN_OR_RETURN(std::unique_ptr<db::Pool> pool,
                   OpenServiceDatabase(flags, intake::kSchema, IntakeMigrations()));
  ASSIGN_OR_RETURN(Authenticator authenticator, AuthenticatorFromFlags(flags));

  ASSIGN_OR_RETURN(std::unique_ptr<ServiceAudit> audit, ServiceAudit::Start(flags, pool.get(), intake::kSchema));
  intake::SignalStore store(pool.get());
  std::unique_ptr<intake::AreaSync> area_sync;
  if (!flags.Get("directory").empty()) {
    ASSIGN_OR_RETURN(area_sync, StartAreaSync(flags, &store));
  }
  intake::SignalIntake signal_intake(&store);
  WorkerPool worker_pool(workers);
  RpcRunner runner(&authenticator, &intake::kIntakePolicy, &worker_pool, audit->trail());
  intake::SignalServiceImpl service(&runner, &signal_intake);
  return RunServer(ServerOptionsFromFlags(flags), {&service});
}

}  // namespace

int main(int argc, char** argv) { return hartslag::ExitCode(Run(argc, argv)); }
