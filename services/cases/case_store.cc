#include "services/cases/case_store.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "services/cases/case_rules.h"
#include "services/cases/retention.h"
#include "services/common/crypto.h"
#include "services/common/log.h"
#include "services/common/proto_time.h"
#include "services/common/reference.h"
#include "services/common/status_macros.h"

namespace hartslag::cases {
namespace {

constexpr char kSelectTenantArea[] = R"sql(
  SELECT t.reference_prefix, t.time_zone, a.name AS area_name
  FROM cases.tenants t JOIN cases.areas a ON a.tenant_id = t.tenant_id
  WHERE t.tenant_id = $1 AND a.area_id = $2
)sql";

constexpr char kNextReferenceNumber[] = R"sql(
  INSERT INTO cases.reference_counters (tenant_id, year, last_value) VALUES ($1, $2, 1)
  ON CONFLICT (tenant_id, year) DO UPDATE SET last_value = reference_counters.last_value + 1
  RETURNING last_value
)sql";

constexpr char kFindExisting[] = R"sql(
  SELECT request_fingerprint, content FROM cases.cases
  WHERE tenant_id = $1 AND opened_by = $2 AND request_id = $3
)sql";

constexpr char kInsertCase[] = R"sql(
  INSERT INTO cases.cases (case_id, tenant_id, reference, kind, status, area_id, confidentiality,
                           process_coordinator, case_manager, members, participating, updated_at,
                           opened_by, request_id, request_fingerprint, content, address_key, person_keys)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text[], $11::text[], $12, $13, $14, $15, $16::bytea,
          $17, $18::text[])
  ON CONFLICT (tenant_id, opened_by, request_id) DO NOTHING
  RETURNING case_id
)sql";

constexpr char kUpdateCase[] = R"sql(
  UPDATE cases.cases SET status = $3, confidentiality = $4, process_coordinator = $5,
    case_manager = $6, members = $7::text[], participating = $8::text[], updated_at = $9,
    content = $10::bytea, address_key = $11, person_keys = $12::text[],
    closed_at = CASE WHEN $3 = 'CLOSED' THEN coalesce(closed_at, $9) END
  WHERE tenant_id = $1 AND case_id = $2
)sql";

constexpr char kLockCase[] = R"sql(
  SELECT content FROM cases.cases WHERE tenant_id = $1 AND case_id = $2::uuid FOR UPDATE
)sql";

constexpr char kFindCase[] = R"sql(
  SELECT content FROM cases.cases
  WHERE tenant_id = $1 AND (case_id = $2::uuid OR reference = $3)
)sql";

constexpr char kInsertStatusChange[] = R"sql(
  INSERT INTO cases.status_changes (tenant_id, case_id, from_status, to_status, actor_user,
                                    actor_org, actor_kind, at, reason)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
)sql";

constexpr char kHistory[] = R"sql(
  SELECT * FROM (
    SELECT seq, from_status, to_status, actor_user, actor_org, actor_kind,
           (extract(epoch FROM at) * 1000000)::bigint AS at_us, reason, count(*) OVER () AS total
    FROM cases.status_changes WHERE tenant_id = $1 AND case_id = $2::uuid ORDER BY seq DESC LIMIT $3::int) newest
  ORDER BY seq
)sql";

// The need-to-know rule of MaySeeCase (case_rules.h), in SQL: 7 is GEHEIM,
// 3 is INTERN.
constexpr char kList[] = R"sql(
  SELECT content FROM cases.cases
  WHERE tenant_id = $1
    AND ($2 = process_coordinator OR $2 = case_manager OR $2 = ANY(members)
         OR (confidentiality < 7 AND $4::boolean AND $3 = ANY(participating))
         OR (confidentiality < 7 AND $5::boolean AND area_id = ANY($6::text[])
             AND (confidentiality <= 3 OR $3 = ANY(participating))))
    AND ($7::text IS NULL OR kind = $7)
    AND ($8::text IS NULL OR status = $8)
    AND ($9::text[] IS NULL OR area_id = ANY($9::text[]))
    AND ($10::timestamptz IS NULL OR (updated_at, case_id) < ($10, $11::uuid))
  ORDER BY updated_at DESC, case_id DESC LIMIT $12
)sql";

constexpr char kInsertNote[] = R"sql(
  INSERT INTO cases.notes (note_id, tenant_id, case_id, visibility, text, author_user, author_org,
                           author_kind, written_at)
  SELECT $1, $2, $3::uuid, $4, $5, $6, $7, $8, $9
  WHERE EXISTS (SELECT 1 FROM cases.cases WHERE tenant_id = $2 AND case_id = $3::uuid)
  RETURNING note_id
)sql";

constexpr char kNotes[] = R"sql(
  SELECT note_id::text AS note_id, visibility, text, author_user, author_org, author_kind,
         (extract(epoch FROM written_at) * 1000000)::bigint AS at_us
  FROM cases.notes
  WHERE tenant_id = $1 AND case_id = $2::uuid AND visibility = ANY($3::text[])
    AND ($4::timestamptz IS NULL OR (written_at, note_id) < ($4, $5::uuid))
  ORDER BY written_at DESC, note_id DESC LIMIT $6::int
)sql";

constexpr char kInsertBreakGlass[] = R"sql(
  INSERT INTO cases.break_glass (review_id, tenant_id, case_id, actor_user, actor_org, actor_kind,
                                 reason, at)
  VALUES ($1, $2, $3::uuid, $4, $5, $6, $7, $8)
)sql";

constexpr char kBreakGlass[] = R"sql(
  SELECT review_id::text AS review_id, case_id::text AS case_id, actor_user, actor_org, actor_kind,
         reason, (extract(epoch FROM at) * 1000000)::bigint AS at_us
  FROM cases.break_glass
  WHERE tenant_id = $1 AND ($2::timestamptz IS NULL OR (at, review_id) < ($2, $3::uuid))
  ORDER BY at DESC, review_id DESC LIMIT $4::int
)sql";

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

constexpr char kDecided[] = R"sql(
  SELECT signal_id::text AS signal_id FROM cases.triage_decisions
  WHERE tenant_id = $1 AND signal_id = ANY($2::uuid[])
)sql";

constexpr char kInsertDecision[] = R"sql(
  INSERT INTO cases.triage_decisions (decision_id, tenant_id, signal_id, content)
  VALUES ($1, $2, $3::uuid, $4::bytea)
  ON CONFLICT (tenant_id, signal_id) DO NOTHING RETURNING decision_id
)sql";

// Signals the queue showed before (also weighed ones) at some addresses;
// fetched_at is never before a signal was reported.
constexpr char kQueueSignalsAt[] = R"sql(
  SELECT content FROM (
    SELECT content, row_number() OVER (PARTITION BY address_key ORDER BY reported_at DESC) AS n
    FROM cases.queue_signals
    WHERE tenant_id = $1 AND address_key = ANY($2::text[]) AND reported_at >= $3) s
  WHERE n <= $4::int
)sql";

// At most $3 per address, most recently changed first.
constexpr char kCasesAtAddress[] = R"sql(
  SELECT content FROM (
    SELECT content, row_number() OVER (PARTITION BY address_key ORDER BY updated_at DESC) AS n
    FROM cases.cases
    WHERE tenant_id = $1 AND address_key = ANY($2::text[]) AND status <> 'CLOSED') c
  WHERE n <= $3::int
)sql";

// Per person key the $5 most recently changed, so that a common name does not
// crowd out the others; at most $6 in all.
constexpr char kOpenCasesAbout[] = R"sql(
  SELECT DISTINCT ON (c.case_id) c.content
  FROM unnest($4::text[]) AS k(key)
  CROSS JOIN LATERAL (
    SELECT case_id, content FROM cases.cases
    WHERE tenant_id = $1 AND kind = $2 AND area_id = ANY($3::text[]) AND status <> 'CLOSED'
      AND person_keys @> ARRAY[k.key]
    ORDER BY updated_at DESC LIMIT $5::int) c
  LIMIT $6::int
)sql";

constexpr char kCasesWithoutPersonKeys[] = R"sql(
  SELECT tenant_id, case_id::text AS case_id, content FROM cases.cases
  WHERE person_keys IS NULL AND case_id > $1::uuid ORDER BY case_id LIMIT 500
)sql";

// Only where still missing: a case changed meanwhile has its keys already.
constexpr char kSetPersonKeys[] = R"sql(
  UPDATE cases.cases SET person_keys = $3::text[]
  WHERE tenant_id = $1 AND case_id = $2::uuid AND person_keys IS NULL
)sql";

// Makes concurrent retries of one request wait for each other.
constexpr char kLockRequest[] = R"sql(
  SELECT pg_advisory_xact_lock(hashtextextended($1, 0))
)sql";

constexpr char kFindActionRequest[] = R"sql(
  SELECT request_fingerprint, content FROM cases.actions
  WHERE tenant_id = $1 AND created_by = $2 AND request_id = $3
)sql";

constexpr char kSetActionRequest[] = R"sql(
  UPDATE cases.actions SET created_by = $3, request_id = $4, request_fingerprint = $5
  WHERE tenant_id = $1 AND action_id = $2::uuid
)sql";

constexpr char kInsertAction[] = R"sql(
  INSERT INTO cases.actions (action_id, tenant_id, case_id, status, organisations, due_date, content, updated_at)
  VALUES ($1, $2, $3::uuid, $4, $5::text[], $6::date, $7::bytea, $8)
)sql";

constexpr char kNextActionSeq[] = R"sql(
  INSERT INTO cases.action_feed_heads AS h (tenant_id, last_seq) VALUES ($1, 1)
  ON CONFLICT (tenant_id) DO UPDATE SET last_seq = h.last_seq + 1
  RETURNING last_seq
)sql";

constexpr char kInsertActionChange[] = R"sql(
  INSERT INTO cases.action_changes (tenant_id, seq, action_id, organisations, change, content, changed_at)
  VALUES ($1, $2::bigint, $3::uuid, $4::text[], $5, $6::bytea, $7)
)sql";

constexpr char kActionFeedHead[] = R"sql(
  SELECT coalesce((SELECT last_seq FROM cases.action_feed_heads WHERE tenant_id = $1), 0) AS last_seq
)sql";

// Moves whenever any tenant's feed does: one row per tenant.
constexpr char kActionFeedVersion[] = R"sql(
  SELECT coalesce(sum(last_seq), 0)::bigint AS version FROM cases.action_feed_heads
)sql";

constexpr char kActionChanges[] = R"sql(
  SELECT f.seq, f.change, f.content AS action, c.content,
         floor(extract(epoch FROM f.changed_at) * 1000000)::bigint AS changed_us
  FROM cases.action_changes f
  JOIN cases.actions a ON a.action_id = f.action_id
  JOIN cases.cases c ON c.case_id = a.case_id
  WHERE f.tenant_id = $1 AND f.seq > $2::bigint AND f.seq <= $5::bigint AND $3 = ANY(f.organisations)
  ORDER BY f.seq LIMIT $4::int
)sql";

constexpr char kMeetingsBetween[] = R"sql(
  SELECT content FROM cases.meetings
  WHERE tenant_id = $1 AND starts_at >= $2 AND starts_at < $3 AND ($4::text IS NULL OR kind = $4)
    AND ($5::timestamptz IS NULL OR (starts_at, meeting_id) > ($5, $6::uuid))
  ORDER BY starts_at, meeting_id LIMIT $7::int
)sql";

// LIMIT NULL is no limit.
constexpr char kActions[] = R"sql(
  SELECT content FROM cases.actions
  WHERE tenant_id = $1 AND ($2::text IS NULL OR $2 = ANY(organisations))
    AND ($3::uuid[] IS NULL OR case_id = ANY($3::uuid[]))
    AND ($4::text[] IS NULL OR status = ANY($4::text[]))
    AND ($5::date IS NULL OR due_date < $5::date)
    AND ($6::date IS NULL OR (due_date, action_id) > ($6::date, $7::uuid))
  ORDER BY due_date, action_id LIMIT $8::int
)sql";

constexpr char kFindCases[] = R"sql(
  SELECT content FROM cases.cases WHERE tenant_id = $1 AND case_id = ANY($2::uuid[])
)sql";

constexpr char kLockAction[] = R"sql(
  SELECT a.content AS action, c.content FROM cases.actions a
  JOIN cases.cases c ON c.case_id = a.case_id
  WHERE a.tenant_id = $1 AND a.action_id = $2::uuid FOR UPDATE OF a
)sql";

constexpr char kUpdateAction[] = R"sql(
  UPDATE cases.actions SET status = $3, content = $4::bytea, updated_at = $5
  WHERE tenant_id = $1 AND action_id = $2::uuid
)sql";

constexpr char kInsertMeeting[] = R"sql(
  INSERT INTO cases.meetings (meeting_id, tenant_id, kind, area_id, starts_at, status, content)
  VALUES ($1, $2, $3, $4, $5, $6, $7::bytea)
)sql";

constexpr char kFindMeeting[] = R"sql(
  SELECT content FROM cases.meetings WHERE tenant_id = $1 AND meeting_id = $2::uuid
)sql";

constexpr char kLockMeeting[] = R"sql(
  SELECT content FROM cases.meetings WHERE tenant_id = $1 AND meeting_id = $2::uuid FOR UPDATE
)sql";

constexpr char kUpdateMeeting[] = R"sql(
  UPDATE cases.meetings SET status = $3, content = $4::bytea WHERE tenant_id = $1 AND meeting_id = $2::uuid
)sql";

constexpr char kOpenCasesIn[] = R"sql(
  SELECT content FROM cases.cases
  WHERE tenant_id = $1 AND kind = $2 AND area_id = ANY($3::text[]) AND status <> 'CLOSED'
  ORDER BY reference
)sql";

constexpr char kDueForRemoval[] = R"sql(
  SELECT tenant_id, case_id::text AS case_id FROM cases.cases
  WHERE status = 'CLOSED' AND personal_data_removed_at IS NULL AND kind = $1 AND closed_at < $2
  ORDER BY closed_at LIMIT $3::int
)sql";

constexpr char kLockClosedCase[] = R"sql(
  SELECT content FROM cases.cases
  WHERE tenant_id = $1 AND case_id = $2::uuid AND status = 'CLOSED' AND personal_data_removed_at IS NULL
  FOR UPDATE
)sql";

constexpr char kMarkRemoved[] = R"sql(
  UPDATE cases.cases SET content = $3::bytea, address_key = '', person_keys = '{}', personal_data_removed_at = $4
  WHERE tenant_id = $1 AND case_id = $2::uuid
)sql";

constexpr char kRemoveStepReasons[] = R"sql(
  UPDATE cases.status_changes SET reason = $3 WHERE tenant_id = $1 AND case_id = $2::uuid
)sql";

constexpr char kRemoveNotes[] = R"sql(
  DELETE FROM cases.notes WHERE tenant_id = $1 AND case_id = $2::uuid
)sql";

constexpr char kLockCaseActions[] = R"sql(
  SELECT action_id::text AS action_id, content FROM cases.actions
  WHERE tenant_id = $1 AND case_id = $2::uuid FOR UPDATE
)sql";

constexpr char kRewriteAction[] = R"sql(
  UPDATE cases.actions SET content = $3::bytea WHERE tenant_id = $1 AND action_id = $2::uuid
)sql";

constexpr char kActionSnapshots[] = R"sql(
  SELECT seq, content FROM cases.action_changes WHERE tenant_id = $1 AND action_id = $2::uuid FOR UPDATE
)sql";

constexpr char kRewriteSnapshot[] = R"sql(
  UPDATE cases.action_changes SET content = $3::bytea WHERE tenant_id = $1 AND seq = $2::bigint
)sql";

// Meetings whose stored agenda names the case id (a string field, so its
// text appears in the bytes); decoded and checked item by item after.
constexpr char kLockMeetingsNaming[] = R"sql(
  SELECT meeting_id::text AS meeting_id, content FROM cases.meetings
  WHERE tenant_id = $1 AND position(convert_to($2, 'UTF8') IN content) > 0 FOR UPDATE
)sql";

constexpr char kRewriteMeeting[] = R"sql(
  UPDATE cases.meetings SET content = $3::bytea WHERE tenant_id = $1 AND meeting_id = $2::uuid
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

db::TransactionOptions Bounded(absl::Time deadline) {
  db::TransactionOptions options;
  options.deadline = deadline;
  return options;
}

std::string Stored(const std::string& enum_name, absl::string_view prefix) {
  return enum_name.substr(prefix.size());
}

std::string StatusName(v1::CaseStatus s) { return Stored(v1::CaseStatus_Name(s), "CASE_STATUS_"); }

v1::CaseStatus StatusFrom(const std::string& stored) {
  v1::CaseStatus s = v1::CASE_STATUS_UNSPECIFIED;
  v1::CaseStatus_Parse("CASE_STATUS_" + stored, &s);
  return s;
}

std::vector<std::string> Strings(const google::protobuf::RepeatedPtrField<std::string>& values) {
  return {values.begin(), values.end()};
}

std::vector<std::string> PersonKeys(const v1::Case& c) {
  std::vector<std::string> keys;
  for (const v1::CasePerson& p : c.persons()) {
    if (std::string key = PersonKey(p.name()); !key.empty()) keys.push_back(std::move(key));
  }
  return keys;
}

common::v1::Actor ActorFrom(const db::Rows& rows, int i, const char* user, const char* org,
                            const char* kind) {
  common::v1::Actor actor;
  actor.set_user_id(rows.Text(i, user));
  actor.set_organisation_id(rows.Text(i, org));
  actor.set_organisation_kind(
      ParseOrganisationKind(rows.Text(i, kind)).value_or(common::v1::ORGANISATION_KIND_UNSPECIFIED));
  return actor;
}

absl::StatusOr<v1::Case> Decode(const db::Rows& rows, int i) {
  v1::Case c;
  if (!c.ParseFromString(rows.Bytes(i, "content"))) {
    return absl::DataLossError("a stored case does not parse");
  }
  return c;
}

absl::Status InsertStep(db::Transaction& tx, const RequestContext& caller, const std::string& case_id,
                        const StatusStep& step, absl::Time at) {
  return tx.Exec(kInsertStatusChange,
                 {caller.tenant, case_id, StatusName(step.from), StatusName(step.to), caller.user,
                  caller.organisation, std::string(OrganisationKindName(caller.organisation_kind)),
                  db::TimestampParam(at), step.reason});
}

}  // namespace

absl::Status CaseStore::CreateTenant(const std::string& tenant, const std::string& name,
                                     const std::vector<AreaRow>& areas) {
  return pool_->InTransaction([&](db::Transaction& tx) { return areas_.Store(tx, tenant, name, areas); });
}

absl::StatusOr<std::set<std::string>> CaseStore::AreasWithin(const std::string& tenant,
                                                             const std::vector<std::string>& roots,
                                                             absl::Time deadline) {
  return areas_.Within(*pool_, tenant, roots, deadline);
}

namespace {

// Stores `c` as a new case, completing it (id, reference, area name,
// status, times); ABORTED if a concurrent open with the same request id won.
absl::Status InsertCase(db::Transaction& tx, const RequestContext& caller, v1::Case& c,
                        const std::string& request_id, const std::string& fingerprint) {
  ASSIGN_OR_RETURN(db::Rows tenant, tx.Query(kSelectTenantArea, {caller.tenant, c.area().area_id()}));
  if (tenant.empty()) return absl::InvalidArgumentError("area_id: not a known area");
  absl::Time now = absl::Now();
  int year = ReferenceYear(now, tenant.Text(0, "time_zone"));
  ASSIGN_OR_RETURN(db::Rows number, tx.Query(kNextReferenceNumber, {caller.tenant, absl::StrCat(year)}));
  c.set_case_id(RandomUuid());
  c.set_reference(FormatReference(tenant.Text(0, "reference_prefix"), year, number.Int(0, "last_value")));
  c.mutable_area()->set_name(tenant.Text(0, "area_name"));
  c.set_status(v1::CASE_STATUS_REGISTERED);
  *c.mutable_opened_at() = TimeToProto(now);
  *c.mutable_updated_at() = TimeToProto(now);
  ASSIGN_OR_RETURN(
      db::Rows inserted,
      tx.Query(kInsertCase,
               {c.case_id(), caller.tenant, c.reference(), Stored(v1::CaseKind_Name(c.kind()), "CASE_KIND_"),
                StatusName(c.status()), c.area().area_id(), absl::StrCat(static_cast<int>(c.confidentiality())),
                c.process_coordinator(), c.case_manager(), db::TextArray(Strings(c.members())),
                db::TextArray(Strings(c.participating_organisations())), db::TimestampParam(now), caller.user,
                request_id, fingerprint, db::BytesParam(c.SerializeAsString()),
                c.has_address() ? AddressKey(c.address()) : std::string(), db::TextArray(PersonKeys(c))}));
  if (inserted.empty()) return absl::AbortedError("concurrent open with the same request id");
  return InsertStep(tx, caller, c.case_id(),
                    {v1::CASE_STATUS_UNSPECIFIED, v1::CASE_STATUS_REGISTERED, "geopend"}, now);
}

absl::StatusOr<v1::Case> ModifyIn(db::Transaction& tx, const RequestContext& caller,
                                  const std::string& case_id, const CaseStore::Change& change) {
  ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kLockCase, {caller.tenant, case_id}));
  if (rows.empty()) return absl::NotFoundError("case not found");
  ASSIGN_OR_RETURN(v1::Case c, Decode(rows, 0));
  ASSIGN_OR_RETURN(std::optional<StatusStep> step, change(c));
  absl::Time now = absl::Now();
  *c.mutable_updated_at() = TimeToProto(now);
  RETURN_IF_ERROR(tx.Exec(
      kUpdateCase,
      {caller.tenant, case_id, StatusName(c.status()), absl::StrCat(static_cast<int>(c.confidentiality())),
       c.process_coordinator(), c.case_manager(), db::TextArray(Strings(c.members())),
       db::TextArray(Strings(c.participating_organisations())), db::TimestampParam(now),
       db::BytesParam(c.SerializeAsString()), c.has_address() ? AddressKey(c.address()) : std::string(),
       db::TextArray(PersonKeys(c))}));
  if (step) RETURN_IF_ERROR(InsertStep(tx, caller, case_id, *step, now));
  return c;
}

}  // namespace

absl::StatusOr<v1::Case> CaseStore::Open(const RequestContext& caller, v1::Case c,
                                         const std::string& request_id,
                                         const std::string& fingerprint, AuditRecord& audit) {
  v1::Case stored;
  RETURN_IF_ERROR(InAuditedTransaction(
      *pool_, audit,
      [&](db::Transaction& tx) -> absl::Status {
        ASSIGN_OR_RETURN(db::Rows existing,
                         tx.Query(kFindExisting, {caller.tenant, caller.user, request_id}));
        if (!existing.empty()) {
          if (existing.Text(0, "request_fingerprint") != fingerprint) {
            return absl::AlreadyExistsError(
                "request_id: already used for a case with different content; use a new request id");
          }
          ASSIGN_OR_RETURN(stored, Decode(existing, 0));
        } else {
          stored = c;
          RETURN_IF_ERROR(InsertCase(tx, caller, stored, request_id, fingerprint));
        }
        audit.SetObjectId(stored.case_id());
        return absl::OkStatus();
      },
      Bounded(caller.deadline)));
  return stored;
}

absl::StatusOr<std::map<std::string, v1::Case>> CaseStore::FindCases(const std::string& tenant,
                                                                     const std::vector<std::string>& case_ids,
                                                                     absl::Time deadline) {
  std::map<std::string, v1::Case> cases;
  if (case_ids.empty()) return cases;
  ASSIGN_OR_RETURN(db::Rows rows, pool_->Query(kFindCases, {tenant, db::TextArray(case_ids)}, Bounded(deadline)));
  for (int i = 0; i < rows.size(); ++i) {
    ASSIGN_OR_RETURN(v1::Case c, Decode(rows, i));
    cases[c.case_id()] = std::move(c);
  }
  return cases;
}

absl::StatusOr<std::optional<v1::Case>> CaseStore::Find(const std::string& tenant,
                                                         const std::string& case_id,
                                                         const std::string& reference,
                                                         absl::Time deadline) {
  db::Param id = case_id.empty() ? db::Param() : db::Param(case_id);
  ASSIGN_OR_RETURN(db::Rows rows, pool_->Query(kFindCase, {tenant, id, reference}, Bounded(deadline)));
  if (rows.empty()) return std::nullopt;
  return Decode(rows, 0);
}

absl::StatusOr<v1::Case> CaseStore::Modify(const RequestContext& caller, const std::string& case_id,
                                           const Change& change, AuditRecord& audit) {
  v1::Case c;
  RETURN_IF_ERROR(InAuditedTransaction(
      *pool_, audit,
      [&](db::Transaction& tx) -> absl::Status {
        ASSIGN_OR_RETURN(c, ModifyIn(tx, caller, case_id, change));
        return absl::OkStatus();
      },
      Bounded(caller.deadline)));
  return c;
}

absl::Status CaseStore::SaveQueueSignals(const std::string& tenant,
                                         const std::vector<intake::v1::Signal>& signals) {
  return pool_->InTransaction([&](db::Transaction& tx) -> absl::Status {
    for (const intake::v1::Signal& signal : signals) {
      RETURN_IF_ERROR(tx.Exec(kSaveQueueSignal, {tenant, signal.signal_id(), signal.area().area_id(),
                                                 AddressKey(signal.location().address()),
                                                 db::BytesParam(signal.SerializeAsString()),
                                                 db::TimestampParam(absl::FromUnixMicros(
                                                     google::protobuf::util::TimeUtil::TimestampToMicroseconds(
                                                         signal.reported_at())))}));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::optional<intake::v1::Signal>> CaseStore::QueueSignal(const std::string& tenant,
                                                                        const std::string& signal_id,
                                                                        absl::Time deadline) {
  ASSIGN_OR_RETURN(db::Rows rows, pool_->Query(kQueueSignal, {tenant, signal_id}, Bounded(deadline)));
  if (rows.empty()) return std::nullopt;
  intake::v1::Signal signal;
  if (!signal.ParseFromString(rows.Bytes(0, "content"))) return absl::DataLossError("a queued signal does not parse");
  return signal;
}

absl::StatusOr<std::set<std::string>> CaseStore::Decided(const std::string& tenant,
                                                         const std::vector<std::string>& signal_ids,
                                                         absl::Time deadline) {
  std::set<std::string> decided;
  if (signal_ids.empty()) return decided;
  ASSIGN_OR_RETURN(db::Rows rows, pool_->Query(kDecided, {tenant, db::TextArray(signal_ids)}, Bounded(deadline)));
  for (int i = 0; i < rows.size(); ++i) decided.insert(rows.Text(i, "signal_id"));
  return decided;
}

absl::StatusOr<std::vector<intake::v1::Signal>> CaseStore::QueueSignalsAt(const std::string& tenant,
                                                                          const std::vector<std::string>& address_keys,
                                                                          absl::Time since, int per_address,
                                                                          absl::Time deadline) {
  std::vector<intake::v1::Signal> signals;
  if (address_keys.empty()) return signals;
  ASSIGN_OR_RETURN(db::Rows rows, pool_->Query(kQueueSignalsAt,
                                               {tenant, db::TextArray(address_keys), db::TimestampParam(since),
                                                absl::StrCat(per_address)},
                                               Bounded(deadline)));
  for (int i = 0; i < rows.size(); ++i) {
    intake::v1::Signal& s = signals.emplace_back();
    if (!s.ParseFromString(rows.Bytes(i, "content"))) return absl::DataLossError("a stored signal does not parse");
  }
  return signals;
}

absl::StatusOr<std::vector<v1::Case>> CaseStore::OpenCasesAt(const std::string& tenant,
                                                             const std::vector<std::string>& address_keys,
                                                             int per_address, absl::Time deadline) {
  std::vector<v1::Case> cases;
  if (address_keys.empty()) return cases;
  ASSIGN_OR_RETURN(db::Rows rows,
                   pool_->Query(kCasesAtAddress, {tenant, db::TextArray(address_keys), absl::StrCat(per_address)},
                                Bounded(deadline)));
  for (int i = 0; i < rows.size(); ++i) {
    ASSIGN_OR_RETURN(v1::Case c, Decode(rows, i));
    cases.push_back(std::move(c));
  }
  return cases;
}

absl::StatusOr<std::vector<v1::Case>> CaseStore::OpenCasesAbout(const std::string& tenant, v1::CaseKind kind,
                                                                const std::vector<std::string>& areas,
                                                                const std::vector<std::string>& person_keys,
                                                                int per_person, int limit, absl::Time deadline) {
  std::vector<v1::Case> cases;
  if (person_keys.empty()) return cases;
  ASSIGN_OR_RETURN(db::Rows rows,
                   pool_->Query(kOpenCasesAbout,
                                {tenant, Stored(v1::CaseKind_Name(kind), "CASE_KIND_"), db::TextArray(areas),
                                 db::TextArray(person_keys), absl::StrCat(per_person), absl::StrCat(limit)},
                                Bounded(deadline)));
  for (int i = 0; i < rows.size(); ++i) {
    ASSIGN_OR_RETURN(v1::Case c, Decode(rows, i));
    cases.push_back(std::move(c));
  }
  return cases;
}

absl::StatusOr<int> CaseStore::FillPersonKeys() {
  int filled = 0;
  std::string after = "00000000-0000-0000-0000-000000000000";
  for (;;) {
    ASSIGN_OR_RETURN(db::Rows rows,
                     pool_->Query(kCasesWithoutPersonKeys, {after}, Bounded(absl::Now() + absl::Seconds(30))));
    if (rows.empty()) return filled;
    for (int i = 0; i < rows.size(); ++i) {
      after = rows.Text(i, "case_id");
      absl::StatusOr<v1::Case> c = Decode(rows, i);
      // A case that does not decode has no persons to find; it must not
      // keep the service from starting.
      if (!c.ok()) Log(LogLevel::kWarning, "a stored case does not decode", {{"case_id", after}});
      RETURN_IF_ERROR(pool_->Query(kSetPersonKeys,
                                   {rows.Text(i, "tenant_id"), after,
                                    db::TextArray(c.ok() ? PersonKeys(*c) : std::vector<std::string>())},
                                   Bounded(absl::Now() + absl::Seconds(30)))
                          .status());
    }
    filled += rows.size();
  }
}

absl::StatusOr<v1::TriageDecision> CaseStore::Triage(const RequestContext& caller,
                                                     v1::TriageDecision decision, const TriageCase& into,
                                                     const OutboxEvent& outcome, AuditRecord& audit) {
  RETURN_IF_ERROR(InAuditedTransaction(
      *pool_, audit,
      [&](db::Transaction& tx) -> absl::Status {
        if (into.new_case) {
          v1::Case c = *into.new_case;
          RETURN_IF_ERROR(InsertCase(tx, caller, c, decision.decision_id(), decision.decision_id()));
          decision.set_case_id(c.case_id());
        } else if (!into.link_case_id.empty()) {
          ASSIGN_OR_RETURN(v1::Case linked, ModifyIn(tx, caller, into.link_case_id, into.link));
          decision.set_case_id(linked.case_id());
        }
        ASSIGN_OR_RETURN(db::Rows inserted,
                         tx.Query(kInsertDecision, {decision.decision_id(), caller.tenant, decision.signal_id(),
                                                    db::BytesParam(decision.SerializeAsString())}));
        if (inserted.empty()) {
          return absl::FailedPreconditionError("signal_id: the signal has been weighed already");
        }
        return outbox_->Add(tx, kIntakeTarget, outcome);
      },
      Bounded(caller.deadline)));
  return decision;
}

absl::StatusOr<std::vector<v1::Case>> CaseStore::List(const CaseQuery& q, absl::Time deadline) {
  db::Params params = {
      q.tenant,
      q.user,
      q.organisation,
      q.partner ? "true" : "false",
      q.coordinator ? "true" : "false",
      db::TextArray(q.coordinator_scope),
      q.kind ? db::Param(Stored(v1::CaseKind_Name(*q.kind), "CASE_KIND_")) : std::nullopt,
      q.status ? db::Param(StatusName(*q.status)) : std::nullopt,
      q.areas ? db::Param(db::TextArray(*q.areas)) : std::nullopt,
      q.after ? db::Param(db::TimestampParam(q.after->first)) : std::nullopt,
      q.after ? db::Param(q.after->second) : std::nullopt,
      absl::StrCat(q.limit)};
  ASSIGN_OR_RETURN(db::Rows rows, pool_->Query(kList, params, Bounded(deadline)));
  std::vector<v1::Case> cases;
  for (int i = 0; i < rows.size(); ++i) {
    ASSIGN_OR_RETURN(v1::Case c, Decode(rows, i));
    cases.push_back(std::move(c));
  }
  return cases;
}

absl::StatusOr<std::pair<std::vector<v1::StatusChange>, int>> CaseStore::History(const std::string& tenant,
                                                                                 const std::string& case_id,
                                                                                 int limit, absl::Time deadline) {
  ASSIGN_OR_RETURN(db::Rows rows,
                   pool_->Query(kHistory, {tenant, case_id, absl::StrCat(limit)}, Bounded(deadline)));
  std::vector<v1::StatusChange> history;
  for (int i = 0; i < rows.size(); ++i) {
    v1::StatusChange& change = history.emplace_back();
    change.set_from(StatusFrom(rows.Text(i, "from_status")));
    change.set_to(StatusFrom(rows.Text(i, "to_status")));
    *change.mutable_actor() = ActorFrom(rows, i, "actor_user", "actor_org", "actor_kind");
    *change.mutable_at() = TimeToProto(absl::FromUnixMicros(rows.Int(i, "at_us")));
    change.set_reason(rows.Text(i, "reason"));
  }
  return std::make_pair(std::move(history), rows.empty() ? 0 : static_cast<int>(rows.Int(0, "total")));
}

absl::StatusOr<v1::Note> CaseStore::AddNote(const RequestContext& caller, const std::string& case_id,
                                            v1::NoteVisibility visibility, const std::string& text,
                                            AuditRecord& audit) {
  v1::Note note;
  note.set_note_id(RandomUuid());
  note.set_visibility(visibility);
  note.set_text(text);
  note.mutable_author()->set_user_id(caller.user);
  note.mutable_author()->set_organisation_id(caller.organisation);
  note.mutable_author()->set_organisation_kind(caller.organisation_kind);
  absl::Time now = absl::Now();
  *note.mutable_written_at() = TimeToProto(now);
  RETURN_IF_ERROR(InAuditedTransaction(
      *pool_, audit,
      [&](db::Transaction& tx) -> absl::Status {
        ASSIGN_OR_RETURN(
            db::Rows inserted,
            tx.Query(kInsertNote,
                     {note.note_id(), caller.tenant, case_id,
                      Stored(v1::NoteVisibility_Name(visibility), "NOTE_VISIBILITY_"), text,
                      caller.user, caller.organisation,
                      std::string(OrganisationKindName(caller.organisation_kind)),
                      db::TimestampParam(now)}));
        if (inserted.empty()) return absl::NotFoundError("case not found");
        return absl::OkStatus();
      },
      Bounded(caller.deadline)));
  return note;
}

absl::StatusOr<std::vector<v1::Note>> CaseStore::Notes(const std::string& tenant, const std::string& case_id,
                                                       const std::vector<v1::NoteVisibility>& visibilities,
                                                       const std::optional<std::pair<absl::Time, std::string>>& after,
                                                       int limit, absl::Time deadline) {
  std::vector<std::string> stored;
  for (v1::NoteVisibility v : visibilities) stored.push_back(Stored(v1::NoteVisibility_Name(v), "NOTE_VISIBILITY_"));
  ASSIGN_OR_RETURN(db::Rows rows,
                   pool_->Query(kNotes,
                                {tenant, case_id, db::TextArray(stored),
                                 after ? db::Param(db::TimestampParam(after->first)) : std::nullopt,
                                 after ? db::Param(after->second) : std::nullopt, absl::StrCat(limit)},
                                Bounded(deadline)));
  std::vector<v1::Note> notes;
  for (int i = 0; i < rows.size(); ++i) {
    v1::Note& note = notes.emplace_back();
    note.set_note_id(rows.Text(i, "note_id"));
    v1::NoteVisibility visibility = v1::NOTE_VISIBILITY_UNSPECIFIED;
    v1::NoteVisibility_Parse("NOTE_VISIBILITY_" + rows.Text(i, "visibility"), &visibility);
    note.set_visibility(visibility);
    note.set_text(rows.Text(i, "text"));
    *note.mutable_author() = ActorFrom(rows, i, "author_user", "author_org", "author_kind");
    *note.mutable_written_at() = TimeToProto(absl::FromUnixMicros(rows.Int(i, "at_us")));
  }
  return notes;
}

namespace {

absl::StatusOr<v1::Action> DecodeAction(const db::Rows& rows, int i, const char* column) {
  v1::Action a;
  if (!a.ParseFromString(rows.Bytes(i, column))) return absl::DataLossError("a stored action does not parse");
  return a;
}

std::string ActionStatusName(v1::ActionStatus s) { return Stored(v1::ActionStatus_Name(s), "ACTION_STATUS_"); }

// The next change of `action` in its tenant's feed (0006_action_feed.sql).
absl::Status AppendActionChange(db::Transaction& tx, const std::string& tenant, const v1::Action& action,
                                v1::ActionEvent::Change change) {
  ASSIGN_OR_RETURN(db::Rows head, tx.Query(kNextActionSeq, {tenant}));
  return tx.Exec(kInsertActionChange,
                 {tenant, absl::StrCat(head.Int(0, "last_seq")), action.action_id(),
                  db::TextArray(Strings(action.organisation_ids())),
                  Stored(v1::ActionEvent::Change_Name(change), "CHANGE_"), db::BytesParam(action.SerializeAsString()),
                  db::TimestampParam(absl::Now())});
}

// Stores a new action on case `c` (its case reference and times set here).
absl::Status InsertAction(db::Transaction& tx, const std::string& tenant, const v1::Case& c, v1::Action& action) {
  action.set_case_reference(c.reference());
  absl::Time now = absl::Now();
  *action.mutable_created_at() = TimeToProto(now);
  *action.mutable_updated_at() = TimeToProto(now);
  RETURN_IF_ERROR(tx.Exec(kInsertAction, {action.action_id(), tenant, action.case_id(),
                                          ActionStatusName(action.status()),
                                          db::TextArray(Strings(action.organisation_ids())), action.due_date(),
                                          db::BytesParam(action.SerializeAsString()), db::TimestampParam(now)}));
  return AppendActionChange(tx, tenant, action, v1::ActionEvent::CHANGE_CREATED);
}

}  // namespace

absl::StatusOr<v1::Action> CaseStore::CreateAction(const RequestContext& caller, v1::Action action,
                                                   const std::string& request_id, const std::string& fingerprint,
                                                   const Change& on_case, AuditRecord& audit) {
  v1::Action stored;
  RETURN_IF_ERROR(InAuditedTransaction(
      *pool_, audit,
      [&](db::Transaction& tx) -> absl::Status {
        RETURN_IF_ERROR(tx.Query(kLockRequest, {absl::StrCat(caller.tenant, "/", caller.user, "/", request_id)})
                            .status());
        ASSIGN_OR_RETURN(db::Rows existing, tx.Query(kFindActionRequest, {caller.tenant, caller.user, request_id}));
        if (!existing.empty()) {
          if (existing.Text(0, "request_fingerprint") != fingerprint) {
            return absl::AlreadyExistsError(
                "request_id: already used for an action with different content; use a new request id");
          }
          ASSIGN_OR_RETURN(stored, DecodeAction(existing, 0, "content"));
          return absl::OkStatus();
        }
        stored = action;
        ASSIGN_OR_RETURN(v1::Case c, ModifyIn(tx, caller, stored.case_id(), on_case));
        RETURN_IF_ERROR(InsertAction(tx, caller.tenant, c, stored));
        return tx.Exec(kSetActionRequest, {caller.tenant, stored.action_id(), caller.user, request_id, fingerprint});
      },
      Bounded(caller.deadline)));
  return stored;
}

absl::StatusOr<std::vector<v1::Action>> CaseStore::Actions(const ActionQuery& query, absl::Time deadline) {
  std::optional<std::vector<std::string>> statuses;
  if (query.statuses) {
    statuses.emplace();
    for (v1::ActionStatus status : *query.statuses) statuses->push_back(ActionStatusName(status));
  }
  auto param = [](const auto& value, auto to_text) { return value ? db::Param(to_text(*value)) : std::nullopt; };
  auto text = [](const std::string& value) { return value; };
  ASSIGN_OR_RETURN(
      db::Rows rows,
      pool_->Query(kActions,
                   {query.tenant, param(query.organisation, text), param(query.case_ids, db::TextArray),
                    param(statuses, db::TextArray),
                    param(query.due_before, [](absl::CivilDay day) { return absl::FormatCivilTime(day); }),
                    param(query.after, [](const auto& after) { return after.first; }),
                    param(query.after, [](const auto& after) { return after.second; }),
                    param(query.limit, [](int limit) { return absl::StrCat(limit); })},
                   Bounded(deadline)));
  std::vector<v1::Action> actions;
  for (int i = 0; i < rows.size(); ++i) {
    ASSIGN_OR_RETURN(v1::Action a, DecodeAction(rows, i, "content"));
    actions.push_back(std::move(a));
  }
  return actions;
}

absl::StatusOr<v1::Action> CaseStore::ModifyAction(const RequestContext& caller, const std::string& action_id,
                                                   const ActionChange& change, AuditRecord& audit) {
  v1::Action action;
  RETURN_IF_ERROR(InAuditedTransaction(
      *pool_, audit,
      [&](db::Transaction& tx) -> absl::Status {
        ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kLockAction, {caller.tenant, action_id}));
        if (rows.empty()) return absl::NotFoundError("action not found");
        ASSIGN_OR_RETURN(action, DecodeAction(rows, 0, "action"));
        ASSIGN_OR_RETURN(v1::Case c, Decode(rows, 0));
        RETURN_IF_ERROR(change(action, c));
        absl::Time now = absl::Now();
        *action.mutable_updated_at() = TimeToProto(now);
        RETURN_IF_ERROR(tx.Exec(kUpdateAction, {caller.tenant, action_id, ActionStatusName(action.status()),
                                                db::BytesParam(action.SerializeAsString()),
                                                db::TimestampParam(now)}));
        return AppendActionChange(tx, caller.tenant, action, v1::ActionEvent::CHANGE_UPDATED);
      },
      Bounded(caller.deadline)));
  return action;
}

absl::StatusOr<int64_t> CaseStore::ActionFeedVersion() {
  // The probe runs every poll: it must never hold a connection for long.
  ASSIGN_OR_RETURN(db::Rows rows, pool_->Query(kActionFeedVersion, {}, Bounded(absl::Now() + absl::Seconds(5))));
  return rows.Int(0, "version");
}

absl::StatusOr<int64_t> CaseStore::ActionFeedHead(const std::string& tenant, absl::Time deadline) {
  ASSIGN_OR_RETURN(db::Rows rows, pool_->Query(kActionFeedHead, {tenant}, Bounded(deadline)));
  return rows.Int(0, "last_seq");
}

absl::StatusOr<std::vector<v1::ActionEvent>> CaseStore::ActionChanges(const std::string& tenant,
                                                                      const std::string& organisation,
                                                                      int64_t after, int limit,
                                                                      const RecordDelivery& record,
                                                                      int64_t* scanned_through, absl::Time deadline) {
  std::vector<v1::ActionEvent> events;
  std::vector<v1::Case> cases;  // of each event
  int64_t through = after;
  RETURN_IF_ERROR(pool_->InTransaction(
      [&](db::Transaction& tx) -> absl::Status {
        events.clear();
        cases.clear();
        // Every change up to the head has committed (writers take numbers
        // in commit order), so a page that is not full has seen them all.
        ASSIGN_OR_RETURN(db::Rows head, tx.Query(kActionFeedHead, {tenant}));
        int64_t last = head.Int(0, "last_seq");
        ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kActionChanges, {tenant, absl::StrCat(after), organisation,
                                                                  absl::StrCat(limit), absl::StrCat(last)}));
        through = rows.size() < limit ? std::max(last, after) : rows.Int(rows.size() - 1, "seq");
        for (int i = 0; i < rows.size(); ++i) {
          v1::ActionEvent& e = events.emplace_back();
          e.set_cursor(absl::StrCat(rows.Int(i, "seq")));
          v1::ActionEvent::Change change = v1::ActionEvent::CHANGE_UNSPECIFIED;
          v1::ActionEvent::Change_Parse("CHANGE_" + rows.Text(i, "change"), &change);
          e.set_change(change);
          ASSIGN_OR_RETURN(*e.mutable_action(), DecodeAction(rows, i, "action"));
          *e.mutable_changed_at() = TimeToProto(absl::FromUnixMicros(rows.Int(i, "changed_us")));
          ASSIGN_OR_RETURN(cases.emplace_back(), Decode(rows, i));
        }
        return events.empty() ? absl::OkStatus() : record(tx, events, cases);
      },
      Bounded(deadline)));
  // Only once the deliveries are recorded (committed) does the position move.
  *scanned_through = through;
  return events;
}

namespace {

std::string MeetingStatusName(v1::MeetingStatus s) { return Stored(v1::MeetingStatus_Name(s), "MEETING_STATUS_"); }

absl::StatusOr<v1::Meeting> DecodeMeeting(const db::Rows& rows) {
  v1::Meeting m;
  if (!m.ParseFromString(rows.Bytes(0, "content"))) return absl::DataLossError("a stored meeting does not parse");
  return m;
}

}  // namespace

absl::Status CaseStore::InsertMeetings(const RequestContext& caller, std::vector<v1::Meeting>& meetings,
                                       AuditRecord& audit) {
  return InAuditedTransaction(
      *pool_, audit,
      [&](db::Transaction& tx) -> absl::Status {
        for (v1::Meeting& m : meetings) {
          ASSIGN_OR_RETURN(db::Rows area, tx.Query(kSelectTenantArea, {caller.tenant, m.area().area_id()}));
          if (area.empty()) return absl::InvalidArgumentError("area_id: not a known area");
          m.mutable_area()->set_name(area.Text(0, "area_name"));
          RETURN_IF_ERROR(tx.Exec(
              kInsertMeeting,
              {m.meeting_id(), caller.tenant, Stored(v1::CaseKind_Name(m.kind()), "CASE_KIND_"), m.area().area_id(),
               db::TimestampParam(absl::FromUnixSeconds(m.starts_at().seconds())), MeetingStatusName(m.status()),
               db::BytesParam(m.SerializeAsString())}));
        }
        return absl::OkStatus();
      },
      Bounded(caller.deadline));
}

absl::StatusOr<std::optional<v1::Meeting>> CaseStore::FindMeeting(const std::string& tenant,
                                                                  const std::string& meeting_id,
                                                                  absl::Time deadline) {
  ASSIGN_OR_RETURN(db::Rows rows, pool_->Query(kFindMeeting, {tenant, meeting_id}, Bounded(deadline)));
  if (rows.empty()) return std::nullopt;
  return DecodeMeeting(rows);
}

absl::StatusOr<v1::Meeting> CaseStore::ModifyMeeting(const RequestContext& caller, const std::string& meeting_id,
                                                     const MeetingChange& change, const std::string& case_id,
                                                     const Change& on_case, std::vector<v1::Action> new_actions,
                                                     AuditRecord& audit) {
  v1::Meeting meeting;
  RETURN_IF_ERROR(InAuditedTransaction(
      *pool_, audit,
      [&](db::Transaction& tx) -> absl::Status {
        ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kLockMeeting, {caller.tenant, meeting_id}));
        if (rows.empty()) return absl::NotFoundError("meeting not found");
        ASSIGN_OR_RETURN(meeting, DecodeMeeting(rows));
        RETURN_IF_ERROR(change(meeting));
        if (!case_id.empty()) {
          ASSIGN_OR_RETURN(v1::Case c, ModifyIn(tx, caller, case_id, on_case));
          for (v1::Action& action : new_actions) RETURN_IF_ERROR(InsertAction(tx, caller.tenant, c, action));
        }
        return tx.Exec(kUpdateMeeting, {caller.tenant, meeting_id, MeetingStatusName(meeting.status()),
                                        db::BytesParam(meeting.SerializeAsString())});
      },
      Bounded(caller.deadline)));
  return meeting;
}

absl::StatusOr<std::vector<v1::Meeting>> CaseStore::MeetingsBetween(
    const std::string& tenant, absl::Time from, absl::Time to, std::optional<v1::CaseKind> kind,
    const std::optional<std::pair<absl::Time, std::string>>& after, int limit, absl::Time deadline) {
  ASSIGN_OR_RETURN(db::Rows rows,
                   pool_->Query(kMeetingsBetween,
                                {tenant, db::TimestampParam(from), db::TimestampParam(to),
                                 kind ? db::Param(Stored(v1::CaseKind_Name(*kind), "CASE_KIND_")) : std::nullopt,
                                 after ? db::Param(db::TimestampParam(after->first)) : std::nullopt,
                                 after ? db::Param(after->second) : std::nullopt, absl::StrCat(limit)},
                                Bounded(deadline)));
  std::vector<v1::Meeting> meetings;
  for (int i = 0; i < rows.size(); ++i) {
    v1::Meeting& m = meetings.emplace_back();
    if (!m.ParseFromString(rows.Bytes(i, "content"))) return absl::DataLossError("a stored meeting does not parse");
  }
  return meetings;
}

absl::StatusOr<std::vector<v1::Case>> CaseStore::OpenCasesIn(const std::string& tenant, v1::CaseKind kind,
                                                             const std::vector<std::string>& areas,
                                                             absl::Time deadline) {
  ASSIGN_OR_RETURN(db::Rows rows,
                   pool_->Query(kOpenCasesIn,
                                {tenant, Stored(v1::CaseKind_Name(kind), "CASE_KIND_"), db::TextArray(areas)},
                                Bounded(deadline)));
  std::vector<v1::Case> cases;
  for (int i = 0; i < rows.size(); ++i) {
    ASSIGN_OR_RETURN(v1::Case c, Decode(rows, i));
    cases.push_back(std::move(c));
  }
  return cases;
}

absl::Status CaseStore::RecordBreakGlass(const RequestContext& caller, const std::string& case_id,
                                         const std::string& reason, AuditRecord& audit) {
  return InAuditedTransaction(
      *pool_, audit,
      [&](db::Transaction& tx) {
        return tx.Exec(kInsertBreakGlass,
                       {RandomUuid(), caller.tenant, case_id, caller.user, caller.organisation,
                        std::string(OrganisationKindName(caller.organisation_kind)), reason,
                        db::TimestampParam(absl::Now())});
      },
      Bounded(caller.deadline));
}

absl::StatusOr<std::vector<v1::BreakGlassReview>> CaseStore::BreakGlassReviews(
    const std::string& tenant, const std::optional<std::pair<absl::Time, std::string>>& after, int limit,
    absl::Time deadline) {
  ASSIGN_OR_RETURN(db::Rows rows,
                   pool_->Query(kBreakGlass,
                                {tenant, after ? db::Param(db::TimestampParam(after->first)) : std::nullopt,
                                 after ? db::Param(after->second) : std::nullopt, absl::StrCat(limit)},
                                Bounded(deadline)));
  std::vector<v1::BreakGlassReview> reviews;
  for (int i = 0; i < rows.size(); ++i) {
    v1::BreakGlassReview& r = reviews.emplace_back();
    r.set_review_id(rows.Text(i, "review_id"));
    r.set_case_id(rows.Text(i, "case_id"));
    *r.mutable_actor() = ActorFrom(rows, i, "actor_user", "actor_org", "actor_kind");
    r.set_reason(rows.Text(i, "reason"));
    *r.mutable_at() = TimeToProto(absl::FromUnixMicros(rows.Int(i, "at_us")));
  }
  return reviews;
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> CaseStore::DueForRemoval(v1::CaseKind kind,
                                                                                        absl::Time closed_before,
                                                                                        int limit) {
  ASSIGN_OR_RETURN(db::Rows rows, pool_->Query(kDueForRemoval, {Stored(v1::CaseKind_Name(kind), "CASE_KIND_"),
                                                                db::TimestampParam(closed_before), absl::StrCat(limit)}));
  std::vector<std::pair<std::string, std::string>> due;
  for (int i = 0; i < rows.size(); ++i) due.emplace_back(rows.Text(i, "tenant_id"), rows.Text(i, "case_id"));
  return due;
}

namespace {

// Decodes `column` of row `i` as a T, lets `edit` change it and returns the
// new bytes.
template <typename T, typename Edit>
absl::StatusOr<std::string> Rewritten(const db::Rows& rows, int i, const char* column, Edit edit) {
  T value;
  if (!value.ParseFromString(rows.Bytes(i, column))) return absl::DataLossError("a stored object does not parse");
  edit(value);
  return value.SerializeAsString();
}

}  // namespace

absl::StatusOr<bool> CaseStore::RemovePersonalData(const std::string& tenant, const std::string& case_id,
                                                   const std::function<void(const v1::Case&)>& before,
                                                   AuditRecord& audit) {
  bool removed = false;
  RETURN_IF_ERROR(InAuditedTransaction(*pool_, audit, [&](db::Transaction& tx) -> absl::Status {
    removed = false;
    ASSIGN_OR_RETURN(db::Rows locked, tx.Query(kLockClosedCase, {tenant, case_id}));
    if (locked.empty()) return absl::OkStatus();  // reopened, or cleared already
    ASSIGN_OR_RETURN(v1::Case c, Decode(locked, 0));
    before(c);
    std::vector<std::string> signals(c.signal_ids().begin(), c.signal_ids().end());
    absl::Time now = absl::Now();
    cases::RemovePersonalData(c);
    *c.mutable_personal_data_removed_at() = TimeToProto(now);
    RETURN_IF_ERROR(tx.Exec(kMarkRemoved, {tenant, case_id, db::BytesParam(c.SerializeAsString()),
                                           db::TimestampParam(now)}));
    RETURN_IF_ERROR(tx.Exec(kRemoveStepReasons, {tenant, case_id, kRemoved}));
    RETURN_IF_ERROR(tx.Exec(kRemoveNotes, {tenant, case_id}));
    auto scrub_action = [](v1::Action& a) { cases::RemovePersonalData(a); };
    ASSIGN_OR_RETURN(db::Rows actions, tx.Query(kLockCaseActions, {tenant, case_id}));
    for (int i = 0; i < actions.size(); ++i) {
      std::string action_id = actions.Text(i, "action_id");
      ASSIGN_OR_RETURN(std::string bytes, Rewritten<v1::Action>(actions, i, "content", scrub_action));
      RETURN_IF_ERROR(tx.Exec(kRewriteAction, {tenant, action_id, db::BytesParam(bytes)}));
      ASSIGN_OR_RETURN(db::Rows snapshots, tx.Query(kActionSnapshots, {tenant, action_id}));
      for (int j = 0; j < snapshots.size(); ++j) {
        ASSIGN_OR_RETURN(std::string snapshot, Rewritten<v1::Action>(snapshots, j, "content", scrub_action));
        RETURN_IF_ERROR(tx.Exec(kRewriteSnapshot, {tenant, absl::StrCat(snapshots.Int(j, "seq")),
                                                   db::BytesParam(snapshot)}));
      }
    }
    ASSIGN_OR_RETURN(db::Rows meetings, tx.Query(kLockMeetingsNaming, {tenant, case_id}));
    for (int i = 0; i < meetings.size(); ++i) {
      ASSIGN_OR_RETURN(std::string bytes, Rewritten<v1::Meeting>(meetings, i, "content", [&](v1::Meeting& m) {
        for (v1::AgendaItem& item : *m.mutable_items()) {
          if (item.case_id() != case_id) continue;
          cases::RemovePersonalData(item);
          for (v1::MinutesCorrection& correction : *m.mutable_corrections()) {
            if (correction.item_id() == item.item_id()) correction.set_text(kRemoved);
          }
        }
      }));
      RETURN_IF_ERROR(tx.Exec(kRewriteMeeting, {tenant, meetings.Text(i, "meeting_id"), db::BytesParam(bytes)}));
    }
    ASSIGN_OR_RETURN(db::Rows decisions, tx.Query(kLockDecisions, {tenant, db::TextArray(signals)}));
    for (int i = 0; i < decisions.size(); ++i) {
      ASSIGN_OR_RETURN(std::string bytes,
                       Rewritten<v1::TriageDecision>(decisions, i, "content",
                                                     [](v1::TriageDecision& d) { cases::RemovePersonalData(d); }));
      RETURN_IF_ERROR(tx.Exec(kRewriteDecision, {decisions.Text(i, "decision_id"), db::BytesParam(bytes)}));
    }
    RETURN_IF_ERROR(tx.Exec(kRemoveQueueSignals, {tenant, db::TextArray(signals)}));
    removed = true;
    return absl::OkStatus();
  }));
  return removed;
}

}  // namespace hartslag::cases
