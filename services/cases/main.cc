// hartslag-cases: cases for the two weekly meetings. Flags and wiring only.
#include "services/cases/case_domain.h"
#include "services/cases/case_figures_service.h"
#include "services/cases/cases_service.h"
#include "services/cases/intake_feed.h"
#include "services/cases/meeting_names.h"
#include "services/cases/retention.h"
#include "services/common/area_sync.h"
#include "services/common/config.h"
#include "services/common/exactly_once.h"
#include "services/common/log.h"
#include "services/common/metrics.h"
#include "services/common/operations_service.h"
#include "services/common/server.h"
#include "services/common/service_audit.h"
#include "services/common/status_macros.h"

namespace {

absl::Status Run(int argc, char** argv) {
  using namespace hartslag;
  if (IsMigrateCommand(argc, argv)) {
    return Migrate(argc, argv, "hartslag-cases", "HARTSLAG_CASES", cases::kSchema, CasesMigrations());
  }
  Flags flags("hartslag-cases", "the cases of the Leefbaarheidsoverleg and the Casuïstiekoverleg");
  AddServerFlags(flags, "HARTSLAG_CASES", 7403);
  AddAuditClientFlags(flags);
  AddAreaSyncFlags(flags);
  flags.Add("intake", "HARTSLAG_INTAKE_ADDR", "", "hartslag-intake address, for triage (required)");
  flags.Add("intake-ca", "HARTSLAG_CA", "", "PEM file of the CA of intake's certificate");
  flags.Add("retention-interval", "HARTSLAG_CASES_RETENTION_INTERVAL", "1h",
            "how often to look for closed cases whose retention period has passed");
  flags.Add("watch-poll", "HARTSLAG_CASES_WATCH_POLL", "1s",
            "how often action streams look for changes made by other instances");
  flags.Add("max-streams-per-organisation", "HARTSLAG_CASES_MAX_STREAMS_PER_ORGANISATION",
            absl::StrCat(cases::kDefaultMaxStreamsPerOrganisation),
            "WatchActions streams an organisation may have open at once");
  RETURN_IF_ERROR(flags.Parse(argc, argv));
  SetLogService("cases");

  ASSIGN_OR_RETURN(int workers, flags.GetInt("workers"));
  ASSIGN_OR_RETURN(std::unique_ptr<db::Pool> pool,
                   OpenServiceDatabase(flags, cases::kSchema, CasesMigrations()));
  ASSIGN_OR_RETURN(Authenticator authenticator, AuthenticatorFromFlags(flags));
  ASSIGN_OR_RETURN(std::unique_ptr<ServiceAudit> audit, ServiceAudit::Start(flags, pool.get(), cases::kSchema));
  if (flags.Get("intake").empty()) return absl::InvalidArgumentError("--intake is required");
  ASSIGN_OR_RETURN(auto intake_channel, ServiceChannel(flags, "intake", "intake-ca"));
  cases::IntakeFeed intake(intake_channel);
  cases::CasesData data(pool.get());
  // Triage outcomes and case states reach intake through the outbox, like
  // audit records reach the audit service: exactly once, also after intake
  // was away.
  using intake::v1::RecordCaseStatesRequest;
  using intake::v1::RecordTriageOutcomesRequest;
  OutboxRelay to_intake(
      pool.get(), &data.outbox, cases::kIntakeTarget,
      [&intake](const std::vector<std::string>& payloads) { return intake.Deliver(payloads); },
      OutboxRelay::Options().WithinReceiverBounds(RecordTriageOutcomesRequest::descriptor()->FindFieldByNumber(
          RecordTriageOutcomesRequest::kOutcomesFieldNumber)));
  to_intake.SetOnSetAside(audit->RecordSetAside());
  to_intake.Start();
  OutboxRelay case_states_to_intake(
      pool.get(), &data.outbox, cases::kIntakeCaseStatesTarget,
      [&intake](const std::vector<std::string>& payloads) { return intake.DeliverCaseStates(payloads); },
      OutboxRelay::Options().WithinReceiverBounds(
          RecordCaseStatesRequest::descriptor()->FindFieldByNumber(RecordCaseStatesRequest::kStatesFieldNumber)));
  case_states_to_intake.SetOnSetAside(audit->RecordSetAside());
  case_states_to_intake.Start();
  ASSIGN_OR_RETURN(int filled, data.cases.FillPersonKeys(*pool));
  if (filled > 0) Log(LogLevel::kInfo, "person keys computed for older cases", {{"cases", absl::StrCat(filled)}});
  ASSIGN_OR_RETURN(absl::Duration poll, flags.GetDuration("watch-poll"));
  // Each municipality's retention periods come with its settings (area sync).
  ASSIGN_OR_RETURN(absl::Duration retention_interval, flags.GetDuration("retention-interval"));
  cases::RetentionSweeper sweeper(&data, audit->trail(), retention_interval);
  // The answers kept for retries hold what was created (notes, actions):
  // they go after a week, whatever the case's retention.
  std::unique_ptr<PeriodicTask> forgetting = ForgetOldAnswers(pool.get(), cases::kSchema);
  // Rung by this instance after each action change; the ticker catches the
  // changes of other instances.
  Doorbell actions_changed(poll, [&data] { return data.actions.FeedVersion(*data.pool); });
  ASSIGN_OR_RETURN(int max_streams, flags.GetInt("max-streams-per-organisation"));
  if (max_streams < 1) return absl::InvalidArgumentError("--max-streams-per-organisation: at least 1");
  ASSIGN_OR_RETURN(std::unique_ptr<AreaSync> area_sync,
                   StartAreaSync(flags, [&data](const directory::v1::Tenant& tenant, const std::vector<AreaRow>& areas) {
                     return data.pool->InTransaction([&](db::Transaction& tx) -> absl::Status {
                       RETURN_IF_ERROR(data.areas.Store(tx, tenant.tenant_id(), tenant.name(), areas));
                       return data.cases.StoreTenantSettings(tx, tenant.tenant_id(), tenant.settings());
                     });
                   },
                   [&data](const std::string& tenant, const std::vector<directory::v1::Organisation>& organisations,
                           const std::vector<directory::v1::UserName>& users) {
                     return data.pool->InTransaction([&](db::Transaction& tx) {
                       return cases::MeetingNames().Store(tx, tenant, organisations, users);
                     });
                   }));
  cases::Triage triage(&data,
                       [&intake](const std::string& tenant, const std::vector<std::string>& areas, int page_size,
                                 const std::string& page_token, absl::Time deadline, const Trace& trace) {
                         return intake.Untriaged(tenant, areas, page_size, page_token, deadline, trace);
                       });
  cases::CaseLifecycle lifecycle(&data);
  cases::Actions actions(&data, &actions_changed, max_streams);
  cases::Meetings meetings(&data, &actions_changed);
  WorkerPool worker_pool(workers);
  RpcRunner runner(&authenticator, &cases::kCasesPolicy, &worker_pool, audit->trail());
  cases::TriageServiceImpl triage_service(&runner, &triage);
  cases::CaseServiceImpl case_service(&runner, &lifecycle);
  cases::ActionServiceImpl action_service(&runner, &actions, &actions_changed);
  cases::MeetingServiceImpl meeting_service(&runner, &meetings);
  cases::CaseFigures figures(&data);
  cases::CaseFiguresServiceImpl figures_service(&runner, &figures);
  ServerOptions options = ServerOptionsFromFlags(flags);
  options.database = pool.get();
  options.on_shutdown = [&actions_changed] { actions_changed.Close(); };
  OperationsServiceImpl operations(&authenticator, &worker_pool, audit.get(), pool.get(),
                                   {kAuditTarget, cases::kIntakeTarget, cases::kIntakeCaseStatesTarget});
  ASSIGN_OR_RETURN(std::unique_ptr<MetricsEndpoint> metrics,
                   ServeMetrics(flags, pool.get(), audit.get(), operations.targets(), [&actions] {
                     return std::vector<prometheus::MetricFamily>{
                         GaugeFamily("hartslag_watch_actions_streams", "WatchActions streams open now", "",
                                     {{"", actions.OpenStreams()}})};
                   }));
  options.runner = &runner;
  return RunServer(options, {&triage_service, &case_service, &action_service, &meeting_service, &figures_service,
                             &operations});
}

}  // namespace

int main(int argc, char** argv) { return hartslag::ExitCode(Run(argc, argv)); }
