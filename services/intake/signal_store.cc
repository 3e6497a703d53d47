#include "services/intake/signal_store.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "nlohmann/json.hpp"
#include "services/common/crypto.h"
#include "services/common/json_writer.h"
#include "services/common/status_macros.h"
#include "services/common/reference.h"
#include "services/common/text.h"
#include "services/common/validation.h"
#include "services/common/working_days.h"
#include "services/intake/attachment_store.h"
#include "services/intake/category_rules.h"
#include "services/intake/category_store.h"

namespace hartslag::intake {
namespace {

using google::protobuf::util::TimeUtil;

constexpr char kSelectSignal[] = R"sql(
  SELECT s.signal_id, s.reference, s.tenant_id, s.area_id, a.name AS area_name,
         s.street, s.house_number, s.house_number_addition, s.postcode, s.city, s.bag_id,
         s.latitude, s.longitude, s.category_id, s.description,
         (extract(epoch FROM s.observed_at) * 1000000)::bigint AS observed_us,
         (extract(epoch FROM s.reported_at) * 1000000)::bigint AS reported_us,
         s.reporter_user_id, s.reporter_organisation_id, s.reporter_organisation_kind,
         s.source, s.urgency, s.persons, s.status, s.feedback, c.meldcode, c.default_meeting,
         (extract(epoch FROM s.due_at) * 1000000)::bigint AS due_us,
         (extract(epoch FROM s.late_at) * 1000000)::bigint AS late_us,
         (extract(epoch FROM s.handled_at) * 1000000)::bigint AS handled_us,
         s.category_version, s.answers::text AS answers,
         (SELECT COALESCE(json_agg(json_build_object(
                    'attachment_id', t.attachment_id, 'signal_id', t.signal_id, 'media_type', t.media_type,
                    'size_bytes', t.size_bytes, 'file_name', t.file_name, 'sha256', t.sha256,
                    'created_us', (extract(epoch FROM t.created_at) * 1000000)::bigint) ORDER BY t.created_at), '[]')
          FROM intake.attachments t WHERE t.tenant_id = s.tenant_id AND t.signal_id = s.signal_id)::text AS attachments,
         v.feedback_texts::text AS standard_feedback
  FROM intake.signals s
  JOIN intake.areas a ON a.tenant_id = s.tenant_id AND a.area_id = s.area_id
  JOIN intake.categories c ON c.tenant_id = s.tenant_id AND c.category_id = s.category_id
  JOIN intake.category_versions v
    ON v.tenant_id = s.tenant_id AND v.category_id = s.category_id AND v.version = s.category_version
)sql";

// Every submission asks it first, so it is prepared.
constexpr db::Prepared kFindExisting{"intake_find_existing", R"sql(
  SELECT signal_id, request_fingerprint FROM intake.signals
  WHERE tenant_id = $1 AND reporter_user_id = $2 AND request_id = $3
)sql"};

constexpr char kUntriagedFilter[] = R"sql(
  WHERE s.tenant_id = $1 AND s.status = 'NEW' AND s.area_id = ANY($2::text[])
    AND ($3::timestamptz IS NULL OR (s.reported_at, s.signal_id) > ($3, $4::uuid))
  ORDER BY s.reported_at, s.signal_id LIMIT $5
)sql";

constexpr char kClaimEvent[] = R"sql(
  INSERT INTO intake.applied_events (event_id, tenant_id) VALUES ($1, $2)
  ON CONFLICT (event_id) DO NOTHING RETURNING event_id
)sql";

// The first outcome stops the signal's clock, at the coordinator's decision.
constexpr char kApplyOutcome[] = R"sql(
  UPDATE intake.signals s
  SET status = $3, feedback = $4, handled_at = COALESCE(handled_at, $5::timestamptz, now()), case_link_known = true
  WHERE tenant_id = $1 AND signal_id = $2::uuid RETURNING signal_id
)sql";

// Links signals of the tenant (those intake has) to a case.
constexpr char kLinkSignals[] = R"sql(
  INSERT INTO intake.signal_cases (tenant_id, signal_id, case_id)
  SELECT $1, s.signal_id, $2::uuid FROM intake.signals s WHERE s.tenant_id = $1 AND s.signal_id = ANY($3::uuid[])
  ON CONFLICT DO NOTHING
)sql";

// A case's state, unless intake holds a later one.
constexpr char kApplyCaseState[] = R"sql(
  INSERT INTO intake.case_states (tenant_id, case_id, open, changed_at) VALUES ($1, $2::uuid, $3, $4)
  ON CONFLICT (tenant_id, case_id) DO UPDATE SET open = EXCLUDED.open, changed_at = EXCLUDED.changed_at
  WHERE case_states.changed_at <= EXCLUDED.changed_at
  RETURNING case_id
)sql";

constexpr char kSelectTenant[] = R"sql(
  SELECT reference_prefix, time_zone, settings::text AS settings FROM intake.tenants WHERE tenant_id = $1
)sql";

constexpr char kStoreTenantSettings[] = R"sql(
  UPDATE intake.tenants SET time_zone = $2, reference_prefix = $3, settings = $4::jsonb WHERE tenant_id = $1
)sql";

constexpr char kAreaExists[] = R"sql(
  SELECT 1 FROM intake.areas WHERE tenant_id = $1 AND area_id = $2
)sql";

constexpr char kCategoryActive[] = R"sql(
  SELECT active, handling_deadline_days, deadline_day_count, version FROM intake.categories
  WHERE tenant_id = $1 AND category_id = $2
)sql";

// The next reference of the tenant's year, from its sequence (migration
// 0013): no lock is held to the commit, and a rolled-back submission leaves
// its number unused.
constexpr char kNextReference[] = R"sql(
  SELECT intake.next_reference($1, $2, $3) AS reference
)sql";

constexpr char kInsertSignal[] = R"sql(
  INSERT INTO intake.signals (
    signal_id, tenant_id, reference, area_id, street, house_number, house_number_addition,
    postcode, city, bag_id, latitude, longitude, category_id, description, observed_at,
    reported_at, reporter_user_id, reporter_organisation_id, reporter_organisation_kind,
    source, urgency, persons, request_id, request_fingerprint, due_at, late_at, category_version, answers)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
          $20, $21, $22::jsonb, $23, $24, $25, $26, $27, $28::jsonb)
  ON CONFLICT (tenant_id, reporter_user_id, request_id) DO NOTHING
  RETURNING signal_id
)sql";

// A batch of new signals as one statement, numbered as they are inserted.
// Each row is stored only while the tenant's settings are those its deadlines
// and reference were made with, its area exists, and its category is active at
// the version its answers were checked against and has no active subcategory.
// A row left out draws no number and goes the one-by-one way; a request id
// used before goes there too, its number drawn and left unused (ON CONFLICT
// comes after the row is made). The area's name comes back from the
// database, as a read would give it.
//
// The rows are numbered in the order of the batch, by tenant and year: the
// first number of a year makes the year's sequence and holds its row in
// intake.reference_sequences to the commit, and batches that meet there take
// those rows in the same order, so they wait for each other, never deadlock.
//
// The same statement writes the calls' audit records into the outbox, each
// with its signal and only if its signal was stored, as Outbox::Add writes a
// record (an event id the outbox holds already is not added again). So
// nothing waits for the rows to come back before the commit, and a batch is
// one round trip: BEGIN, the settings, this statement and COMMIT.
constexpr db::Prepared kStoreSignals{"intake_store_signals", R"sql(
  WITH stored AS (
  INSERT INTO intake.signals (
    signal_id, tenant_id, reference, area_id, street, house_number, house_number_addition,
    postcode, city, bag_id, latitude, longitude, category_id, description, observed_at,
    reported_at, reporter_user_id, reporter_organisation_id, reporter_organisation_kind,
    source, urgency, persons, request_id, request_fingerprint, due_at, late_at, category_version, answers)
  SELECT u.signal_id, u.tenant_id, intake.next_reference(u.tenant_id, u.reference_year, u.tenant_prefix),
         u.area_id, u.street, u.house_number, u.house_number_addition, u.postcode, u.city, u.bag_id,
         u.latitude, u.longitude, u.category_id, u.description, u.observed_at,
         u.reported_at, u.reporter_user_id, u.reporter_organisation_id, u.reporter_organisation_kind,
         u.source, u.urgency, u.persons, u.request_id, u.request_fingerprint, u.due_at, u.late_at,
         u.category_version, u.answers
  FROM jsonb_to_recordset($1::jsonb) AS u(
    signal_id uuid, tenant_id text, area_id text, street text, house_number integer,
    house_number_addition text, postcode text, city text, bag_id text, latitude double precision,
    longitude double precision, category_id text, description text, observed_at timestamptz,
    reported_at timestamptz, reporter_user_id text, reporter_organisation_id text,
    reporter_organisation_kind text, source text, urgency text, persons jsonb, request_id uuid,
    request_fingerprint text, due_at timestamptz, late_at timestamptz, category_version integer, answers jsonb,
    tenant_time_zone text, tenant_prefix text, tenant_settings jsonb, reference_year integer, batch_index integer)
  WHERE EXISTS (SELECT 1 FROM intake.tenants t
                WHERE t.tenant_id = u.tenant_id AND t.time_zone = u.tenant_time_zone
                  AND t.reference_prefix = u.tenant_prefix AND t.settings = u.tenant_settings)
    AND EXISTS (SELECT 1 FROM intake.areas a WHERE a.tenant_id = u.tenant_id AND a.area_id = u.area_id)
    AND EXISTS (SELECT 1 FROM intake.categories c
                WHERE c.tenant_id = u.tenant_id AND c.category_id = u.category_id
                  AND c.active AND c.version = u.category_version)
    AND NOT EXISTS (SELECT 1 FROM intake.categories k
                    WHERE k.tenant_id = u.tenant_id AND k.parent_category_id = u.category_id AND k.active)
  -- Volatile functions of the select list (next_reference) run after the sort.
  ORDER BY u.tenant_id, u.reference_year, u.batch_index
  ON CONFLICT (tenant_id, reporter_user_id, request_id) DO NOTHING
  RETURNING signal_id, tenant_id, area_id, reference
  ),
  -- $6 names each record's signal; the records go in the batch's order.
  recorded AS (
  INSERT INTO intake.outbox (target, tenant_id, event_id, payload)
  SELECT $2, e.tenant_id, e.event_id, e.payload
  FROM unnest($3::text[], $4::uuid[], $5::bytea[], $6::uuid[]) WITH ORDINALITY
         AS e(tenant_id, event_id, payload, signal_id, n)
  JOIN stored s ON s.signal_id = e.signal_id
  ORDER BY e.n
  ON CONFLICT (event_id) DO NOTHING
  )
  SELECT s.signal_id::text AS signal_id, s.reference,
         (SELECT a.name FROM intake.areas a WHERE a.tenant_id = s.tenant_id AND a.area_id = s.area_id) AS area_name
  FROM stored s
)sql"};

constexpr char kTenantAreas[] = R"sql(
  SELECT area_id FROM intake.areas WHERE tenant_id = $1
)sql";

constexpr char kListFilter[] = R"sql(
  WHERE s.tenant_id = $1
    AND (($2::text IS NOT NULL AND s.reporter_organisation_id = $2)
         OR s.area_id = ANY($3::text[]))
    AND ($4::text[] IS NULL OR s.area_id = ANY($4::text[]))
    AND ($5::text IS NULL OR s.category_id = $5)
    AND ($6::text IS NULL OR s.status = $6)
    AND ($7::timestamptz IS NULL OR s.reported_at >= $7)
    AND ($8::timestamptz IS NULL OR s.reported_at < $8)
    AND ($9::timestamptz IS NULL OR (s.reported_at, s.signal_id) < ($9, $10::uuid))
    AND (NOT $12::boolean OR (s.status = 'NEW' AND s.due_at < now()))
    AND (NOT $13::boolean OR (s.status = 'NEW' AND s.late_at < now()))
  ORDER BY s.reported_at DESC, s.signal_id DESC
  LIMIT $11
)sql";

// A signal reported and handled before the period's start ($2) that is on
// no open case: of every case it sits on, intake has heard that it closed
// before the period's start. A case whose state intake has not heard yet
// keeps the signal.
constexpr char kRetentionDue[] = R"sql(
  s.tenant_id = $1 AND s.personal_data_removed_at IS NULL AND s.case_link_known AND s.reported_at < $2
  AND (s.handled_at IS NULL OR s.handled_at < $2)
  AND NOT EXISTS (
    SELECT 1 FROM intake.signal_cases l
    LEFT JOIN intake.case_states c ON c.tenant_id = l.tenant_id AND c.case_id = l.case_id
    WHERE l.tenant_id = s.tenant_id AND l.signal_id = s.signal_id
      AND (c.case_id IS NULL OR c.open OR c.changed_at >= $2))
)sql";

constexpr char kRemovePersonalData[] = R"sql(
  UPDATE intake.signals
  SET description = $3, feedback = $3, persons = '[]', answers = '[]', street = '', house_number = 0,
      house_number_addition = '', postcode = '', bag_id = '', latitude = NULL, longitude = NULL,
      personal_data_removed_at = now()
  WHERE tenant_id = $1 AND signal_id = $2::uuid
)sql";

constexpr char kDeleteAttachments[] = R"sql(
  DELETE FROM intake.attachments WHERE tenant_id = $1 AND signal_id = $2::uuid RETURNING storage_key
)sql";

constexpr char kTenants[] = R"sql(
  SELECT tenant_id FROM intake.tenants ORDER BY tenant_id
)sql";

// RemovePersonalData's word for a signal no longer due.
constexpr char kNotDue[] = "no longer due";

db::TransactionOptions Bounded(absl::Time deadline) {
  db::TransactionOptions options;
  options.deadline = deadline;
  return options;
}

v1::Signal SignalFromRow(const db::Rows& rows, int i) {
  v1::Signal signal;
  signal.set_signal_id(rows.Text(i, "signal_id"));
  signal.set_reference(rows.Text(i, "reference"));
  signal.set_tenant_id(rows.Text(i, "tenant_id"));
  signal.mutable_area()->set_area_id(rows.Text(i, "area_id"));
  signal.mutable_area()->set_name(rows.Text(i, "area_name"));
  auto* address = signal.mutable_location()->mutable_address();
  address->set_street(rows.Text(i, "street"));
  address->set_house_number(static_cast<int32_t>(rows.Int(i, "house_number")));
  address->set_house_number_addition(rows.Text(i, "house_number_addition"));
  address->set_postcode(rows.Text(i, "postcode"));
  address->set_city(rows.Text(i, "city"));
  address->set_bag_id(rows.Text(i, "bag_id"));
  if (!rows.IsNull(i, "latitude")) {
    signal.mutable_location()->mutable_point()->set_latitude(std::stod(rows.Text(i, "latitude")));
    signal.mutable_location()->mutable_point()->set_longitude(
        std::stod(rows.Text(i, "longitude")));
  }
  signal.set_category_id(rows.Text(i, "category_id"));
  signal.set_description(rows.Text(i, "description"));
  *signal.mutable_observed_at() = TimeUtil::MicrosecondsToTimestamp(rows.Int(i, "observed_us"));
  *signal.mutable_reported_at() = TimeUtil::MicrosecondsToTimestamp(rows.Int(i, "reported_us"));
  signal.mutable_reporter()->set_user_id(rows.Text(i, "reporter_user_id"));
  signal.mutable_reporter()->set_organisation_id(rows.Text(i, "reporter_organisation_id"));
  auto kind = ParseOrganisationKind(rows.Text(i, "reporter_organisation_kind"));
  signal.mutable_reporter()->set_organisation_kind(
      kind.value_or(common::v1::ORGANISATION_KIND_UNSPECIFIED));
  v1::Source source = v1::SOURCE_UNSPECIFIED;
  v1::Source_Parse("SOURCE_" + rows.Text(i, "source"), &source);
  signal.set_source(source);
  v1::Urgency urgency = v1::URGENCY_UNSPECIFIED;
  v1::Urgency_Parse("URGENCY_" + rows.Text(i, "urgency"), &urgency);
  signal.set_urgency(urgency);
  for (v1::Person& person : PersonsFromJson(rows.Text(i, "persons"))) *signal.add_persons() = std::move(person);
  v1::SignalStatus status = v1::SIGNAL_STATUS_UNSPECIFIED;
  v1::SignalStatus_Parse("SIGNAL_STATUS_" + rows.Text(i, "status"), &status);
  signal.set_status(status);
  signal.set_feedback(rows.Text(i, "feedback"));
  signal.set_meldcode(rows.Bool(i, "meldcode"));
  v1::MeetingKind meeting = v1::MEETING_KIND_UNSPECIFIED;
  v1::MeetingKind_Parse("MEETING_KIND_" + rows.Text(i, "default_meeting"), &meeting);
  signal.set_default_meeting(meeting);
  *signal.mutable_due_at() = TimeUtil::MicrosecondsToTimestamp(rows.Int(i, "due_us"));
  *signal.mutable_late_at() = TimeUtil::MicrosecondsToTimestamp(rows.Int(i, "late_us"));
  if (!rows.IsNull(i, "handled_us")) {
    *signal.mutable_handled_at() = TimeUtil::MicrosecondsToTimestamp(rows.Int(i, "handled_us"));
  }
  signal.set_category_version(static_cast<int32_t>(rows.Int(i, "category_version")));
  for (v1::Answer& answer : FromJsonArray<v1::Answer>(rows.Text(i, "answers"))) {
    *signal.add_answers() = std::move(answer);
  }
  for (v1::Attachment& attachment : AttachmentsFromJson(rows.Text(i, "attachments"))) {
    *signal.add_attachments() = std::move(attachment);
  }
  // As of this answer: the clock runs while the signal waits.
  const int64_t now_us = absl::ToUnixMicros(absl::Now());
  const bool waiting = status == v1::SIGNAL_STATUS_NEW;
  signal.set_overdue(waiting && rows.Int(i, "due_us") < now_us);
  signal.set_late(waiting && rows.Int(i, "late_us") < now_us);
  return signal;
}

std::string PersonsJson(const v1::SubmitSignalRequest& request) {
  std::string persons = "[";
  for (const v1::Person& p : request.persons()) {
    if (persons.size() > 1) persons.push_back(',');
    JsonObject person(persons);
    person.String("name", p.name()).Int("birth_year", p.birth_year()).String("role", p.role());
    person.Close();
  }
  persons.push_back(']');
  return persons;
}

// The enum value's name without its type prefix: SOURCE_BOA -> "BOA".
std::string StoredName(const std::string& full_name, absl::string_view prefix) {
  return full_name.substr(prefix.size());
}

// The tenant's settings as intake.tenants holds them (JSON), read leniently
// so that a newer directory's fields do not hide the ones we know.
TenantSettings StoredSettings(const std::string& json) {
  TenantSettings settings;
  google::protobuf::util::JsonParseOptions lenient;
  lenient.ignore_unknown_fields = true;
  (void)google::protobuf::util::JsonStringToMessage(json, &settings, lenient);
  return WithDefaults(settings);
}

// A coordinate as stored: every digit of the double (StrCat keeps only six).
std::string CoordinateParam(double value) { return absl::StrFormat("%.17g", value); }

// The signal a batch stored, as SignalFromRow would read it back: built from
// what was inserted instead of a second round trip.
v1::Signal StoredSignal(const BatchedSubmission& item, const std::string& signal_id, const std::string& reference,
                        const std::string& area_name, absl::Time observed, absl::Time due, absl::Time late) {
  const v1::SubmitSignalRequest& r = item.submission->request;
  const RequestContext& caller = *item.caller;
  v1::Signal signal;
  signal.set_signal_id(signal_id);
  signal.set_reference(reference);
  signal.set_tenant_id(caller.tenant);
  signal.mutable_area()->set_area_id(r.area_id());
  signal.mutable_area()->set_name(area_name);
  *signal.mutable_location()->mutable_address() = r.location().address();
  if (r.location().has_point()) *signal.mutable_location()->mutable_point() = r.location().point();
  signal.set_category_id(r.category_id());
  signal.set_description(r.description());
  *signal.mutable_observed_at() = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(observed));
  *signal.mutable_reported_at() = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(item.submission->reported_at));
  signal.mutable_reporter()->set_user_id(caller.user);
  signal.mutable_reporter()->set_organisation_id(caller.organisation);
  signal.mutable_reporter()->set_organisation_kind(caller.organisation_kind);
  signal.set_source(r.source());
  signal.set_urgency(r.urgency());
  for (const v1::Person& p : r.persons()) {
    v1::Person& person = *signal.add_persons();
    person.set_name(p.name());
    person.set_birth_year(p.birth_year());
    person.set_role(p.role());
  }
  signal.set_status(v1::SIGNAL_STATUS_NEW);
  signal.set_meldcode(item.category->meldcode());
  signal.set_default_meeting(item.category->default_meeting());
  *signal.mutable_due_at() = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(due));
  *signal.mutable_late_at() = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(late));
  signal.set_category_version(item.submission->category_version);
  *signal.mutable_answers() = r.answers();
  const absl::Time now = absl::Now();
  signal.set_overdue(due < now);
  signal.set_late(late < now);
  return signal;
}

absl::StatusOr<std::optional<v1::Signal>> FindOne(db::Transaction& tx, const std::string& where,
                                                  const db::Params& params) {
  ASSIGN_OR_RETURN(db::Rows rows, tx.Query(absl::StrCat(kSelectSignal, where), params));
  if (rows.empty()) return std::nullopt;
  return SignalFromRow(rows, 0);
}

}  // namespace

absl::StatusOr<SubmitResult> SignalStore::Submit(const RequestContext& caller,
                                                 const Submission& submission, AuditRecord& audit) {
  const v1::SubmitSignalRequest& r = submission.request;
  SubmitResult result;
  RETURN_IF_ERROR(InAuditedTransaction(
      *pool_, audit,
      [&](db::Transaction& tx) -> absl::Status {
        ASSIGN_OR_RETURN(db::Rows existing,
                         tx.Query(kFindExisting, {caller.tenant, caller.user, r.request_id()}));
        if (!existing.empty()) {
          if (existing.Text(0, "request_fingerprint") != submission.fingerprint) {
            return absl::AlreadyExistsError(
                "request_id: already used for a signal with different content; "
                "use a new request id for a new signal");
          }
          ASSIGN_OR_RETURN(auto signal, FindOne(tx, " WHERE s.signal_id = $1",
                                                {existing.Text(0, "signal_id")}));
          result = {*std::move(signal), true};
          audit.SetObjectId(result.signal.signal_id());
          return absl::OkStatus();
        }

        ASSIGN_OR_RETURN(db::Rows tenant, tx.Query(kSelectTenant, {caller.tenant}));
        if (tenant.empty()) {
          return absl::FailedPreconditionError(
              absl::StrCat("tenant ", caller.tenant, " is not set up for signal intake"));
        }
        ASSIGN_OR_RETURN(db::Rows area, tx.Query(kAreaExists, {caller.tenant, r.area_id()}));
        if (area.empty()) return absl::InvalidArgumentError("area_id: not a known area");
        ASSIGN_OR_RETURN(db::Rows category,
                         tx.Query(kCategoryActive, {caller.tenant, r.category_id()}));
        if (category.empty() || !category.Bool(0, "active")) {
          return UnknownCategory();
        }
        if (category.Int(0, "version") != submission.category_version) {
          // The answers were checked against another version's questions.
          return absl::AbortedError("category_id: the category changed while the signal was checked");
        }

        ASSIGN_OR_RETURN(absl::TimeZone zone, TimeZoneOf(tenant.Text(0, "time_zone")));
        const TenantSettings settings = StoredSettings(tenant.Text(0, "settings"));
        // The deadline under the category's rule and the tenant's closing
        // days of this moment.
        const WorkingDays working_days(ClosingDays(settings));
        const int days = static_cast<int>(category.Int(0, "handling_deadline_days"));
        const DayCount count = category.Text(0, "deadline_day_count") == "WORKING" ? DayCount::kWorking
                                                                                   : DayCount::kCalendar;
        const absl::Time due = DeadlineAfter(submission.reported_at, days, count, working_days, zone);
        const absl::Time late = DeadlineAfter(submission.reported_at, 3 * days, count, working_days, zone);

        int year = ReferenceYear(submission.reported_at, tenant.Text(0, "time_zone"));
        ASSIGN_OR_RETURN(db::Rows number, tx.Query(kNextReference, {caller.tenant, absl::StrCat(year),
                                                                    tenant.Text(0, "reference_prefix")}));
        const std::string reference = number.Text(0, "reference");

        const auto& address = r.location().address();
        db::Param latitude, longitude;
        if (r.location().has_point()) {
          latitude = CoordinateParam(r.location().point().latitude());
          longitude = CoordinateParam(r.location().point().longitude());
        }
        absl::Time observed = submission.reported_at;
        if (r.has_observed_at()) {
          observed = absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(r.observed_at()));
        }
        std::string signal_id = RandomUuid();
        ASSIGN_OR_RETURN(
            db::Rows inserted,
            tx.Query(kInsertSignal,
                     {signal_id, caller.tenant, reference, r.area_id(), address.street(),
                      absl::StrCat(address.house_number()), address.house_number_addition(),
                      address.postcode(), address.city(), address.bag_id(), latitude, longitude,
                      r.category_id(), r.description(), db::TimestampParam(observed),
                      db::TimestampParam(submission.reported_at), caller.user,
                      caller.organisation, std::string(OrganisationKindName(caller.organisation_kind)),
                      StoredName(v1::Source_Name(r.source()), "SOURCE_"),
                      StoredName(v1::Urgency_Name(r.urgency()), "URGENCY_"),
                      PersonsJson(r), r.request_id(), submission.fingerprint, db::TimestampParam(due),
                      db::TimestampParam(late), absl::StrCat(submission.category_version),
                      ToJsonArray(r.answers())}));
        if (inserted.empty()) {
          // A concurrent retry with the same request id committed first. Roll
          // back (the reference number stays unused) and run again: the next
          // attempt finds that signal.
          return absl::AbortedError("concurrent submission with the same request id");
        }
        ASSIGN_OR_RETURN(auto signal, FindOne(tx, " WHERE s.signal_id = $1", {signal_id}));
        result = {*std::move(signal), false};
        audit.SetObjectId(signal_id);
        return absl::OkStatus();
      },
      Bounded(caller.deadline)));
  return result;
}

absl::StatusOr<std::vector<std::optional<v1::Signal>>> SignalStore::SubmitBatch(
    const std::vector<BatchedSubmission>& batch, absl::Time deadline) {
  struct Row {
    std::string signal_id;
    absl::Time observed, due, late;
  };
  std::vector<Row> rows(batch.size());
  std::string json = "[";
  for (size_t i = 0; i < batch.size(); ++i) {
    const BatchedSubmission& item = batch[i];
    const Submission& submission = *item.submission;
    const v1::SubmitSignalRequest& r = submission.request;
    const RequestContext& caller = *item.caller;
    const TenantReference& tenant = *item.tenant;
    Row& row = rows[i];
    row.signal_id = RandomUuid();
    row.observed = r.has_observed_at() ? absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(r.observed_at()))
                                       : submission.reported_at;
    const int days = item.category->handling_deadline_days();
    const DayCount count =
        item.category->handling_deadline_day_count() == v1::DAY_COUNT_WORKING ? DayCount::kWorking : DayCount::kCalendar;
    row.due = DeadlineAfter(submission.reported_at, days, count, tenant.working_days, tenant.time_zone);
    row.late = DeadlineAfter(submission.reported_at, 3 * days, count, tenant.working_days, tenant.time_zone);
    const auto& address = r.location().address();
    if (i > 0) json.push_back(',');
    JsonObject value(json);
    value.String("signal_id", row.signal_id)
        .String("tenant_id", caller.tenant)
        .String("area_id", r.area_id())
        .String("street", address.street())
        .Int("house_number", address.house_number())
        .String("house_number_addition", address.house_number_addition())
        .String("postcode", address.postcode())
        .String("city", address.city())
        .String("bag_id", address.bag_id());
    if (r.location().has_point()) {
      value.Double("latitude", r.location().point().latitude()).Double("longitude", r.location().point().longitude());
    } else {
      value.Null("latitude").Null("longitude");
    }
    value.String("category_id", r.category_id())
        .String("description", r.description())
        .String("observed_at", db::TimestampParam(row.observed))
        .String("reported_at", db::TimestampParam(submission.reported_at))
        .String("reporter_user_id", caller.user)
        .String("reporter_organisation_id", caller.organisation)
        .String("reporter_organisation_kind", OrganisationKindName(caller.organisation_kind))
        .String("source", StoredName(v1::Source_Name(r.source()), "SOURCE_"))
        .String("urgency", StoredName(v1::Urgency_Name(r.urgency()), "URGENCY_"))
        .Raw("persons", PersonsJson(r))
        .String("request_id", r.request_id())
        .String("request_fingerprint", submission.fingerprint)
        .String("due_at", db::TimestampParam(row.due))
        .String("late_at", db::TimestampParam(row.late))
        .Int("category_version", submission.category_version)
        .Raw("answers", ToJsonArray(r.answers()))
        .String("tenant_time_zone", tenant.time_zone_name)
        .String("tenant_prefix", tenant.reference_prefix)
        .Raw("tenant_settings", tenant.settings_json)
        .Int("reference_year", ReferenceYear(submission.reported_at, tenant.time_zone_name))
        .Int("batch_index", static_cast<int64_t>(i));
    value.Close();
  }
  json.push_back(']');

  // Each call's record, complete before the statement that writes those of
  // the signals it stores: a copy, given to the call only if its signal was
  // stored. A left-out call keeps its record as it was, for the one-by-one
  // way to complete.
  std::vector<AuditRecord> completed;
  completed.reserve(batch.size());
  std::vector<AuditRecord*> records;
  for (size_t i = 0; i < batch.size(); ++i) {
    completed.push_back(*batch[i].audit);
    completed.back().SetObjectId(rows[i].signal_id);
    records.push_back(&completed.back());
  }
  std::vector<std::string> tenants, event_ids, payloads, signal_ids;
  std::vector<std::optional<OutboxEvent>> events = OutboxEventsOf(records);
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!events[i]) continue;
    tenants.push_back(events[i]->tenant);
    event_ids.push_back(events[i]->event_id);
    payloads.push_back(db::BytesParam(events[i]->payload));
    signal_ids.push_back(rows[i].signal_id);
  }
  // One round trip: BEGIN, the settings, the statement and COMMIT. Run again
  // after a lost answer to its COMMIT, it stores nothing twice: the request
  // ids leave out what the first run stored, and those calls go the
  // one-by-one way, which replays them.
  ASSIGN_OR_RETURN(db::Rows inserted,
                   pool_->OneStatement(kStoreSignals,
                                       {json, std::string(kAuditTarget), db::TextArray(tenants),
                                        db::TextArray(event_ids), db::TextArray(payloads), db::TextArray(signal_ids)},
                                       Bounded(deadline)));
  std::map<std::string, int> inserted_row;  // signal id -> its row in `inserted`
  for (int i = 0; i < inserted.size(); ++i) inserted_row[inserted.Text(i, "signal_id")] = i;
  std::vector<std::optional<v1::Signal>> stored(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    auto found = inserted_row.find(rows[i].signal_id);
    if (found == inserted_row.end()) continue;
    stored[i] = StoredSignal(batch[i], rows[i].signal_id, inserted.Text(found->second, "reference"),
                             inserted.Text(found->second, "area_name"), rows[i].observed, rows[i].due, rows[i].late);
    *batch[i].audit = std::move(completed[i]);
    MarkRecorded(*batch[i].audit);
  }
  return stored;
}

absl::StatusOr<std::optional<TenantReference>> SignalStore::LoadTenantReference(const std::string& tenant,
                                                                                absl::Time deadline) {
  std::optional<TenantReference> reference;
  RETURN_IF_ERROR(pool_->InTransaction(
      [&](db::Transaction& tx) -> absl::Status {
        ASSIGN_OR_RETURN(db::Rows row, tx.Query(kSelectTenant, {tenant}));
        if (row.empty()) return absl::OkStatus();
        ASSIGN_OR_RETURN(db::Rows areas, tx.Query(kTenantAreas, {tenant}));
        TenantReference& r = reference.emplace();
        r.reference_prefix = row.Text(0, "reference_prefix");
        r.time_zone_name = row.Text(0, "time_zone");
        r.settings_json = row.Text(0, "settings");
        ASSIGN_OR_RETURN(r.time_zone, TimeZoneOf(r.time_zone_name));
        r.working_days = WorkingDays(ClosingDays(StoredSettings(row.Text(0, "settings"))));
        for (int i = 0; i < areas.size(); ++i) r.area_ids.insert(areas.Text(i, "area_id"));
        return absl::OkStatus();
      },
      Bounded(deadline)));
  return reference;
}

absl::StatusOr<bool> SignalStore::Submitted(const RequestContext& caller, const std::string& request_id) {
  if (!IsUuid(request_id)) return false;
  ASSIGN_OR_RETURN(db::Rows rows, pool_->OneStatement(kFindExisting, {caller.tenant, caller.user, request_id},
                                                      Bounded(caller.deadline)));
  return !rows.empty();
}

namespace {

// One signal by a unique key: the reads of every GetSignal, prepared (the
// select with its joins took longer to parse and plan than to run).
db::Prepared SignalById() {
  static const db::Statement statement{
      "intake_signal_by_id", absl::StrCat(kSelectSignal, " WHERE s.tenant_id = $1 AND s.signal_id = $2::uuid")};
  return statement.prepared();
}

db::Prepared SignalByReference() {
  static const db::Statement statement{
      "intake_signal_by_reference", absl::StrCat(kSelectSignal, " WHERE s.tenant_id = $1 AND s.reference = $2")};
  return statement.prepared();
}

}  // namespace

absl::StatusOr<std::optional<v1::Signal>> SignalStore::FindById(const std::string& tenant,
                                                                const std::string& signal_id,
                                                                absl::Time deadline) {
  ASSIGN_OR_RETURN(db::Rows rows, pool_->OneStatement(SignalById(), {tenant, signal_id}, Bounded(deadline)));
  if (rows.empty()) return std::nullopt;
  return SignalFromRow(rows, 0);
}

absl::StatusOr<std::optional<v1::Signal>> SignalStore::FindByReference(
    const std::string& tenant, const std::string& reference, absl::Time deadline) {
  ASSIGN_OR_RETURN(db::Rows rows, pool_->OneStatement(SignalByReference(), {tenant, reference}, Bounded(deadline)));
  if (rows.empty()) return std::nullopt;
  return SignalFromRow(rows, 0);
}

absl::StatusOr<std::vector<v1::Signal>> SignalStore::ListUntriaged(
    const std::string& tenant, const std::vector<std::string>& areas,
    const std::optional<std::pair<absl::Time, std::string>>& after, int limit, absl::Time deadline) {
  ASSIGN_OR_RETURN(
      db::Rows rows,
      pool_->Query(absl::StrCat(kSelectSignal, kUntriagedFilter),
                   {tenant, db::TextArray(areas),
                    after ? db::Param(db::TimestampParam(after->first)) : std::nullopt,
                    after ? db::Param(after->second) : std::nullopt, absl::StrCat(limit)},
                   Bounded(deadline)));
  std::vector<v1::Signal> signals;
  for (int i = 0; i < rows.size(); ++i) {
    v1::Signal& signal = signals.emplace_back(SignalFromRow(rows, i));
    for (v1::FeedbackText& text : FromJsonArray<v1::FeedbackText>(rows.Text(i, "standard_feedback"))) {
      *signal.add_standard_feedback() = std::move(text);
    }
  }
  return signals;
}

absl::StatusOr<int> SignalStore::ApplyTriageOutcomes(const std::vector<v1::TriageOutcome>& outcomes,
                                                     absl::Time deadline) {
  int applied = 0;
  RETURN_IF_ERROR(pool_->InTransaction(
      [&](db::Transaction& tx) -> absl::Status {
        applied = 0;
        for (const v1::TriageOutcome& o : outcomes) {
          ASSIGN_OR_RETURN(db::Rows claimed, tx.Query(kClaimEvent, {o.event_id(), o.tenant_id()}));
          if (claimed.empty()) continue;  // applied before
          db::Param decided_at;
          if (o.has_decided_at()) {
            decided_at = db::TimestampParam(absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(o.decided_at())));
          }
          ASSIGN_OR_RETURN(db::Rows changed,
                           tx.Query(kApplyOutcome, {o.tenant_id(), o.signal_id(),
                                                    StoredName(v1::SignalStatus_Name(o.status()), "SIGNAL_STATUS_"),
                                                    o.feedback(), decided_at}));
          applied += changed.empty() ? 0 : 1;
          if (!o.case_id().empty()) {
            RETURN_IF_ERROR(tx.Exec(kLinkSignals, {o.tenant_id(), o.case_id(), db::TextArray({o.signal_id()})}));
          }
        }
        return absl::OkStatus();
      },
      Bounded(deadline)));
  return applied;
}

absl::StatusOr<std::vector<v1::Signal>> SignalStore::List(const SignalQuery& q,
                                                          absl::Time deadline) {
  auto optional_time = [](const std::optional<absl::Time>& t) -> db::Param {
    if (!t) return std::nullopt;
    return db::TimestampParam(*t);
  };
  db::Params params = {
      q.tenant,
      q.reporter_organisation,
      db::TextArray(q.coordinator_areas),
      q.areas ? db::Param(db::TextArray(*q.areas)) : std::nullopt,
      q.category,
      q.status,
      optional_time(q.reported_from),
      optional_time(q.reported_to),
      q.after ? db::Param(db::TimestampParam(q.after->first)) : std::nullopt,
      q.after ? db::Param(q.after->second) : std::nullopt,
      absl::StrCat(q.limit),
      q.overdue_only ? "true" : "false",
      q.late_only ? "true" : "false",
  };
  ASSIGN_OR_RETURN(db::Rows rows, pool_->Query(absl::StrCat(kSelectSignal, kListFilter), params,
                                               Bounded(deadline)));
  std::vector<v1::Signal> signals;
  for (int i = 0; i < rows.size(); ++i) signals.push_back(SignalFromRow(rows, i));
  return signals;
}

absl::StatusOr<std::set<std::string>> SignalStore::AreasWithin(
    const std::string& tenant, const std::vector<std::string>& roots, absl::Time deadline) {
  return areas_.Within(*pool_, tenant, roots, deadline);
}

absl::StatusOr<std::vector<AreaRow>> SignalStore::AreaTree(const std::string& tenant,
                                                           const std::vector<std::string>& roots,
                                                           absl::Time deadline) {
  return areas_.Tree(*pool_, tenant, roots, deadline);
}

absl::Status SignalStore::CreateTenant(const std::string& tenant, const std::string& name,
                                       const std::vector<AreaRow>& areas) {
  return pool_->InTransaction([&](db::Transaction& tx) -> absl::Status {
    RETURN_IF_ERROR(areas_.Store(tx, tenant, name, areas));
    return CopyStartingCategories(tx, tenant);
  });
}

absl::StatusOr<int> SignalStore::ApplyCaseStates(const std::vector<v1::CaseState>& states, absl::Time deadline) {
  int applied = 0;
  RETURN_IF_ERROR(pool_->InTransaction(
      [&](db::Transaction& tx) -> absl::Status {
        applied = 0;
        for (const v1::CaseState& state : states) {
          ASSIGN_OR_RETURN(db::Rows claimed, tx.Query(kClaimEvent, {state.event_id(), state.tenant_id()}));
          if (claimed.empty()) continue;  // applied before
          ASSIGN_OR_RETURN(
              db::Rows changed,
              tx.Query(kApplyCaseState, {state.tenant_id(), state.case_id(), state.open() ? "true" : "false",
                                         db::TimestampParam(absl::FromUnixMicros(
                                             TimeUtil::TimestampToMicroseconds(state.changed_at())))}));
          applied += changed.empty() ? 0 : 1;
          // The links hold whatever the state's order: a case holds its signals.
          const std::vector<std::string> signals(state.signal_ids().begin(), state.signal_ids().end());
          if (!signals.empty()) {
            RETURN_IF_ERROR(tx.Exec(kLinkSignals, {state.tenant_id(), state.case_id(), db::TextArray(signals)}));
          }
        }
        return absl::OkStatus();
      },
      Bounded(deadline)));
  return applied;
}

absl::StatusOr<std::vector<std::string>> SignalStore::Tenants(absl::Time deadline) {
  ASSIGN_OR_RETURN(db::Rows rows, pool_->Query(kTenants, {}, Bounded(deadline)));
  std::vector<std::string> tenants;
  for (int i = 0; i < rows.size(); ++i) tenants.push_back(rows.Text(i, "tenant_id"));
  return tenants;
}

absl::StatusOr<std::vector<std::string>> SignalStore::DueForRetention(const std::string& tenant,
                                                                      absl::Time reported_before, int limit,
                                                                      absl::Time deadline) {
  ASSIGN_OR_RETURN(db::Rows rows,
                   pool_->Query(absl::StrCat("SELECT s.signal_id FROM intake.signals s WHERE ", kRetentionDue,
                                             " ORDER BY s.reported_at LIMIT $3"),
                                {tenant, db::TimestampParam(reported_before), absl::StrCat(limit)}, Bounded(deadline)));
  std::vector<std::string> ids;
  for (int i = 0; i < rows.size(); ++i) ids.push_back(rows.Text(i, "signal_id"));
  return ids;
}

absl::StatusOr<std::optional<std::vector<std::string>>> SignalStore::RemovePersonalData(
    const std::string& tenant, const std::string& signal_id, absl::Time reported_before, absl::string_view removed,
    AuditRecord& audit, absl::Time deadline) {
  std::optional<std::vector<std::string>> storage_keys;
  absl::Status removed_or_not = InAuditedTransaction(
      *pool_, audit,
      [&](db::Transaction& tx) -> absl::Status {
        storage_keys.reset();
        // Still due, now that the row is locked: its case may have reopened,
        // or another sweep cleared it. Then nothing happened, and no record
        // says it did: the transaction rolls back.
        ASSIGN_OR_RETURN(db::Rows due, tx.Query(absl::StrCat("SELECT s.signal_id FROM intake.signals s WHERE ",
                                                             kRetentionDue, " AND s.signal_id = $3::uuid FOR UPDATE"),
                                                {tenant, db::TimestampParam(reported_before), signal_id}));
        if (due.empty()) return absl::CancelledError(kNotDue);
        ASSIGN_OR_RETURN(auto signal, FindOne(tx, " WHERE s.tenant_id = $1 AND s.signal_id = $2::uuid", {tenant, signal_id}));
        if (signal) {
          if (signal->has_location()) audit.AddAddress(signal->location().address());
          for (const v1::Person& p : signal->persons()) audit.AddPerson(p.name(), p.birth_year());
        }
        RETURN_IF_ERROR(tx.Exec(kRemovePersonalData, {tenant, signal_id, std::string(removed)}));
        ASSIGN_OR_RETURN(db::Rows attachments, tx.Query(kDeleteAttachments, {tenant, signal_id}));
        storage_keys.emplace();
        for (int i = 0; i < attachments.size(); ++i) storage_keys->push_back(attachments.Text(i, "storage_key"));
        return absl::OkStatus();
      },
      Bounded(deadline));
  if (absl::IsCancelled(removed_or_not) && removed_or_not.message() == kNotDue) return std::nullopt;
  RETURN_IF_ERROR(removed_or_not);
  return storage_keys;
}


absl::StatusOr<TenantSettings> SignalStore::TenantSettingsOf(const std::string& tenant, absl::Time deadline) {
  ASSIGN_OR_RETURN(db::Rows rows, pool_->Query(kSelectTenant, {tenant}, Bounded(deadline)));
  if (rows.empty()) return absl::FailedPreconditionError(absl::StrCat("tenant ", tenant, " is not set up for signal intake"));
  return StoredSettings(rows.Text(0, "settings"));
}

absl::Status SignalStore::StoreTenantSettings(const std::string& tenant, const TenantSettings& settings) {
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(settings, &json).ok()) {
    return absl::InternalError("tenant settings: cannot be written as JSON");
  }
  return pool_->Query(kStoreTenantSettings, {tenant, settings.time_zone(), settings.signal_reference_prefix(), json})
      .status();
}

absl::Status UnknownCategory() { return Invalid("category_id", "not a known, active category"); }

std::vector<v1::Person> PersonsFromJson(absl::string_view json) {
  std::vector<v1::Person> persons;
  auto parsed = nlohmann::json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_array()) return persons;
  auto text = [](const nlohmann::json& p, const char* key) {
    auto it = p.find(key);
    return it != p.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  for (const auto& p : parsed) {
    if (!p.is_object()) continue;
    v1::Person& person = persons.emplace_back();
    person.set_name(text(p, "name"));
    person.set_role(text(p, "role"));
    auto year = p.find("birth_year");
    if (year != p.end() && year->is_number_integer()) {
      int64_t value = year->get<int64_t>();
      if (value >= 0 && value <= 9999) person.set_birth_year(static_cast<int>(value));
    }
  }
  return persons;
}

}  // namespace hartslag::intake
