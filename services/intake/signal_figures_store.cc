#include "services/intake/signal_figures_store.h"

#include "absl/strings/str_cat.h"
#include "services/common/status_macros.h"
#include "services/common/tenant_settings.h"

namespace hartslag::intake {
namespace {

constexpr char kTenantZone[] = R"sql(
  SELECT time_zone FROM intake.tenants WHERE tenant_id = $1
)sql";

// $3 and $4 are the period's first day and the day after it, $5 the time
// zone they and the weeks are in, $6 the moment "waiting" refers to. A
// signal is handled once its first outcome arrived (handled_at).
constexpr char kCountSignals[] = R"sql(
  SELECT to_char(date_trunc('week', s.reported_at AT TIME ZONE $5), 'YYYY-MM-DD') AS week_start,
         s.area_id, a.name AS area_name, s.category_id, s.source,
         count(*) AS received,
         count(*) FILTER (WHERE s.handled_at <= s.due_at) AS handled_in_time,
         count(*) FILTER (WHERE s.handled_at > s.due_at AND s.handled_at <= s.late_at) AS handled_overdue,
         count(*) FILTER (WHERE s.handled_at > s.late_at) AS handled_late,
         count(*) FILTER (WHERE s.status = 'NEW') AS waiting,
         count(*) FILTER (WHERE s.status = 'NEW' AND s.due_at < $6::timestamptz
                            AND s.late_at >= $6::timestamptz) AS waiting_overdue,
         count(*) FILTER (WHERE s.status = 'NEW' AND s.late_at < $6::timestamptz) AS waiting_late,
         count(*) FILTER (WHERE s.status = 'ACCEPTED') AS accepted,
         count(*) FILTER (WHERE s.status = 'REFERRED') AS referred,
         count(*) FILTER (WHERE s.status = 'NO_ACTION') AS no_action
  FROM intake.signals s
  JOIN intake.areas a ON a.tenant_id = s.tenant_id AND a.area_id = s.area_id
  WHERE s.tenant_id = $1
    AND ($2::text[] IS NULL OR s.area_id = ANY($2::text[]))
    AND s.reported_at >= ($3::date::timestamp AT TIME ZONE $5)
    AND s.reported_at < ($4::date::timestamp AT TIME ZONE $5)
  GROUP BY 1, s.area_id, a.name, s.category_id, s.source
  ORDER BY 1, a.name, s.area_id, s.category_id, s.source
)sql";

db::TransactionOptions Bounded(absl::Time deadline) {
  db::TransactionOptions options;
  options.deadline = deadline;
  return options;
}

}  // namespace

absl::StatusOr<std::set<std::string>> SignalFiguresStore::AreasWithin(const std::string& tenant,
                                                                      const std::vector<std::string>& roots,
                                                                      absl::Time deadline) const {
  return areas_.Within(*pool_, tenant, roots, deadline);
}

absl::StatusOr<SignalCounts> SignalFiguresStore::Count(const std::string& tenant,
                                                       const std::optional<std::vector<std::string>>& areas,
                                                       const FiguresPeriod& period, absl::Time as_of,
                                                       absl::Time deadline) const {
  SignalCounts counts;
  RETURN_IF_ERROR(pool_->InTransaction(
      [&](db::Transaction& tx) -> absl::Status {
        counts = SignalCounts();
        ASSIGN_OR_RETURN(db::Rows tenant_row, tx.Query(kTenantZone, {tenant}));
        counts.time_zone = tenant_row.empty() ? std::string() : tenant_row.Text(0, "time_zone");
        if (counts.time_zone.empty()) counts.time_zone = WithDefaults(TenantSettings()).time_zone();
        ASSIGN_OR_RETURN(db::Rows rows,
                         tx.Query(kCountSignals, {tenant, areas ? db::Param(db::TextArray(*areas)) : std::nullopt,
                                                  absl::FormatCivilTime(period.start),
                                                  absl::FormatCivilTime(period.end), counts.time_zone,
                                                  db::TimestampParam(as_of)}));
        for (int i = 0; i < rows.size(); ++i) {
          SignalCountRow& row = counts.rows.emplace_back();
          if (!absl::ParseCivilTime(rows.Text(i, "week_start"), &row.week_start)) {
            return absl::InternalError("figures: PostgreSQL returned a week that is not a date");
          }
          row.area_id = rows.Text(i, "area_id");
          row.area_name = rows.Text(i, "area_name");
          row.category_id = rows.Text(i, "category_id");
          row.source = rows.Text(i, "source");
          row.received = rows.Int(i, "received");
          row.handled_in_time = rows.Int(i, "handled_in_time");
          row.handled_overdue = rows.Int(i, "handled_overdue");
          row.handled_late = rows.Int(i, "handled_late");
          row.waiting = rows.Int(i, "waiting");
          row.waiting_overdue = rows.Int(i, "waiting_overdue");
          row.waiting_late = rows.Int(i, "waiting_late");
          row.accepted = rows.Int(i, "accepted");
          row.referred = rows.Int(i, "referred");
          row.no_action = rows.Int(i, "no_action");
        }
        return absl::OkStatus();
      },
      Bounded(deadline)));
  return counts;
}

}  // namespace hartslag::intake
