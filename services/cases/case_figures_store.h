// CaseFiguresStore: the SQL of the cases service's figures. Cases and
// actions are counted in PostgreSQL (GROUP BY, percentiles), so that only
// counts, never a case, come out of the database. Operations run inside
// the caller's transaction. Stateless and thread-safe.
#ifndef HARTSLAG_SERVICES_CASES_CASE_FIGURES_STORE_H_
#define HARTSLAG_SERVICES_CASES_CASE_FIGURES_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/common/db.h"
#include "services/common/figures.h"

namespace hartslag::cases {

// The cases of one kind in one area that opened or closed in one week: raw
// counts, before suppression (CaseFigures applies it).
struct CaseCountRow {
  absl::CivilDay week_start;  // the Monday of the ISO week, in the tenant's zone
  std::string area_id;
  std::string area_name;
  std::string kind;  // as stored: "LEEFBAARHEID"
  int64_t opened = 0;
  int64_t closed = 0;
  // Over the cases closed in the week; absent when none closed.
  std::optional<double> lead_median_days;
  std::optional<double> lead_p90_days;
};

// The actions given to one organisation in one week on cases of one area.
struct ActionCountRow {
  absl::CivilDay week_start;
  std::string area_id;
  std::string area_name;
  std::string organisation_id;
  int64_t created = 0;
  int64_t completed = 0;
  int64_t completed_late = 0;
  int64_t open = 0;
  int64_t overdue = 0;
};

// What is counted: the tenant's cases in `areas` (every area when nullopt)
// on the days of `period` in `time_zone`; open and overdue as of `as_of`.
struct FiguresScope {
  std::string tenant;
  std::optional<std::vector<std::string>> areas;
  FiguresPeriod period;
  std::string time_zone;
  absl::Time as_of;
};

class CaseFiguresStore {
 public:
  // The tenant's time zone as the directory handed it over, or the default
  // one (TenantSettings) while it has not.
  absl::StatusOr<std::string> TimeZone(db::Transaction& tx, const std::string& tenant) const;
  // Per week, area and kind: cases opened (their first step) and closed
  // (closed in the week and still closed), with the median and 90th
  // percentile of the closed ones' days from opening to closing. In that
  // order.
  absl::StatusOr<std::vector<CaseCountRow>> CountCases(db::Transaction& tx, const FiguresScope& scope) const;
  // Per week of giving, area and organisation (a joint action for each of
  // its organisations): actions given, of those DONE, DONE after the due
  // date (in the tenant's zone), still open, and open past the due date. In
  // that order.
  absl::StatusOr<std::vector<ActionCountRow>> CountActions(db::Transaction& tx, const FiguresScope& scope) const;
};

}  // namespace hartslag::cases

#endif  // HARTSLAG_SERVICES_CASES_CASE_FIGURES_STORE_H_
