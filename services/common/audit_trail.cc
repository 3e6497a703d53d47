#include "services/common/audit_trail.h"

#include "absl/strings/str_cat.h"
#include "services/common/crypto.h"
#include "services/common/log.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"
#include "services/common/text.h"

namespace hartslag {
namespace {

audit::v1::Outcome OutcomeOf(const absl::Status& status, bool denied) {
  if (denied) return audit::v1::OUTCOME_DENIED;
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return audit::v1::OUTCOME_SUCCESS;
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kUnauthenticated:
      return audit::v1::OUTCOME_DENIED;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kResourceExhausted:
      return audit::v1::OUTCOME_REJECTED;
    default:
      return audit::v1::OUTCOME_ERROR;
  }
}

// The longest values a record holds as given (AuditEvent's bounds).
constexpr size_t kMaxOriginBytes = 256;
constexpr size_t kMaxCertificateUriBytes = 2048;
// The subjects of one record; a list's record names at most this many.
constexpr int kMaxSubjects = 10000;

std::string CutUtf8(absl::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;  // not mid-character
  return std::string(text.substr(0, end));
}

}  // namespace

std::string AuditSafeId(absl::string_view id, size_t max_bytes) {
  if (id.size() <= max_bytes && Utf8Length(id) && !HasControlCharacters(id, false)) return std::string(id);
  return absl::StrCat("sha256:", HexEncode(Sha256(id)), "/", id.size());
}

void AuditRecord::SetDetail(absl::string_view detail) {
  event_.set_detail(Utf8Length(detail) ? CutUtf8(detail, kMaxDetailBytes) : "(not UTF-8)");
}

void AuditRecord::AddPseudonym(std::string pseudonym) {
  if (event_.subjects_size() >= kMaxSubjects) {
    event_.set_detail("subjects cut at 10000");
    return;
  }
  for (const std::string& known : event_.subjects()) {
    if (known == pseudonym) return;
  }
  event_.add_subjects(std::move(pseudonym));
}

void AuditRecord::SetCaller(absl::string_view tenant, absl::string_view user_id,
                            absl::string_view organisation_id) {
  event_.set_tenant_id(AuditSafeId(tenant));
  event_.mutable_actor()->set_user_id(AuditSafeId(user_id));
  event_.mutable_actor()->set_organisation_id(AuditSafeId(organisation_id));
}

void AuditRecord::AddPerson(absl::string_view name, int birth_year) {
  if (trail_ != nullptr) AddPseudonym(trail_->pseudonyms().Person(name, birth_year));
}

void AuditRecord::AddAddress(const common::v1::Address& address) {
  if (trail_ != nullptr) AddPseudonym(trail_->pseudonyms().Address(address));
}

absl::Status AuditRecord::Record(db::Transaction& tx) {
  if (trail_ == nullptr) return absl::OkStatus();
  return trail_->Write(tx, *this, denied_ ? audit::v1::OUTCOME_DENIED : audit::v1::OUTCOME_SUCCESS,
                       absl::OkStatus());
}

absl::Status InAuditedTransaction(db::Pool& pool, AuditRecord& audit,
                                  const std::function<absl::Status(db::Transaction&)>& work,
                                  const db::TransactionOptions& options) {
  return pool.InTransaction(
      [&](db::Transaction& tx) -> absl::Status {
        RETURN_IF_ERROR(work(tx));
        return audit.Record(tx);
      },
      options);
}

AuditRecord AuditTrail::Begin(const RequestContext& caller, absl::string_view rpc,
                              const AccessRule& rule, absl::string_view peer_address) const {
  AuditRecord record;
  if (!rule.services.empty()) return record;  // service-to-service: not audited
  if (!rule.audited) return record;           // touches no data
  record.trail_ = this;
  audit::v1::AuditEvent& e = record.event_;
  e.set_event_id(TimeOrderedUuid());
  // What a token or a certificate says is as unbounded as any input.
  e.set_tenant_id(AuditSafeId(caller.tenant));
  e.set_action(rule.action);
  e.mutable_object()->set_type(rule.object_type);
  e.mutable_origin()->set_rpc(std::string(rpc));
  e.mutable_origin()->set_peer_address(AuditSafeId(peer_address, kMaxOriginBytes));
  e.mutable_origin()->set_client_certificate(AuditSafeId(caller.peer_identity, kMaxCertificateUriBytes));
  audit::v1::AuditActor& actor = *e.mutable_actor();
  actor.set_user_id(AuditSafeId(caller.user));
  actor.set_organisation_id(AuditSafeId(caller.organisation));
  actor.set_organisation_kind(caller.organisation_kind);
  for (Role role : caller.roles) {
    if (rule.roles.contains(role)) actor.add_roles(std::string(RoleName(role)));
  }
  actor.set_acting_client(AuditSafeId(caller.acting_client));
  e.set_purpose(caller.purpose);
  e.set_trace_id(caller.request_id);
  return record;
}

std::optional<OutboxEvent> AuditTrail::Complete(AuditRecord& record, audit::v1::Outcome outcome,
                                                const absl::Status& status) {
  audit::v1::AuditEvent& e = record.event_;
  e.set_outcome(outcome);
  e.set_status_code(absl::StatusCodeToString(status.code()));
  *e.mutable_occurred_at() = TimeToProto(absl::Now());
  // A call naming no tenant we know (a login to an unknown tenant) has no
  // log to go to; the service log has the line.
  if (e.tenant_id().empty()) return std::nullopt;
  return OutboxEvent{e.event_id(), e.tenant_id(), e.SerializeAsString()};
}

absl::Status AuditTrail::Write(db::Transaction& tx, AuditRecord& record,
                               audit::v1::Outcome outcome, const absl::Status& status) const {
  if (std::optional<OutboxEvent> event = Complete(record, outcome, status)) outbox_->Add(tx, kAuditTarget, *event);
  record.recorded_ = true;
  return absl::OkStatus();
}

std::vector<std::optional<OutboxEvent>> OutboxEventsOf(const std::vector<AuditRecord*>& records) {
  std::vector<std::optional<OutboxEvent>> events;
  for (AuditRecord* record : records) {
    if (record->trail_ == nullptr) {
      events.emplace_back();
      continue;
    }
    const audit::v1::Outcome outcome = record->denied_ ? audit::v1::OUTCOME_DENIED : audit::v1::OUTCOME_SUCCESS;
    events.push_back(AuditTrail::Complete(*record, outcome, absl::OkStatus()));
  }
  return events;
}

void MarkRecorded(AuditRecord& record) { record.recorded_ = record.trail_ != nullptr; }

absl::Status AuditTrail::RecordSetAside(db::Transaction& tx, const Outbox::DeadLetter& event,
                                        absl::string_view payload) const {
  // A tenant that names no log cannot be recorded in one; the service log
  // has the line. Nor is a refused record of a set-aside recorded again,
  // which could go on forever.
  if (!IsId(event.tenant)) return absl::OkStatus();
  audit::v1::AuditEvent refused;
  if (event.target == kAuditTarget && refused.ParseFromArray(payload.data(), static_cast<int>(payload.size())) &&
      refused.action() == audit::v1::ACTION_SET_ASIDE) {
    return absl::OkStatus();
  }
  audit::v1::AuditEvent e;
  e.set_event_id(TimeOrderedUuid());
  e.set_tenant_id(event.tenant);
  e.set_action(audit::v1::ACTION_SET_ASIDE);
  e.set_outcome(audit::v1::OUTCOME_ERROR);
  e.set_status_code("INVALID_ARGUMENT");
  e.mutable_object()->set_type("outbox_event");
  e.mutable_object()->set_id(AuditSafeId(event.event_id));
  e.mutable_origin()->set_rpc(absl::StrCat("outbox relay to ", event.target));
  e.set_detail(CutUtf8(event.reason, AuditRecord::kMaxDetailBytes));
  *e.mutable_occurred_at() = TimeToProto(absl::Now());
  outbox_->Add(tx, kAuditTarget, {e.event_id(), e.tenant_id(), e.SerializeAsString()});
  return absl::OkStatus();
}

AuditTrail::AuditTrail(db::Pool* pool, const Outbox* outbox, const Pseudonymizer* pseudonyms)
    : pool_(pool),
      outbox_(outbox),
      pseudonyms_(pseudonyms),
      finished_("audit_records", [this](const std::vector<const Finished*>& batch, absl::Time deadline) {
        return WriteBatch(batch, deadline);
      }) {}

absl::StatusOr<std::vector<AuditTrail::Written>> AuditTrail::WriteBatch(const std::vector<const Finished*>& batch,
                                                                        absl::Time deadline) const {
  // Briefly: the calls have ended (often because the database went away),
  // and their workers are wanted for the next calls.
  db::TransactionOptions brief;
  brief.retry_unavailable_for = absl::Seconds(2);
  brief.deadline = deadline;
  std::vector<OutboxEvent> events;
  for (const Finished* f : batch) {
    AuditRecord& record = *f->record;
    if (std::optional<OutboxEvent> event = Complete(record, OutcomeOf(*f->status, record.denied_), *f->status)) {
      events.push_back(*std::move(event));
    }
  }
  if (!events.empty()) {
    RETURN_IF_ERROR(pool_->InTransaction(
        [&](db::Transaction& tx) {
          outbox_->AddAll(tx, kAuditTarget, events);
          return absl::OkStatus();
        },
        brief));
  }
  for (const Finished* f : batch) f->record->recorded_ = true;
  return std::vector<Written>(batch.size());
}

absl::Status AuditTrail::Finish(AuditRecord& record, const absl::Status& status) const {
  if (record.trail_ == nullptr) return absl::OkStatus();
  // A handler that failed may have rolled back the transaction that held its
  // record. The failure record reuses the event id: had the record committed
  // after all, the outbox (or the log) keeps that one and drops this.
  if (!status.ok() || !record.recorded_) {
    // No deadline of the call's own, which may have passed already: the
    // batch is bounded from its start (GroupCommit::kLongestBatch).
    RETURN_IF_ERROR(finished_.Submit(Finished{&record, &status}, absl::InfiniteFuture()).status());
  }
  if (relay_ != nullptr) relay_->Nudge();
  return absl::OkStatus();
}

}  // namespace hartslag
