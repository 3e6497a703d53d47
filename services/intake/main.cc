// hartslag-intake: the signal intake service. Flags and wiring only.
#include <cstdio>

#include "services/common/config.h"
#include "services/common/db.h"
#include "services/common/log.h"
#include "services/common/migrations.h"
#include "services/common/server.h"
#include "services/common/status_macros.h"
#include "services/intake/intake_service.h"
#include "services/intake/signal_intake.h"
#include "services/intake/signal_store.h"

namespace {

absl::Status Run(int argc, char** argv) {
  using namespace hartslag;
  Flags flags("hartslag-intake", "takes in signals and shows them to who may see them");
  AddServerFlags(flags, "HARTSLAG_INTAKE", 7402);
  RETURN_IF_ERROR(flags.Parse(argc, argv));
  SetLogService("intake");

  ASSIGN_OR_RETURN(int pool_size, flags.GetInt("db-pool-size"));
  ASSIGN_OR_RETURN(int workers, flags.GetInt("workers"));
  if (flags.Get("db").empty()) return absl::InvalidArgumentError("--db is required");
  ASSIGN_OR_RETURN(std::unique_ptr<db::Pool> pool, db::Pool::Open(flags.Get("db"), pool_size));
  ASSIGN_OR_RETURN(int applied, db::ApplyMigrations(*pool, intake::kSchema, IntakeMigrations()));
  Log(LogLevel::kInfo, "migrations applied", {{"count", std::to_string(applied)}});
  ASSIGN_OR_RETURN(Authenticator authenticator, AuthenticatorFromFlags(flags));

  intake::SignalStore store(pool.get());
  intake::SignalIntake signal_intake(&store);
  WorkerPool worker_pool(workers);
  RpcRunner runner(&authenticator, &intake::kIntakePolicy, &worker_pool);
  intake::SignalServiceImpl service(&runner, &signal_intake);
  return RunServer(ServerOptionsFromFlags(flags), {&service});
}

}  // namespace

int main(int argc, char** argv) {
  absl::Status status = Run(argc, argv);
  if (hartslag::IsHelpRequested(status)) return 0;
  if (!status.ok()) {
    hartslag::Log(hartslag::LogLevel::kError, "cannot run", {{"error", status.ToString()}});
    return 1;
  }
  return 0;
}
