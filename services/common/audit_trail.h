// The audit trail: one audit record for every call a service answers (read,
// list, search, create, update, export, login and every denial), with the
// fields of BIO 8.15.01 and NEN 7513, written to the service's outbox and
// delivered to hartslag-audit by its relay (outbox.h).
//
// RpcRunner begins a record for each call from the caller and the RPC's
// access rule (which names the action and object type). A handler that
// changes data writes the record inside the transaction of that change:
//
//   RETURN_IF_ERROR(audit.Record(tx));   // the change cannot commit without it
//
// Any other call is recorded by RpcRunner when the handler returns, before
// the answer goes out, by a group commit: the records of calls that end
// while a batch commits share the next transaction and its WAL flush. A read
// whose record cannot be written is answered UNAVAILABLE, not with the data.
// Calls between Hartslag services (Services() rules) carry no personal data
// of their own and are not recorded; calls without a valid token have no
// tenant log to go to and are only logged.
#ifndef HARTSLAG_SERVICES_COMMON_AUDIT_TRAIL_H_
#define HARTSLAG_SERVICES_COMMON_AUDIT_TRAIL_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "hartslag/audit/v1/audit.pb.h"
#include "services/common/auth.h"
#include "services/common/db.h"
#include "services/common/group_commit.h"
#include "services/common/outbox.h"
#include "services/common/pseudonym.h"

namespace hartslag {

// The outbox target of audit records.
inline constexpr char kAuditTarget[] = "audit";

class AuditTrail;

// An id as a record may hold it: itself when it is short printable text,
// otherwise (oversized, not UTF-8, control characters) "sha256:<hex>/<length>",
// so that a refusal of hostile input is recorded without the input.
std::string AuditSafeId(absl::string_view id, size_t max_bytes = 128);

// The record of one call, filled in by its handler. Every value it takes is
// bounded here, whatever the handler passes (AuditSafeId, or cut short).
class AuditRecord {
 public:
  AuditRecord() = default;  // not audited

  // The object the call concerned (its type comes from the access rule).
  void SetObjectId(absl::string_view id) { event_.mutable_object()->set_id(AuditSafeId(id)); }
  // A person or an address the data is about; stored pseudonymised.
  void AddPerson(absl::string_view name, int birth_year);
  void AddAddress(const common::v1::Address& address);
  // A subject given as a pseudonym already (an audit query about it).
  void AddPseudonym(std::string pseudonym);
  // For lists and searches: how many objects were returned.
  void SetResultCount(int count) { event_.set_result_count(count); }
  // The handler refused for need-to-know and answers NOT_FOUND so that the
  // object's existence does not leak; the record says DENIED.
  void MarkDenied() { denied_ = true; }
  // For calls without a token (a login): the tenant and the user it names.
  void SetCaller(absl::string_view tenant, absl::string_view user_id,
                 absl::string_view organisation_id);
  // The caller broke the glass: read outside its need-to-know, with a reason.
  void MarkBreakGlass() { event_.set_break_glass(true); }
  bool break_glass() const { return event_.break_glass(); }
  // For a token issued to an integrated client acting for that user.
  void SetActingClient(absl::string_view client_id) {
    event_.mutable_actor()->set_acting_client(AuditSafeId(client_id));
  }
  // Why the call was refused, without personal data (the caller may have
  // been told less, as with a locked account). Cut to kMaxDetailBytes.
  void SetDetail(absl::string_view detail);
  static constexpr size_t kMaxDetailBytes = 500;

  // The log's key for the record: a second copy under it is dropped.
  const std::string& event_id() const { return event_.event_id(); }
  const std::string& object_id() const { return event_.object().id(); }

  // Writes the record (outcome SUCCESS, or DENIED after MarkDenied) in `tx`,
  // the transaction of the work it records. Once per transaction: a retried
  // transaction calls it again.
  absl::Status Record(db::Transaction& tx);


 private:
  friend class AuditTrail;
  friend std::vector<std::optional<OutboxEvent>> OutboxEventsOf(const std::vector<AuditRecord*>& records);
  friend void MarkRecorded(AuditRecord& record);
  const AuditTrail* trail_ = nullptr;
  audit::v1::AuditEvent event_;
  bool denied_ = false;
  bool recorded_ = false;
};

// For a group commit whose one statement writes the records of several calls
// itself, only those of the calls whose change it made (intake's batch of
// signals): each record's outbox event, completed with the outcome its
// record would have (SUCCESS, or DENIED after MarkDenied), or nullopt for a
// record that is not audited or names no tenant. MarkRecorded, once the
// statement's transaction committed, for each record it wrote: Finish then
// writes no second one.
std::vector<std::optional<OutboxEvent>> OutboxEventsOf(const std::vector<AuditRecord*>& records);
void MarkRecorded(AuditRecord& record);

// Runs `work` in a transaction that also writes `audit`'s record: the change
// and its record commit together or not at all.
absl::Status InAuditedTransaction(db::Pool& pool, AuditRecord& audit,
                                  const std::function<absl::Status(db::Transaction&)>& work,
                                  const db::TransactionOptions& options = {});

class AuditTrail {
 public:
  AuditTrail(db::Pool* pool, const Outbox* outbox, const Pseudonymizer* pseudonyms);

  // Woken after each record, so delivery starts at once. Optional.
  void SetRelay(OutboxRelay* relay) { relay_ = relay; }

  // The record of one call of `rpc` by `caller` under `rule`.
  AuditRecord Begin(const RequestContext& caller, absl::string_view rpc, const AccessRule& rule,
                    absl::string_view peer_address) const;
  // Records `record` with the outcome `status` gives, in the next batch of
  // records, unless it was recorded already or is not audited.
  absl::Status Finish(AuditRecord& record, const absl::Status& status) const;

  const Pseudonymizer& pseudonyms() const { return *pseudonyms_; }

  // Records in `tx` that this service's relay set `event` aside because its
  // receiver can never accept it (outbox.h), so that the log shows it.
  absl::Status RecordSetAside(db::Transaction& tx, const Outbox::DeadLetter& event,
                              absl::string_view payload) const;

 private:
  friend class AuditRecord;
  friend std::vector<std::optional<OutboxEvent>> OutboxEventsOf(const std::vector<AuditRecord*>& records);
  absl::Status Write(db::Transaction& tx, AuditRecord& record, audit::v1::Outcome outcome,
                     const absl::Status& status) const;
  // Completes the record's event for the outcome; its outbox event, unless
  // it has no tenant log to go to.
  static std::optional<OutboxEvent> Complete(AuditRecord& record, audit::v1::Outcome outcome,
                                             const absl::Status& status);

  // A record Finish writes, with the outcome of its call.
  struct Finished {
    AuditRecord* record;
    const absl::Status* status;
  };
  struct Written {};
  absl::StatusOr<std::vector<Written>> WriteBatch(const std::vector<const Finished*>& batch,
                                                  absl::Time deadline) const;

  db::Pool* pool_;
  const Outbox* outbox_;
  const Pseudonymizer* pseudonyms_;
  OutboxRelay* relay_ = nullptr;
  mutable GroupCommit<Finished, Written> finished_;
};

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_AUDIT_TRAIL_H_
