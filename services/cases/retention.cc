#include "services/cases/retention.h"

#include "absl/strings/str_cat.h"
#include "services/common/log.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"

namespace hartslag::cases {

void RemovePersonalData(v1::Case& c) {
  c.set_title(kRemoved);
  c.clear_address();
  c.clear_persons();
  c.clear_members();
  c.clear_case_manager();
  c.clear_risk_reason();
  c.clear_escalation_reason();
  for (v1::PlanGoal& goal : *c.mutable_plan()) goal.set_goal(kRemoved);
}

void RemovePersonalData(v1::Action& a) {
  a.set_description(kRemoved);
  a.clear_assignee();
  if (!a.result().empty()) a.set_result(kRemoved);
  a.clear_addresses();
}

void RemovePersonalData(v1::AgendaItem& item) {
  item.set_case_title(kRemoved);
  if (!item.decision().empty()) item.set_decision(kRemoved);
  item.clear_rationale();
  for (v1::Action& a : *item.mutable_actions()) RemovePersonalData(a);
}

void RemovePersonalData(v1::TriageDecision& d) {
  if (!d.reason().empty()) d.set_reason(kRemoved);
  if (!d.feedback().empty()) d.set_feedback(kRemoved);
}

absl::Duration RetentionPeriod(const TenantSettings& settings, v1::CaseKind kind) {
  const TenantSettings s = WithDefaults(settings);
  return absl::Hours(24) *
         (kind == v1::CASE_KIND_CASUISTIEK ? s.casuistiek_retention_days() : s.leefbaarheid_retention_days());
}

namespace {

// Cases cleared per query; a sweep repeats until none are due.
constexpr int kBatch = 100;

// The record of a forgotten triage snapshot: a signal's data, removed.
const AccessRule& SnapshotRemovalRule() {
  static const AccessRule rule = Roles({}).Audit(audit::v1::ACTION_DELETE, "signal");
  return rule;
}

// The removal's record: the retention job acting for the tenant.
const AccessRule& RemovalRule() {
  static const AccessRule rule = Roles({}).Audit(audit::v1::ACTION_DELETE, "case");
  return rule;
}

}  // namespace

RetentionSweeper::RetentionSweeper(const CasesData* data, const AuditTrail* audit, absl::Duration interval)
    : data_(data), audit_(audit), sweeps_(absl::ZeroDuration(), [this, interval] {
        absl::StatusOr<int> cleared = SweepOnce();
        if (!cleared.ok()) {
          Log(LogLevel::kWarning, "retention sweep failed; retrying at the next one",
              {{"error", cleared.status().ToString()}});
        } else if (*cleared > 0) {
          Log(LogLevel::kInfo, "personal data of closed cases removed", {{"cases", absl::StrCat(*cleared)}});
        }
        return interval;
      }) {}

absl::StatusOr<bool> RetentionSweeper::Clear(const std::string& tenant, const std::string& case_id) {
  RequestContext job;
  job.tenant = tenant;
  job.user = "hartslag-cases retention";
  job.purpose = "RETENTION";
  job.deadline = absl::Now() + absl::Minutes(1);
  AuditRecord audit = audit_->Begin(job, "RemovePersonalData", RemovalRule(), "");
  audit.SetObjectId(case_id);
  bool removed = false;
  RETURN_IF_ERROR(data_->TransactAudited(job, audit, [&](db::Transaction& tx) -> absl::Status {
    removed = false;
    ASSIGN_OR_RETURN(std::optional<v1::Case> c, data_->cases.LockClosedWithPersonalData(tx, tenant, case_id));
    if (!c) return absl::OkStatus();  // reopened, or cleared already
    AddSubjects(*c, audit);
    std::vector<std::string> signals(c->signal_ids().begin(), c->signal_ids().end());
    RemovePersonalData(*c);
    *c->mutable_personal_data_removed_at() = TimeToProto(absl::Now());
    RETURN_IF_ERROR(data_->cases.StoreCleared(tx, tenant, *c, kRemoved));
    RETURN_IF_ERROR(data_->actions.ClearCase(tx, tenant, case_id, [](v1::Action& a) { RemovePersonalData(a); }));
    RETURN_IF_ERROR(data_->meetings.ClearCase(tx, tenant, case_id, [&](v1::Meeting& m) {
      for (v1::AgendaItem& item : *m.mutable_items()) {
        if (item.case_id() != case_id) continue;
        RemovePersonalData(item);
        for (v1::MinutesCorrection& correction : *m.mutable_corrections()) {
          if (correction.item_id() == item.item_id()) correction.set_text(kRemoved);
        }
      }
    }));
    RETURN_IF_ERROR(data_->triage.ClearSignals(tx, tenant, signals, [](v1::TriageDecision& d) { RemovePersonalData(d); }));
    removed = true;
    return absl::OkStatus();
  }));
  return removed;
}

absl::StatusOr<int> RetentionSweeper::SweepOnce() {
  std::vector<std::pair<std::string, TenantSettings>> tenants;
  RETURN_IF_ERROR(data_->pool->InTransaction([&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(tenants, data_->cases.AllSettings(tx));
    return absl::OkStatus();
  }));
  int cleared = 0;
  for (const auto& [tenant, settings] : tenants) {
    for (v1::CaseKind kind : {v1::CASE_KIND_LEEFBAARHEID, v1::CASE_KIND_CASUISTIEK}) {
      const absl::Time closed_before = absl::Now() - RetentionPeriod(settings, kind);
      for (;;) {
        std::vector<std::string> due;
        RETURN_IF_ERROR(data_->pool->InTransaction([&](db::Transaction& tx) -> absl::Status {
          ASSIGN_OR_RETURN(due, data_->cases.DueForRemoval(tx, tenant, kind, closed_before, kBatch));
          return absl::OkStatus();
        }));
        for (const std::string& case_id : due) {
          ASSIGN_OR_RETURN(bool removed, Clear(tenant, case_id));
          if (removed) ++cleared;
        }
        if (due.size() < static_cast<size_t>(kBatch)) break;
      }
    }
    RETURN_IF_ERROR(ForgetSnapshots(tenant, absl::Now() - absl::Hours(24) * settings.signal_retention_days()));
  }
  return cleared;
}

absl::Status RetentionSweeper::ForgetSnapshots(const std::string& tenant, absl::Time reported_before) {
  for (;;) {
    std::vector<std::string> due;
    RETURN_IF_ERROR(data_->pool->InTransaction([&](db::Transaction& tx) -> absl::Status {
      ASSIGN_OR_RETURN(due, data_->triage.SnapshotsReportedBefore(tx, tenant, reported_before, kBatch));
      return absl::OkStatus();
    }));
    for (const std::string& signal_id : due) {
      RequestContext job;
      job.tenant = tenant;
      job.user = "hartslag-cases retention";
      job.purpose = "RETENTION";
      job.deadline = absl::Now() + absl::Minutes(1);
      AuditRecord audit = audit_->Begin(job, "RemovePersonalData", SnapshotRemovalRule(), "");
      audit.SetObjectId(signal_id);
      RETURN_IF_ERROR(data_->TransactAudited(job, audit, [&](db::Transaction& tx) -> absl::Status {
        ASSIGN_OR_RETURN(std::optional<intake::v1::Signal> forgotten,
                         data_->triage.ForgetSnapshot(tx, tenant, signal_id,
                                                      [](v1::TriageDecision& d) { RemovePersonalData(d); }));
        if (forgotten) AddSignalSubjects(*forgotten, audit);
        return absl::OkStatus();
      }));
    }
    if (due.size() < static_cast<size_t>(kBatch)) return absl::OkStatus();
  }
}

}  // namespace hartslag::cases
