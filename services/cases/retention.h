// Retention (DOMAIN.md): the personal data of a closed case is removed the
// municipality's period for its kind (TenantSettings) after it was closed.
// What is personal
// is decided here, per object; RetentionSweeper finds the cases that are due
// and removes their data everywhere the service keeps it (the case, its
// status steps' reasons, notes, actions and their stream snapshots, agenda
// items, triage decisions and cached signals), one case per transaction with
// its audit record (action DELETE). The snapshots of signals that triage
// queues showed are forgotten once the tenant's signal period has passed
// since they were reported, with the texts of decisions that put them on no
// case: intake's retention handles the signal itself.
#ifndef HARTSLAG_SERVICES_CASES_RETENTION_H_
#define HARTSLAG_SERVICES_CASES_RETENTION_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "hartslag/cases/v1/cases.pb.h"
#include "services/cases/case_domain.h"
#include "services/common/audit_trail.h"
#include "services/common/periodic_task.h"
#include "services/common/tenant_settings.h"

namespace hartslag::cases {

// What replaces a removed text.
inline constexpr char kRemoved[] = "[verwijderd na bewaartermijn]";

// How long a closed case of `kind` keeps its personal data under a
// municipality's settings (defaults filled in).
absl::Duration RetentionPeriod(const TenantSettings& settings, v1::CaseKind kind);

// Each removes the personal data of one object in place and keeps what
// statistics and the lifecycle need (ids, kind, area, dates, statuses,
// organisations, result).
void RemovePersonalData(v1::Case& c);
void RemovePersonalData(v1::Action& a);
void RemovePersonalData(v1::AgendaItem& item);
void RemovePersonalData(v1::TriageDecision& d);

class RetentionSweeper {
 public:
  // Sweeps at once and then every `interval` until destroyed.
  RetentionSweeper(const CasesData* data, const AuditTrail* audit, absl::Duration interval);

  // One sweep: removes the personal data of every case that is due by its
  // tenant's period; returns how many cases it cleared.
  absl::StatusOr<int> SweepOnce();

 private:
  // Removes the personal data of one closed case; false if it had none left
  // (cleared meanwhile, or reopened).
  absl::StatusOr<bool> Clear(const std::string& tenant, const std::string& case_id);
  // Forgets the triage snapshots of `tenant` reported before `reported_before`,
  // one signal per transaction with its record (DELETE, purpose RETENTION).
  absl::Status ForgetSnapshots(const std::string& tenant, absl::Time reported_before);

  const CasesData* data_;
  const AuditTrail* audit_;
  PeriodicTask sweeps_;  // last: it runs once the members above exist
};

}  // namespace hartslag::cases

#endif  // HARTSLAG_SERVICES_CASES_RETENTION_H_
