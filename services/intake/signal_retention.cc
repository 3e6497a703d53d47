#include "services/intake/signal_retention.h"

#include "absl/strings/str_cat.h"
#include "services/common/log.h"
#include "services/common/status_macros.h"
#include "services/common/tenant_settings.h"

namespace hartslag::intake {
namespace {

// Signals cleared per query; a sweep repeats until none are due.
constexpr int kBatch = 100;

// The removal's record: the retention job acting for the tenant.
const AccessRule& RemovalRule() {
  static const AccessRule rule = Roles({}).Audit(audit::v1::ACTION_DELETE, "signal");
  return rule;
}

}  // namespace

SignalRetention::SignalRetention(SignalStore* signals, AttachmentContents* contents, SignalAttachments* attachments,
                                 const AuditTrail* audit, absl::Duration interval)
    : signals_(signals),
      contents_(contents),
      attachments_(attachments),
      audit_(audit),
      sweeps_(interval, [this, interval] {
        absl::StatusOr<int> cleared = SweepOnce();
        if (!cleared.ok()) {
          Log(LogLevel::kWarning, "retention sweep failed; retrying at the next one",
              {{"error", cleared.status().ToString()}});
        } else if (*cleared > 0) {
          Log(LogLevel::kInfo, "retention removed personal data of signals", {{"signals", absl::StrCat(*cleared)}});
        }
        return interval;
      }) {}

absl::StatusOr<int> SignalRetention::SweepOnce() {
  const absl::Time deadline = absl::Now() + absl::Minutes(5);
  int cleared = 0;
  // One tenant's failure holds back neither the others nor the clean-up;
  // the first failure is reported once all had their turn.
  absl::Status first_failure = attachments_->Sweep(deadline);
  ASSIGN_OR_RETURN(std::vector<std::string> tenants, signals_->Tenants(deadline));
  for (const std::string& tenant : tenants) {
    absl::StatusOr<int> done = SweepTenant(tenant, deadline);
    if (done.ok()) cleared += *done;
    else if (first_failure.ok()) first_failure = done.status();
  }
  RETURN_IF_ERROR(first_failure);
  return cleared;
}

absl::StatusOr<int> SignalRetention::SweepTenant(const std::string& tenant, absl::Time deadline) {
  int cleared = 0;
  ASSIGN_OR_RETURN(TenantSettings settings, signals_->TenantSettingsOf(tenant, deadline));
  const absl::Time reported_before = absl::Now() - absl::Hours(24) * settings.signal_retention_days();
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<std::string> due,
                     signals_->DueForRetention(tenant, reported_before, kBatch, deadline));
    for (const std::string& signal_id : due) {
      RequestContext job;
      job.tenant = tenant;
      job.user = "hartslag-intake retention";
      job.purpose = "RETENTION";
      job.deadline = absl::Now() + absl::Minutes(1);
      AuditRecord audit = audit_->Begin(job, "RemovePersonalData", RemovalRule(), "");
      audit.SetObjectId(signal_id);
      ASSIGN_OR_RETURN(std::optional<std::vector<std::string>> keys,
                       signals_->RemovePersonalData(tenant, signal_id, reported_before, kRemoved, audit,
                                                    job.deadline));
      if (!keys) continue;  // its case reopened meanwhile
      ++cleared;
      // After the commit: bytes left by a failure here are swept later.
      RETURN_IF_ERROR(contents_->Delete(*keys, job.deadline));
    }
    if (due.size() < static_cast<size_t>(kBatch)) break;
  }
  return cleared;
}

}  // namespace hartslag::intake
