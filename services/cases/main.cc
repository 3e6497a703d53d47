// hartslag-cases: cases for the two weekly meetings. Flags and wiring only.
#include "services/cases/case_coordination.h"
#include "services/cases/case_store.h"
#include "services/cases/cases_service.h"
#include "services/common/area_sync.h"
#include "services/common/config.h"
#include "services/common/log.h"
#include "services/common/server.h"
#include "services/common/service_audit.h"
#include "services/common/status_macros.h"

namespace {

absl::Status Run(int argc, char** argv) {
  using namespace hartslag;
  Flags flags("hartslag-cases", "the cases of the Leefbaarheidsoverleg and the Casuïstiekoverleg");
  AddServerFlags(flags, "HARTSLAG_CASES", 7403);
  AddAuditClientFlags(flags);
  AddAreaSyncFlags(flags);
  RETURN_IF_ERROR(flags.Parse(argc, argv));
  SetLogService("cases");

  ASSIGN_OR_RETURN(int workers, flags.GetInt("workers"));
  ASSIGN_OR_RETURN(std::unique_ptr<db::Pool> pool,
                   OpenServiceDatabase(flags, cases::kSchema, CasesMigrations()));
  ASSIGN_OR_RETURN(Authenticator authenticator, AuthenticatorFromFlags(flags));
  ASSIGN_OR_RETURN(std::unique_ptr<ServiceAudit> audit, ServiceAudit::Start(flags, pool.get(), cases::kSchema));
  cases::CaseStore store(pool.get());
  ASSIGN_OR_RETURN(std::unique_ptr<AreaSync> area_sync,
                   StartAreaSync(flags, [&store](const std::string& tenant, const std::string& name,
                                                 const std::vector<AreaRow>& areas) {
                     return store.CreateTenant(tenant, name, areas);
                   }));
  cases::CaseCoordination coordination(&store);
  WorkerPool worker_pool(workers);
  RpcRunner runner(&authenticator, &cases::kCasesPolicy, &worker_pool, audit->trail());
  cases::CaseServiceImpl service(&runner, &coordination);
  return RunServer(ServerOptionsFromFlags(flags), {&service});
}

}  // namespace

int main(int argc, char** argv) { return hartslag::ExitCode(Run(argc, argv)); }
