#include "services/cases/case_store.h"

#include "absl/strings/str_cat.h"
#include "services/cases/case_rules.h"
#include "services/cases/store_rows.h"
#include "services/common/crypto.h"
#include "services/common/log.h"
#include "services/common/proto_time.h"
#include "services/common/reference.h"
#include "services/common/status_macros.h"

namespace hartslag::cases {
namespace {

using namespace rows;  // NOLINT: the store's own row helpers

constexpr char kSelectArea[] = R"sql(
  SELECT name FROM cases.areas WHERE tenant_id = $1 AND area_id = $2
)sql";

constexpr char kStoreTenantSettings[] = R"sql(
  UPDATE cases.tenants SET time_zone = $2, reference_prefix = $3, cut_off_weekday = $4::int, cut_off_time = $5,
    leefbaarheid_retention_days = $6::int, casuistiek_retention_days = $7::int
  WHERE tenant_id = $1
)sql";

// NULL where the directory has not handed a setting over yet.
constexpr char kSelectSettings[] = R"sql(
  SELECT tenant_id, time_zone, reference_prefix, cut_off_weekday, cut_off_time, leefbaarheid_retention_days,
         casuistiek_retention_days
  FROM cases.tenants WHERE $1::text IS NULL OR tenant_id = $1
  ORDER BY tenant_id
)sql";

constexpr char kNextReferenceNumber[] = R"sql(
  INSERT INTO cases.reference_counters (tenant_id, year, last_value) VALUES ($1, $2, 1)
  ON CONFLICT (tenant_id, year) DO UPDATE SET last_value = reference_counters.last_value + 1
  RETURNING last_value
)sql";

constexpr char kInsertCase[] = R"sql(
  INSERT INTO cases.cases (case_id, tenant_id, reference, kind, status, area_id, confidentiality,
                           process_coordinator, case_manager, members, participating, updated_at,
                           opened_by, content, address_key, person_keys, risk_tier, next_review_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text[], $11::text[], $12, $13, $14::bytea, $15, $16::text[],
          $17, $18::timestamptz)
)sql";

constexpr char kUpdateCase[] = R"sql(
  UPDATE cases.cases SET status = $3, confidentiality = $4, process_coordinator = $5,
    case_manager = $6, members = $7::text[], participating = $8::text[], updated_at = $9,
    content = $10::bytea, address_key = $11, person_keys = $12::text[],
    risk_tier = $13, next_review_at = $14::timestamptz,
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

constexpr char kFindCases[] = R"sql(
  SELECT content FROM cases.cases WHERE tenant_id = $1 AND case_id = ANY($2::uuid[])
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

// MaySeeCase (case_access.h) in SQL, its thresholds given as $12 (from there
// up only the people with a role) and $13 (through there every coordinator
// of the area).
constexpr char kList[] = R"sql(
  SELECT content FROM cases.cases
  WHERE tenant_id = $1
    AND ($2 = process_coordinator OR $2 = case_manager OR $2 = ANY(members)
         OR (confidentiality < $12::int AND $4::boolean AND $3 = ANY(participating))
         OR (confidentiality < $12::int AND $5::boolean AND area_id = ANY($6::text[])
             AND (confidentiality <= $13::int OR $3 = ANY(participating))))
    AND ($7::text IS NULL OR kind = $7)
    AND ($8::text IS NULL OR status = $8)
    AND ($9::text[] IS NULL OR area_id = ANY($9::text[]))
    AND ($10::timestamptz IS NULL OR (updated_at, case_id) < ($10, $11::uuid))
    AND ($15::text IS NULL OR risk_tier = $15)
    AND ($16::timestamptz IS NULL OR (next_review_at <= $16 AND status <> 'CLOSED'))
    AND ($17::date IS NULL OR EXISTS (
          SELECT 1 FROM cases.actions a
          WHERE a.case_id = cases.case_id AND a.status IN ('OPEN', 'IN_PROGRESS') AND a.due_date < $17::date))
  ORDER BY updated_at DESC, case_id DESC LIMIT $14
)sql";

// Which of the cases $2 have an open action due before $3.
constexpr char kWithOverdueActions[] = R"sql(
  SELECT DISTINCT case_id::text AS case_id FROM cases.actions
  WHERE tenant_id = $1 AND case_id = ANY($2::uuid[]) AND status IN ('OPEN', 'IN_PROGRESS') AND due_date < $3::date
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

constexpr char kOpenCasesIn[] = R"sql(
  SELECT content FROM cases.cases
  WHERE tenant_id = $1 AND kind = $2 AND area_id = ANY($3::text[]) AND status <> 'CLOSED'
  ORDER BY reference
)sql";

constexpr char kCasesWithoutPersonKeys[] = R"sql(
  SELECT tenant_id, case_id::text AS case_id, content FROM cases.cases
  WHERE (person_keys IS NULL OR risk_tier IS NULL) AND case_id > $1::uuid ORDER BY case_id LIMIT 500
)sql";

// Only what is still missing: a case changed meanwhile has its columns
// already.
constexpr char kSetPersonKeys[] = R"sql(
  UPDATE cases.cases SET person_keys = coalesce(person_keys, $3::text[]),
    next_review_at = CASE WHEN risk_tier IS NULL THEN $5::timestamptz ELSE next_review_at END,
    risk_tier = coalesce(risk_tier, $4)
  WHERE tenant_id = $1 AND case_id = $2::uuid AND (person_keys IS NULL OR risk_tier IS NULL)
)sql";

constexpr char kInsertNote[] = R"sql(
  INSERT INTO cases.notes (note_id, tenant_id, case_id, visibility, text, author_user, author_org,
                           author_kind, written_at)
  VALUES ($1, $2, $3::uuid, $4, $5, $6, $7, $8, $9)
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
         reason, (extract(epoch FROM at) * 1000000)::bigint AS at_us, finding, justified, completed_by,
         (extract(epoch FROM completed_at) * 1000000)::bigint AS completed_at_us
  FROM cases.break_glass
  WHERE tenant_id = $1 AND ($2::timestamptz IS NULL OR (at, review_id) < ($2, $3::uuid))
  ORDER BY at DESC, review_id DESC LIMIT $4::int
)sql";

// The open ones only, written out (not a parameter) so that the planner can
// use the partial index break_glass_open_by_tenant (migration 0017).
constexpr char kOpenBreakGlass[] = R"sql(
  SELECT review_id::text AS review_id, case_id::text AS case_id, actor_user, actor_org, actor_kind,
         reason, (extract(epoch FROM at) * 1000000)::bigint AS at_us, finding, justified, completed_by,
         (extract(epoch FROM completed_at) * 1000000)::bigint AS completed_at_us
  FROM cases.break_glass
  WHERE tenant_id = $1 AND completed_at IS NULL
    AND ($2::timestamptz IS NULL OR (at, review_id) < ($2, $3::uuid))
  ORDER BY at DESC, review_id DESC LIMIT $4::int
)sql";

// Locks the review row so that two privacy officers completing it at once
// cannot both succeed.
constexpr char kBreakGlassForUpdate[] = R"sql(
  SELECT review_id::text AS review_id, case_id::text AS case_id, actor_user, actor_org, actor_kind,
         reason, (extract(epoch FROM at) * 1000000)::bigint AS at_us, finding, justified, completed_by,
         (extract(epoch FROM completed_at) * 1000000)::bigint AS completed_at_us
  FROM cases.break_glass WHERE tenant_id = $1 AND review_id = $2::uuid
  FOR UPDATE
)sql";

constexpr char kCompleteBreakGlass[] = R"sql(
  UPDATE cases.break_glass SET finding = $3, justified = $4::boolean, completed_by = $5, completed_at = $6
  WHERE tenant_id = $1 AND review_id = $2::uuid
)sql";

constexpr char kDueForRemoval[] = R"sql(
  SELECT case_id::text AS case_id FROM cases.cases
  WHERE tenant_id = $1 AND status = 'CLOSED' AND personal_data_removed_at IS NULL AND kind = $2 AND closed_at < $3
  ORDER BY closed_at LIMIT $4::int
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

std::vector<std::string> PersonKeys(const v1::Case& c) {
  std::vector<std::string> keys;
  for (const v1::CasePerson& p : c.persons()) {
    if (std::string key = PersonKey(p.name()); !key.empty()) keys.push_back(std::move(key));
  }
  return keys;
}

absl::Status InsertStep(db::Transaction& tx, const RequestContext& caller, const std::string& case_id,
                        const StatusStep& step, absl::Time at) {
  db::Params actor = ActorParams(caller);
  return tx.Exec(kInsertStatusChange, {caller.tenant, case_id, StatusName(step.from), StatusName(step.to), actor[0],
                                       actor[1], actor[2], db::TimestampParam(at), step.reason});
}

// The settings kept here of row `i` (kSelectSettings), with the defaults for
// what the directory has not handed over (NULL reads as zero or empty).
TenantSettings SettingsFrom(const db::Rows& rows, int i) {
  TenantSettings s;
  s.set_time_zone(rows.Text(i, "time_zone"));
  s.set_case_reference_prefix(rows.Text(i, "reference_prefix"));
  s.set_triage_cut_off_weekday(static_cast<int>(rows.Int(i, "cut_off_weekday")));
  s.set_triage_cut_off_time(rows.Text(i, "cut_off_time"));
  s.set_leefbaarheid_retention_days(static_cast<int>(rows.Int(i, "leefbaarheid_retention_days")));
  s.set_casuistiek_retention_days(static_cast<int>(rows.Int(i, "casuistiek_retention_days")));
  return WithDefaults(std::move(s));
}

std::string RiskTierName(v1::RiskTier tier) {
  return tier == v1::RISK_TIER_UNSPECIFIED ? std::string() : Stored(v1::RiskTier_Name(tier), "RISK_TIER_");
}
db::Param NextReview(const v1::Case& c) {
  if (!c.has_next_review_at()) return std::nullopt;
  // Set by the service itself, so always a valid time.
  return db::TimestampParam(absl::FromUnixSeconds(c.next_review_at().seconds()) +
                            absl::Nanoseconds(c.next_review_at().nanos()));
}

db::Param TimeOf(const std::optional<TimeId>& after) {
  return Maybe(after, [](const TimeId& a) { return db::TimestampParam(a.first); });
}
db::Param IdOf(const std::optional<TimeId>& after) {
  return Maybe(after, [](const TimeId& a) { return a.second; });
}

}  // namespace

db::TransactionOptions Bounded(absl::Time deadline) {
  db::TransactionOptions options;
  options.deadline = deadline;
  return options;
}

absl::Status CaseStore::Insert(db::Transaction& tx, const RequestContext& caller, v1::Case& c) const {
  ASSIGN_OR_RETURN(db::Rows area, tx.Query(kSelectArea, {caller.tenant, c.area().area_id()}));
  if (area.empty()) return absl::InvalidArgumentError("area_id: not a known area");
  ASSIGN_OR_RETURN(TenantSettings settings, SettingsOf(tx, caller.tenant));
  absl::Time now = absl::Now();
  int year = ReferenceYear(now, settings.time_zone());
  ASSIGN_OR_RETURN(db::Rows number, tx.Query(kNextReferenceNumber, {caller.tenant, absl::StrCat(year)}));
  c.set_case_id(RandomUuid());
  c.set_reference(FormatReference(settings.case_reference_prefix(), year, number.Int(0, "last_value")));
  c.mutable_area()->set_name(area.Text(0, "name"));
  c.set_status(v1::CASE_STATUS_REGISTERED);
  *c.mutable_opened_at() = TimeToProto(now);
  *c.mutable_updated_at() = TimeToProto(now);
  RETURN_IF_ERROR(tx.Exec(
      kInsertCase,
      {c.case_id(), caller.tenant, c.reference(), KindName(c.kind()), StatusName(c.status()), c.area().area_id(),
       absl::StrCat(static_cast<int>(c.confidentiality())), c.process_coordinator(), c.case_manager(),
       db::TextArray(Strings(c.members())), db::TextArray(Strings(c.participating_organisations())),
       db::TimestampParam(now), caller.user, db::BytesParam(c.SerializeAsString()),
       c.has_address() ? AddressKey(c.address()) : std::string(), db::TextArray(PersonKeys(c)),
       RiskTierName(c.risk_tier()), NextReview(c)}));
  return InsertStep(tx, caller, c.case_id(), {v1::CASE_STATUS_UNSPECIFIED, v1::CASE_STATUS_REGISTERED, "geopend"},
                    now);
}

absl::StatusOr<std::optional<v1::Case>> CaseStore::Find(db::Transaction& tx, const std::string& tenant,
                                                         const std::string& case_id,
                                                         const std::string& reference) const {
  db::Param id = case_id.empty() ? db::Param() : db::Param(case_id);
  ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kFindCase, {tenant, id, reference}));
  if (rows.empty()) return std::nullopt;
  return Decode<v1::Case>(rows, 0);
}

absl::StatusOr<std::map<std::string, v1::Case>> CaseStore::FindMany(db::Transaction& tx, const std::string& tenant,
                                                                    const std::vector<std::string>& case_ids) const {
  std::map<std::string, v1::Case> cases;
  if (case_ids.empty()) return cases;
  ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kFindCases, {tenant, db::TextArray(case_ids)}));
  ASSIGN_OR_RETURN(std::vector<v1::Case> found, DecodeAll<v1::Case>(rows));
  for (v1::Case& c : found) cases[c.case_id()] = std::move(c);
  return cases;
}

absl::StatusOr<std::optional<v1::Case>> CaseStore::Lock(db::Transaction& tx, const std::string& tenant,
                                                         const std::string& case_id) const {
  ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kLockCase, {tenant, case_id}));
  if (rows.empty()) return std::nullopt;
  return Decode<v1::Case>(rows, 0);
}

absl::Status CaseStore::Save(db::Transaction& tx, const RequestContext& caller, v1::Case& c,
                             const std::optional<StatusStep>& step) const {
  absl::Time now = absl::Now();
  *c.mutable_updated_at() = TimeToProto(now);
  RETURN_IF_ERROR(tx.Exec(
      kUpdateCase,
      {caller.tenant, c.case_id(), StatusName(c.status()), absl::StrCat(static_cast<int>(c.confidentiality())),
       c.process_coordinator(), c.case_manager(), db::TextArray(Strings(c.members())),
       db::TextArray(Strings(c.participating_organisations())), db::TimestampParam(now),
       db::BytesParam(c.SerializeAsString()), c.has_address() ? AddressKey(c.address()) : std::string(),
       db::TextArray(PersonKeys(c)), RiskTierName(c.risk_tier()), NextReview(c)}));
  if (step) RETURN_IF_ERROR(InsertStep(tx, caller, c.case_id(), *step, now));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::Case>> CaseStore::List(db::Transaction& tx, const CaseQuery& q) const {
  const CaseFilter& f = q.filter;
  db::Params params = {q.tenant,
                       f.user,
                       f.organisation,
                       f.partner ? "true" : "false",
                       f.coordinator ? "true" : "false",
                       db::TextArray(f.coordinator_scope),
                       Maybe(q.kind, KindName),
                       Maybe(q.status, StatusName),
                       Maybe(q.areas, db::TextArray),
                       TimeOf(q.after),
                       IdOf(q.after),
                       absl::StrCat(f.personal_from),
                       absl::StrCat(f.all_coordinators_through),
                       absl::StrCat(q.limit),
                       Maybe(q.risk_tier, RiskTierName),
                       Maybe(q.review_due_at, db::TimestampParam),
                       Maybe(q.overdue_before, [](absl::CivilDay d) { return absl::FormatCivilTime(d); })};
  ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kList, params));
  return DecodeAll<v1::Case>(rows);
}

absl::StatusOr<std::set<std::string>> CaseStore::WithOverdueActions(db::Transaction& tx, const std::string& tenant,
                                                                    const std::vector<std::string>& case_ids,
                                                                    absl::CivilDay today) const {
  std::set<std::string> overdue;
  if (case_ids.empty()) return overdue;
  ASSIGN_OR_RETURN(db::Rows rows,
                   tx.Query(kWithOverdueActions, {tenant, db::TextArray(case_ids), absl::FormatCivilTime(today)}));
  for (int i = 0; i < rows.size(); ++i) overdue.insert(rows.Text(i, "case_id"));
  return overdue;
}

absl::StatusOr<std::pair<std::vector<v1::StatusChange>, int>> CaseStore::History(db::Transaction& tx,
                                                                                 const std::string& tenant,
                                                                                 const std::string& case_id,
                                                                                 int limit) const {
  ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kHistory, {tenant, case_id, absl::StrCat(limit)}));
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

absl::StatusOr<std::vector<v1::Case>> CaseStore::OpenCasesAt(db::Transaction& tx, const std::string& tenant,
                                                             const std::vector<std::string>& address_keys,
                                                             int per_address) const {
  if (address_keys.empty()) return std::vector<v1::Case>();
  ASSIGN_OR_RETURN(db::Rows rows,
                   tx.Query(kCasesAtAddress, {tenant, db::TextArray(address_keys), absl::StrCat(per_address)}));
  return DecodeAll<v1::Case>(rows);
}

absl::StatusOr<std::vector<v1::Case>> CaseStore::OpenCasesAbout(db::Transaction& tx, const std::string& tenant,
                                                                v1::CaseKind kind,
                                                                const std::vector<std::string>& areas,
                                                                const std::vector<std::string>& person_keys,
                                                                int per_person, int limit) const {
  if (person_keys.empty()) return std::vector<v1::Case>();
  ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kOpenCasesAbout, {tenant, KindName(kind), db::TextArray(areas),
                                                             db::TextArray(person_keys), absl::StrCat(per_person),
                                                             absl::StrCat(limit)}));
  return DecodeAll<v1::Case>(rows);
}

absl::StatusOr<std::vector<v1::Case>> CaseStore::OpenCasesIn(db::Transaction& tx, const std::string& tenant,
                                                             v1::CaseKind kind,
                                                             const std::vector<std::string>& areas) const {
  ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kOpenCasesIn, {tenant, KindName(kind), db::TextArray(areas)}));
  return DecodeAll<v1::Case>(rows);
}

absl::StatusOr<int> CaseStore::FillPersonKeys(db::Pool& pool) const {
  int filled = 0;
  std::string after = "00000000-0000-0000-0000-000000000000";
  for (;;) {
    ASSIGN_OR_RETURN(db::Rows rows,
                     pool.Query(kCasesWithoutPersonKeys, {after}, Bounded(absl::Now() + absl::Seconds(30))));
    if (rows.empty()) return filled;
    for (int i = 0; i < rows.size(); ++i) {
      after = rows.Text(i, "case_id");
      absl::StatusOr<v1::Case> c = Decode<v1::Case>(rows, i);
      // A case that does not decode has no persons to find; it must not
      // keep the service from starting.
      if (!c.ok()) Log(LogLevel::kWarning, "a stored case does not decode", {{"case_id", after}});
      RETURN_IF_ERROR(pool.Query(kSetPersonKeys,
                                 {rows.Text(i, "tenant_id"), after,
                                  db::TextArray(c.ok() ? PersonKeys(*c) : std::vector<std::string>()),
                                  c.ok() ? RiskTierName(c->risk_tier()) : std::string(),
                                  c.ok() ? NextReview(*c) : std::nullopt},
                                 Bounded(absl::Now() + absl::Seconds(30)))
                          .status());
    }
    filled += rows.size();
  }
}

absl::Status CaseStore::InsertNote(db::Transaction& tx, const RequestContext& caller, const std::string& case_id,
                                   v1::Note& note) const {
  note.set_note_id(RandomUuid());
  note.mutable_author()->set_user_id(caller.user);
  note.mutable_author()->set_organisation_id(caller.organisation);
  note.mutable_author()->set_organisation_kind(caller.organisation_kind);
  absl::Time now = absl::Now();
  *note.mutable_written_at() = TimeToProto(now);
  db::Params actor = ActorParams(caller);
  return tx.Exec(kInsertNote, {note.note_id(), caller.tenant, case_id,
                               Stored(v1::NoteVisibility_Name(note.visibility()), "NOTE_VISIBILITY_"), note.text(),
                               actor[0], actor[1], actor[2], db::TimestampParam(now)});
}

absl::StatusOr<std::vector<v1::Note>> CaseStore::Notes(db::Transaction& tx, const std::string& tenant,
                                                       const std::string& case_id,
                                                       const std::vector<v1::NoteVisibility>& visibilities,
                                                       const std::optional<TimeId>& after, int limit) const {
  std::vector<std::string> stored;
  for (v1::NoteVisibility v : visibilities) stored.push_back(Stored(v1::NoteVisibility_Name(v), "NOTE_VISIBILITY_"));
  ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kNotes, {tenant, case_id, db::TextArray(stored), TimeOf(after),
                                                    IdOf(after), absl::StrCat(limit)}));
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

absl::Status CaseStore::InsertBreakGlass(db::Transaction& tx, const RequestContext& caller,
                                         const std::string& case_id, const std::string& reason) const {
  db::Params actor = ActorParams(caller);
  return tx.Exec(kInsertBreakGlass, {RandomUuid(), caller.tenant, case_id, actor[0], actor[1], actor[2], reason,
                                     db::TimestampParam(absl::Now())});
}

absl::StatusOr<std::vector<v1::BreakGlassReview>> CaseStore::BreakGlassReviews(db::Transaction& tx,
                                                                               const std::string& tenant,
                                                                               const std::optional<TimeId>& after,
                                                                               int limit, bool open_only) const {
  ASSIGN_OR_RETURN(db::Rows rows, tx.Query(open_only ? kOpenBreakGlass : kBreakGlass,
                                           {tenant, TimeOf(after), IdOf(after), absl::StrCat(limit)}));
  std::vector<v1::BreakGlassReview> reviews;
  for (int i = 0; i < rows.size(); ++i) {
    v1::BreakGlassReview& r = reviews.emplace_back();
    r.set_review_id(rows.Text(i, "review_id"));
    r.set_case_id(rows.Text(i, "case_id"));
    *r.mutable_actor() = ActorFrom(rows, i, "actor_user", "actor_org", "actor_kind");
    r.set_reason(rows.Text(i, "reason"));
    *r.mutable_at() = TimeToProto(absl::FromUnixMicros(rows.Int(i, "at_us")));
    if (!rows.IsNull(i, "completed_at_us")) {
      r.set_finding(rows.Text(i, "finding"));
      r.set_judgement(rows.Bool(i, "justified") ? v1::JUDGEMENT_JUSTIFIED : v1::JUDGEMENT_NOT_JUSTIFIED);
      r.set_completed_by(rows.Text(i, "completed_by"));
      *r.mutable_completed_at() = TimeToProto(absl::FromUnixMicros(rows.Int(i, "completed_at_us")));
    }
  }
  return reviews;
}

absl::StatusOr<std::optional<v1::BreakGlassReview>> CaseStore::LockBreakGlassReview(
    db::Transaction& tx, const std::string& tenant, const std::string& review_id) const {
  ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kBreakGlassForUpdate, {tenant, review_id}));
  if (rows.empty()) return std::nullopt;
  v1::BreakGlassReview r;
  r.set_review_id(rows.Text(0, "review_id"));
  r.set_case_id(rows.Text(0, "case_id"));
  *r.mutable_actor() = ActorFrom(rows, 0, "actor_user", "actor_org", "actor_kind");
  r.set_reason(rows.Text(0, "reason"));
  *r.mutable_at() = TimeToProto(absl::FromUnixMicros(rows.Int(0, "at_us")));
  if (!rows.IsNull(0, "completed_at_us")) {
    r.set_finding(rows.Text(0, "finding"));
    r.set_judgement(rows.Bool(0, "justified") ? v1::JUDGEMENT_JUSTIFIED : v1::JUDGEMENT_NOT_JUSTIFIED);
    r.set_completed_by(rows.Text(0, "completed_by"));
    *r.mutable_completed_at() = TimeToProto(absl::FromUnixMicros(rows.Int(0, "completed_at_us")));
  }
  return r;
}

absl::Status CaseStore::CompleteBreakGlassReview(db::Transaction& tx, const std::string& tenant,
                                                 const v1::BreakGlassReview& review, absl::Time completed_at) const {
  return tx.Exec(kCompleteBreakGlass,
                 {tenant, review.review_id(), review.finding(), review.judgement() == v1::JUDGEMENT_JUSTIFIED ? "true" : "false",
                  review.completed_by(), db::TimestampParam(completed_at)});
}

absl::Status CaseStore::StoreTenantSettings(db::Transaction& tx, const std::string& tenant,
                                            const TenantSettings& given) const {
  const TenantSettings s = WithDefaults(given);
  return tx.Exec(kStoreTenantSettings,
                 {tenant, s.time_zone(), s.case_reference_prefix(), absl::StrCat(s.triage_cut_off_weekday()),
                  s.triage_cut_off_time(), absl::StrCat(s.leefbaarheid_retention_days()),
                  absl::StrCat(s.casuistiek_retention_days())});
}

absl::StatusOr<TenantSettings> CaseStore::SettingsOf(db::Transaction& tx, const std::string& tenant) const {
  ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kSelectSettings, {tenant}));
  if (rows.empty()) return WithDefaults({});  // not synced yet
  return SettingsFrom(rows, 0);
}

absl::StatusOr<std::vector<std::pair<std::string, TenantSettings>>> CaseStore::AllSettings(
    db::Transaction& tx) const {
  ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kSelectSettings, {std::nullopt}));
  std::vector<std::pair<std::string, TenantSettings>> all;
  for (int i = 0; i < rows.size(); ++i) all.emplace_back(rows.Text(i, "tenant_id"), SettingsFrom(rows, i));
  return all;
}

absl::StatusOr<std::vector<std::string>> CaseStore::DueForRemoval(db::Transaction& tx, const std::string& tenant,
                                                                   v1::CaseKind kind, absl::Time closed_before,
                                                                   int limit) const {
  ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kDueForRemoval, {tenant, KindName(kind), db::TimestampParam(closed_before),
                                                            absl::StrCat(limit)}));
  std::vector<std::string> due;
  for (int i = 0; i < rows.size(); ++i) due.push_back(rows.Text(i, "case_id"));
  return due;
}

absl::StatusOr<std::optional<v1::Case>> CaseStore::LockClosedWithPersonalData(db::Transaction& tx,
                                                                              const std::string& tenant,
                                                                              const std::string& case_id) const {
  ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kLockClosedCase, {tenant, case_id}));
  if (rows.empty()) return std::nullopt;
  return Decode<v1::Case>(rows, 0);
}

absl::Status CaseStore::StoreCleared(db::Transaction& tx, const std::string& tenant, const v1::Case& c,
                                     const std::string& removed) const {
  ASSIGN_OR_RETURN(absl::Time at, TimeFromProto(c.personal_data_removed_at(), "personal_data_removed_at"));
  RETURN_IF_ERROR(tx.Exec(kMarkRemoved, {tenant, c.case_id(), db::BytesParam(c.SerializeAsString()),
                                         db::TimestampParam(at)}));
  RETURN_IF_ERROR(tx.Exec(kRemoveStepReasons, {tenant, c.case_id(), removed}));
  return tx.Exec(kRemoveNotes, {tenant, c.case_id()});
}

}  // namespace hartslag::cases
