// The cases stores against a real PostgreSQL: the list query applies exactly
// the need-to-know rule of case_access.h, and creates are exactly once per
// request id, also under concurrent retries.
#include "services/cases/case_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/cases/case_domain.h"
#include "services/cases/case_rules.h"
#include "services/common/crypto.h"
#include "services/common/migrations.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"
#include "tests/support/heerlen.h"
#include "tests/support/test_database.h"

namespace hartslag::cases {
namespace {

class CasesStoreTest : public ::testing::Test {
 protected:
  CasesStoreTest() : pool_(*db::Pool::Open(db_.conninfo(), 8)), data_(pool_.get()) {
    auto applied = db::ApplyMigrations(*pool_, kSchema, CasesMigrations());
    EXPECT_TRUE(applied.ok()) << applied.status();
    EXPECT_TRUE(pool_->InTransaction([&](db::Transaction& tx) {
      return data_.areas.Store(tx, "heerlen", "Gemeente Heerlen", testing::HeerlenAreas());
    }).ok());
  }

  static RequestContext Caller(std::set<Role> roles, std::string user = "ursula", std::string org = "eigen-org") {
    RequestContext c;
    c.tenant = "heerlen";
    c.user = std::move(user);
    c.organisation = std::move(org);
    c.roles = std::move(roles);
    c.areas = {"vrieheide"};
    c.deadline = absl::Now() + absl::Seconds(30);
    return c;
  }

  v1::Case Store(v1::Case c) {
    EXPECT_TRUE(pool_->InTransaction([&](db::Transaction& tx) {
      return data_.cases.Insert(tx, Caller({}, "opener", "gemeente"), c);
    }).ok());
    return c;
  }

  testing::TestDatabase db_;
  std::unique_ptr<db::Pool> pool_;
  CasesData data_;
};

TEST_F(CasesStoreTest, TheListFilterAgreesWithMaySeeCaseForEveryRoleConfidentialityAndParticipation) {
  // Every confidentiality x whether the caller's organisation takes part x
  // which role on the case the caller has, in the caller's area and outside.
  enum class OnCase { kNone, kProcessCoordinator, kCaseManager, kMember };
  std::vector<v1::Case> all;
  for (int level = v1::Confidentiality_MIN; level <= v1::Confidentiality_MAX; ++level) {
    if (!v1::Confidentiality_IsValid(level) || level == v1::CONFIDENTIALITY_UNSPECIFIED) continue;
    for (bool participates : {false, true}) {
      for (OnCase on : {OnCase::kNone, OnCase::kProcessCoordinator, OnCase::kCaseManager, OnCase::kMember}) {
        for (const char* area : {"vrieheide", "gms"}) {
          v1::Case c;
          c.set_kind(v1::CASE_KIND_LEEFBAARHEID);
          c.set_title(absl::StrCat("geval ", level, participates, static_cast<int>(on), area));
          c.mutable_area()->set_area_id(area);
          c.set_confidentiality(static_cast<v1::Confidentiality>(level));
          c.set_process_coordinator(on == OnCase::kProcessCoordinator ? "ursula" : "opener");
          if (on == OnCase::kCaseManager) c.set_case_manager("ursula");
          if (on == OnCase::kMember) c.add_members("ursula");
          c.add_participating_organisations("gemeente");
          if (participates) c.add_participating_organisations("eigen-org");
          all.push_back(Store(c));
        }
      }
    }
  }
  ASSERT_EQ(all.size(), 8u * 2 * 4 * 2);
  for (const std::set<Role>& roles : std::vector<std::set<Role>>{
           {}, {Role::kCoordinator}, {Role::kPartner}, {Role::kCoordinator, Role::kPartner}, {Role::kReporter}}) {
    for (bool in_scope : {true, false}) {
      RequestContext caller = Caller(roles);
      if (!in_scope) caller.areas = {"kasteelbuurt"};
      auto scope = data_.ScopeOf(caller);
      ASSERT_TRUE(scope.ok()) << scope.status();
      std::set<std::string> expected, listed;
      for (const v1::Case& c : all) {
        if (MaySeeCase(caller, *scope, c)) expected.insert(c.title());
      }
      CaseQuery query;
      query.tenant = "heerlen";
      query.filter = CaseFilterFor(caller, *scope);
      query.limit = 1000;
      ASSERT_TRUE(pool_->InTransaction([&](db::Transaction& tx) -> absl::Status {
        auto cases = data_.cases.List(tx, query);
        if (!cases.ok()) return cases.status();
        for (const v1::Case& c : *cases) listed.insert(c.title());
        return absl::OkStatus();
      }).ok());
      EXPECT_EQ(listed, expected) << "roles " << roles.size() << ", in scope " << in_scope;
    }
  }
}

TEST_F(CasesStoreTest, ACreateRunsOnceForConcurrentRetriesAndAReusedIdWithOtherContentIsRefused) {
  RequestContext caller = Caller({Role::kCoordinator});
  v1::AddNoteRequest request;
  request.set_request_id(RandomUuid());
  request.set_case_id(RandomUuid());
  request.set_text("Huisbezoek afgesproken.");
  std::atomic<int> created = 0;
  auto add = [&](const v1::AddNoteRequest& r) {
    v1::Note answer;
    absl::Status status = pool_->InTransaction([&](db::Transaction& tx) -> absl::Status {
      auto note = data_.once.Run<v1::Note>(tx, caller, "AddNote", r, [&]() -> absl::StatusOr<v1::Note> {
        ++created;
        absl::SleepFor(absl::Milliseconds(50));  // a slow first call: the retries must wait for it
        v1::Note n;
        n.set_note_id(RandomUuid());
        n.set_text(r.text());
        return n;
      });
      if (!note.ok()) return note.status();
      answer = *note;
      return absl::OkStatus();
    });
    return std::make_pair(status, answer);
  };
  std::vector<std::thread> retries;
  std::vector<std::string> ids(6);
  for (size_t i = 0; i < ids.size(); ++i) {
    retries.emplace_back([&, i] {
      auto [status, note] = add(request);
      EXPECT_TRUE(status.ok()) << status;
      ids[i] = note.note_id();
    });
  }
  for (std::thread& t : retries) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 1u) << "every retry gets the first answer";

  v1::AddNoteRequest other = request;
  other.set_text("Iets anders.");
  auto [refused, unused] = add(other);
  EXPECT_EQ(refused.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(absl::StrContains(refused.message(), "request_id"));
  EXPECT_EQ(created.load(), 1);

  RequestContext someone_else = Caller({Role::kCoordinator}, "cor");
  std::swap(caller, someone_else);
  auto [theirs, their_note] = add(request);
  EXPECT_TRUE(theirs.ok()) << "a request id is the caller's own";
  EXPECT_EQ(created.load(), 2);
}

// The proposals of a triage queue: at each address the latest signals the
// queues showed within the window, however many came before them.
TEST_F(CasesStoreTest, SignalsAtAnAddressAreTheLatestOnesWithinTheWindowAtEachAddress) {
  const absl::Time now = absl::Now();
  auto signal = [&](int house_number, int hours_ago) {
    intake::v1::Signal s;
    s.set_signal_id(RandomUuid());
    s.mutable_area()->set_area_id("vrieheide");
    s.mutable_location()->mutable_address()->set_postcode("6416AB");
    s.mutable_location()->mutable_address()->set_street("Heerenweg");
    s.mutable_location()->mutable_address()->set_house_number(house_number);
    *s.mutable_reported_at() = TimeToProto(now - absl::Hours(hours_ago));
    return s;
  };
  std::vector<intake::v1::Signal> busy, quiet;
  for (int hours = 1; hours <= 30; ++hours) busy.push_back(signal(12, hours));  // newest first
  quiet.push_back(signal(14, 2));
  quiet.push_back(signal(14, 24 * 40));  // outside the window
  intake::v1::Signal elsewhere = signal(16, 1);
  ASSERT_TRUE(pool_->InTransaction([&](db::Transaction& tx) -> absl::Status {
    RETURN_IF_ERROR(data_.triage.SaveQueueSignals(tx, "heerlen", busy));
    RETURN_IF_ERROR(data_.triage.SaveQueueSignals(tx, "heerlen", quiet));
    RETURN_IF_ERROR(data_.triage.SaveQueueSignals(tx, "heerlen", {elsewhere}));
    return data_.triage.SaveQueueSignals(tx, "maastricht", {signal(12, 1)});
  }).ok());

  std::set<std::string> found;
  ASSERT_TRUE(pool_->InTransaction([&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(std::vector<intake::v1::Signal> at,
                     data_.triage.QueueSignalsAt(tx, "heerlen",
                                                 {AddressKey(busy[0].location().address()),
                                                  AddressKey(quiet[0].location().address())},
                                                 now - absl::Hours(24 * 30), /*per_address=*/5));
    for (const auto& s : at) found.insert(s.signal_id());
    return absl::OkStatus();
  }).ok());
  std::set<std::string> expected = {quiet[0].signal_id()};
  for (int i = 0; i < 5; ++i) expected.insert(busy[i].signal_id());
  EXPECT_EQ(found, expected) << "the 5 latest at the busy address, the one within the window at the other; "
                                "not another address's nor another tenant's";
}

}  // namespace
}  // namespace hartslag::cases
