#include "services/cases/case_figures.h"

#include "absl/strings/str_cat.h"
#include "services/common/figures.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"

namespace hartslag::cases {

absl::StatusOr<v1::GetCaseFiguresResponse> CaseFigures::Get(const RequestContext& caller,
                                                            const v1::GetCaseFiguresRequest& request,
                                                            AuditRecord& audit) const {
  ASSIGN_OR_RETURN(FiguresPeriod period, CheckPeriod(request.period()));
  // The whole weeks counted, as the response gives them back.
  audit.SetObjectId(absl::StrCat(absl::FormatCivilTime(period.start), "..", absl::FormatCivilTime(period.end)));
  FiguresScope scope;
  scope.tenant = caller.tenant;
  scope.period = period;
  ASSIGN_OR_RETURN(scope.areas, FiguresAreas(caller, request.area_id(), [&](const std::vector<std::string>& roots) {
                     return data_->areas.Within(*data_->pool, caller.tenant, roots, caller.deadline);
                   }));
  scope.as_of = absl::Now();
  std::vector<CaseCountRow> cases;
  std::vector<ActionCountRow> actions;
  RETURN_IF_ERROR(data_->Transact(caller, [&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(scope.time_zone, store_.TimeZone(tx, caller.tenant));
    ASSIGN_OR_RETURN(cases, store_.CountCases(tx, scope));
    ASSIGN_OR_RETURN(actions, store_.CountActions(tx, scope));
    return absl::OkStatus();
  }));

  v1::GetCaseFiguresResponse response;
  *response.mutable_period() = ToReportingPeriod(period);
  response.set_time_zone(scope.time_zone);
  *response.mutable_as_of() = TimeToProto(scope.as_of);
  for (const CaseCountRow& count : cases) {
    v1::CaseFiguresRow& row = *response.add_cases();
    row.set_week(IsoWeekLabel(count.week_start));
    row.mutable_area()->set_area_id(count.area_id);
    row.mutable_area()->set_name(count.area_name);
    v1::CaseKind kind = v1::CASE_KIND_UNSPECIFIED;
    v1::CaseKind_Parse("CASE_KIND_" + count.kind, &kind);
    row.set_kind(kind);
    *row.mutable_opened() = PublishedCount(count.opened);
    *row.mutable_closed() = PublishedCount(count.closed);
    if (count.closed > 0) {
      v1::LeadTime& lead = *row.mutable_lead_time();
      // A median over a handful of cases says how long each of them took.
      lead.set_suppressed(IsSuppressed(count.closed));
      if (!lead.suppressed()) {
        lead.set_median_days(count.lead_median_days.value_or(0));
        lead.set_p90_days(count.lead_p90_days.value_or(0));
      }
    }
  }
  for (const ActionCountRow& count : actions) {
    v1::ActionFiguresRow& row = *response.add_actions();
    row.set_week(IsoWeekLabel(count.week_start));
    row.mutable_area()->set_area_id(count.area_id);
    row.mutable_area()->set_name(count.area_name);
    row.set_organisation_id(count.organisation_id);
    *row.mutable_created() = PublishedCount(count.created);
    *row.mutable_completed() = PublishedCount(count.completed);
    *row.mutable_completed_late() = PublishedCount(count.completed_late);
    *row.mutable_open() = PublishedCount(count.open);
    *row.mutable_overdue() = PublishedCount(count.overdue);
    // Every action given is completed, still open or cancelled; the
    // cancelled ones are not published, so the sum is protected as if it
    // were exact, which only withholds more.
    ProtectSums({{row.mutable_created(), row.mutable_completed(), row.mutable_open()}});
  }
  audit.SetResultCount(response.cases_size() + response.actions_size());
  return response;
}

}  // namespace hartslag::cases
