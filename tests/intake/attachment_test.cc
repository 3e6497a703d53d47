// Photos and documents of signals, and retention at intake, against a real
// PostgreSQL: chunked, exactly-once uploads; the type from the bytes; a photo
// stored without its GPS position; the tenant's limits; reading by the
// signal's need-to-know; and the personal data of signals removed after the
// tenant's period unless they sit on an open case.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/crypto.h"
#include "services/common/migrations.h"
#include "services/common/outbox.h"
#include "services/common/proto_time.h"
#include "services/common/pseudonym.h"
#include "services/intake/signal_attachments.h"
#include "services/intake/signal_intake.h"
#include "services/intake/signal_retention.h"
#include "tests/support/heerlen.h"
#include "tests/support/sample_signal.h"
#include "tests/support/test_database.h"

namespace hartslag::intake {
namespace {

RequestContext Caller(std::string user, std::string org, std::set<Role> roles, std::vector<std::string> areas = {}) {
  RequestContext c;
  c.tenant = "heerlen";
  c.user = std::move(user);
  c.organisation = std::move(org);
  c.organisation_kind = common::v1::ORGANISATION_KIND_MUNICIPALITY;
  c.roles = std::move(roles);
  c.areas = std::move(areas);
  c.deadline = absl::Now() + absl::Seconds(30);
  return c;
}

std::string Fixture(const std::string& name) {
  std::ifstream file(std::string(HARTSLAG_INTAKE_TESTDATA) + "/" + name, std::ios::binary);
  std::stringstream bytes;
  bytes << file.rdbuf();
  return bytes.str();
}

class AttachmentTest : public ::testing::Test {
 protected:
  AttachmentTest()
      : pool_(*db::Pool::Open(db_.conninfo(), 8)),
        store_(pool_.get()),
        categories_(pool_.get()),
        intake_(&store_, &categories_),
        attachment_store_(pool_.get()),
        contents_(pool_.get()),
        attachments_(&store_, &attachment_store_, &contents_) {
    auto applied = db::ApplyMigrations(*pool_, kSchema, IntakeMigrations());
    EXPECT_TRUE(applied.ok()) << applied.status();
    EXPECT_TRUE(testing::SeedHeerlen(store_).ok());
  }

  v1::Signal Submit(const RequestContext& reporter = {}) {
    v1::SubmitSignalRequest request = testing::SampleSignal();
    v1::Person* person = request.add_persons();
    person->set_name("J. Jansen");
    person->set_birth_year(1970);
    auto submitted = intake_.Submit(reporter.user.empty() ? coach_ : reporter, request, audit_);
    EXPECT_TRUE(submitted.ok()) << submitted.status();
    return submitted->signal();
  }

  // Uploads `bytes` in chunks of `chunk` bytes; the answer to the last one.
  absl::StatusOr<v1::UploadAttachmentResponse> Upload(const std::string& signal_id, const std::string& bytes,
                                                      const std::string& upload_id = RandomUuid(),
                                                      size_t chunk = 400, const RequestContext* who = nullptr) {
    absl::StatusOr<v1::UploadAttachmentResponse> answer = absl::InternalError("nothing sent");
    size_t offset = 0;
    do {
      v1::UploadAttachmentRequest request;
      request.set_signal_id(signal_id);
      request.set_upload_id(upload_id);
      request.set_file_name("foto.jpg");
      request.set_offset(static_cast<int64_t>(offset));
      request.set_data(bytes.substr(offset, chunk));
      offset += request.data().size();
      request.set_last(offset >= bytes.size());
      answer = attachments_.Upload(who ? *who : coach_, request, audit_);
      if (!answer.ok()) return answer;
    } while (offset < bytes.size());
    return answer;
  }

  absl::StatusOr<std::string> ReadAll(const RequestContext& who, const std::string& signal_id,
                                      const std::string& attachment_id) {
    std::string all;
    for (;;) {
      v1::ReadAttachmentRequest request;
      request.set_signal_id(signal_id);
      request.set_attachment_id(attachment_id);
      request.set_offset(static_cast<int64_t>(all.size()));
      auto part = attachments_.Read(who, request, audit_);
      if (!part.ok()) return part.status();
      all += part->data();
      if (part->end()) return all;
    }
  }

  int64_t Count(const std::string& sql) {
    auto rows = pool_->Query(sql, {});
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? rows->Int(0, "n") : -1;
  }

  void Exec(const std::string& sql, const db::Params& params = {}) {
    auto done = pool_->Query(sql, params);
    EXPECT_TRUE(done.ok()) << done.status();
  }

  void StoreSettings(TenantSettings settings) { ASSERT_TRUE(store_.StoreTenantSettings("heerlen", WithDefaults(settings)).ok()); }

  testing::TestDatabase db_;
  std::unique_ptr<db::Pool> pool_;
  SignalStore store_;
  CategoryStore categories_;
  SignalIntake intake_;
  AttachmentStore attachment_store_;
  PostgresAttachmentContents contents_;
  SignalAttachments attachments_;
  AuditRecord audit_;
  const RequestContext coach_ = Caller("coach-1", "straatcoaches", {Role::kReporter});
  const RequestContext colleague_ = Caller("coach-2", "straatcoaches", {Role::kReporter});
  const RequestContext coordinator_ = Caller("coord-1", "gemeente", {Role::kCoordinator}, {"heerlen-noord"});
  const RequestContext elsewhere_ = Caller("coord-2", "gemeente", {Role::kCoordinator}, {"heerlen-zuid"});
};

TEST_F(AttachmentTest, APhotoUploadedInChunksIsStoredWithoutItsGpsPositionAndReadsBack) {
  const std::string photo = Fixture("photo_gps.jpg");
  ASSERT_TRUE(absl::StrContains(photo, "Exif")) << "the fixture carries Exif";
  v1::Signal signal = Submit();
  auto uploaded = Upload(signal.signal_id(), photo);
  ASSERT_TRUE(uploaded.ok()) << uploaded.status();
  const v1::Attachment& a = uploaded->attachment();
  EXPECT_EQ(a.media_type(), "image/jpeg");
  EXPECT_EQ(a.file_name(), "foto.jpg");
  EXPECT_LT(a.size_bytes(), static_cast<int64_t>(photo.size()));

  auto stored = ReadAll(coach_, signal.signal_id(), a.attachment_id());
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(static_cast<int64_t>(stored->size()), a.size_bytes());
  EXPECT_EQ(HexEncode(Sha256(*stored)), a.sha256());
  EXPECT_FALSE(absl::StrContains(*stored, "Exif")) << "no Exif, so no GPS position";
  EXPECT_EQ(stored->substr(0, 2), "\xFF\xD8");

  v1::GetSignalRequest get;
  get.set_signal_id(signal.signal_id());
  auto read = intake_.Get(coach_, get, audit_);
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->attachments_size(), 1);
  EXPECT_EQ(read->attachments(0).attachment_id(), a.attachment_id());
  EXPECT_EQ(Count("SELECT count(*) AS n FROM intake.attachment_uploads"), 0) << "the upload is done with";
}

TEST_F(AttachmentTest, AChunkOrLastChunkSentAgainIsTakenOnce) {
  const std::string photo = Fixture("photo_gps.jpg");
  v1::Signal signal = Submit();
  const std::string upload_id = RandomUuid();
  v1::UploadAttachmentRequest first;
  first.set_signal_id(signal.signal_id());
  first.set_upload_id(upload_id);
  first.set_file_name("foto.jpg");
  first.set_data(photo.substr(0, 500));
  ASSERT_TRUE(attachments_.Upload(coach_, first, audit_).ok());
  auto again = attachments_.Upload(coach_, first, audit_);  // its answer was lost
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->received_bytes(), 500);
  v1::UploadAttachmentRequest gap = first;
  gap.set_offset(700);
  auto refused = attachments_.Upload(coach_, gap, audit_);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(refused.status().message(), "offset: must be 500")) << refused.status();

  v1::UploadAttachmentRequest rest = first;
  rest.set_offset(500);
  rest.set_data(photo.substr(500));
  rest.set_last(true);
  auto done = attachments_.Upload(coach_, rest, audit_);
  ASSERT_TRUE(done.ok()) << done.status();
  auto done_again = attachments_.Upload(coach_, rest, audit_);
  ASSERT_TRUE(done_again.ok()) << done_again.status();
  EXPECT_EQ(done_again->attachment().attachment_id(), done->attachment().attachment_id());
  EXPECT_EQ(Count("SELECT count(*) AS n FROM intake.attachments"), 1);
}

TEST_F(AttachmentTest, TheTypeComesFromTheBytesNotTheName) {
  v1::Signal signal = Submit();
  auto pdf = Upload(signal.signal_id(), Fixture("letter.pdf"));  // sent as "foto.jpg"
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  EXPECT_EQ(pdf->attachment().media_type(), "application/pdf");

  auto text = Upload(signal.signal_id(), "Dit is geen foto maar gewoon tekst.");
  EXPECT_EQ(text.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(text.status().message(), "data: is not a JPEG, PNG or PDF file");
  auto script = Upload(signal.signal_id(), Fixture("letter_javascript.pdf"));
  EXPECT_EQ(script.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Count("SELECT count(*) AS n FROM intake.attachments"), 1);
  EXPECT_EQ(Count("SELECT count(*) AS n FROM intake.attachment_uploads"), 0) << "refused uploads are not kept";
}

TEST_F(AttachmentTest, TheTenantsLimitsHold) {
  TenantSettings settings;
  settings.set_max_attachment_bytes(1000);
  settings.set_max_attachments_per_signal(1);
  StoreSettings(settings);
  v1::Signal signal = Submit();
  auto large = Upload(signal.signal_id(), std::string(1500, 'x'));
  EXPECT_EQ(large.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(large.status().message(), "data: the attachment is larger than 1000 bytes"))
      << large.status();
  ASSERT_TRUE(Upload(signal.signal_id(), Fixture("letter.pdf")).ok());
  auto second = Upload(signal.signal_id(), Fixture("letter.pdf"));
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StartsWith(second.status().message(), "attachments: ")) << second.status();
}

TEST_F(AttachmentTest, WhoSeesTheSignalInFullReadsItsAttachmentsAndOnlyItsReporterAdds) {
  v1::Signal signal = Submit();
  auto uploaded = Upload(signal.signal_id(), Fixture("letter.pdf"));
  ASSERT_TRUE(uploaded.ok());
  const std::string id = uploaded->attachment().attachment_id();
  EXPECT_TRUE(ReadAll(coordinator_, signal.signal_id(), id).ok());
  EXPECT_EQ(ReadAll(colleague_, signal.signal_id(), id).status().code(), absl::StatusCode::kNotFound)
      << "a colleague sees the status only";
  EXPECT_EQ(ReadAll(elsewhere_, signal.signal_id(), id).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Upload(signal.signal_id(), Fixture("letter.pdf"), RandomUuid(), 400, &coordinator_).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Upload(signal.signal_id(), Fixture("letter.pdf"), RandomUuid(), 400, &colleague_).status().code(),
            absl::StatusCode::kNotFound);
}

class SignalRetentionTest : public AttachmentTest {
 protected:
  // Makes the signal `days` old.
  void Age(const v1::Signal& signal, int days) {
    Exec("UPDATE intake.signals SET reported_at = now() - make_interval(days => $2::int) WHERE signal_id = $1::uuid",
         {signal.signal_id(), absl::StrCat(days)});
  }
  // The cases service's word: the signal went to `case_id`, open or closed `days` ago.
  void OnCase(const v1::Signal& signal, const std::string& case_id, bool open, int days) {
    v1::TriageOutcome outcome;
    outcome.set_event_id(RandomUuid());
    outcome.set_tenant_id("heerlen");
    outcome.set_signal_id(signal.signal_id());
    outcome.set_status(v1::SIGNAL_STATUS_ACCEPTED);
    outcome.set_case_id(case_id);
    *outcome.mutable_decided_at() = TimeToProto(absl::Now() - absl::Hours(24 * 39));  // weighed the day after
    v1::RecordTriageOutcomesRequest outcomes;
    outcomes.add_outcomes(outcome.SerializeAsString());
    ASSERT_TRUE(intake_.RecordOutcomes(outcomes, absl::Now() + absl::Seconds(10)).ok());
    v1::CaseState state;
    state.set_event_id(RandomUuid());
    state.set_tenant_id("heerlen");
    state.set_case_id(case_id);
    state.set_open(open);
    *state.mutable_changed_at() = TimeToProto(absl::Now() - absl::Hours(24) * days);
    v1::RecordCaseStatesRequest states;
    states.add_states(state.SerializeAsString());
    auto applied = intake_.RecordCaseStates(states, absl::Now() + absl::Seconds(10));
    ASSERT_TRUE(applied.ok()) << applied.status();
    EXPECT_EQ(applied->applied(), 1);
  }
  v1::Signal Read(const v1::Signal& signal) {
    v1::GetSignalRequest get;
    get.set_signal_id(signal.signal_id());
    auto read = intake_.Get(coordinator_, get, audit_);
    EXPECT_TRUE(read.ok()) << read.status();
    return read.ok() ? *read : v1::Signal();
  }
  bool Cleared(const v1::Signal& signal) {
    v1::Signal now = Read(signal);
    return now.description() == kRemoved && now.persons().empty() && now.location().address().street().empty() &&
           now.attachments().empty();
  }

  const Outbox outbox_{kSchema};
  const Pseudonymizer pseudonyms_{std::string(32, 'k')};
  const AuditTrail trail_{pool_.get(), &outbox_, &pseudonyms_};
};

TEST_F(SignalRetentionTest, ASignalPastTheTenantsPeriodLosesItsPersonalDataUnlessOnAnOpenCase) {
  TenantSettings settings;
  settings.set_signal_retention_days(30);
  StoreSettings(settings);
  v1::Signal old_alone = Submit(), recent = Submit(), on_open_case = Submit(), case_closed_long_ago = Submit(),
             case_closed_lately = Submit();
  ASSERT_TRUE(Upload(old_alone.signal_id(), Fixture("photo_gps.jpg")).ok());
  for (const v1::Signal* s : {&old_alone, &on_open_case, &case_closed_long_ago, &case_closed_lately}) Age(*s, 40);
  Age(recent, 20);
  OnCase(on_open_case, RandomUuid(), /*open=*/true, 39);
  OnCase(case_closed_long_ago, RandomUuid(), /*open=*/false, 35);
  OnCase(case_closed_lately, RandomUuid(), /*open=*/false, 10);
  // A case opened with a signal already weighed (not at its triage) holds it too.
  v1::Signal opened_with = Submit();
  Age(opened_with, 40);
  v1::CaseState holding;
  holding.set_event_id(RandomUuid());
  holding.set_tenant_id("heerlen");
  holding.set_case_id(RandomUuid());
  holding.set_open(true);
  *holding.mutable_changed_at() = TimeToProto(absl::Now() - absl::Hours(24 * 39));
  holding.add_signal_ids(opened_with.signal_id());
  v1::RecordCaseStatesRequest states;
  states.add_states(holding.SerializeAsString());
  ASSERT_TRUE(intake_.RecordCaseStates(states, absl::Now() + absl::Seconds(10)).ok());
  // On a case closed long ago, and named too by a case still open.
  v1::Signal on_two_cases = Submit();
  Age(on_two_cases, 40);
  OnCase(on_two_cases, RandomUuid(), /*open=*/false, 35);
  v1::CaseState also_open = holding;
  also_open.set_event_id(RandomUuid());
  also_open.set_case_id(RandomUuid());
  also_open.clear_signal_ids();
  also_open.add_signal_ids(on_two_cases.signal_id());
  v1::RecordCaseStatesRequest more;
  more.add_states(also_open.SerializeAsString());
  ASSERT_TRUE(intake_.RecordCaseStates(more, absl::Now() + absl::Seconds(10)).ok());
  // Reported long ago, weighed only last week.
  v1::Signal handled_lately = Submit();
  Age(handled_lately, 40);
  v1::TriageOutcome late_outcome;
  late_outcome.set_event_id(RandomUuid());
  late_outcome.set_tenant_id("heerlen");
  late_outcome.set_signal_id(handled_lately.signal_id());
  late_outcome.set_status(v1::SIGNAL_STATUS_NO_ACTION);
  late_outcome.set_feedback("Al opgeruimd.");
  *late_outcome.mutable_decided_at() = TimeToProto(absl::Now() - absl::Hours(24 * 7));
  v1::RecordTriageOutcomesRequest late_outcomes;
  late_outcomes.add_outcomes(late_outcome.SerializeAsString());
  ASSERT_TRUE(intake_.RecordOutcomes(late_outcomes, absl::Now() + absl::Seconds(10)).ok());

  SignalRetention retention(&store_, &contents_, &attachments_, &trail_, absl::Hours(1));
  auto cleared = retention.SweepOnce();
  ASSERT_TRUE(cleared.ok()) << cleared.status();
  EXPECT_EQ(*cleared, 2);
  EXPECT_TRUE(Cleared(old_alone));
  EXPECT_TRUE(Cleared(case_closed_long_ago));
  EXPECT_FALSE(Cleared(recent));
  EXPECT_FALSE(Cleared(on_open_case));
  EXPECT_FALSE(Cleared(case_closed_lately)) << "the period counts from the case's closing";
  EXPECT_FALSE(Cleared(opened_with)) << "on an open case that was opened with it";
  EXPECT_FALSE(Cleared(on_two_cases)) << "one of its cases closed long ago, the other is open";
  EXPECT_FALSE(Cleared(handled_lately)) << "weighed within the period";
  EXPECT_EQ(Count("SELECT count(*) AS n FROM intake.attachment_contents"), 0) << "the photo's bytes are gone";

  // What the figures need stays.
  v1::Signal kept = Read(old_alone);
  EXPECT_EQ(kept.category_id(), old_alone.category_id());
  EXPECT_EQ(kept.area().area_id(), old_alone.area().area_id());
  EXPECT_EQ(kept.reference(), old_alone.reference());
  EXPECT_EQ(kept.due_at().seconds(), old_alone.due_at().seconds());
  // Each removal left its record, for the retention job with its purpose.
  auto records = pool_->Query("SELECT payload FROM intake.outbox WHERE target = 'audit' ORDER BY seq", {});
  ASSERT_TRUE(records.ok());
  std::set<std::string> removed;
  for (int i = 0; i < records->size(); ++i) {
    audit::v1::AuditEvent event;
    ASSERT_TRUE(event.ParseFromString(records->Bytes(i, "payload")));
    EXPECT_EQ(event.action(), audit::v1::ACTION_DELETE);
    EXPECT_EQ(event.purpose(), "RETENTION");
    EXPECT_EQ(event.object().type(), "signal");
    EXPECT_FALSE(event.subjects().empty()) << "whom the data was about";
    removed.insert(event.object().id());
  }
  EXPECT_EQ(removed, (std::set<std::string>{old_alone.signal_id(), case_closed_long_ago.signal_id()}));
  // A signal past its retention takes no new attachments.
  EXPECT_EQ(Upload(old_alone.signal_id(), Fixture("letter.pdf")).status().code(),
            absl::StatusCode::kFailedPrecondition);
  // A second sweep finds nothing more.
  EXPECT_EQ(*retention.SweepOnce(), 0);
}

}  // namespace
}  // namespace hartslag::intake
