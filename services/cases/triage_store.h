// TriageStore: the SQL of triage: the signals a coordinator's queue showed
// (kept so a decision can be taken while intake is away, and for proposals)
// and the decisions. Operations run inside the caller's transaction.
// Stateless and thread-safe.
#ifndef HARTSLAG_SERVICES_CASES_TRIAGE_STORE_H_
#define HARTSLAG_SERVICES_CASES_TRIAGE_STORE_H_

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "hartslag/cases/v1/cases.pb.h"
#include "hartslag/intake/v1/intake.pb.h"
#include "services/common/db.h"

namespace hartslag::cases {

class TriageStore {
 public:
  absl::Status SaveQueueSignals(db::Transaction& tx, const std::string& tenant,
                                const std::vector<intake::v1::Signal>& signals) const;
  absl::StatusOr<std::optional<intake::v1::Signal>> QueueSignal(db::Transaction& tx, const std::string& tenant,
                                                                const std::string& signal_id) const;
  // Signals a triage queue showed (untriaged then, perhaps weighed since)
  // at these addresses, reported since `since`: the latest `per_address` of
  // each address.
  absl::StatusOr<std::vector<intake::v1::Signal>> QueueSignalsAt(db::Transaction& tx, const std::string& tenant,
                                                                 const std::vector<std::string>& address_keys,
                                                                 absl::Time since, int per_address) const;
  // Which of `signal_ids` have been weighed.
  absl::StatusOr<std::set<std::string>> Decided(db::Transaction& tx, const std::string& tenant,
                                                const std::vector<std::string>& signal_ids) const;
  // FAILED_PRECONDITION naming signal_id if the signal was weighed before.
  absl::Status InsertDecision(db::Transaction& tx, const std::string& tenant,
                              const v1::TriageDecision& decision) const;
  // Retention: lets `clear` remove the personal data of the decisions on
  // `signal_ids`, and forgets those signals.
  absl::Status ClearSignals(db::Transaction& tx, const std::string& tenant, const std::vector<std::string>& signal_ids,
                            const std::function<void(v1::TriageDecision&)>& clear) const;
  // Retention of the snapshots: signals a queue showed that were reported
  // before `reported_before`, at most `limit`.
  absl::StatusOr<std::vector<std::string>> SnapshotsReportedBefore(db::Transaction& tx, const std::string& tenant,
                                                                   absl::Time reported_before, int limit) const;
  // Forgets the snapshot of one signal (returned, locked, for the record of
  // whom it was about; nullopt when gone already) and lets `clear` remove
  // the personal data of its decision unless the decision put it on a case,
  // whose retention covers it.
  absl::StatusOr<std::optional<intake::v1::Signal>> ForgetSnapshot(
      db::Transaction& tx, const std::string& tenant, const std::string& signal_id,
      const std::function<void(v1::TriageDecision&)>& clear) const;
};

}  // namespace hartslag::cases

#endif  // HARTSLAG_SERVICES_CASES_TRIAGE_STORE_H_
