#include "services/cases/triage_store.h"

#include "google/protobuf/util/time_util.h"
#include "services/cases/case_rules.h"
#include "services/cases/store_rows.h"
#include "services/common/status_macros.h"

namespace hartslag::cases {
namespace {

using namespace rows;  // NOLINT: the store's own row helpers

constexpr char kSaveQueueSignal[] = R"sql(
  INSERT INTO cases.queue_signals (tenant_id, signal_id, area_id, address_key, content, fetched_at, reported_at)
  VALUES ($1, $2, $3, $4, $5::bytea, now(), $6)
  ON CONFLICT (tenant_id, signal_id) DO UPDATE
  SET area_id = EXCLUDED.area_id, address_key = EXCLUDED.address_key, content = EXCLUDED.content,
      fetched_at = EXCLUDED.fetched_at
)sql";

constexpr char kQueueSignal[] = R"sql(
  SELECT content FROM cases.queue_signals WHERE tenant_id = $1 AND signal_id = $2::uuid
)sql";

// Signals the queue showed before (also weighed ones) at some addresses,
// the $4 most recent at each. Each address is read from its newest end
// through queue_signals_by_address and no further than $4 rows: ranking all
// of an address's signals in the window took 180-240 ms a page with 1,300
// signals at each of 25 addresses, this 2-4 ms (BENCHMARKS.md).
constexpr char kQueueSignalsAt[] = R"sql(
  SELECT s.content FROM (SELECT DISTINCT unnest($2::text[])) AS k(key)
  CROSS JOIN LATERAL (
    SELECT content FROM cases.queue_signals
    WHERE tenant_id = $1 AND address_key = k.key AND reported_at >= $3
    ORDER BY reported_at DESC LIMIT $4::int) s
)sql";

constexpr char kDecided[] = R"sql(
  SELECT signal_id::text AS signal_id FROM cases.triage_decisions
  WHERE tenant_id = $1 AND signal_id = ANY($2::uuid[])
)sql";

constexpr char kInsertDecision[] = R"sql(
  INSERT INTO cases.triage_decisions (decision_id, tenant_id, signal_id, content)
  VALUES ($1, $2, $3::uuid, $4::bytea)
  ON CONFLICT (tenant_id, signal_id) DO NOTHING RETURNING decision_id
)sql";

constexpr char kLockDecisions[] = R"sql(
  SELECT decision_id::text AS decision_id, content FROM cases.triage_decisions
  WHERE tenant_id = $1 AND signal_id = ANY($2::uuid[]) FOR UPDATE
)sql";

constexpr char kRewriteDecision[] = R"sql(
  UPDATE cases.triage_decisions SET content = $2::bytea WHERE decision_id = $1::uuid
)sql";

constexpr char kRemoveQueueSignals[] = R"sql(
  DELETE FROM cases.queue_signals WHERE tenant_id = $1 AND signal_id = ANY($2::uuid[])
)sql";

constexpr char kSnapshotsReportedBefore[] = R"sql(
  SELECT signal_id::text AS signal_id FROM cases.queue_signals
  WHERE tenant_id = $1 AND reported_at < $2 ORDER BY reported_at LIMIT $3::int
)sql";

constexpr char kLockSnapshot[] = R"sql(
  SELECT content FROM cases.queue_signals WHERE tenant_id = $1 AND signal_id = $2::uuid FOR UPDATE
)sql";

}  // namespace

absl::StatusOr<std::vector<std::string>> TriageStore::SnapshotsReportedBefore(db::Transaction& tx,
                                                                              const std::string& tenant,
                                                                              absl::Time reported_before,
                                                                              int limit) const {
  ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kSnapshotsReportedBefore,
                                           {tenant, db::TimestampParam(reported_before), absl::StrCat(limit)}));
  std::vector<std::string> ids;
  for (int i = 0; i < rows.size(); ++i) ids.push_back(rows.Text(i, "signal_id"));
  return ids;
}

absl::StatusOr<std::optional<intake::v1::Signal>> TriageStore::ForgetSnapshot(
    db::Transaction& tx, const std::string& tenant, const std::string& signal_id,
    const std::function<void(v1::TriageDecision&)>& clear) const {
  ASSIGN_OR_RETURN(db::Rows snapshot, tx.Query(kLockSnapshot, {tenant, signal_id}));
  if (snapshot.empty()) return std::nullopt;
  ASSIGN_OR_RETURN(intake::v1::Signal signal, Decode<intake::v1::Signal>(snapshot, 0));
  ASSIGN_OR_RETURN(db::Rows decisions, tx.Query(kLockDecisions, {tenant, db::TextArray({signal_id})}));
  for (int i = 0; i < decisions.size(); ++i) {
    ASSIGN_OR_RETURN(v1::TriageDecision d, Decode<v1::TriageDecision>(decisions, i));
    if (!d.case_id().empty()) continue;
    clear(d);
    RETURN_IF_ERROR(tx.Exec(kRewriteDecision, {decisions.Text(i, "decision_id"), db::BytesParam(d.SerializeAsString())}));
  }
  RETURN_IF_ERROR(tx.Exec(kRemoveQueueSignals, {tenant, db::TextArray({signal_id})}));
  return signal;
}

absl::Status TriageStore::SaveQueueSignals(db::Transaction& tx, const std::string& tenant,
                                           const std::vector<intake::v1::Signal>& signals) const {
  for (const intake::v1::Signal& signal : signals) {
    RETURN_IF_ERROR(tx.Exec(kSaveQueueSignal,
                            {tenant, signal.signal_id(), signal.area().area_id(),
                             AddressKey(signal.location().address()), db::BytesParam(signal.SerializeAsString()),
                             db::TimestampParam(absl::FromUnixMicros(
                                 google::protobuf::util::TimeUtil::TimestampToMicroseconds(signal.reported_at())))}));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<intake::v1::Signal>> TriageStore::QueueSignal(db::Transaction& tx,
                                                                          const std::string& tenant,
                                                                          const std::string& signal_id) const {
  ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kQueueSignal, {tenant, signal_id}));
  if (rows.empty()) return std::nullopt;
  return Decode<intake::v1::Signal>(rows, 0);
}

absl::StatusOr<std::vector<intake::v1::Signal>> TriageStore::QueueSignalsAt(
    db::Transaction& tx, const std::string& tenant, const std::vector<std::string>& address_keys, absl::Time since,
    int per_address) const {
  if (address_keys.empty()) return std::vector<intake::v1::Signal>();
  ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kQueueSignalsAt, {tenant, db::TextArray(address_keys),
                                                             db::TimestampParam(since), absl::StrCat(per_address)}));
  return DecodeAll<intake::v1::Signal>(rows);
}

absl::StatusOr<std::set<std::string>> TriageStore::Decided(db::Transaction& tx, const std::string& tenant,
                                                           const std::vector<std::string>& signal_ids) const {
  std::set<std::string> decided;
  if (signal_ids.empty()) return decided;
  ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kDecided, {tenant, db::TextArray(signal_ids)}));
  for (int i = 0; i < rows.size(); ++i) decided.insert(rows.Text(i, "signal_id"));
  return decided;
}

absl::Status TriageStore::InsertDecision(db::Transaction& tx, const std::string& tenant,
                                         const v1::TriageDecision& decision) const {
  ASSIGN_OR_RETURN(db::Rows inserted, tx.Query(kInsertDecision, {decision.decision_id(), tenant, decision.signal_id(),
                                                                 db::BytesParam(decision.SerializeAsString())}));
  if (inserted.empty()) return absl::FailedPreconditionError("signal_id: the signal has been weighed already");
  return absl::OkStatus();
}

absl::Status TriageStore::ClearSignals(db::Transaction& tx, const std::string& tenant,
                                       const std::vector<std::string>& signal_ids,
                                       const std::function<void(v1::TriageDecision&)>& clear) const {
  ASSIGN_OR_RETURN(db::Rows decisions, tx.Query(kLockDecisions, {tenant, db::TextArray(signal_ids)}));
  for (int i = 0; i < decisions.size(); ++i) {
    ASSIGN_OR_RETURN(v1::TriageDecision d, Decode<v1::TriageDecision>(decisions, i));
    clear(d);
    RETURN_IF_ERROR(tx.Exec(kRewriteDecision, {decisions.Text(i, "decision_id"), db::BytesParam(d.SerializeAsString())}));
  }
  return tx.Exec(kRemoveQueueSignals, {tenant, db::TextArray(signal_ids)});
}

}  // namespace hartslag::cases
