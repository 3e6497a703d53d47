// SignalFiguresStore: the SQL of intake's figures. The signals are counted
// in PostgreSQL (GROUP BY), so that only counts, never a signal, come out of
// the database; each call is one read-only transaction, bounded by the
// caller's deadline. Thread-safe (the pool is).
#ifndef HARTSLAG_SERVICES_INTAKE_SIGNAL_FIGURES_STORE_H_
#define HARTSLAG_SERVICES_INTAKE_SIGNAL_FIGURES_STORE_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/common/area_sync.h"
#include "services/common/db.h"
#include "services/common/figures.h"
#include "services/intake/signal_store.h"

namespace hartslag::intake {

// The signals of one week, area, category and source: raw counts, before
// suppression (SignalFigures applies it).
struct SignalCountRow {
  absl::CivilDay week_start;  // the Monday of the ISO week, in the tenant's zone
  std::string area_id;
  std::string area_name;
  std::string category_id;
  std::string source;  // as stored: "STREET_COACH"
  int64_t received = 0;
  int64_t handled_in_time = 0;
  int64_t handled_overdue = 0;
  int64_t handled_late = 0;
  int64_t waiting = 0;
  int64_t waiting_overdue = 0;
  int64_t waiting_late = 0;
  int64_t accepted = 0;
  int64_t referred = 0;
  int64_t no_action = 0;
};

struct SignalCounts {
  // The tenant's, or the default one (TenantSettings) while the directory
  // has not handed one over.
  std::string time_zone;
  std::vector<SignalCountRow> rows;
};

class SignalFiguresStore {
 public:
  explicit SignalFiguresStore(db::Pool* pool) : pool_(pool) {}

  // `roots` and every area below them; unknown roots are left out.
  absl::StatusOr<std::set<std::string>> AreasWithin(const std::string& tenant, const std::vector<std::string>& roots,
                                                    absl::Time deadline) const;

  // The signals of `tenant` reported on the days of `period` (in its time
  // zone), in `areas` (every area when nullopt), counted per week, area,
  // category and source; "waiting" as of `as_of`. Rows in that order.
  absl::StatusOr<SignalCounts> Count(const std::string& tenant, const std::optional<std::vector<std::string>>& areas,
                                     const FiguresPeriod& period, absl::Time as_of, absl::Time deadline) const;

 private:
  db::Pool* pool_;
  const AreaCopy areas_{kSchema};
};

}  // namespace hartslag::intake

#endif  // HARTSLAG_SERVICES_INTAKE_SIGNAL_FIGURES_STORE_H_
