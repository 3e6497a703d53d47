// SignalIntake against a real PostgreSQL: exactly-once submission (also when
// retries meet in one group commit), distinct references under concurrency,
// need-to-know in lists, filters and paging.
#include "services/intake/signal_intake.h"

#include <gtest/gtest.h>

#include <future>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/audit_trail.h"
#include "services/common/crypto.h"
#include "services/common/migrations.h"
#include "services/common/outbox.h"
#include "services/common/proto_time.h"
#include "services/common/pseudonym.h"
#include "services/common/reference.h"
#include "services/common/status_macros.h"
#include "services/common/working_days.h"
#include "services/intake/signal_store.h"
#include "services/intake/signal_validation.h"
#include "tests/support/heerlen.h"
#include "tests/support/sample_signal.h"
#include "tests/support/test_database.h"

namespace hartslag::intake {
namespace {

RequestContext Person(std::string user, std::string org, std::set<Role> roles,
                      std::vector<std::string> areas = {}, std::string tenant = "heerlen") {
  RequestContext c;
  c.tenant = std::move(tenant);
  c.user = std::move(user);
  c.organisation = std::move(org);
  c.organisation_kind = common::v1::ORGANISATION_KIND_MUNICIPALITY;
  c.roles = std::move(roles);
  c.areas = std::move(areas);
  c.deadline = absl::Now() + absl::Seconds(30);
  return c;
}

using testing::SampleSignal;

v1::SubmitSignalRequest Signal(std::string area = "vrieheide", std::string category = "afval-dumping") {
  return SampleSignal(std::move(area), std::move(category));
}

class SignalIntakeTest : public ::testing::Test {
 protected:
  SignalIntakeTest()
      : pool_(*db::Pool::Open(db_.conninfo(), 8)), store_(pool_.get()), categories_(pool_.get()), intake_(&store_, &categories_) {
    auto applied = db::ApplyMigrations(*pool_, kSchema, IntakeMigrations());
    EXPECT_TRUE(applied.ok()) << applied.status();
    EXPECT_TRUE(testing::SeedHeerlen(store_).ok());
  }

  int64_t CountSignals() {
    int64_t n = -1;
    EXPECT_TRUE(pool_->InTransaction([&](db::Transaction& tx) -> absl::Status {
      auto rows = tx.Query("SELECT count(*) AS n FROM intake.signals");
      if (!rows.ok()) return rows.status();
      n = rows->Int(0, "n");
      return absl::OkStatus();
    }).ok());
    return n;
  }

  // The audit record of one SubmitSignal call by the coach.
  AuditRecord Audited() {
    AccessRule rule;
    rule.roles = {Role::kReporter};
    return trail_.Begin(coach_, "SubmitSignal", rule.Audit(audit::v1::ACTION_CREATE, "signal"), "ipv4:127.0.0.1:1");
  }
  // The event ids of the audit records in intake's outbox.
  std::vector<std::string> RecordedEventIds() {
    std::vector<std::string> ids;
    auto rows = pool_->Query("SELECT event_id::text AS id FROM intake.outbox WHERE target = 'audit' ORDER BY seq");
    EXPECT_TRUE(rows.ok()) << rows.status();
    for (int i = 0; rows.ok() && i < rows->size(); ++i) ids.push_back(rows->Text(i, "id"));
    return ids;
  }

  // Heerlen's reference data as intake's cache holds it for the batch.
  TenantReference Heerlen() {
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    auto loaded = store_.LoadTenantReference("heerlen", deadline);
    EXPECT_TRUE(loaded.ok() && loaded->has_value()) << loaded.status();
    TenantReference tenant = loaded.ok() && loaded->has_value() ? **loaded : TenantReference();
    auto active = categories_.List("heerlen", /*active_only=*/true, deadline);
    EXPECT_TRUE(active.ok()) << active.status();
    if (active.ok()) tenant.active_categories = *active;
    return tenant;
  }
  static const v1::Category* Dumping(const TenantReference& tenant) {
    for (const v1::Category& c : tenant.active_categories) {
      if (c.category_id() == "afval-dumping") return &c;
    }
    return nullptr;
  }
  // A signal checked and labelled as intake hands it to the store.
  static Submission ReadyToStore(const v1::Category& category, int n) {
    Submission s;
    s.request = Signal();
    EXPECT_TRUE(ValidateAndNormalise(s.request, absl::Now()).ok());
    s.fingerprint = absl::StrCat("fingerprint-", n);
    s.reported_at = absl::Now();
    s.category_version = category.version();
    return s;
  }

  std::string Year() { return absl::StrCat(absl::ToCivilYear(absl::Now(), absl::UTCTimeZone()).year()); }

  testing::TestDatabase db_;
  std::unique_ptr<db::Pool> pool_;
  SignalStore store_;
  CategoryStore categories_;
  SignalIntake intake_;
  AuditRecord audit_;  // not audited here: the end-to-end tests check the records
  const Outbox outbox_{kSchema};
  const Pseudonymizer pseudonyms_{std::string(32, 'k')};
  const AuditTrail trail_{pool_.get(), &outbox_, &pseudonyms_};  // for the tests of the records themselves
  const RequestContext coach_ = Person("coach-1", "straatcoaches", {Role::kReporter});
  const RequestContext colleague_ = Person("coach-2", "straatcoaches", {Role::kReporter});
  const RequestContext boa_ = Person("boa-1", "handhaving", {Role::kReporter});
  const RequestContext coordinator_ =
      Person("coord-1", "gemeente", {Role::kCoordinator}, {"heerlen-noord"});
};

TEST_F(SignalIntakeTest, SubmittedSignalGetsReferenceAndStatusNew) {
  auto response = intake_.Submit(coach_, Signal(), audit_);
  ASSERT_TRUE(response.ok()) << response.status();
  const v1::Signal& s = response->signal();
  EXPECT_EQ(s.reference(), absl::StrCat("SV-", Year(), "-000001"));
  EXPECT_EQ(s.status(), v1::SIGNAL_STATUS_NEW);
  EXPECT_EQ(s.area().name(), "Vrieheide");
  EXPECT_EQ(s.reporter().user_id(), "coach-1");
  EXPECT_FALSE(response->replayed());
  auto second = intake_.Submit(coach_, Signal(), audit_);
  EXPECT_EQ(second->signal().reference(), absl::StrCat("SV-", Year(), "-000002"));
}

TEST_F(SignalIntakeTest, RetryWithSameRequestIdReturnsTheSameSignal) {
  v1::SubmitSignalRequest request = Signal();
  auto first = intake_.Submit(coach_, request, audit_);
  auto retry = intake_.Submit(coach_, request, audit_);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->replayed());
  EXPECT_EQ(retry->signal().signal_id(), first->signal().signal_id());
  EXPECT_EQ(retry->signal().reference(), first->signal().reference());
  EXPECT_EQ(CountSignals(), 1);
}

TEST_F(SignalIntakeTest, RetryWithoutObservedAtStillMatches) {
  v1::SubmitSignalRequest request = Signal();
  request.clear_observed_at();
  auto first = intake_.Submit(coach_, request, audit_);
  absl::SleepFor(absl::Milliseconds(5));
  auto retry = intake_.Submit(coach_, request, audit_);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->signal().signal_id(), first->signal().signal_id());
}

TEST_F(SignalIntakeTest, SameRequestIdWithOtherContentIsRefused) {
  v1::SubmitSignalRequest request = Signal();
  ASSERT_TRUE(intake_.Submit(coach_, request, audit_).ok());
  request.set_description("Iets heel anders gezien bij de flat.");
  auto reuse = intake_.Submit(coach_, request, audit_);
  EXPECT_EQ(reuse.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_NE(reuse.status().message().find("request_id"), absl::string_view::npos);
  EXPECT_EQ(CountSignals(), 1);
}

TEST_F(SignalIntakeTest, UnknownAreaOrCategoryIsRefusedAndUsesNoNumber) {
  auto area = intake_.Submit(coach_, Signal("atlantis"), audit_);
  EXPECT_EQ(area.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(area.status().message(), "area_id: not a known area");
  auto category = intake_.Submit(coach_, Signal("vrieheide", "ufo-waarneming"), audit_);
  EXPECT_EQ(category.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(category.status().message(), "category_id: not a known, active category");
  EXPECT_EQ(CountSignals(), 0);
  EXPECT_EQ(intake_.Submit(coach_, Signal(), audit_)->signal().reference(),
            absl::StrCat("SV-", Year(), "-000001"));
}

TEST_F(SignalIntakeTest, ConcurrentSubmissionsThatAllSucceedGetDistinctConsecutiveReferences) {
  constexpr int kSignals = 40;
  std::vector<std::string> references(kSignals);
  std::vector<std::thread> threads;
  for (int i = 0; i < kSignals; ++i) {
    threads.emplace_back([&, i] {
      AuditRecord own = audit_;  // a record belongs to one call
      auto r = intake_.Submit(coach_, Signal(), own);
      references[i] = r.ok() ? r->signal().reference() : r.status().ToString();
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> expected;
  for (int i = 1; i <= kSignals; ++i) {
    expected.insert(absl::StrCat("SV-", Year(), "-", std::string(6 - std::to_string(i).size(), '0'), i));
  }
  EXPECT_EQ(std::set<std::string>(references.begin(), references.end()), expected);
}

// The group commit itself: a batch stores its signals with consecutive
// numbers, in its order, and leaves to the one-by-one way, without drawing a
// number for it, a submission checked against a category version that is not
// current, and a retry.
TEST_F(SignalIntakeTest, ABatchStoresItsSignalsAndLeavesOutWhatChanged) {
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  const TenantReference tenant = Heerlen();
  const v1::Category* dumping = Dumping(tenant);
  ASSERT_NE(dumping, nullptr);

  std::vector<Submission> submissions(3);
  std::vector<AuditRecord> audits = {Audited(), Audited(), Audited()};
  std::vector<BatchedSubmission> batch;
  for (int i = 0; i < 3; ++i) {
    Submission& s = submissions[i];
    s = ReadyToStore(*dumping, i);
    batch.push_back({&coach_, &s, &tenant, dumping, &audits[i]});
  }
  submissions[0].category_version = dumping->version() + 1;  // its answers met other questions

  auto stored = store_.SubmitBatch(batch, deadline);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_FALSE((*stored)[0].has_value()) << "a changed category is decided one by one";
  ASSERT_TRUE((*stored)[1].has_value());
  ASSERT_TRUE((*stored)[2].has_value());
  EXPECT_EQ((*stored)[1]->reference(), absl::StrCat("SV-", Year(), "-000001"));
  EXPECT_EQ((*stored)[2]->reference(), absl::StrCat("SV-", Year(), "-000002"));
  EXPECT_EQ((*stored)[1]->area().name(), "Vrieheide");
  EXPECT_EQ(CountSignals(), 2);
  // The batch writes the records of the signals it stored, with them, and
  // no record of a signal it left out: the one-by-one way writes that one.
  EXPECT_EQ(RecordedEventIds(), (std::vector<std::string>{audits[1].event_id(), audits[2].event_id()}));
  EXPECT_EQ(audits[1].object_id(), (*stored)[1]->signal_id());
  EXPECT_EQ(audits[0].object_id(), "") << "the left-out call's record is left as it was";
  // When the calls end, the stored ones' records are written already; the
  // left-out one's is written then.
  const uint64_t written = GroupCommitCounts::All()["audit_records"].items;
  ASSERT_TRUE(trail_.Finish(audits[1], absl::OkStatus()).ok());
  EXPECT_EQ(GroupCommitCounts::All()["audit_records"].items, written) << "no second record";
  ASSERT_TRUE(trail_.Finish(audits[0], absl::OkStatus()).ok());
  EXPECT_EQ(GroupCommitCounts::All()["audit_records"].items, written + 1);
  EXPECT_EQ(RecordedEventIds(),
            (std::vector<std::string>{audits[1].event_id(), audits[2].event_id(), audits[0].event_id()}));

  AuditRecord retry = Audited();
  auto retried = store_.SubmitBatch({{&coach_, &submissions[1], &tenant, dumping, &retry}}, deadline);
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_FALSE((*retried)[0].has_value()) << "a retry is answered one by one, with the signal first stored";
  EXPECT_EQ(CountSignals(), 2);
  EXPECT_EQ(RecordedEventIds().size(), 3u) << "nor a record of a retry it left out";
}

// A batch hands its signals to the database as JSON text: whatever the
// reporter typed comes back from the database as typed.
TEST_F(SignalIntakeTest, ABatchStoresEveryFieldAsSentWhateverItsCharacters) {
  const TenantReference tenant = Heerlen();
  const v1::Category* dumping = Dumping(tenant);
  ASSERT_NE(dumping, nullptr);
  Submission s = ReadyToStore(*dumping, 0);
  s.request.set_description("Zak \"grofvuil\" bij C:\\achterdeur\nTweede regel\tmet tab: € ñ 😀");
  s.request.mutable_location()->mutable_address()->set_street("Schandelerstraat \"oud\"");
  s.request.mutable_location()->mutable_point()->set_latitude(50.8912345678901);
  s.request.mutable_location()->mutable_point()->set_longitude(5.98765432109876);
  v1::Person* jan = s.request.add_persons();
  jan->set_name("Jan \"de\" Vries\\");
  jan->set_birth_year(1970);
  jan->set_role("bewoner");
  AuditRecord audit = Audited();

  auto stored = store_.SubmitBatch({{&coach_, &s, &tenant, dumping, &audit}}, absl::Now() + absl::Seconds(10));
  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_TRUE((*stored)[0].has_value()) << "stored by the batch, not left to the one-by-one way";
  v1::GetSignalRequest get;
  get.set_signal_id((*stored)[0]->signal_id());
  auto read = intake_.Get(coordinator_, get, audit_);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->description(), s.request.description());
  EXPECT_EQ(read->location().address().street(), "Schandelerstraat \"oud\"");
  EXPECT_EQ(read->location().address().house_number(), 12);
  EXPECT_EQ(read->location().point().latitude(), 50.8912345678901) << "to the last bit";
  EXPECT_EQ(read->location().point().longitude(), 5.98765432109876);
  ASSERT_EQ(read->persons_size(), 1);
  EXPECT_EQ(read->persons(0).name(), jan->name());
  EXPECT_EQ(read->persons(0).birth_year(), 1970);
  EXPECT_EQ(read->persons(0).role(), "bewoner");
  EXPECT_EQ(read->source(), v1::SOURCE_STREET_COACH);
}

// The database committed the batch but its answer was lost (the connection
// broke at COMMIT): the batch is run again and leaves the signal out, or
// fails, and intake takes the one-by-one way, which finds the signal stored
// and replays it under the same record.
TEST_F(SignalIntakeTest, ABatchThatCommittedUnseenLeavesOneAuditRecordWhenItsSignalIsReplayed) {
  const TenantReference tenant = Heerlen();
  const v1::Category* dumping = Dumping(tenant);
  ASSERT_NE(dumping, nullptr);
  Submission submission = ReadyToStore(*dumping, 0);

  AuditRecord call = Audited();
  AuditRecord batched = call;  // as SignalIntake::PrepareBatched does (the next test)
  auto stored = store_.SubmitBatch({{&coach_, &submission, &tenant, dumping, &batched}},
                                   absl::Now() + absl::Seconds(10));
  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_TRUE((*stored)[0].has_value());

  auto replayed = store_.Submit(coach_, submission, call);
  ASSERT_TRUE(replayed.ok()) << replayed.status();
  EXPECT_TRUE(replayed->replayed);
  EXPECT_EQ(replayed->signal.signal_id(), (*stored)[0]->signal_id());
  EXPECT_EQ(RecordedEventIds(), std::vector<std::string>{call.event_id()}) << "one call, one record";
}

// The group commit records a submission under the call's own event id, so
// that the replay above finds it.
TEST_F(SignalIntakeTest, ASubmissionIsRecordedUnderItsCallsEventId) {
  AuditRecord call = Audited();
  const std::string event_id = call.event_id();
  auto submitted = intake_.Submit(coach_, Signal(), call);
  ASSERT_TRUE(submitted.ok()) << submitted.status();
  EXPECT_EQ(RecordedEventIds(), std::vector<std::string>{event_id});
}

// The gRPC surface's quick way (server.h): a submission goes to the batch
// without a thread that waits for it, only when nothing would have to wait
// for the database first, and is answered from the batch's thread. What the
// batch leaves out is decided as Submit decides it.
TEST_F(SignalIntakeTest, TheQuickWayTakesOnlyWhatTheBatchCanStoreAndAnswersFromTheBatch) {
  // Waits for `then`'s answer; an answer that never comes fails the test.
  struct Answer {
    std::promise<std::optional<v1::Signal>> promise;
    std::function<void(std::optional<v1::Signal>)> then() {
      return [this](std::optional<v1::Signal> s) { promise.set_value(std::move(s)); };
    }
    std::optional<v1::Signal> Get() {
      std::future<std::optional<v1::Signal>> answered = promise.get_future();
      if (answered.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
        ADD_FAILURE() << "no answer from the batch";
        std::abort();  // the batch still points at this answer
      }
      return answered.get();
    }
  };

  AuditRecord first_call = Audited();
  Answer unused;
  EXPECT_FALSE(intake_.SubmitBatchedThen(coach_, Signal(), first_call, unused.then()))
      << "the tenant's data is not held yet: reading it would wait";
  ASSERT_TRUE(intake_.Submit(coach_, Signal(), first_call).ok());  // reads and holds it
  AuditRecord refused = Audited();
  EXPECT_FALSE(intake_.SubmitBatchedThen(coach_, Signal("atlantis"), refused, unused.then()))
      << "an unknown area is Submit's to refuse";

  v1::SubmitSignalRequest request = Signal();
  AuditRecord call = Audited();
  Answer stored;
  ASSERT_TRUE(intake_.SubmitBatchedThen(coach_, request, call, stored.then()));
  std::optional<v1::Signal> signal = stored.Get();
  ASSERT_TRUE(signal.has_value());
  EXPECT_EQ(signal->reference(), absl::StrCat("SV-", Year(), "-000002"));
  EXPECT_EQ(RecordedEventIds(), (std::vector<std::string>{first_call.event_id(), call.event_id()}))
      << "stored with its record, under the call's event id";
  EXPECT_TRUE(trail_.Finish(call, absl::OkStatus()).ok());
  EXPECT_EQ(RecordedEventIds().size(), 2u) << "the call's record was written by the batch, not again";

  AuditRecord retry = Audited();
  Answer left_out;
  ASSERT_TRUE(intake_.SubmitBatchedThen(coach_, request, retry, left_out.then()));
  EXPECT_FALSE(left_out.Get().has_value()) << "the batch leaves a retry out";
  auto replayed = intake_.SubmitLeftOut(coach_, request, retry);
  ASSERT_TRUE(replayed.ok()) << replayed.status();
  EXPECT_TRUE(replayed->replayed());
  EXPECT_EQ(replayed->signal().signal_id(), signal->signal_id());
  EXPECT_EQ(CountSignals(), 2);
}

// Each year of a municipality numbers from 1 in a sequence of its own,
// made the first time the year needs one: a signal reported in a later year
// (its reported_at in the municipality's time zone) starts that year at 1,
// and this year's numbering goes on where it was.
TEST_F(SignalIntakeTest, EachYearNumbersFromOneInASequenceOfItsOwn) {
  ASSERT_EQ(intake_.Submit(coach_, Signal(), audit_)->signal().reference(), absl::StrCat("SV-", Year(), "-000001"));
  const TenantReference tenant = Heerlen();
  const v1::Category* dumping = Dumping(tenant);
  ASSERT_NE(dumping, nullptr);
  std::vector<Submission> submissions = {ReadyToStore(*dumping, 1), ReadyToStore(*dumping, 2)};
  const int later = std::stoi(Year()) + 5;
  submissions[0].reported_at = absl::FromCivil(absl::CivilSecond(later, 1, 1, 0, 30, 0), tenant.time_zone);
  std::vector<AuditRecord> audits(2);
  auto stored = store_.SubmitBatch({{&coach_, &submissions[0], &tenant, dumping, &audits[0]},
                                    {&coach_, &submissions[1], &tenant, dumping, &audits[1]}},
                                   absl::Now() + absl::Seconds(10));
  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_TRUE((*stored)[0].has_value() && (*stored)[1].has_value());
  EXPECT_EQ((*stored)[0]->reference(), absl::StrCat("SV-", later, "-000001"))
      << "half past midnight in Heerlen, still the year before in UTC";
  EXPECT_EQ((*stored)[1]->reference(), absl::StrCat("SV-", Year(), "-000002"));
}

// The database formats a reference as FormatReference does (the case
// references' format): four digits of year, at least six of number.
TEST_F(SignalIntakeTest, TheDatabaseWritesAReferenceAsFormatReferenceDoes) {
  for (int64_t number : {int64_t{1}, int64_t{999'999}, int64_t{1'000'000}, int64_t{1'234'567}}) {
    for (int year : {987, 2026}) {
      // The sequence's next number is `number`.
      ASSERT_TRUE(pool_->Query("SELECT setval(intake.reference_sequence('heerlen', $1::integer)::regclass, $2, false)",
                               {absl::StrCat(year), absl::StrCat(number)}).ok());
      auto drawn = pool_->Query("SELECT intake.next_reference('heerlen', $1::integer, 'SV') AS reference",
                                {absl::StrCat(year)});
      ASSERT_TRUE(drawn.ok()) << drawn.status();
      EXPECT_EQ(drawn->Text(0, "reference"), FormatReference("SV", year, number));
    }
  }
}

// A transaction that made a year's sequence and rolled back leaves nothing
// behind: the next draw makes the sequence again and starts at 1.
TEST_F(SignalIntakeTest, AYearsSequenceMadeByATransactionThatRolledBackIsMadeAgain) {
  absl::Status rolled_back = pool_->InTransaction([](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(db::Rows drawn, tx.Query("SELECT intake.next_reference('heerlen', 2033, 'SV') AS reference"));
    EXPECT_EQ(drawn.Text(0, "reference"), "SV-2033-000001");
    return absl::FailedPreconditionError("the batch failed");  // not retried, as ABORTED would be
  });
  ASSERT_EQ(rolled_back.code(), absl::StatusCode::kFailedPrecondition);
  auto drawn = pool_->Query("SELECT intake.next_reference('heerlen', 2033, 'SV') AS reference");
  ASSERT_TRUE(drawn.ok()) << drawn.status();
  EXPECT_EQ(drawn->Text(0, "reference"), "SV-2033-000001");
  auto sequences = pool_->Query("SELECT count(*) AS n FROM intake.reference_sequences WHERE year = 2033");
  ASSERT_TRUE(sequences.ok()) << sequences.status();
  EXPECT_EQ(sequences->Int(0, "n"), 1);
}

// A deployment's service connects as a role that may not create objects
// (deploy/kubernetes/base/postgres.yaml): it still draws the first number of
// a year, whose sequence the function makes as the schema's owner.
TEST_F(SignalIntakeTest, ARoleThatMayNotCreateObjectsDrawsTheFirstNumberOfAYear) {
  const testing::TemporaryRole role(pool_.get(), "Intake-App");
  ASSERT_TRUE(role.created().ok()) << role.created();
  const std::string& app = role.sql();
  for (const std::string& sql :
       {absl::StrCat("GRANT USAGE ON SCHEMA intake TO ", app),
        absl::StrCat("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA intake TO ", app),
        absl::StrCat("ALTER DEFAULT PRIVILEGES IN SCHEMA intake GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO ", app)}) {
    ASSERT_TRUE(pool_->Query(sql).ok()) << sql;
  }
  EXPECT_FALSE(role.Query("CREATE SEQUENCE intake.made_by_app").ok()) << "the role may not create objects";
  auto first = role.Query("SELECT intake.next_reference('heerlen', 2032, 'SV') AS reference");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->Text(0, "reference"), "SV-2032-000001");
  auto second = role.Query("SELECT intake.next_reference('heerlen', 2032, 'SV') AS reference");
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->Text(0, "reference"), "SV-2032-000002");
}

// intake.reference_sequence runs as the schema's owner and, like every
// function, may be run by PUBLIC. What keeps the other services' roles from
// making sequences or drawing numbers is the schema: only intake's own roles
// are given USAGE on it (deploy/kubernetes/base/postgres.yaml).
TEST_F(SignalIntakeTest, ARoleWithoutTheIntakeSchemaNeitherMakesASequenceNorDrawsANumber) {
  const testing::TemporaryRole role(pool_.get(), "Cases-App");
  ASSERT_TRUE(role.created().ok()) << role.created();
  for (const std::string& call : {std::string("intake.reference_sequence('heerlen', 2033)"),
                                  std::string("intake.next_reference('heerlen', 2033, 'SV')")}) {
    absl::Status refused = role.Query(absl::StrCat("SELECT ", call)).status();
    ASSERT_FALSE(absl::StartsWith(refused.message(), testing::TemporaryRole::kCouldNotBecome)) << refused;
    EXPECT_NE(refused.message().find("42501"), absl::string_view::npos) << call << ": " << refused;
  }
  auto made = pool_->Query("SELECT count(*) AS n FROM intake.reference_sequences WHERE year = 2033");
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_EQ(made->Int(0, "n"), 0);
}

// Migration 0013 turned each reference counter into its year's sequence,
// which goes on after the counter's last number. The previous release's pods
// still add 1 to a counter for each signal they store one by one: they get the
// sequence's next number, so nothing is numbered twice while both releases
// run. Their reservation of a batch's numbers is refused, which sends their
// batch one by one.
TEST(IntakeMigrationTest, EachCounterBecomesASequenceThatThePreviousReleaseAlsoDrawsFrom) {
  testing::TestDatabase db;
  std::unique_ptr<db::Pool> pool = *db::Pool::Open(db.conninfo(), 2);
  std::vector<db::Migration> before;
  for (const db::Migration& m : IntakeMigrations()) {
    if (m.filename < "0013") before.push_back(m);
  }
  ASSERT_TRUE(db::ApplyMigrations(*pool, kSchema, before).ok());
  ASSERT_TRUE(pool->InTransaction([](db::Transaction& tx) {
    return tx.ExecScript(R"sql(
      INSERT INTO intake.tenants (tenant_id, name) VALUES ('heerlen', 'Heerlen'), ('brunssum', 'Brunssum');
      INSERT INTO intake.reference_counters (tenant_id, year, last_value)
      VALUES ('heerlen', 2025, 7), ('heerlen', 2026, 41), ('brunssum', 2026, 1);
    )sql");
  }).ok());
  auto applied = db::ApplyMigrations(*pool, kSchema, IntakeMigrations());
  ASSERT_TRUE(applied.ok()) << applied.status();

  auto drawn = pool->Query(R"sql(
    SELECT intake.next_reference('heerlen', 2025, 'SV') AS heerlen_2025,
           intake.next_reference('heerlen', 2026, 'SV') AS heerlen_2026,
           intake.next_reference('brunssum', 2026, 'BR') AS brunssum_2026,
           intake.next_reference('brunssum', 2027, 'BR') AS brunssum_2027
  )sql");
  ASSERT_TRUE(drawn.ok()) << drawn.status();
  EXPECT_EQ(drawn->Text(0, "heerlen_2025"), "SV-2025-000008");
  EXPECT_EQ(drawn->Text(0, "heerlen_2026"), "SV-2026-000042");
  EXPECT_EQ(drawn->Text(0, "brunssum_2026"), "BR-2026-000002");
  EXPECT_EQ(drawn->Text(0, "brunssum_2027"), "BR-2027-000001");

  // The previous release's statements, as de114cb had them.
  constexpr char kPreviousNextNumber[] = R"sql(
    INSERT INTO intake.reference_counters (tenant_id, year, last_value) VALUES ($1, $2, 1)
    ON CONFLICT (tenant_id, year) DO UPDATE SET last_value = reference_counters.last_value + 1
    RETURNING last_value
  )sql";
  constexpr char kPreviousReservation[] = R"sql(
    INSERT INTO intake.reference_counters (tenant_id, year, last_value) VALUES ($1, $2, $3)
    ON CONFLICT (tenant_id, year) DO UPDATE SET last_value = reference_counters.last_value + $3
    RETURNING last_value
  )sql";
  auto previous = pool->Query(kPreviousNextNumber, {"heerlen", "2026"});
  ASSERT_TRUE(previous.ok()) << previous.status();
  EXPECT_EQ(previous->Int(0, "last_value"), 43);
  auto next = pool->Query("SELECT intake.next_reference('heerlen', 2026, 'SV') AS reference");
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->Text(0, "reference"), "SV-2026-000044");
  auto first_of_year = pool->Query(kPreviousNextNumber, {"brunssum", "2028"});
  ASSERT_TRUE(first_of_year.ok()) << first_of_year.status();
  EXPECT_EQ(first_of_year->Int(0, "last_value"), 1);
  EXPECT_EQ(pool->Query("SELECT intake.next_reference('brunssum', 2028, 'BR') AS r")->Text(0, "r"), "BR-2028-000002");

  // A batch of one reserves one number: the sequence's next.
  auto one = pool->Query(kPreviousReservation, {"heerlen", "2026", "1"});
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(one->Int(0, "last_value"), 45);
  for (const char* year : {"2026", "2029"}) {
    const absl::Status refused = pool->Query(kPreviousReservation, {"heerlen", year, "3"}).status();
    EXPECT_NE(refused.message().find("55000"), absl::string_view::npos) << year << ": " << refused;
  }
  EXPECT_EQ(pool->Query("SELECT intake.next_reference('heerlen', 2026, 'SV') AS r")->Text(0, "r"), "SV-2026-000046")
      << "a refused reservation draws nothing";
}

// A client that resends while its first attempt is still in a group commit.
TEST_F(SignalIntakeTest, ConcurrentRetriesOfOneRequestStoreOneSignal) {
  constexpr int kAttempts = 16;
  const v1::SubmitSignalRequest request = Signal();
  std::vector<absl::StatusOr<v1::SubmitSignalResponse>> answers(kAttempts, absl::UnknownError("not sent"));
  std::vector<std::thread> threads;
  for (int i = 0; i < kAttempts; ++i) {
    threads.emplace_back([&, i] {
      AuditRecord own = audit_;
      answers[i] = intake_.Submit(coach_, request, own);
    });
  }
  for (auto& t : threads) t.join();
  int first = 0;
  for (const auto& answer : answers) {
    ASSERT_TRUE(answer.ok()) << answer.status();
    EXPECT_EQ(answer->signal().signal_id(), answers[0]->signal().signal_id());
    first += answer->replayed() ? 0 : 1;
  }
  EXPECT_EQ(first, 1) << "one attempt stored it, the others were answered with it";
  EXPECT_EQ(CountSignals(), 1);
}

TEST_F(SignalIntakeTest, ReporterListsOwnOrganisationColleaguesAsStatusOnly) {
  ASSERT_TRUE(intake_.Submit(coach_, Signal(), audit_).ok());
  ASSERT_TRUE(intake_.Submit(colleague_, Signal(), audit_).ok());
  ASSERT_TRUE(intake_.Submit(boa_, Signal(), audit_).ok());
  auto list = intake_.List(coach_, {}, audit_);
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->signals_size(), 2);
  int status_only = 0;
  for (const auto& s : list->signals()) {
    EXPECT_EQ(s.reporter().organisation_id(), "straatcoaches");
    if (s.status_only()) {
      ++status_only;
      EXPECT_TRUE(s.description().empty());
    }
  }
  EXPECT_EQ(status_only, 1);
}

TEST_F(SignalIntakeTest, CoordinatorSeesItsAreasIncludingWijken) {
  ASSERT_TRUE(store_.CreateTenant("heerlen", "Gemeente Heerlen",
                                  {{"heerlen-zuid", "", "Heerlen-Zuid"},
                                   {"welten", "heerlen-zuid", "Welten"}}).ok());
  ASSERT_TRUE(intake_.Submit(coach_, Signal("vrieheide"), audit_).ok());
  ASSERT_TRUE(intake_.Submit(coach_, Signal("gms"), audit_).ok());
  ASSERT_TRUE(intake_.Submit(coach_, Signal("welten"), audit_).ok());
  auto list = intake_.List(coordinator_, {}, audit_);
  ASSERT_TRUE(list.ok()) << list.status();
  std::set<std::string> areas;
  for (const auto& s : list->signals()) {
    areas.insert(s.area().area_id());
    EXPECT_FALSE(s.status_only());
  }
  EXPECT_EQ(areas, (std::set<std::string>{"vrieheide", "gms"}));

  v1::ListSignalsRequest outside;
  outside.set_area_id("welten");
  EXPECT_EQ(intake_.List(coordinator_, outside, audit_).status().code(), absl::StatusCode::kPermissionDenied);
}

TEST_F(SignalIntakeTest, OtherTenantSeesNothing) {
  ASSERT_TRUE(store_.CreateTenant("maastricht", "Gemeente Maastricht", {{"malberg", "", "Malberg"}}).ok());
  auto submitted = intake_.Submit(coach_, Signal(), audit_);
  RequestContext other = Person("coord-9", "gemeente-maastricht", {Role::kCoordinator, Role::kReporter},
                                {"malberg"}, "maastricht");
  other.organisation = "straatcoaches";  // even with the same organisation id
  EXPECT_EQ(intake_.List(other, {}, audit_)->signals_size(), 0);
  v1::GetSignalRequest get;
  get.set_signal_id(submitted->signal().signal_id());
  EXPECT_EQ(intake_.Get(other, get, audit_).status().code(), absl::StatusCode::kNotFound);
  get.set_reference(submitted->signal().reference());
  EXPECT_EQ(intake_.Get(other, get, audit_).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(SignalIntakeTest, GetHidesSignalsOfOtherOrganisationsAsNotFound) {
  auto submitted = intake_.Submit(coach_, Signal(), audit_);
  v1::GetSignalRequest get;
  get.set_reference(submitted->signal().reference());
  EXPECT_EQ(intake_.Get(boa_, get, audit_).status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(intake_.Get(coordinator_, get, audit_).ok());
  EXPECT_TRUE(intake_.Get(colleague_, get, audit_)->status_only());
  EXPECT_FALSE(intake_.Get(coach_, get, audit_)->status_only());
  get.set_signal_id(RandomUuid());
  EXPECT_EQ(intake_.Get(coordinator_, get, audit_).status().code(), absl::StatusCode::kNotFound);
  get.set_signal_id("not-a-uuid");
  EXPECT_EQ(intake_.Get(coordinator_, get, audit_).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(SignalIntakeTest, FiltersByAreaCategoryAndTime) {
  ASSERT_TRUE(intake_.Submit(coach_, Signal("vrieheide", "afval-dumping"), audit_).ok());
  absl::Time between = absl::Now();
  absl::SleepFor(absl::Milliseconds(20));
  ASSERT_TRUE(intake_.Submit(coach_, Signal("gms", "drugsoverlast"), audit_).ok());
  ASSERT_TRUE(intake_.Submit(coach_, Signal("gms", "afval-dumping"), audit_).ok());

  v1::ListSignalsRequest by_area;
  by_area.set_area_id("gms");
  EXPECT_EQ(intake_.List(coordinator_, by_area, audit_)->signals_size(), 2);
  v1::ListSignalsRequest by_category;
  by_category.set_category_id("afval-dumping");
  EXPECT_EQ(intake_.List(coordinator_, by_category, audit_)->signals_size(), 2);
  v1::ListSignalsRequest since;
  *since.mutable_reported()->mutable_start() = TimeToProto(between);
  EXPECT_EQ(intake_.List(coordinator_, since, audit_)->signals_size(), 2);
  v1::ListSignalsRequest before;
  *before.mutable_reported()->mutable_end() = TimeToProto(between);
  EXPECT_EQ(intake_.List(coordinator_, before, audit_)->signals_size(), 1);
  v1::ListSignalsRequest parent;
  parent.set_area_id("heerlen-noord");
  EXPECT_EQ(intake_.List(coordinator_, parent, audit_)->signals_size(), 3);
}

TEST_F(SignalIntakeTest, PagesWalkEverySignalOnceNewestFirst) {
  constexpr int kSignals = 23;
  for (int i = 0; i < kSignals; ++i) ASSERT_TRUE(intake_.Submit(coach_, Signal(), audit_).ok());
  v1::ListSignalsRequest request;
  request.set_page_size(5);
  std::vector<std::string> seen;
  int pages = 0;
  do {
    auto page = intake_.List(coordinator_, request, audit_);
    ASSERT_TRUE(page.ok()) << page.status();
    ++pages;
    for (const auto& s : page->signals()) seen.push_back(s.reference());
    request.set_page_token(page->next_page_token());
  } while (!request.page_token().empty());
  EXPECT_EQ(pages, 5);
  ASSERT_EQ(seen.size(), static_cast<size_t>(kSignals));
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), seen.size());
  EXPECT_TRUE(std::is_sorted(seen.rbegin(), seen.rend())) << "newest (highest number) first";
}

TEST_F(SignalIntakeTest, PageTokenOfAnotherFilterIsRefused) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(intake_.Submit(coach_, Signal(), audit_).ok());
  v1::ListSignalsRequest request;
  request.set_page_size(1);
  auto page = intake_.List(coordinator_, request, audit_);
  request.set_page_token(page->next_page_token());
  request.set_category_id("drugsoverlast");
  auto refused = intake_.List(coordinator_, request, audit_);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("page_token"), absl::string_view::npos);
}

TEST_F(SignalIntakeTest, PageSizeIsCapped) {
  for (int i = 0; i < kMaxPageSize + 1; ++i) ASSERT_TRUE(intake_.Submit(coach_, Signal(), audit_).ok());
  v1::ListSignalsRequest request;
  auto by_default = intake_.List(coordinator_, request, audit_);
  ASSERT_TRUE(by_default.ok()) << by_default.status();
  EXPECT_EQ(by_default->signals_size(), kDefaultPageSize);

  request.set_page_size(100000);
  auto capped = intake_.List(coordinator_, request, audit_);
  ASSERT_TRUE(capped.ok()) << capped.status();
  EXPECT_EQ(capped->signals_size(), kMaxPageSize);
  ASSERT_FALSE(capped->next_page_token().empty());
  request.set_page_token(capped->next_page_token());
  auto rest = intake_.List(coordinator_, request, audit_);
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_EQ(rest->signals_size(), 1);
  EXPECT_TRUE(rest->next_page_token().empty());

  request.clear_page_token();
  request.set_page_size(-1);
  EXPECT_EQ(intake_.List(coordinator_, request, audit_).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(SignalIntakeTest, CategoriesAreTheStartingSetInDutch) {
  auto categories = intake_.Categories(coach_, audit_);
  ASSERT_TRUE(categories.ok());
  EXPECT_EQ(categories->categories_size(), 15);
  bool meldcode = false;
  for (const auto& c : categories->categories()) {
    if (c.category_id() == "vermoeden-huiselijk-geweld") {
      meldcode = c.meldcode();
      EXPECT_EQ(c.default_meeting(), v1::MEETING_KIND_CASUISTIEK);
      EXPECT_EQ(c.label(), "Vermoeden huiselijk geweld");
    }
    if (c.category_id() == "afval-dumping") {
      EXPECT_EQ(c.default_meeting(), v1::MEETING_KIND_LEEFBAARHEID);
    }
  }
  EXPECT_TRUE(meldcode);
}

TEST_F(SignalIntakeTest, AreasAreTheCallersAndTheirWijkenParentsFirstWithNames) {
  ASSERT_TRUE(store_.CreateTenant("heerlen", "Gemeente Heerlen",
                                  {{"heerlen-zuid", "", "Heerlen-Zuid"},
                                   {"welten", "heerlen-zuid", "Welten"},
                                   {"vrieheide-oost", "vrieheide", "Vrieheide-Oost"}}).ok());
  auto listed = [&](const RequestContext& caller) {
    std::vector<std::string> rows;
    auto areas = intake_.Areas(caller, audit_);
    EXPECT_TRUE(areas.ok()) << areas.status();
    if (!areas.ok()) return rows;
    for (const auto& a : areas->areas()) {
      rows.push_back(absl::StrCat(a.area_id(), " ", a.name(), " < ", a.parent_area_id()));
    }
    return rows;
  };
  const std::vector<std::string> heerlen_noord = {
      "heerlen-noord Heerlen-Noord < ",
      "gms GMS < heerlen-noord",
      "hoofdstraat-west Hoofdstraat-West (Hoensbroek) < heerlen-noord",
      "kasteelbuurt Kasteelbuurt < heerlen-noord",
      "vrieheide Vrieheide < heerlen-noord",
      "vrieheide-oost Vrieheide-Oost < vrieheide",
  };
  EXPECT_EQ(listed(Person("coach-1", "straatcoaches", {Role::kReporter}, {"heerlen-noord"})), heerlen_noord);
  // An area below another of the caller's comes once, after its parent.
  EXPECT_EQ(listed(Person("coord-2", "gemeente", {Role::kCoordinator}, {"vrieheide", "heerlen-noord"})),
            heerlen_noord);
  EXPECT_TRUE(listed(Person("coach-3", "straatcoaches", {Role::kReporter})).empty());
}

}  // namespace
}  // namespace hartslag::intake

namespace hartslag::intake {
namespace {

// Handling deadlines: fixed at submission under the category's rule, in the
// tenant's time zone; overdue and late while the signal waits; its triage
// outcome stops the clock.
class SignalDeadlineTest : public SignalIntakeTest {
 protected:
  void Sql(const std::string& sql) {
    EXPECT_TRUE(pool_->InTransaction([&](db::Transaction& tx) { return tx.Query(sql).status(); }).ok()) << sql;
  }
  static absl::Time TimeOf(const google::protobuf::Timestamp& t) { return *TimeFromProto(t, "time"); }
  static absl::TimeZone Zone(const char* name) {
    absl::TimeZone zone;
    EXPECT_TRUE(absl::LoadTimeZone(name, &zone)) << name;
    return zone;
  }
  std::vector<std::string> References(v1::ListSignalsRequest request) {
    auto listed = intake_.List(coordinator_, request, audit_);
    EXPECT_TRUE(listed.ok()) << listed.status();
    std::vector<std::string> references;
    if (listed.ok()) {
      for (const auto& s : listed->signals()) references.push_back(s.reference());
    }
    return references;
  }
};

TEST_F(SignalDeadlineTest, ASignalIsDueAfterItsCategorysDaysAndLateAfterThreeTimesThem) {
  // afval-dumping: 14 calendar days; verward-gedrag: 3 working days.
  auto dumping = intake_.Submit(coach_, Signal("vrieheide", "afval-dumping"), audit_);
  auto confused = intake_.Submit(coach_, Signal("vrieheide", "verward-gedrag"), audit_);
  ASSERT_TRUE(dumping.ok() && confused.ok());
  const absl::TimeZone amsterdam = Zone("Europe/Amsterdam");
  const absl::Time reported = TimeOf(dumping->signal().reported_at());
  EXPECT_EQ(TimeOf(dumping->signal().due_at()),
            DeadlineAfter(reported, 14, DayCount::kCalendar, WorkingDays(), amsterdam));
  EXPECT_EQ(TimeOf(dumping->signal().late_at()),
            DeadlineAfter(reported, 42, DayCount::kCalendar, WorkingDays(), amsterdam));
  const absl::Time confused_reported = TimeOf(confused->signal().reported_at());
  EXPECT_EQ(TimeOf(confused->signal().due_at()),
            DeadlineAfter(confused_reported, 3, DayCount::kWorking, WorkingDays(), amsterdam));
  EXPECT_EQ(TimeOf(confused->signal().late_at()),
            DeadlineAfter(confused_reported, 9, DayCount::kWorking, WorkingDays(), amsterdam));
  EXPECT_FALSE(dumping->signal().overdue());
  EXPECT_FALSE(dumping->signal().has_handled_at());

  auto categories = intake_.Categories(coach_, audit_);
  ASSERT_TRUE(categories.ok());
  for (const auto& c : categories->categories()) {
    if (c.category_id() == "verward-gedrag") {
      EXPECT_EQ(c.handling_deadline_day_count(), v1::DAY_COUNT_WORKING);
    } else if (c.category_id() == "afval-dumping") {
      EXPECT_EQ(c.handling_deadline_day_count(), v1::DAY_COUNT_CALENDAR);
    }
  }
}

TEST_F(SignalDeadlineTest, TheDeadlineIsCountedInTheTenantsOwnTimeZone) {
  Sql("UPDATE intake.tenants SET time_zone = 'America/Kralendijk' WHERE tenant_id = 'heerlen'");
  auto submitted = intake_.Submit(coach_, Signal("vrieheide", "verward-gedrag"), audit_);
  ASSERT_TRUE(submitted.ok()) << submitted.status();
  const absl::Time reported = TimeOf(submitted->signal().reported_at());
  EXPECT_EQ(TimeOf(submitted->signal().due_at()),
            DeadlineAfter(reported, 3, DayCount::kWorking, WorkingDays(), Zone("America/Kralendijk")));

  Sql("UPDATE intake.tenants SET time_zone = 'Nowhere/Atlantis' WHERE tenant_id = 'heerlen'");
  auto refused = intake_.Submit(coach_, Signal(), audit_);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition) << refused.status();
  EXPECT_EQ(CountSignals(), 1) << "no signal without a deadline";
}

TEST_F(SignalDeadlineTest, WaitingSignalsAreOverdueThenLateAndTheOutcomeStopsTheClock) {
  auto fresh = intake_.Submit(coach_, Signal(), audit_);
  auto overdue = intake_.Submit(coach_, Signal(), audit_);
  auto late = intake_.Submit(coach_, Signal(), audit_);
  auto handled = intake_.Submit(coach_, Signal(), audit_);
  ASSERT_TRUE(fresh.ok() && overdue.ok() && late.ok() && handled.ok());
  auto id = [](const auto& submitted) { return submitted->signal().signal_id(); };
  Sql(absl::StrCat("UPDATE intake.signals SET due_at = now() - interval '1 day' WHERE signal_id = '", id(overdue), "'"));
  Sql(absl::StrCat("UPDATE intake.signals SET due_at = now() - interval '30 days', late_at = now() - interval '1 day'",
                   " WHERE signal_id IN ('", id(late), "', '", id(handled), "')"));
  v1::TriageOutcome outcome;
  outcome.set_event_id(RandomUuid());
  outcome.set_tenant_id("heerlen");
  outcome.set_signal_id(id(handled));
  outcome.set_status(v1::SIGNAL_STATUS_ACCEPTED);
  v1::RecordTriageOutcomesRequest outcomes;
  outcomes.add_outcomes(outcome.SerializeAsString());
  ASSERT_TRUE(intake_.RecordOutcomes(outcomes, absl::Now() + absl::Seconds(10)).ok());

  v1::ListSignalsRequest overdue_only;
  overdue_only.set_overdue_only(true);
  EXPECT_EQ(References(overdue_only),
            (std::vector<std::string>{late->signal().reference(), overdue->signal().reference()}));
  v1::ListSignalsRequest late_only;
  late_only.set_late_only(true);
  EXPECT_EQ(References(late_only), std::vector<std::string>{late->signal().reference()});

  auto shown = store_.FindById("heerlen", id(late), absl::InfiniteFuture());
  ASSERT_TRUE(shown.ok() && *shown);
  EXPECT_TRUE((*shown)->overdue());
  EXPECT_TRUE((*shown)->late());
  auto done = store_.FindById("heerlen", id(handled), absl::InfiniteFuture());
  ASSERT_TRUE(done.ok() && *done);
  EXPECT_TRUE((*done)->has_handled_at());
  EXPECT_FALSE((*done)->overdue()) << "a handled signal's clock has stopped";
  EXPECT_FALSE((*done)->late());
}

}  // namespace
}  // namespace hartslag::intake
