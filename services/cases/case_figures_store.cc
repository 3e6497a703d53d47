#include "services/cases/case_figures_store.h"

#include <cmath>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/common/status_macros.h"
#include "services/common/tenant_settings.h"

namespace hartslag::cases {
namespace {

constexpr char kTenantZone[] = R"sql(
  SELECT time_zone FROM cases.tenants WHERE tenant_id = $1
)sql";

// A case opened with its first step (status_changes) and closed at
// closed_at, which reopening clears. $3 and $4 are the period's first day
// and the day after it, $5 the time zone they and the weeks are in.
constexpr char kCountCases[] = R"sql(
  WITH scoped AS (
    SELECT c.case_id, c.area_id, c.kind, c.status, c.closed_at,
           (SELECT min(s.at) FROM cases.status_changes s WHERE s.case_id = c.case_id) AS opened_at
    FROM cases.cases c
    WHERE c.tenant_id = $1 AND ($2::text[] IS NULL OR c.area_id = ANY($2::text[]))
  ), bounds AS (
    SELECT $3::date::timestamp AT TIME ZONE $5 AS from_at, $4::date::timestamp AT TIME ZONE $5 AS to_at
  ), events AS (
    SELECT area_id, kind, opened_at AS at, 1 AS opened, 0 AS closed, NULL::double precision AS lead_days
    FROM scoped, bounds WHERE opened_at >= bounds.from_at AND opened_at < bounds.to_at
    UNION ALL
    SELECT area_id, kind, closed_at, 0, 1, extract(epoch FROM closed_at - opened_at) / 86400
    FROM scoped, bounds
    WHERE status = 'CLOSED' AND closed_at >= bounds.from_at AND closed_at < bounds.to_at
  )
  SELECT to_char(date_trunc('week', e.at AT TIME ZONE $5), 'YYYY-MM-DD') AS week_start,
         e.area_id, a.name AS area_name, e.kind,
         sum(e.opened)::bigint AS opened, sum(e.closed)::bigint AS closed,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY e.lead_days) AS lead_median,
         percentile_cont(0.9) WITHIN GROUP (ORDER BY e.lead_days) AS lead_p90
  FROM events e
  JOIN cases.areas a ON a.tenant_id = $1 AND a.area_id = e.area_id
  GROUP BY 1, e.area_id, a.name, e.kind
  ORDER BY 1, a.name, e.area_id, e.kind
)sql";

// An action is given at its CREATED change and completed at completed_at;
// due dates and "today" ($6 as a day) are in the tenant's zone ($5).
constexpr char kCountActions[] = R"sql(
  SELECT to_char(date_trunc('week', f.changed_at AT TIME ZONE $5), 'YYYY-MM-DD') AS week_start,
         c.area_id, ar.name AS area_name, o.organisation_id,
         count(*) AS created,
         count(*) FILTER (WHERE a.status = 'DONE') AS completed,
         count(*) FILTER (WHERE a.status = 'DONE' AND (a.completed_at AT TIME ZONE $5)::date > a.due_date)
           AS completed_late,
         count(*) FILTER (WHERE a.status IN ('OPEN', 'IN_PROGRESS')) AS open,
         count(*) FILTER (WHERE a.status IN ('OPEN', 'IN_PROGRESS')
                            AND a.due_date < ($6::timestamptz AT TIME ZONE $5)::date) AS overdue
  FROM cases.action_changes f
  JOIN cases.actions a ON a.action_id = f.action_id
  JOIN cases.cases c ON c.case_id = a.case_id
  JOIN cases.areas ar ON ar.tenant_id = c.tenant_id AND ar.area_id = c.area_id
  CROSS JOIN LATERAL unnest(a.organisations) AS o(organisation_id)
  WHERE f.tenant_id = $1 AND f.change = 'CREATED'
    AND ($2::text[] IS NULL OR c.area_id = ANY($2::text[]))
    AND f.changed_at >= ($3::date::timestamp AT TIME ZONE $5)
    AND f.changed_at < ($4::date::timestamp AT TIME ZONE $5)
  GROUP BY 1, c.area_id, ar.name, o.organisation_id
  ORDER BY 1, ar.name, c.area_id, o.organisation_id
)sql";

// $1 to $5 of both queries.
db::Params ScopeParams(const FiguresScope& scope) {
  return {scope.tenant, scope.areas ? db::Param(db::TextArray(*scope.areas)) : std::nullopt,
          absl::FormatCivilTime(scope.period.start), absl::FormatCivilTime(scope.period.end), scope.time_zone};
}

absl::StatusOr<absl::CivilDay> WeekStart(const db::Rows& rows, int i) {
  absl::CivilDay day;
  if (!absl::ParseCivilTime(rows.Text(i, "week_start"), &day)) {
    return absl::InternalError("figures: PostgreSQL returned a week that is not a date");
  }
  return day;
}

// Days to one decimal; nullopt for NULL.
std::optional<double> Days(const db::Rows& rows, int i, const char* column) {
  double days = 0;
  if (rows.IsNull(i, column) || !absl::SimpleAtod(rows.Text(i, column), &days)) return std::nullopt;
  return std::round(days * 10) / 10;
}

}  // namespace

absl::StatusOr<std::string> CaseFiguresStore::TimeZone(db::Transaction& tx, const std::string& tenant) const {
  ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kTenantZone, {tenant}));
  std::string zone = rows.empty() ? std::string() : rows.Text(0, "time_zone");
  return zone.empty() ? WithDefaults(TenantSettings()).time_zone() : zone;
}

absl::StatusOr<std::vector<CaseCountRow>> CaseFiguresStore::CountCases(db::Transaction& tx,
                                                                       const FiguresScope& scope) const {
  ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kCountCases, ScopeParams(scope)));
  std::vector<CaseCountRow> counts;
  for (int i = 0; i < rows.size(); ++i) {
    CaseCountRow& row = counts.emplace_back();
    ASSIGN_OR_RETURN(row.week_start, WeekStart(rows, i));
    row.area_id = rows.Text(i, "area_id");
    row.area_name = rows.Text(i, "area_name");
    row.kind = rows.Text(i, "kind");
    row.opened = rows.Int(i, "opened");
    row.closed = rows.Int(i, "closed");
    row.lead_median_days = Days(rows, i, "lead_median");
    row.lead_p90_days = Days(rows, i, "lead_p90");
  }
  return counts;
}

absl::StatusOr<std::vector<ActionCountRow>> CaseFiguresStore::CountActions(db::Transaction& tx,
                                                                           const FiguresScope& scope) const {
  db::Params params = ScopeParams(scope);
  params.push_back(db::TimestampParam(scope.as_of));
  ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kCountActions, params));
  std::vector<ActionCountRow> counts;
  for (int i = 0; i < rows.size(); ++i) {
    ActionCountRow& row = counts.emplace_back();
    ASSIGN_OR_RETURN(row.week_start, WeekStart(rows, i));
    row.area_id = rows.Text(i, "area_id");
    row.area_name = rows.Text(i, "area_name");
    row.organisation_id = rows.Text(i, "organisation_id");
    row.created = rows.Int(i, "created");
    row.completed = rows.Int(i, "completed");
    row.completed_late = rows.Int(i, "completed_late");
    row.open = rows.Int(i, "open");
    row.overdue = rows.Int(i, "overdue");
  }
  return counts;
}

}  // namespace hartslag::cases
