#include "services/intake/signal_figures.h"

#include "absl/strings/str_cat.h"
#include "services/common/figures.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"

namespace hartslag::intake {

absl::StatusOr<v1::GetSignalFiguresResponse> SignalFigures::Get(const RequestContext& caller,
                                                                const v1::GetSignalFiguresRequest& request,
                                                                AuditRecord& audit) const {
  ASSIGN_OR_RETURN(FiguresPeriod period, CheckPeriod(request.period()));
  // The whole weeks counted, as the response gives them back.
  audit.SetObjectId(absl::StrCat(absl::FormatCivilTime(period.start), "..", absl::FormatCivilTime(period.end)));
  ASSIGN_OR_RETURN(std::optional<std::vector<std::string>> areas,
                   FiguresAreas(caller, request.area_id(), [&](const std::vector<std::string>& roots) {
                     return store_->AreasWithin(caller.tenant, roots, caller.deadline);
                   }));
  const absl::Time as_of = absl::Now();
  ASSIGN_OR_RETURN(SignalCounts counts, store_->Count(caller.tenant, areas, period, as_of, caller.deadline));

  v1::GetSignalFiguresResponse response;
  *response.mutable_period() = ToReportingPeriod(period);
  response.set_time_zone(counts.time_zone);
  *response.mutable_as_of() = TimeToProto(as_of);
  for (const SignalCountRow& count : counts.rows) {
    v1::SignalFiguresRow& row = *response.add_rows();
    row.set_week(IsoWeekLabel(count.week_start));
    row.mutable_area()->set_area_id(count.area_id);
    row.mutable_area()->set_name(count.area_name);
    row.set_category_id(count.category_id);
    v1::Source source = v1::SOURCE_UNSPECIFIED;
    v1::Source_Parse("SOURCE_" + count.source, &source);
    row.set_source(source);
    *row.mutable_received() = PublishedCount(count.received);
    *row.mutable_handled_in_time() = PublishedCount(count.handled_in_time);
    *row.mutable_handled_overdue() = PublishedCount(count.handled_overdue);
    *row.mutable_handled_late() = PublishedCount(count.handled_late);
    *row.mutable_waiting() = PublishedCount(count.waiting);
    *row.mutable_waiting_overdue() = PublishedCount(count.waiting_overdue);
    *row.mutable_waiting_late() = PublishedCount(count.waiting_late);
    *row.mutable_accepted() = PublishedCount(count.accepted);
    *row.mutable_referred() = PublishedCount(count.referred);
    *row.mutable_no_action() = PublishedCount(count.no_action);
    // Every signal received is handled in time, after its due or late
    // moment, or still waiting; and taken up, referred, left or waiting.
    // Those waiting are overdue, late, or still within their term: that
    // last part is not published (and 0 for an old week), so the sum is
    // protected as if it were exact, which only withholds more.
    ProtectSums({{row.mutable_received(), row.mutable_handled_in_time(), row.mutable_handled_overdue(),
                  row.mutable_handled_late(), row.mutable_waiting()},
                 {row.mutable_received(), row.mutable_accepted(), row.mutable_referred(), row.mutable_no_action(),
                  row.mutable_waiting()},
                 {row.mutable_waiting(), row.mutable_waiting_overdue(), row.mutable_waiting_late()}});
  }
  audit.SetResultCount(response.rows_size());
  return response;
}

}  // namespace hartslag::intake
