// Retention at intake: a signal that is not on an open case loses its
// personal data (persons, address, description, answers, attachments) once
// the tenant's period (TenantSettings.signal_retention_days) has passed since
// it was reported, or since its case closed when that was later; category,
// area, dates and outcome stay for the figures. One signal per transaction,
// with its audit record (action DELETE, purpose RETENTION). The same sweep
// removes attachment uploads left unfinished.
#ifndef HARTSLAG_SERVICES_INTAKE_SIGNAL_RETENTION_H_
#define HARTSLAG_SERVICES_INTAKE_SIGNAL_RETENTION_H_

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/audit_trail.h"
#include "services/common/periodic_task.h"
#include "services/intake/signal_attachments.h"
#include "services/intake/signal_store.h"

namespace hartslag::intake {

// What replaces a removed description.
inline constexpr char kRemoved[] = "[verwijderd na bewaartermijn]";

class SignalRetention {
 public:
  // Sweeps every `interval` until destroyed (the first after one interval).
  SignalRetention(SignalStore* signals, AttachmentContents* contents, SignalAttachments* attachments,
                  const AuditTrail* audit, absl::Duration interval);

  // One sweep over every tenant; returns how many signals lost their
  // personal data.
  absl::StatusOr<int> SweepOnce();

 private:
  absl::StatusOr<int> SweepTenant(const std::string& tenant, absl::Time deadline);

  SignalStore* signals_;
  AttachmentContents* contents_;
  SignalAttachments* attachments_;
  const AuditTrail* audit_;
  PeriodicTask sweeps_;  // last: it runs once the members above exist
};

}  // namespace hartslag::intake

#endif  // HARTSLAG_SERVICES_INTAKE_SIGNAL_RETENTION_H_
