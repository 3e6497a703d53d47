#include "services/cases/retention.h"

#include "absl/strings/str_cat.h"
#include "services/common/log.h"
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

namespace {

// Cases cleared per query; a sweep repeats until none are due.
constexpr int kBatch = 100;

// The removal's record: the retention job acting for the tenant.
const AccessRule& RemovalRule() {
  static const AccessRule rule = Roles({}).Audit(audit::v1::ACTION_DELETE, "case");
  return rule;
}

}  // namespace

RetentionSweeper::RetentionSweeper(CaseStore* store, const AuditTrail* audit, RetentionPolicy policy,
                                   absl::Duration interval)
    : store_(store), audit_(audit), policy_(policy) {
  thread_ = std::thread([this, interval] { Loop(interval); });
}

RetentionSweeper::~RetentionSweeper() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  stop_.notify_all();
  thread_.join();
}

absl::StatusOr<int> RetentionSweeper::SweepOnce() {
  int cleared = 0;
  for (v1::CaseKind kind : {v1::CASE_KIND_LEEFBAARHEID, v1::CASE_KIND_CASUISTIEK}) {
    absl::Time closed_before = absl::Now() - policy_.For(kind);
    for (;;) {
      using Due = std::vector<std::pair<std::string, std::string>>;
      ASSIGN_OR_RETURN(Due due, store_->DueForRemoval(kind, closed_before, kBatch));
      for (const auto& [tenant, case_id] : due) {
        RequestContext job;
        job.tenant = tenant;
        job.user = "hartslag-cases retention";
        job.purpose = "RETENTION";
        AuditRecord audit = audit_->Begin(job, "RemovePersonalData", RemovalRule(), "");
        audit.SetObjectId(case_id);
        ASSIGN_OR_RETURN(bool removed, store_->RemovePersonalData(tenant, case_id, [&audit](const v1::Case& c) {
          if (c.has_address()) audit.AddAddress(c.address());
          for (const v1::CasePerson& p : c.persons()) audit.AddPerson(p.name(), p.birth_year());
        }, audit));
        if (removed) ++cleared;
      }
      if (due.size() < static_cast<size_t>(kBatch)) break;
    }
  }
  return cleared;
}

void RetentionSweeper::Loop(absl::Duration interval) {
  std::unique_lock<std::mutex> lock(mutex_);
  do {
    lock.unlock();
    absl::StatusOr<int> cleared = SweepOnce();
    if (!cleared.ok()) {
      Log(LogLevel::kWarning, "retention sweep failed; retrying at the next one", {{"error", cleared.status().ToString()}});
    } else if (*cleared > 0) {
      Log(LogLevel::kInfo, "personal data of closed cases removed", {{"cases", absl::StrCat(*cleared)}});
    }
    lock.lock();
  } while (!stop_.wait_for(lock, absl::ToChronoMilliseconds(interval), [this] { return stopping_; }));
}

}  // namespace hartslag::cases
