// Cases end to end: hartslag-cases as a real process over TLS. The lifecycle
// (every legal move works, every illegal one is refused and changes nothing),
// need-to-know per organisation kind (police never read a care note),
// purpose binding, break-the-glass, and exactly-once opening.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "hartslag/cases/v1/cases.grpc.pb.h"
#include "services/cases/case_rules.h"
#include "services/cases/meeting_store.h"
#include "services/cases/retention.h"
#include "services/common/crypto.h"
#include "services/common/proto_time.h"
#include "tests/support/deployment.h"
#include "tests/support/sample_case.h"
#include "tests/support/test_keys.h"

namespace hartslag::cases {
namespace {

using testing::ClaimsFor;

class CasesEndToEndTest : public ::testing::Test {
 protected:
  CasesEndToEndTest() {
    cases_ = v1::CaseService::NewStub(deployment_.Channel(deployment_.cases()));
    triage_ = v1::TriageService::NewStub(deployment_.Channel(deployment_.cases()));
    actions_ = v1::ActionService::NewStub(deployment_.Channel(deployment_.cases()));
    meetings_ = v1::MeetingService::NewStub(deployment_.Channel(deployment_.cases()));
    coordinator_ = Token(ClaimsFor("carla.coordinator", "gemeente", "MUNICIPALITY", {"COORDINATOR"},
                                   {"heerlen-noord"}));
    other_coordinator_ = Token(ClaimsFor("olaf.coordinator", "wijkteam", "MUNICIPALITY", {"COORDINATOR"},
                                         {"heerlen-noord"}));
    care_ = Token(ClaimsFor("zora.zorg", "buurtteam", "CARE", {"PARTNER"}, {}));
    police_ = Token(ClaimsFor("peter.politie", "politie", "POLICE", {"PARTNER"}, {}));
    housing_ = Token(ClaimsFor("wim.woonpunt", "woonpunt", "HOUSING", {"PARTNER"}, {}));
    officer_ = deployment_.PrivacyOfficerToken();
  }

  std::string Token(const TokenClaims& claims) { return deployment_.Token(claims); }

  std::unique_ptr<grpc::ClientContext> Call(const std::string& token,
                                            const std::string& purpose = "CASE_MANAGEMENT") {
    auto call = deployment_.Call(token);
    if (!purpose.empty()) call->AddMetadata("x-hartslag-purpose", purpose);
    return call;
  }

  v1::OpenCaseRequest Household() { return testing::SampleHousehold(); }

  v1::Case Open(v1::OpenCaseRequest request) {
    v1::Case opened;
    grpc::Status status = cases_->OpenCase(Call(coordinator_).get(), request, &opened);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return opened;
  }

  grpc::Status Move(const std::string& case_id, v1::CaseStatus to, v1::Case* out) {
    v1::TransitionCaseRequest r;
    r.set_case_id(case_id);
    r.set_to(to);
    r.set_reason("besproken in het overleg");
    if (to == v1::CASE_STATUS_CLOSED) r.set_result(v1::CASE_RESULT_RESOLVED);
    return cases_->TransitionCase(Call(coordinator_).get(), r, out);
  }

  // A new case brought to `status` along legal moves.
  v1::Case CaseIn(v1::CaseStatus status) {
    static const std::map<v1::CaseStatus, std::vector<v1::CaseStatus>> kPath = {
        {v1::CASE_STATUS_REGISTERED, {}},
        {v1::CASE_STATUS_TRIAGE, {v1::CASE_STATUS_TRIAGE}},
        {v1::CASE_STATUS_SCHEDULED, {v1::CASE_STATUS_TRIAGE, v1::CASE_STATUS_SCHEDULED}},
        {v1::CASE_STATUS_IN_PROGRESS,
         {v1::CASE_STATUS_TRIAGE, v1::CASE_STATUS_SCHEDULED, v1::CASE_STATUS_IN_PROGRESS}},
        {v1::CASE_STATUS_MONITORING,
         {v1::CASE_STATUS_TRIAGE, v1::CASE_STATUS_SCHEDULED, v1::CASE_STATUS_IN_PROGRESS,
          v1::CASE_STATUS_MONITORING}},
        {v1::CASE_STATUS_CLOSED, {v1::CASE_STATUS_TRIAGE, v1::CASE_STATUS_CLOSED}},
        {v1::CASE_STATUS_REOPENED, {v1::CASE_STATUS_TRIAGE, v1::CASE_STATUS_CLOSED}},
    };
    v1::Case c = Open(Household());
    for (v1::CaseStatus step : kPath.at(status)) EXPECT_TRUE(Move(c.case_id(), step, &c).ok());
    if (status == v1::CASE_STATUS_REOPENED) {
      v1::ReopenCaseRequest reopen;
      reopen.set_case_id(c.case_id());
      reopen.set_reason("nieuwe signalen op hetzelfde adres");
      EXPECT_TRUE(cases_->ReopenCase(Call(coordinator_).get(), reopen, &c).ok());
    }
    EXPECT_EQ(c.status(), status);
    return c;
  }

  absl::StatusOr<v1::CaseSummary> Get(const std::string& token, const std::string& case_id,
                                      const std::string& break_glass = "") {
    v1::GetCaseRequest r;
    r.set_case_id(case_id);
    r.set_break_glass_reason(break_glass);
    v1::CaseSummary summary;
    grpc::Status status = cases_->GetCase(Call(token).get(), r, &summary);
    if (!status.ok()) return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
    return summary;
  }

  // Edits a case straight in the store: the fixture week's history.
  void StoreChange(const std::string& case_id, const std::function<void(v1::Case&)>& edit) {
    ASSERT_TRUE(deployment_.SeedCaseChange(Coordinator(), case_id, edit).ok());
  }

  // An OPEN action for `organisation`, due on `due`, straight in the store
  // (so that it may lie in the past).
  void StoreAction(const std::string& case_id, const std::string& organisation, const std::string& due) {
    v1::Action a;
    a.set_action_id(RandomUuid());
    a.set_case_id(case_id);
    a.set_description("actie");
    a.add_organisation_ids(organisation);
    a.set_due_date(due);
    a.set_status(v1::ACTION_STATUS_OPEN);
    ASSERT_TRUE(deployment_.SeedAction(Coordinator(), a).ok());
  }

  static RequestContext Coordinator() {
    RequestContext as;
    as.tenant = "heerlen";
    as.user = "carla.coordinator";
    return as;
  }

  // A new meeting of `kind` in `area` two days from now with `partners`.
  std::string Schedule(v1::CaseKind kind, const std::string& area, const std::vector<std::string>& partners) {
    v1::ScheduleMeetingsRequest schedule;
    schedule.set_request_id(RandomUuid());
    schedule.set_kind(kind);
    schedule.set_area_id(area);
    *schedule.mutable_starts_at() = TimeToProto(absl::Now() + absl::Hours(48));
    for (const std::string& p : partners) schedule.add_participating_organisations(p);
    v1::ScheduleMeetingsResponse scheduled;
    grpc::Status status = meetings_->ScheduleMeetings(Call(coordinator_).get(), schedule, &scheduled);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return scheduled.meetings(0).meeting_id();
  }

  // Generates the meeting's agenda: case id -> reasons.
  std::map<std::string, std::vector<v1::AgendaReason>> Generate(const std::string& meeting_id, v1::Meeting* meeting) {
    v1::EditAgendaRequest generate;
    generate.set_meeting_id(meeting_id);
    generate.set_edit(v1::EditAgendaRequest::EDIT_GENERATE);
    grpc::Status status = meetings_->EditAgenda(Call(coordinator_).get(), generate, meeting);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::map<std::string, std::vector<v1::AgendaReason>> agenda;
    for (const auto& item : meeting->items()) {
      for (int reason : item.reasons()) agenda[item.case_id()].push_back(v1::AgendaReason(reason));
    }
    return agenda;
  }

  // A municipality `tenant` with one area, `tenant`-centrum, and the settings
  // `edit` gives it (its time zone, retention periods), set up in the
  // directory as an admin would; returns once the cases service took it
  // over (its area sync runs every 500 ms here).
  void AddTenant(const std::string& tenant, const std::function<void(TenantSettings&)>& edit) {
    directory::DirectoryStore& directory = deployment_.directory_store();
    ASSERT_TRUE(directory.CreateTenant(tenant, tenant).ok());
    directory::v1::Area area;
    area.set_area_id(tenant + "-centrum");
    area.set_name("Centrum");
    ASSERT_TRUE(directory.CreateArea(tenant, area, testing::Unaudited()).ok());
    auto updated = directory.UpdateTenantSettings(
        tenant,
        [&](TenantSettings& settings) {
          edit(settings);
          return absl::OkStatus();
        },
        testing::Unaudited());
    ASSERT_TRUE(updated.ok()) << updated.status();
    // What the cases service keeps of them.
    auto kept = [](const TenantSettings& s) {
      return std::make_tuple(s.time_zone(), s.leefbaarheid_retention_days(), s.casuistiek_retention_days());
    };
    bool synced = false;
    for (absl::Time give_up = absl::Now() + absl::Seconds(20); !synced && absl::Now() < give_up;) {
      absl::SleepFor(absl::Milliseconds(100));
      ASSERT_TRUE(deployment_.pool().InTransaction([&](db::Transaction& tx) -> absl::Status {
        absl::StatusOr<TenantSettings> settings = deployment_.cases_data().cases.SettingsOf(tx, tenant);
        if (settings.ok()) synced = kept(*settings) == kept(updated->settings());
        return settings.status();
      }).ok());
    }
    ASSERT_TRUE(synced) << "the cases service did not take " << tenant << " over within 20 s";
  }
  void AddTenant(const std::string& tenant, const std::string& zone) {
    AddTenant(tenant, [&](TenantSettings& s) { s.set_time_zone(zone); });
  }

  // A coordinator of `tenant`-centrum.
  std::string CoordinatorOf(const std::string& tenant) {
    return Token(ClaimsFor("carla.coordinator", "gemeente", "MUNICIPALITY", {"COORDINATOR"}, {tenant + "-centrum"},
                           tenant));
  }

  testing::Deployment deployment_;
  std::unique_ptr<v1::CaseService::Stub> cases_;
  std::unique_ptr<v1::TriageService::Stub> triage_;
  std::unique_ptr<v1::ActionService::Stub> actions_;
  std::unique_ptr<v1::MeetingService::Stub> meetings_;
  std::string coordinator_, other_coordinator_, care_, police_, housing_, officer_;
};

TEST_F(CasesEndToEndTest, EveryLegalMoveWorksAndEveryIllegalOneChangesNothing) {
  for (int from = v1::CASE_STATUS_REGISTERED; from <= v1::CaseStatus_MAX; ++from) {
    for (int to = v1::CASE_STATUS_REGISTERED; to <= v1::CaseStatus_MAX; ++to) {
      std::string move = absl::StrCat(v1::CaseStatus_Name(from), " -> ", v1::CaseStatus_Name(to));
      v1::Case c = CaseIn(v1::CaseStatus(from));
      size_t steps_before = Get(coordinator_, c.case_id())->history_size();
      v1::Case after;
      grpc::Status status = Move(c.case_id(), v1::CaseStatus(to), &after);
      absl::StatusOr<v1::CaseSummary> now = Get(coordinator_, c.case_id());
      ASSERT_TRUE(now.ok()) << move;
      if (IsLegalTransition(v1::CaseStatus(from), v1::CaseStatus(to))) {
        EXPECT_TRUE(status.ok()) << move << ": " << status.error_message();
        EXPECT_EQ(now->case_().status(), to) << move;
        ASSERT_EQ(now->history_size(), steps_before + 1) << move;
        const v1::StatusChange& step = now->history(now->history_size() - 1);
        EXPECT_EQ(step.from(), from) << move;
        EXPECT_EQ(step.actor().user_id(), "carla.coordinator") << move;
        EXPECT_EQ(step.reason(), "besproken in het overleg") << move;
      } else {
        EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << move;
        EXPECT_EQ(now->case_().status(), from) << move << " changed the case";
        EXPECT_EQ(now->history_size(), steps_before) << move << " changed the history";
      }
    }
  }
}

TEST_F(CasesEndToEndTest, OnlyAClosedCaseReopensAndClosingNeedsAResult) {
  v1::Case open = CaseIn(v1::CASE_STATUS_IN_PROGRESS);
  v1::ReopenCaseRequest reopen;
  reopen.set_case_id(open.case_id());
  reopen.set_reason("nieuwe signalen");
  v1::Case out;
  EXPECT_EQ(cases_->ReopenCase(Call(coordinator_).get(), reopen, &out).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  v1::TransitionCaseRequest close;
  close.set_case_id(open.case_id());
  close.set_to(v1::CASE_STATUS_CLOSED);
  close.set_reason("klaar");
  grpc::Status no_result = cases_->TransitionCase(Call(coordinator_).get(), close, &out);
  EXPECT_EQ(no_result.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(no_result.error_message().rfind("result:", 0), 0u) << no_result.error_message();
  EXPECT_EQ(Get(coordinator_, open.case_id())->case_().status(), v1::CASE_STATUS_IN_PROGRESS);
  EXPECT_EQ(cases_->ReopenCase(Call(care_).get(), reopen, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED)
      << "reopening is a coordinator's";
}

TEST_F(CasesEndToEndTest, PoliceNeverReadACareNoteAndTheReverse) {
  v1::Case c = Open(Household());
  auto note = [&](const std::string& token, v1::NoteVisibility visibility, const std::string& text) {
    v1::AddNoteRequest r;
    r.set_request_id(RandomUuid());
    r.set_case_id(c.case_id());
    r.set_visibility(visibility);
    r.set_text(text);
    v1::Note out;
    return cases_->AddNote(Call(token).get(), r, &out);
  };
  EXPECT_TRUE(note(care_, v1::NOTE_VISIBILITY_CARE, "zorgnotitie: GGZ-traject loopt").ok());
  EXPECT_TRUE(note(police_, v1::NOTE_VISIBILITY_POLICE, "politienotitie: melding 14-11").ok());
  EXPECT_TRUE(note(care_, v1::NOTE_VISIBILITY_PARTICIPANTS, "iedereen: huisbezoek gepland").ok());
  EXPECT_TRUE(note(coordinator_, v1::NOTE_VISIBILITY_COORDINATION, "regie: escalatie overwegen").ok());
  EXPECT_EQ(note(police_, v1::NOTE_VISIBILITY_CARE, "mag niet").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(note(housing_, v1::NOTE_VISIBILITY_PARTICIPANTS, "niet betrokken").error_code(),
            grpc::StatusCode::NOT_FOUND);

  auto texts = [&](const std::string& token) {
    std::set<std::string> seen;
    auto summary = Get(token, c.case_id());
    EXPECT_TRUE(summary.ok()) << summary.status();
    if (summary.ok()) for (const auto& n : summary->notes()) seen.insert(n.text());
    return seen;
  };
  EXPECT_EQ(texts(police_), (std::set<std::string>{"politienotitie: melding 14-11", "iedereen: huisbezoek gepland"}));
  EXPECT_EQ(texts(care_), (std::set<std::string>{"zorgnotitie: GGZ-traject loopt", "iedereen: huisbezoek gepland"}));
  EXPECT_EQ(texts(coordinator_).size(), 4u);
  EXPECT_EQ(Get(housing_, c.case_id()).status().code(), absl::StatusCode::kNotFound);

  // Lists are summaries: no notes and no persons, whoever asks.
  v1::ListCasesResponse list;
  ASSERT_TRUE(cases_->ListCases(Call(police_).get(), {}, &list).ok());
  ASSERT_EQ(list.cases_size(), 1);
  std::string bytes = list.SerializeAsString();
  EXPECT_EQ(bytes.find("zorgnotitie"), std::string::npos);
  EXPECT_EQ(bytes.find("Jan Jansen"), std::string::npos);
  ASSERT_TRUE(cases_->ListCases(Call(housing_).get(), {}, &list).ok());
  EXPECT_EQ(list.cases_size(), 0);
}

TEST_F(CasesEndToEndTest, ReadingCaseDataNeedsAPurpose) {
  v1::Case c = Open(Household());
  v1::GetCaseRequest r;
  r.set_case_id(c.case_id());
  v1::CaseSummary summary;
  grpc::Status status = cases_->GetCase(Call(coordinator_, "").get(), r, &summary);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message().rfind("x-hartslag-purpose:", 0), 0u) << status.error_message();
  EXPECT_TRUE(cases_->GetCase(Call(coordinator_, "MEETING_PREPARATION").get(), r, &summary).ok());

  v1::ListActionsRequest actions;  // descriptions and addresses: personal data too
  actions.set_case_id(c.case_id());
  v1::ListActionsResponse listed;
  status = actions_->ListActions(Call(coordinator_, "").get(), actions, &listed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message().rfind("x-hartslag-purpose:", 0), 0u) << status.error_message();
  EXPECT_TRUE(actions_->ListActions(Call(coordinator_, "CASE_MANAGEMENT").get(), actions, &listed).ok());
}

TEST_F(CasesEndToEndTest, BreakingTheGlassIsFlaggedAndLeavesAReviewItem) {
  v1::Case c = Open(Household());  // VERTROUWELIJK; wijkteam does not take part
  EXPECT_EQ(Get(other_coordinator_, c.case_id()).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Get(housing_, c.case_id(), "acute zorgen, regisseur onbereikbaar").status().code(),
            absl::StatusCode::kNotFound)
      << "partners cannot break the glass";
  auto urgent = Get(other_coordinator_, c.case_id(), "acute zorgen, regisseur onbereikbaar");
  ASSERT_TRUE(urgent.ok()) << urgent.status();
  EXPECT_EQ(urgent->case_().case_id(), c.case_id());

  v1::ListBreakGlassReviewsResponse reviews;
  ASSERT_TRUE(cases_->ListBreakGlassReviews(Call(officer_).get(), {}, &reviews).ok());
  ASSERT_EQ(reviews.reviews_size(), 1);
  EXPECT_EQ(reviews.reviews(0).case_id(), c.case_id());
  EXPECT_EQ(reviews.reviews(0).actor().user_id(), "olaf.coordinator");
  EXPECT_EQ(reviews.reviews(0).reason(), "acute zorgen, regisseur onbereikbaar");

  // The audit record of that read carries the flag.
  absl::Time give_up = absl::Now() + absl::Seconds(20);
  bool flagged = false;
  while (!flagged && absl::Now() < give_up) {
    audit::EventQuery query;
    query.log_id = "heerlen";
    query.object_id = c.case_id();
    query.actor_user_id = "olaf.coordinator";
    auto found = deployment_.audit_store().Query(query, absl::InfiniteFuture());
    if (found.ok()) {
      for (const auto& entry : *found) {
        audit::v1::AuditEvent e;
        e.ParseFromString(entry.bytes);
        flagged = flagged || (e.break_glass() && e.outcome() == audit::v1::OUTCOME_SUCCESS);
      }
    }
    if (!flagged) absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_TRUE(flagged);
}

TEST_F(CasesEndToEndTest, APrivacyOfficerCompletesABreakTheGlassReviewOnceWithAFinding) {
  v1::Case c = Open(Household());
  ASSERT_TRUE(Get(other_coordinator_, c.case_id(), "acute zorgen, regisseur onbereikbaar").ok());
  v1::ListBreakGlassReviewsResponse reviews;
  ASSERT_TRUE(cases_->ListBreakGlassReviews(Call(officer_).get(), {}, &reviews).ok());
  ASSERT_EQ(reviews.reviews_size(), 1);
  EXPECT_FALSE(reviews.reviews(0).has_completed_at()) << "a new review is open";

  v1::CompleteBreakGlassReviewRequest complete;
  complete.set_review_id(reviews.reviews(0).review_id());
  v1::BreakGlassReview done;
  grpc::Status status = cases_->CompleteBreakGlassReview(Call(officer_).get(), complete, &done);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << "a finding is required";
  EXPECT_NE(status.error_message().find("finding"), std::string::npos) << status.error_message();
  complete.set_finding(std::string(2001, 'x'));
  EXPECT_EQ(cases_->CompleteBreakGlassReview(Call(officer_).get(), complete, &done).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  complete.set_finding("Terecht: de regisseur was die nacht onbereikbaar.");
  status = cases_->CompleteBreakGlassReview(Call(officer_).get(), complete, &done);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << "a judgement left out is not 'not justified'";
  EXPECT_EQ(status.error_message().rfind("judgement:", 0), 0u) << status.error_message();
  complete.set_judgement(v1::JUDGEMENT_JUSTIFIED);
  EXPECT_EQ(cases_->CompleteBreakGlassReview(Call(other_coordinator_).get(), complete, &done).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  status = cases_->CompleteBreakGlassReview(Call(officer_).get(), complete, &done);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(done.finding(), "Terecht: de regisseur was die nacht onbereikbaar.");
  EXPECT_EQ(done.judgement(), v1::JUDGEMENT_JUSTIFIED);
  EXPECT_FALSE(done.completed_by().empty());
  EXPECT_TRUE(done.has_completed_at());

  status = cases_->CompleteBreakGlassReview(Call(officer_).get(), complete, &done);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << "a finding is given once";
  complete.set_review_id("00000000-0000-4000-8000-000000000000");
  EXPECT_EQ(cases_->CompleteBreakGlassReview(Call(officer_).get(), complete, &done).error_code(),
            grpc::StatusCode::NOT_FOUND);

  ASSERT_TRUE(cases_->ListBreakGlassReviews(Call(officer_).get(), {}, &reviews).ok());
  ASSERT_EQ(reviews.reviews_size(), 1);
  EXPECT_EQ(reviews.reviews(0).finding(), "Terecht: de regisseur was die nacht onbereikbaar.");
  EXPECT_EQ(reviews.reviews(0).judgement(), v1::JUDGEMENT_JUSTIFIED);
  EXPECT_EQ(reviews.reviews(0).completed_by(), done.completed_by());
  EXPECT_TRUE(reviews.reviews(0).has_completed_at());
}

TEST_F(CasesEndToEndTest, APrivacyOfficerDoesNotReviewTheirOwnBreakTheGlassAccessAndNotJustifiedIsKeptAsSuch) {
  v1::Case c = Open(Household());
  RequestContext officer;  // as deployment_.PrivacyOfficerToken() names them
  officer.tenant = "heerlen";
  officer.user = "privacy.officer";
  officer.organisation = "gemeente";
  officer.organisation_kind = common::v1::ORGANISATION_KIND_MUNICIPALITY;
  ASSERT_TRUE(deployment_.SeedBreakGlass(officer, c.case_id(), "eigen spoedtoegang").ok());
  ASSERT_TRUE(Get(other_coordinator_, c.case_id(), "acute zorgen, regisseur onbereikbaar").ok());
  v1::ListBreakGlassReviewsResponse reviews;
  ASSERT_TRUE(cases_->ListBreakGlassReviews(Call(officer_).get(), {}, &reviews).ok());
  ASSERT_EQ(reviews.reviews_size(), 2);
  std::string own, other;
  for (const auto& r : reviews.reviews()) (r.actor().user_id() == "privacy.officer" ? own : other) = r.review_id();
  ASSERT_FALSE(own.empty());
  ASSERT_FALSE(other.empty());

  v1::CompleteBreakGlassReviewRequest complete;
  complete.set_review_id(own);
  complete.set_finding("Zelf gedaan, zelf goedgekeurd.");
  complete.set_judgement(v1::JUDGEMENT_JUSTIFIED);
  v1::BreakGlassReview done;
  grpc::Status status = cases_->CompleteBreakGlassReview(Call(officer_).get(), complete, &done);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(status.error_message().rfind("review_id:", 0), 0u) << status.error_message();

  complete.set_review_id(other);
  complete.set_finding("Niet terecht: de regisseur was bereikbaar.");
  complete.set_judgement(v1::JUDGEMENT_NOT_JUSTIFIED);
  status = cases_->CompleteBreakGlassReview(Call(officer_).get(), complete, &done);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(done.judgement(), v1::JUDGEMENT_NOT_JUSTIFIED);
  ASSERT_TRUE(cases_->ListBreakGlassReviews(Call(officer_).get(), {}, &reviews).ok());
  for (const auto& r : reviews.reviews()) {
    EXPECT_EQ(r.judgement(), r.review_id() == other ? v1::JUDGEMENT_NOT_JUSTIFIED : v1::JUDGEMENT_UNSPECIFIED);
  }
}

TEST_F(CasesEndToEndTest, OpenOnlyListsTheReviewsNotYetCompletedAPageAtATime) {
  v1::Case c = Open(Household());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(Get(other_coordinator_, c.case_id(), absl::StrCat("spoedtoegang nummer ", i)).ok());
  }
  v1::ListBreakGlassReviewsResponse all;
  ASSERT_TRUE(cases_->ListBreakGlassReviews(Call(officer_).get(), {}, &all).ok());
  ASSERT_EQ(all.reviews_size(), 3);
  v1::CompleteBreakGlassReviewRequest complete;
  complete.set_review_id(all.reviews(1).review_id());  // the middle one
  complete.set_finding("Terecht.");
  complete.set_judgement(v1::JUDGEMENT_JUSTIFIED);
  v1::BreakGlassReview done;
  ASSERT_TRUE(cases_->CompleteBreakGlassReview(Call(officer_).get(), complete, &done).ok());

  v1::ListBreakGlassReviewsRequest open;
  open.set_open_only(true);
  open.set_page_size(1);
  std::vector<std::string> seen;
  v1::ListBreakGlassReviewsResponse page;
  do {
    grpc::Status status = cases_->ListBreakGlassReviews(Call(officer_).get(), open, &page);
    ASSERT_TRUE(status.ok()) << status.error_message();
    for (const auto& r : page.reviews()) {
      EXPECT_FALSE(r.has_completed_at());
      seen.push_back(r.review_id());
    }
    open.set_page_token(page.next_page_token());
  } while (!open.page_token().empty() && seen.size() < 5);
  EXPECT_EQ(seen, (std::vector<std::string>{all.reviews(0).review_id(), all.reviews(2).review_id()}));

  // A token of the open list does not page the full one.
  ASSERT_TRUE(cases_->ListBreakGlassReviews(Call(officer_).get(), [] {
    v1::ListBreakGlassReviewsRequest r;
    r.set_open_only(true);
    r.set_page_size(1);
    return r;
  }(), &page).ok());
  v1::ListBreakGlassReviewsRequest replay;
  replay.set_page_size(1);
  replay.set_page_token(page.next_page_token());
  grpc::Status status = cases_->ListBreakGlassReviews(Call(officer_).get(), replay, &page);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message().rfind("page_token:", 0), 0u) << status.error_message();
}

TEST_F(CasesEndToEndTest, OpeningIsExactlyOnceAndBadInputNamesTheField) {
  v1::OpenCaseRequest request = Household();
  v1::Case first = Open(request), again = Open(request);
  EXPECT_EQ(first.case_id(), again.case_id());
  EXPECT_EQ(first.reference().rfind("CS-", 0), 0u) << first.reference();
  EXPECT_EQ(first.status(), v1::CASE_STATUS_REGISTERED);
  EXPECT_EQ(first.confidentiality(), v1::CONFIDENTIALITY_VERTROUWELIJK);
  v1::Case out;
  request.set_title("Iets anders");
  EXPECT_EQ(cases_->OpenCase(Call(coordinator_).get(), request, &out).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);

  struct Bad {
    std::string field;
    std::function<void(v1::OpenCaseRequest&)> spoil;
  };
  for (const Bad& bad : std::vector<Bad>{
           {"request_id", [](auto& r) { r.set_request_id("x"); }},
           {"kind", [](auto& r) { r.clear_kind(); }},
           {"title", [](auto& r) { r.set_title(""); }},
           {"persons", [](auto& r) { r.clear_persons(); }},
           {"persons[0].birth_year", [](auto& r) { r.mutable_persons(0)->set_birth_year(1800); }},
           {"address", [](auto& r) { r.set_kind(v1::CASE_KIND_LEEFBAARHEID); }},
           {"address.postcode", [](auto& r) {
              r.mutable_address()->set_street("Kasteelweg");
              r.mutable_address()->set_house_number(3);
              r.mutable_address()->set_postcode("123");
              r.mutable_address()->set_city("Heerlen");
            }},
           {"risk_reason", [](auto& r) { r.set_risk_tier(v1::RISK_TIER_HIGH); }},
           // A reason without a tier was stored unchecked, 3 MB of it.
           {"risk_reason", [](auto& r) { r.set_risk_reason(std::string(3000, 'r')); }},
           {"title", [](auto& r) { r.set_title(std::string(1 << 20, 't')); }},
       }) {
    v1::OpenCaseRequest r = Household();
    bad.spoil(r);
    grpc::Status status = cases_->OpenCase(Call(coordinator_).get(), r, &out);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad.field;
    EXPECT_EQ(status.error_message().rfind(bad.field + ":", 0), 0u) << status.error_message();
  }
  v1::OpenCaseRequest elsewhere = Household();
  elsewhere.set_area_id("heerlen-zuid");
  EXPECT_EQ(cases_->OpenCase(Call(coordinator_).get(), elsewhere, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ListCasesResponse list;
  ASSERT_TRUE(cases_->ListCases(Call(coordinator_).get(), {}, &list).ok());
  EXPECT_EQ(list.cases_size(), 1) << "nothing of the refused requests was stored";
}

TEST_F(CasesEndToEndTest, RiskTierSetsTheNextReviewAndUpdatesChangeOnlyTheirMask) {
  v1::Case c = Open(Household());
  v1::UpdateCaseRequest update;
  update.set_case_id(c.case_id());
  update.set_risk_tier(v1::RISK_TIER_HIGH);
  update.set_risk_reason("kinderen in huis, escalerende overlast");
  update.set_case_manager("zora.zorg");
  update.set_confidentiality(v1::CONFIDENTIALITY_GEHEIM);  // not in the mask: not changed
  update.mutable_update_mask()->add_paths("risk_tier");
  update.mutable_update_mask()->add_paths("case_manager");
  v1::Case updated;
  ASSERT_TRUE(cases_->UpdateCase(Call(coordinator_).get(), update, &updated).ok());
  EXPECT_EQ(updated.risk_tier(), v1::RISK_TIER_HIGH);
  absl::Duration until_review =
      absl::FromUnixSeconds(updated.next_review_at().seconds()) - absl::Now();
  EXPECT_GT(until_review, absl::Hours(24 * 13));
  EXPECT_LT(until_review, absl::Hours(24 * 15));
  EXPECT_EQ(updated.case_manager(), "zora.zorg");
  EXPECT_EQ(updated.participating_organisations_size(), c.participating_organisations_size())
      << "fields outside the mask keep their value";
  EXPECT_EQ(updated.confidentiality(), c.confidentiality()) << "also when the request carries one";
  update.Clear();
  update.set_case_id(c.case_id());
  update.set_confidentiality(v1::CONFIDENTIALITY_GEHEIM);
  grpc::Status unmasked = cases_->UpdateCase(Call(coordinator_).get(), update, &updated);
  EXPECT_EQ(unmasked.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(unmasked.error_message().rfind("update_mask:", 0), 0u) << unmasked.error_message();
  update.mutable_update_mask()->add_paths("confidentiality");
  ASSERT_TRUE(cases_->UpdateCase(Call(coordinator_).get(), update, &updated).ok());
  EXPECT_TRUE(Get(care_, c.case_id()).ok()) << "the case manager has a role on the case";
  EXPECT_EQ(Get(police_, c.case_id()).status().code(), absl::StatusCode::kNotFound)
      << "from GEHEIM up only people with a role";

  // An empty case manager in the mask removes it.
  update.Clear();
  update.set_case_id(c.case_id());
  update.mutable_update_mask()->add_paths("case_manager");
  ASSERT_TRUE(cases_->UpdateCase(Call(coordinator_).get(), update, &updated).ok());
  EXPECT_EQ(updated.case_manager(), "");
  EXPECT_EQ(updated.risk_tier(), v1::RISK_TIER_HIGH);
}

TEST_F(CasesEndToEndTest, PartnersWorkTheirOrganisationsActionsAndOnlyThose) {
  v1::Case c = Open(Household());
  std::string housing_org_token = housing_;  // woonpunt: not yet on the case
  v1::CreateActionRequest create;
  create.set_request_id(RandomUuid());
  create.set_case_id(c.case_id());
  create.set_description("Gezamenlijk huisbezoek en controle woningen");
  create.add_organisation_ids("woonpunt");
  create.add_organisation_ids("politie");
  create.set_due_date(absl::FormatCivilTime(absl::ToCivilDay(absl::Now() + absl::Hours(24 * 7), absl::UTCTimeZone())));
  common::v1::Address* first = create.add_addresses();
  first->set_street("Kasteelweg");
  first->set_house_number(3);
  first->set_postcode("6417 BC");
  first->set_city("Heerlen");
  *create.add_addresses() = *first;
  create.mutable_addresses(1)->set_house_number(5);
  v1::Action action;
  ASSERT_TRUE(actions_->CreateAction(Call(coordinator_).get(), create, &action).ok());
  EXPECT_EQ(action.status(), v1::ACTION_STATUS_OPEN);
  EXPECT_FALSE(action.overdue());
  EXPECT_TRUE(Get(housing_org_token, c.case_id()).ok()) << "an organisation with an action takes part";

  v1::ListActionsRequest mine;
  mine.set_mine(true);
  v1::ListActionsResponse list;
  ASSERT_TRUE(actions_->ListActions(Call(housing_).get(), mine, &list).ok());
  ASSERT_EQ(list.actions_size(), 1);
  ASSERT_TRUE(actions_->ListActions(Call(care_).get(), mine, &list).ok());
  EXPECT_EQ(list.actions_size(), 0) << "care has no actions";

  auto update = [&](const std::string& token, v1::ActionStatus to, const std::string& result = "") {
    v1::UpdateActionRequest r;
    r.set_action_id(action.action_id());
    r.set_status(to);
    r.set_result(result);
    return actions_->UpdateAction(Call(token).get(), r, &action);
  };
  v1::UpdateActionRequest finding;
  finding.set_action_id(action.action_id());
  finding.set_status(v1::ACTION_STATUS_IN_PROGRESS);
  (*finding.mutable_findings())[1] = "brandonveilige situatie, melding bij handhaving";
  ASSERT_TRUE(actions_->UpdateAction(Call(housing_).get(), finding, &action).ok());
  EXPECT_EQ(action.addresses(1).finding(), "brandonveilige situatie, melding bij handhaving");
  EXPECT_EQ(update(care_, v1::ACTION_STATUS_DONE, "x").error_code(), grpc::StatusCode::NOT_FOUND)
      << "not care's action";
  EXPECT_EQ(update(police_, v1::ACTION_STATUS_CANCELLED).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  grpc::Status no_result = update(police_, v1::ACTION_STATUS_DONE);
  EXPECT_EQ(no_result.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(no_result.error_message().rfind("result:", 0), 0u) << no_result.error_message();
  ASSERT_TRUE(update(police_, v1::ACTION_STATUS_DONE, "twee adressen gecontroleerd").ok());
  EXPECT_EQ(update(coordinator_, v1::ACTION_STATUS_IN_PROGRESS).error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << "done is final";

  v1::ListActionsRequest of_case;
  of_case.set_case_id(c.case_id());
  ASSERT_TRUE(actions_->ListActions(Call(coordinator_).get(), of_case, &list).ok());
  ASSERT_EQ(list.actions_size(), 1);
  EXPECT_EQ(list.actions(0).status(), v1::ACTION_STATUS_DONE);
  EXPECT_EQ(list.actions(0).result(), "twee adressen gecontroleerd");

  create.set_due_date("2020-01-01");
  grpc::Status past = actions_->CreateAction(Call(coordinator_).get(), create, &action);
  EXPECT_EQ(past.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(past.error_message().rfind("due_date:", 0), 0u) << past.error_message();
}

TEST_F(CasesEndToEndTest, ListsComeInPagesThatTogetherHoldEveryItemOnceAndOnlyWhatTheCallerMaySee) {
  v1::Case c = Open(Household());
  // 70 notes for everyone taking part, 10 for care only: a case summary
  // shows the newest 50, ListNotes the rest, and police never a care note.
  for (int i = 0; i < 80; ++i) {
    v1::AddNoteRequest r;
    r.set_request_id(RandomUuid());
    r.set_case_id(c.case_id());
    r.set_visibility(i % 8 == 7 ? v1::NOTE_VISIBILITY_CARE : v1::NOTE_VISIBILITY_PARTICIPANTS);
    r.set_text(absl::StrCat("notitie ", i));
    v1::Note out;
    ASSERT_TRUE(cases_->AddNote(Call(i % 8 == 7 ? care_ : coordinator_).get(), r, &out).ok());
  }
  StoreAction(c.case_id(), "politie", "2030-01-01");  // makes police take part
  auto all_notes = [&](const std::string& token) {
    std::vector<std::string> texts;
    auto summary = Get(token, c.case_id());
    EXPECT_TRUE(summary.ok()) << summary.status();
    if (!summary.ok()) return texts;
    EXPECT_EQ(summary->notes_size(), 50);
    for (const auto& n : summary->notes()) texts.push_back(n.text());
    v1::ListNotesRequest more;
    more.set_case_id(c.case_id());
    more.set_page_size(7);
    more.set_page_token(summary->next_notes_page_token());
    while (!more.page_token().empty()) {
      v1::ListNotesResponse page;
      grpc::Status status = cases_->ListNotes(Call(token).get(), more, &page);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      EXPECT_LE(page.notes_size(), 7);
      for (const auto& n : page.notes()) texts.push_back(n.text());
      more.set_page_token(page.next_page_token());
    }
    return texts;
  };
  std::vector<std::string> coordinator_sees = all_notes(coordinator_);
  ASSERT_EQ(coordinator_sees.size(), 80u);
  EXPECT_EQ(coordinator_sees.front(), "notitie 79") << "newest first";
  EXPECT_EQ(std::set<std::string>(coordinator_sees.begin(), coordinator_sees.end()).size(), 80u) << "each once";
  std::vector<std::string> police_sees = all_notes(police_);
  EXPECT_EQ(police_sees.size(), 70u);
  for (const std::string& text : police_sees) EXPECT_NE(text, "notitie 7");

  // A token is bound to its case.
  v1::Case other = Open(Household());
  v1::ListNotesRequest first;
  first.set_case_id(c.case_id());
  first.set_page_size(10);
  v1::ListNotesResponse page;
  ASSERT_TRUE(cases_->ListNotes(Call(coordinator_).get(), first, &page).ok());
  first.set_case_id(other.case_id());
  first.set_page_token(page.next_page_token());
  grpc::Status moved = cases_->ListNotes(Call(coordinator_).get(), first, &page);
  EXPECT_EQ(moved.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(moved.error_message().rfind("page_token:", 0), 0u) << moved.error_message();
  EXPECT_EQ(cases_->ListNotes(Call(housing_).get(), first, &page).error_code(), grpc::StatusCode::NOT_FOUND);

  // 120 actions of police on the case, a third of them overdue: pages of 50
  // hold them all once, soonest due first; the overdue filter holds the
  // overdue ones only, also across pages.
  for (int i = 0; i < 119; ++i) {
    StoreAction(c.case_id(), "politie", i % 3 == 0 ? absl::StrCat("2025-0", 1 + i % 9, "-1", i % 10)
                                                   : absl::StrCat("2031-0", 1 + i % 9, "-1", i % 10));
  }
  auto actions = [&](v1::ListActionsRequest request) {
    std::vector<v1::Action> all;
    request.set_page_size(50);
    do {
      v1::ListActionsResponse response;
      grpc::Status status = actions_->ListActions(Call(police_).get(), request, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      EXPECT_LE(response.actions_size(), 50);
      all.insert(all.end(), response.actions().begin(), response.actions().end());
      request.set_page_token(response.next_page_token());
    } while (!request.page_token().empty());
    return all;
  };
  v1::ListActionsRequest mine;
  mine.set_mine(true);
  std::vector<v1::Action> listed = actions(mine);
  ASSERT_EQ(listed.size(), 120u);
  std::set<std::string> ids;
  for (size_t i = 0; i < listed.size(); ++i) {
    ids.insert(listed[i].action_id());
    if (i > 0) {
      EXPECT_LE(listed[i - 1].due_date(), listed[i].due_date());
    }
  }
  EXPECT_EQ(ids.size(), 120u);
  mine.set_overdue_only(true);
  std::vector<v1::Action> overdue = actions(mine);
  EXPECT_EQ(overdue.size(), 40u);
  for (const v1::Action& a : overdue) EXPECT_TRUE(a.overdue());
}

// A partner system or a web form that retries after a timeout must not give
// an action twice.
// Sends `request` from eight threads at once: every call gets the same
// answer (`id_of` it) and `count` grows by one; the same id with content
// `changed` is ALREADY_EXISTS, and no id INVALID_ARGUMENT, both naming
// request_id and changing nothing.
template <typename Request, typename Response>
void ExpectExactlyOnce(const std::string& rpc, Request request,
                       const std::function<grpc::Status(const Request&, Response*)>& send,
                       const std::function<std::string(const Response&)>& id_of, const std::function<int()>& count,
                       const std::function<void(Request&)>& changed) {
  SCOPED_TRACE(rpc);
  int before = count();
  std::vector<std::string> answers(8);
  std::vector<std::thread> retries;
  for (size_t i = 0; i < answers.size(); ++i) {
    retries.emplace_back([&, i] {
      Response made;
      grpc::Status status = send(request, &made);
      answers[i] = status.ok() ? id_of(made) : "error: " + status.error_message();
    });
  }
  for (std::thread& t : retries) t.join();
  EXPECT_EQ(answers[0].rfind("error", 0), std::string::npos) << answers[0];
  for (const std::string& answer : answers) EXPECT_EQ(answer, answers[0]);
  EXPECT_EQ(count(), before + 1) << "eight calls, one made";

  Request other = request;
  changed(other);
  Response unused;
  grpc::Status reused = send(other, &unused);
  EXPECT_EQ(reused.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(reused.error_message().rfind("request_id:", 0), 0u) << reused.error_message();
  other.clear_request_id();
  grpc::Status missing = send(other, &unused);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(missing.error_message().rfind("request_id:", 0), 0u) << missing.error_message();
  EXPECT_EQ(count(), before + 1) << "refusals make nothing";
}

TEST_F(CasesEndToEndTest, TheCaseListFiltersOnRiskTierOverdueActionsAndDueReviewsAndEachTokenKeepsItsFilter) {
  v1::Case high = Open(Household());
  v1::Case low = Open(Household());
  v1::Case late = Open(Household());
  v1::Case done_late = Open(Household());  // its late action is done: not overdue
  v1::Case review = Open(Household());
  v1::Case later_review = Open(Household());
  StoreChange(high.case_id(), [](v1::Case& c) { c.set_risk_tier(v1::RISK_TIER_HIGH); });
  StoreChange(low.case_id(), [](v1::Case& c) { c.set_risk_tier(v1::RISK_TIER_LOW); });
  StoreAction(late.case_id(), "politie", "2020-01-01");
  StoreAction(late.case_id(), "politie", "2099-01-01");
  StoreAction(review.case_id(), "politie", "2099-01-01");
  v1::Action done;
  done.set_action_id(RandomUuid());
  done.set_case_id(done_late.case_id());
  done.set_description("actie");
  done.add_organisation_ids("politie");
  done.set_due_date("2020-01-01");
  done.set_status(v1::ACTION_STATUS_DONE);
  ASSERT_TRUE(deployment_.SeedAction(Coordinator(), done).ok());
  StoreChange(review.case_id(), [](v1::Case& c) {
    c.mutable_next_review_at()->set_seconds(absl::ToUnixSeconds(absl::Now() - absl::Hours(1)));
  });
  StoreChange(later_review.case_id(), [](v1::Case& c) {
    c.mutable_next_review_at()->set_seconds(absl::ToUnixSeconds(absl::Now() + absl::Hours(24)));
  });
  // Closed with its review date passed: nothing is due on a closed case.
  v1::Case closed_review = Open(Household());
  StoreChange(closed_review.case_id(), [](v1::Case& c) {
    c.set_status(v1::CASE_STATUS_CLOSED);
    c.set_result(v1::CASE_RESULT_RESOLVED);
    c.mutable_next_review_at()->set_seconds(absl::ToUnixSeconds(absl::Now() - absl::Hours(1)));
  });
  // The signals that led to a case come with it in the list (a map places
  // it by them without reading the case).
  const std::vector<std::string> signals = {RandomUuid(), RandomUuid()};
  StoreChange(review.case_id(), [&](v1::Case& c) {
    for (const std::string& id : signals) c.add_signal_ids(id);
  });

  // Every page of `request`, one case at a time, as ids; the items' flags
  // by id into `overdue`, the items into `items`.
  auto list = [&](v1::ListCasesRequest request, std::map<std::string, bool>* overdue = nullptr,
                  std::map<std::string, v1::CaseListItem>* items = nullptr) {
    std::set<std::string> ids;
    request.set_page_size(1);
    for (int pages = 0; pages < 20; ++pages) {
      v1::ListCasesResponse page;
      grpc::Status status = cases_->ListCases(Call(coordinator_).get(), request, &page);
      EXPECT_TRUE(status.ok()) << status.error_message();
      for (const v1::CaseListItem& c : page.cases()) {
        ids.insert(c.case_id());
        if (overdue) (*overdue)[c.case_id()] = c.has_overdue_actions();
        if (items) (*items)[c.case_id()] = c;
      }
      if (page.next_page_token().empty()) break;
      request.set_page_token(page.next_page_token());
    }
    return ids;
  };
  v1::ListCasesRequest by_tier;
  by_tier.set_risk_tier(v1::RISK_TIER_HIGH);
  EXPECT_EQ(list(by_tier), std::set<std::string>{high.case_id()});
  by_tier.set_risk_tier(v1::RISK_TIER_LOW);
  EXPECT_EQ(list(by_tier), std::set<std::string>{low.case_id()});
  v1::ListCasesRequest overdue_only;
  overdue_only.set_overdue_actions_only(true);
  EXPECT_EQ(list(overdue_only), std::set<std::string>{late.case_id()});
  v1::ListCasesRequest review_only;
  review_only.set_review_due_only(true);
  EXPECT_EQ(list(review_only), std::set<std::string>{review.case_id()});
  // Filters combine: no case is both.
  review_only.set_overdue_actions_only(true);
  EXPECT_TRUE(list(review_only).empty());

  std::map<std::string, bool> overdue;
  std::map<std::string, v1::CaseListItem> items;
  EXPECT_EQ(list({}, &overdue, &items).size(), 7u);
  for (const auto& [id, flag] : overdue) EXPECT_EQ(flag, id == late.case_id()) << id;
  // The service says which review is due (the closed case's is not), so
  // that no screen decides it by the browser's clock.
  for (const auto& [id, item] : items) EXPECT_EQ(item.review_due(), id == review.case_id()) << id;
  EXPECT_EQ(std::vector<std::string>(items[review.case_id()].signal_ids().begin(),
                                     items[review.case_id()].signal_ids().end()),
            signals);
  EXPECT_TRUE(items[high.case_id()].signal_ids().empty());
  // The case page is told the same.
  EXPECT_TRUE(Get(coordinator_, review.case_id())->review_due());
  EXPECT_FALSE(Get(coordinator_, closed_review.case_id())->review_due());
  EXPECT_FALSE(Get(coordinator_, later_review.case_id())->review_due());

  // A token of one filter is refused with another, also with only a new
  // flag.
  v1::ListCasesRequest first;
  first.set_page_size(1);
  v1::ListCasesResponse page;
  ASSERT_TRUE(cases_->ListCases(Call(coordinator_).get(), first, &page).ok());
  ASSERT_FALSE(page.next_page_token().empty());
  for (const std::function<void(v1::ListCasesRequest&)>& other :
       std::vector<std::function<void(v1::ListCasesRequest&)>>{
           [](v1::ListCasesRequest& r) { r.set_risk_tier(v1::RISK_TIER_HIGH); },
           [](v1::ListCasesRequest& r) { r.set_overdue_actions_only(true); },
           [](v1::ListCasesRequest& r) { r.set_review_due_only(true); }}) {
    v1::ListCasesRequest next = first;
    next.set_page_token(page.next_page_token());
    other(next);
    v1::ListCasesResponse refused;
    grpc::Status status = cases_->ListCases(Call(coordinator_).get(), next, &refused);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(status.error_message().find("page_token"), std::string::npos) << status.error_message();
  }
  v1::ListCasesRequest unknown;
  unknown.set_risk_tier(static_cast<v1::RiskTier>(99));
  v1::ListCasesResponse refused;
  grpc::Status status = cases_->ListCases(Call(coordinator_).get(), unknown, &refused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("risk_tier"), std::string::npos) << status.error_message();
}

TEST_F(CasesEndToEndTest, EveryCreateIsExactlyOncePerRequestIdAlsoUnderConcurrentRetries) {
  v1::Case c = Open(Household());
  auto summary = [&] { return *Get(coordinator_, c.case_id()); };

  v1::CreateActionRequest action;
  action.set_request_id(RandomUuid());
  action.set_case_id(c.case_id());
  action.set_description("Adrescontrole");
  action.add_organisation_ids("politie");
  action.set_due_date("2099-01-01");
  ExpectExactlyOnce<v1::CreateActionRequest, v1::Action>(
      "CreateAction", action,
      [&](const auto& r, auto* out) { return actions_->CreateAction(Call(coordinator_).get(), r, out); },
      [](const v1::Action& a) { return a.action_id(); },
      [&] {
        v1::ListActionsRequest of_case;
        of_case.set_case_id(c.case_id());
        v1::ListActionsResponse list;
        EXPECT_TRUE(actions_->ListActions(Call(coordinator_).get(), of_case, &list).ok());
        return list.actions_size();
      },
      [](auto& r) { r.set_description("Iets anders"); });

  v1::AddNoteRequest note;
  note.set_request_id(RandomUuid());
  note.set_case_id(c.case_id());
  note.set_visibility(v1::NOTE_VISIBILITY_PARTICIPANTS);
  note.set_text("Huisbezoek afgesproken.");
  ExpectExactlyOnce<v1::AddNoteRequest, v1::Note>(
      "AddNote", note, [&](const auto& r, auto* out) { return cases_->AddNote(Call(coordinator_).get(), r, out); },
      [](const v1::Note& n) { return n.note_id(); }, [&] { return summary().notes_size(); },
      [](auto& r) { r.set_text("Iets anders."); });

  v1::OpenCaseRequest open = Household();
  ExpectExactlyOnce<v1::OpenCaseRequest, v1::Case>(
      "OpenCase", open, [&](const auto& r, auto* out) { return cases_->OpenCase(Call(coordinator_).get(), r, out); },
      [](const v1::Case& opened) { return opened.case_id(); },
      [&] {
        v1::ListCasesRequest all;
        all.set_page_size(200);
        v1::ListCasesResponse list;
        EXPECT_TRUE(cases_->ListCases(Call(coordinator_).get(), all, &list).ok());
        return list.cases_size();
      },
      [](auto& r) { r.set_title("Een ander huishouden"); });

  v1::ScheduleMeetingsRequest schedule;
  schedule.set_request_id(RandomUuid());
  schedule.set_kind(v1::CASE_KIND_CASUISTIEK);
  schedule.set_area_id("vrieheide");
  *schedule.mutable_starts_at() = TimeToProto(absl::Now() + absl::Hours(72));
  schedule.set_weeks(2);
  auto meetings_soon = [&] {
    v1::ListMeetingsRequest window;
    v1::ListMeetingsResponse list;
    EXPECT_TRUE(meetings_->ListMeetings(Call(coordinator_).get(), window, &list).ok());
    return list.meetings_size();
  };
  ExpectExactlyOnce<v1::ScheduleMeetingsRequest, v1::ScheduleMeetingsResponse>(
      "ScheduleMeetings", schedule,
      [&](const auto& r, auto* out) { return meetings_->ScheduleMeetings(Call(coordinator_).get(), r, out); },
      [](const v1::ScheduleMeetingsResponse& made) {
        return made.meetings(0).meeting_id() + made.meetings(1).meeting_id();
      },
      [&] { return meetings_soon() / 2; }, [](auto& r) { r.set_weeks(3); });

  std::string meeting_id = Schedule(v1::CASE_KIND_CASUISTIEK, "vrieheide", {"politie"});
  v1::EditAgendaRequest add;
  add.set_meeting_id(meeting_id);
  add.set_edit(v1::EditAgendaRequest::EDIT_ADD);
  add.set_case_id(c.case_id());
  v1::Meeting meeting;
  ASSERT_TRUE(meetings_->EditAgenda(Call(coordinator_).get(), add, &meeting).ok());
  auto get_meeting = [&] {
    v1::GetMeetingRequest get;
    get.set_meeting_id(meeting_id);
    v1::Meeting m;
    EXPECT_TRUE(meetings_->GetMeeting(Call(coordinator_).get(), get, &m).ok());
    return m;
  };
  v1::DecideItemRequest decide;
  decide.set_request_id(RandomUuid());
  decide.set_meeting_id(meeting_id);
  decide.set_item_id(meeting.items(0).item_id());
  decide.set_decision("Huisbezoek door politie");
  v1::CreateActionRequest* visit = decide.add_actions();
  visit->set_description("Huisbezoek");
  visit->add_organisation_ids("politie");
  visit->set_due_date("2099-01-01");
  ExpectExactlyOnce<v1::DecideItemRequest, v1::Meeting>(
      "DecideItem", decide,
      [&](const auto& r, auto* out) { return meetings_->DecideItem(Call(coordinator_).get(), r, out); },
      [](const v1::Meeting& m) { return m.items(0).actions(0).action_id(); },
      [&] { return get_meeting().items(0).actions_size(); }, [](auto& r) { r.set_decision("Iets anders"); });

  v1::CloseMeetingRequest close;
  close.set_meeting_id(meeting_id);
  ASSERT_TRUE(meetings_->CloseMeeting(Call(coordinator_).get(), close, &meeting).ok());
  v1::CorrectMinutesRequest correct;
  correct.set_request_id(RandomUuid());
  correct.set_meeting_id(meeting_id);
  correct.set_text("Aanwezig was ook de wijkagent.");
  ExpectExactlyOnce<v1::CorrectMinutesRequest, v1::Meeting>(
      "CorrectMinutes", correct,
      [&](const auto& r, auto* out) { return meetings_->CorrectMinutes(Call(coordinator_).get(), r, out); },
      [](const v1::Meeting& m) { return m.corrections(0).correction_id(); },
      [&] { return get_meeting().corrections_size(); }, [](auto& r) { r.set_text("Iets anders."); });
}

// A fixture week: known cases and actions give exactly the expected agenda.
TEST_F(CasesEndToEndTest, TheGeneratedAgendaHoldsExactlyTheCasesThatNeedTheMeeting) {
  auto leefbaarheid = [&](const std::string& title, const std::string& area = "vrieheide") {
    v1::OpenCaseRequest r;
    r.set_request_id(RandomUuid());
    r.set_kind(v1::CASE_KIND_LEEFBAARHEID);
    r.set_title(title);
    r.set_area_id(area);
    auto* a = r.mutable_address();
    a->set_street("Vrieheidelaan");
    a->set_house_number(static_cast<int>(title.size()));
    a->set_postcode("6416 AB");
    a->set_city("Heerlen");
    return Open(r);
  };
  v1::Case fresh = leefbaarheid("Nieuw: dumping");                 // REGISTERED
  v1::Case late = leefbaarheid("Actie te laat");                   // an overdue action
  v1::Case review = leefbaarheid("Evaluatie nodig");               // review date passed
  v1::Case calm = leefbaarheid("Rustig, monitoren");               // MONITORING, nothing open
  v1::Case busy = leefbaarheid("Loopt volgens plan");              // IN_PROGRESS, nothing due
  v1::Case closed = leefbaarheid("Afgesloten");                    // CLOSED
  v1::Case elsewhere = leefbaarheid("Andere wijk", "heerlen-noord");  // in the area, above Vrieheide
  v1::Case household = Open(Household());                          // the other meeting
  StoreChange(late.case_id(), [](v1::Case& c) {
    c.set_status(v1::CASE_STATUS_IN_PROGRESS);
    c.add_participating_organisations("politie");
  });
  StoreChange(review.case_id(), [](v1::Case& c) {
    c.set_status(v1::CASE_STATUS_IN_PROGRESS);
    c.mutable_next_review_at()->set_seconds(absl::ToUnixSeconds(absl::Now() - absl::Hours(24)));
  });
  StoreChange(calm.case_id(), [](v1::Case& c) { c.set_status(v1::CASE_STATUS_MONITORING); });
  StoreChange(busy.case_id(), [](v1::Case& c) {
    c.set_status(v1::CASE_STATUS_IN_PROGRESS);
    c.add_participating_organisations("politie");
  });
  StoreChange(closed.case_id(), [](v1::Case& c) { c.set_status(v1::CASE_STATUS_CLOSED); });
  StoreChange(elsewhere.case_id(), [](v1::Case& c) { c.set_status(v1::CASE_STATUS_IN_PROGRESS); });
  StoreAction(late.case_id(), "politie", "2020-01-01");
  StoreAction(busy.case_id(), "politie", "2099-01-01");

  v1::ScheduleMeetingsRequest schedule;

  schedule.set_request_id(RandomUuid());
  schedule.set_kind(v1::CASE_KIND_LEEFBAARHEID);
  schedule.set_area_id("vrieheide");
  *schedule.mutable_starts_at() = TimeToProto(absl::Now() + absl::Hours(48));
  schedule.add_participating_organisations("politie");
  schedule.set_weeks(3);
  v1::ScheduleMeetingsResponse scheduled;
  ASSERT_TRUE(meetings_->ScheduleMeetings(Call(coordinator_).get(), schedule, &scheduled).ok());
  ASSERT_EQ(scheduled.meetings_size(), 3);
  EXPECT_EQ(scheduled.meetings(1).starts_at().seconds() - scheduled.meetings(0).starts_at().seconds(), 7 * 24 * 3600)
      << "weekly";
  const std::string meeting_id = scheduled.meetings(0).meeting_id();

  v1::Meeting meeting;
  EXPECT_EQ(Generate(meeting_id, &meeting), (std::map<std::string, std::vector<v1::AgendaReason>>{
                        {fresh.case_id(), {v1::AGENDA_REASON_NEWLY_TRIAGED}},
                        {late.case_id(), {v1::AGENDA_REASON_OVERDUE_ACTIONS}},
                        {review.case_id(), {v1::AGENDA_REASON_REVIEW_DUE}},
                        {calm.case_id(), {v1::AGENDA_REASON_PROPOSED_CLOSURE}},
                    }))
      << "not: on plan, closed, above the meeting's area, or of the other meeting";
  Generate(meeting_id, &meeting);
  EXPECT_EQ(meeting.items_size(), 4) << "generating again adds no doubles";

  v1::EditAgendaRequest add;
  add.set_meeting_id(meeting_id);
  add.set_edit(v1::EditAgendaRequest::EDIT_ADD);
  add.set_case_id(busy.case_id());
  ASSERT_TRUE(meetings_->EditAgenda(Call(coordinator_).get(), add, &meeting).ok());
  EXPECT_EQ(meeting.items(4).case_id(), busy.case_id());
  add.set_case_id(household.case_id());
  EXPECT_EQ(meetings_->EditAgenda(Call(coordinator_).get(), add, &meeting).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  add.set_case_id(closed.case_id());
  grpc::Status closed_added = meetings_->EditAgenda(Call(coordinator_).get(), add, &meeting);
  EXPECT_EQ(closed_added.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << "a closed case is reopened first";
  EXPECT_EQ(meeting.items_size(), 5);
  v1::EditAgendaRequest move;
  move.set_meeting_id(meeting_id);
  move.set_edit(v1::EditAgendaRequest::EDIT_MOVE);
  move.set_item_id(meeting.items(4).item_id());
  move.set_position(0);
  ASSERT_TRUE(meetings_->EditAgenda(Call(coordinator_).get(), move, &meeting).ok());
  EXPECT_EQ(meeting.items(0).case_id(), busy.case_id());
  v1::EditAgendaRequest remove = move;
  remove.set_edit(v1::EditAgendaRequest::EDIT_REMOVE);
  remove.set_item_id(meeting.items(1).item_id());
  ASSERT_TRUE(meetings_->EditAgenda(Call(coordinator_).get(), remove, &meeting).ok());
  EXPECT_EQ(meeting.items_size(), 4);

  // A partner sees only the items of cases its organisation takes part in.
  v1::GetMeetingRequest get;
  get.set_meeting_id(meeting_id);
  v1::Meeting seen;
  ASSERT_TRUE(meetings_->GetMeeting(Call(police_).get(), get, &seen).ok());
  std::set<std::string> police_items;
  for (const auto& item : seen.items()) police_items.insert(item.case_id());
  EXPECT_EQ(police_items, (std::set<std::string>{busy.case_id(), late.case_id()}))
      << "the police take part only there";
  EXPECT_EQ(meetings_->GetMeeting(Call(care_).get(), get, &seen).error_code(), grpc::StatusCode::NOT_FOUND)
      << "care is not at this meeting";

  v1::DecideItemRequest decide;

  decide.set_request_id(RandomUuid());
  decide.set_meeting_id(meeting_id);
  decide.set_item_id(meeting.items(0).item_id());
  decide.set_decision("Extra toezicht; evaluatie over twee weken");
  decide.set_rationale("Overlast neemt af");
  decide.set_risk_tier(v1::RISK_TIER_LOW);
  decide.set_risk_reason("stabiel");
  ASSERT_TRUE(meetings_->DecideItem(Call(coordinator_).get(), decide, &meeting).ok());
  EXPECT_EQ(meeting.items(0).decision(), "Extra toezicht; evaluatie over twee weken");
  EXPECT_EQ(Get(coordinator_, busy.case_id())->case_().risk_tier(), v1::RISK_TIER_LOW) << "applied to the case";

  v1::CloseMeetingRequest close;
  close.set_meeting_id(meeting_id);
  ASSERT_TRUE(meetings_->CloseMeeting(Call(coordinator_).get(), close, &meeting).ok());

  // The minutes as documents: the police's copy holds only their items.
  v1::ExportMeetingRequest export_request;
  export_request.set_meeting_id(meeting_id);
  export_request.set_format(v1::DOCUMENT_FORMAT_MARKDOWN);
  v1::MeetingDocument police_copy, full_copy;
  ASSERT_TRUE(meetings_->ExportMeeting(Call(police_).get(), export_request, &police_copy).ok());
  EXPECT_NE(police_copy.content().find(busy.reference()), std::string::npos);
  EXPECT_NE(police_copy.content().find(late.reference()), std::string::npos);
  EXPECT_EQ(police_copy.content().find(calm.reference()), std::string::npos) << police_copy.content();
  EXPECT_NE(police_copy.content().find("Notulen"), std::string::npos);
  export_request.set_format(v1::DOCUMENT_FORMAT_HTML);
  ASSERT_TRUE(meetings_->ExportMeeting(Call(coordinator_).get(), export_request, &full_copy).ok());
  for (const v1::Case* c : {&busy, &late, &review, &calm}) {
    EXPECT_NE(full_copy.content().find(c->reference()), std::string::npos) << c->reference();
  }
  EXPECT_EQ(meeting.status(), v1::MEETING_STATUS_CLOSED);
  v1::Meeting retried;
  ASSERT_TRUE(meetings_->DecideItem(Call(coordinator_).get(), decide, &retried).ok())
      << "a retry of the decision gets its first answer, also after closing";
  EXPECT_EQ(retried.status(), v1::MEETING_STATUS_SCHEDULED) << "the answer as it was then";
  decide.set_request_id(RandomUuid());
  EXPECT_EQ(meetings_->DecideItem(Call(coordinator_).get(), decide, &meeting).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION)
      << "the minutes are fixed";
  v1::EditAgendaRequest generate;
  generate.set_meeting_id(meeting_id);
  generate.set_edit(v1::EditAgendaRequest::EDIT_GENERATE);
  EXPECT_EQ(meetings_->EditAgenda(Call(coordinator_).get(), generate, &meeting).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(CasesEndToEndTest, TheCasuistiekAgendaHoldsExactlyTheHouseholdsThatNeedTheMeeting) {
  v1::Case fresh = Open(Household());    // REGISTERED
  v1::Case late = Open(Household());     // an overdue action
  v1::Case review = Open(Household());   // review date passed; care does not take part
  v1::Case calm = Open(Household());     // MONITORING, nothing open
  v1::Case busy = Open(Household());     // IN_PROGRESS, nothing due
  v1::Case closed = Open(Household());   // CLOSED
  v1::OpenCaseRequest street;            // the other meeting's, in the same area
  street.set_request_id(RandomUuid());
  street.set_kind(v1::CASE_KIND_LEEFBAARHEID);
  street.set_title("Zwerfafval Kasteelweg");
  street.set_area_id("kasteelbuurt");
  street.mutable_address()->set_street("Kasteelweg");
  street.mutable_address()->set_house_number(1);
  street.mutable_address()->set_postcode("6411 AA");
  street.mutable_address()->set_city("Heerlen");
  v1::Case leefbaarheid = Open(street);
  StoreChange(late.case_id(), [](v1::Case& c) { c.set_status(v1::CASE_STATUS_IN_PROGRESS); });
  StoreChange(review.case_id(), [](v1::Case& c) {
    c.set_status(v1::CASE_STATUS_IN_PROGRESS);
    c.clear_participating_organisations();
    c.add_participating_organisations("politie");
    c.mutable_next_review_at()->set_seconds(absl::ToUnixSeconds(absl::Now() - absl::Hours(1)));
  });
  StoreChange(calm.case_id(), [](v1::Case& c) { c.set_status(v1::CASE_STATUS_MONITORING); });
  StoreChange(busy.case_id(), [](v1::Case& c) { c.set_status(v1::CASE_STATUS_IN_PROGRESS); });
  StoreChange(closed.case_id(), [](v1::Case& c) { c.set_status(v1::CASE_STATUS_CLOSED); });
  StoreAction(late.case_id(), "buurtteam", "2020-01-01");
  StoreAction(busy.case_id(), "buurtteam", "2099-01-01");

  std::string meeting_id = Schedule(v1::CASE_KIND_CASUISTIEK, "kasteelbuurt", {"buurtteam", "politie"});
  v1::Meeting meeting;
  EXPECT_EQ(Generate(meeting_id, &meeting), (std::map<std::string, std::vector<v1::AgendaReason>>{
                                                {fresh.case_id(), {v1::AGENDA_REASON_NEWLY_TRIAGED}},
                                                {late.case_id(), {v1::AGENDA_REASON_OVERDUE_ACTIONS}},
                                                {review.case_id(), {v1::AGENDA_REASON_REVIEW_DUE}},
                                                {calm.case_id(), {v1::AGENDA_REASON_PROPOSED_CLOSURE}},
                                            }))
      << "not: on plan, closed, or the Leefbaarheidsoverleg's " << leefbaarheid.reference();
  EXPECT_EQ(meeting.area().name(), "Kasteelbuurt");

  // Care sees the items of the households it works with, not the fourth.
  v1::GetMeetingRequest get;
  get.set_meeting_id(meeting_id);
  v1::Meeting seen;
  ASSERT_TRUE(meetings_->GetMeeting(Call(care_).get(), get, &seen).ok());
  std::set<std::string> care_items;
  for (const auto& item : seen.items()) care_items.insert(item.case_id());
  EXPECT_EQ(care_items, (std::set<std::string>{fresh.case_id(), late.case_id(), calm.case_id()}));

  // Corrections to the closed minutes follow their items: care does not
  // see the one about the household it does not work with.
  v1::CloseMeetingRequest close;
  close.set_meeting_id(meeting_id);
  ASSERT_TRUE(meetings_->CloseMeeting(Call(coordinator_).get(), close, &meeting).ok());
  for (const auto& item : meeting.items()) {
    if (item.case_id() != fresh.case_id() && item.case_id() != review.case_id()) continue;
    v1::CorrectMinutesRequest correct;
    correct.set_request_id(RandomUuid());
    correct.set_meeting_id(meeting_id);
    correct.set_item_id(item.item_id());
    correct.set_text(item.case_id() == fresh.case_id() ? "over fresh" : "over review");
    ASSERT_TRUE(meetings_->CorrectMinutes(Call(coordinator_).get(), correct, &meeting).ok());
  }
  v1::CorrectMinutesRequest whole;
  whole.set_request_id(RandomUuid());
  whole.set_meeting_id(meeting_id);
  whole.set_text("aanwezig ook: wijkagent");
  ASSERT_TRUE(meetings_->CorrectMinutes(Call(coordinator_).get(), whole, &meeting).ok());
  EXPECT_EQ(meeting.corrections_size(), 3);
  ASSERT_TRUE(meetings_->GetMeeting(Call(care_).get(), get, &seen).ok());
  std::set<std::string> care_corrections;
  for (const auto& correction : seen.corrections()) care_corrections.insert(correction.text());
  EXPECT_EQ(care_corrections, (std::set<std::string>{"over fresh", "aanwezig ook: wijkagent"}));

  // Both meetings of the week are listed for the police, without agendas.
  std::string other = Schedule(v1::CASE_KIND_LEEFBAARHEID, "kasteelbuurt", {"politie"});
  v1::ListMeetingsResponse listed;
  ASSERT_TRUE(meetings_->ListMeetings(Call(police_).get(), {}, &listed).ok());
  std::set<std::string> listed_ids;
  for (const auto& m : listed.meetings()) {
    listed_ids.insert(m.meeting_id());
    EXPECT_EQ(m.items_size(), 0);
  }
  EXPECT_EQ(listed_ids, (std::set<std::string>{meeting_id, other}));
  ASSERT_TRUE(meetings_->ListMeetings(Call(housing_).get(), {}, &listed).ok());
  EXPECT_EQ(listed.meetings_size(), 0) << "woonpunt takes part in neither";
}

TEST_F(CasesEndToEndTest, ADecisionGivesItsActionsInTheSameStep) {
  v1::Case c = Open(Household());
  std::string meeting_id = Schedule(v1::CASE_KIND_CASUISTIEK, "kasteelbuurt", {"buurtteam", "politie"});
  v1::Meeting meeting;
  Generate(meeting_id, &meeting);
  ASSERT_EQ(meeting.items_size(), 1);

  v1::DecideItemRequest decide;

  decide.set_request_id(RandomUuid());
  decide.set_meeting_id(meeting_id);
  decide.set_item_id(meeting.items(0).item_id());
  decide.set_decision("Huisbezoek samen met woonpunt");
  v1::CreateActionRequest* visit = decide.add_actions();
  visit->set_description("Huisbezoek plannen");
  visit->add_organisation_ids("buurtteam");
  visit->add_organisation_ids("woonpunt");
  visit->set_due_date("2099-01-01");
  v1::CreateActionRequest* late = decide.add_actions();
  late->set_description("Te laat");
  late->add_organisation_ids("politie");
  late->set_due_date("2020-01-01");
  grpc::Status refused = meetings_->DecideItem(Call(coordinator_).get(), decide, &meeting);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(refused.error_message().find("actions[1].due_date"), std::string::npos) << refused.error_message();
  v1::GetMeetingRequest get;
  get.set_meeting_id(meeting_id);
  ASSERT_TRUE(meetings_->GetMeeting(Call(coordinator_).get(), get, &meeting).ok());
  EXPECT_EQ(meeting.items(0).decision(), "") << "a refused decision changes nothing";

  decide.mutable_actions()->RemoveLast();
  ASSERT_TRUE(meetings_->DecideItem(Call(coordinator_).get(), decide, &meeting).ok());
  ASSERT_EQ(meeting.items(0).actions_size(), 1);
  EXPECT_EQ(meeting.items(0).actions(0).description(), "Huisbezoek plannen");

  // The action is on the case, woonpunt now takes part, and its list has it.
  v1::ListActionsRequest mine;
  mine.set_mine(true);
  v1::ListActionsResponse listed;
  ASSERT_TRUE(actions_->ListActions(Call(housing_, "ACTION_EXECUTION").get(), mine, &listed).ok());
  ASSERT_EQ(listed.actions_size(), 1);
  EXPECT_EQ(listed.actions(0).case_id(), c.case_id());
  EXPECT_EQ(listed.actions(0).action_id(), meeting.items(0).actions(0).action_id());
  EXPECT_TRUE(Get(housing_, c.case_id()).ok()) << "an organisation with an action takes part";

  // The minutes name it.
  v1::CloseMeetingRequest close;
  close.set_meeting_id(meeting_id);
  ASSERT_TRUE(meetings_->CloseMeeting(Call(coordinator_).get(), close, &meeting).ok());
  v1::ExportMeetingRequest export_request;
  export_request.set_meeting_id(meeting_id);
  export_request.set_format(v1::DOCUMENT_FORMAT_MARKDOWN);
  v1::MeetingDocument minutes;
  ASSERT_TRUE(meetings_->ExportMeeting(Call(coordinator_).get(), export_request, &minutes).ok());
  // (This deployment's directory holds no organisations: their ids stand
  // for their names.)
  EXPECT_NE(minutes.content().find(
                "**Actie:** Huisbezoek plannen — buurtteam, woonpunt, uiterlijk donderdag 1 januari 2099"),
            std::string::npos)
      << minutes.content();

  // Closed minutes are corrected by new entries, never edited.
  v1::CorrectMinutesRequest correct;
  correct.set_request_id(RandomUuid());
  correct.set_meeting_id(meeting_id);
  correct.set_item_id(meeting.items(0).item_id());
  correct.set_text("Huisbezoek samen met buurtteam, niet woonpunt");
  ASSERT_TRUE(meetings_->CorrectMinutes(Call(coordinator_).get(), correct, &meeting).ok());
  ASSERT_EQ(meeting.corrections_size(), 1);
  EXPECT_EQ(meeting.items(0).decision(), "Huisbezoek samen met woonpunt") << "the decision itself stays";
  EXPECT_EQ(meeting.corrections(0).author().user_id(), "carla.coordinator");
  ASSERT_TRUE(meetings_->ExportMeeting(Call(coordinator_).get(), export_request, &minutes).ok());
  EXPECT_NE(minutes.content().find("## Correcties"), std::string::npos);
  EXPECT_NE(minutes.content().find("punt 1 (" + c.reference() + "): Huisbezoek samen met buurtteam, niet woonpunt"),
            std::string::npos)
      << minutes.content();
  correct.set_request_id(RandomUuid());
  correct.set_item_id(RandomUuid());
  EXPECT_EQ(meetings_->CorrectMinutes(Call(coordinator_).get(), correct, &meeting).error_code(),
            grpc::StatusCode::NOT_FOUND);
  correct.set_item_id("");
  correct.set_text("");
  grpc::Status empty = meetings_->CorrectMinutes(Call(coordinator_).get(), correct, &meeting);
  EXPECT_EQ(empty.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(empty.error_message().find("text"), std::string::npos);
  correct.set_request_id(RandomUuid());
  correct.set_meeting_id(Schedule(v1::CASE_KIND_CASUISTIEK, "kasteelbuurt", {}));
  correct.set_text("te vroeg");
  EXPECT_EQ(meetings_->CorrectMinutes(Call(coordinator_).get(), correct, &meeting).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION)
      << "an open meeting is changed directly";
}

TEST_F(CasesEndToEndTest, AChairSeesOnlyTheItemsOfCasesItMaySeeAlsoInTheAnswersToItsOwnSteps) {
  v1::Case secret = Open(Household());
  v1::UpdateCaseRequest update;
  update.set_case_id(secret.case_id());
  update.set_confidentiality(v1::CONFIDENTIALITY_GEHEIM);
  update.mutable_update_mask()->add_paths("confidentiality");
  ASSERT_TRUE(cases_->UpdateCase(Call(coordinator_).get(), update, &secret).ok());
  std::string meeting_id = Schedule(v1::CASE_KIND_CASUISTIEK, "kasteelbuurt", {});
  v1::Meeting meeting;
  Generate(meeting_id, &meeting);
  ASSERT_EQ(meeting.items_size(), 1) << "its process coordinator puts the GEHEIM case on the agenda";

  std::string secret_item = meeting.items(0).item_id();
  v1::OpenCaseRequest intern = Household();
  intern.set_confidentiality(v1::CONFIDENTIALITY_INTERN);  // for every coordinator of the area
  v1::Case first = Open(intern);
  intern.set_request_id(RandomUuid());
  v1::Case second = Open(intern);

  // Another coordinator of the area steers the same meeting, without a role
  // on the GEHEIM case: no step of theirs answers with its item, names it, or
  // counts it in a position.
  v1::EditAgendaRequest generate;
  generate.set_meeting_id(meeting_id);
  generate.set_edit(v1::EditAgendaRequest::EDIT_GENERATE);
  ASSERT_TRUE(meetings_->EditAgenda(Call(other_coordinator_).get(), generate, &meeting).ok());
  ASSERT_EQ(meeting.items_size(), 2);
  EXPECT_EQ(meeting.items(0).case_id(), first.case_id());
  v1::EditAgendaRequest move;
  move.set_meeting_id(meeting_id);
  move.set_edit(v1::EditAgendaRequest::EDIT_MOVE);
  move.set_item_id(meeting.items(1).item_id());
  move.set_position(0);
  ASSERT_TRUE(meetings_->EditAgenda(Call(other_coordinator_).get(), move, &meeting).ok());
  ASSERT_EQ(meeting.items_size(), 2);
  EXPECT_EQ(meeting.items(0).case_id(), second.case_id()) << "position 0 is the first item they see";
  move.set_position(2);
  grpc::Status beyond = meetings_->EditAgenda(Call(other_coordinator_).get(), move, &meeting);
  EXPECT_EQ(beyond.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(beyond.error_message().find("position: must be 0 to 1"), std::string::npos) << beyond.error_message();
  for (auto edit : {v1::EditAgendaRequest::EDIT_MOVE, v1::EditAgendaRequest::EDIT_REMOVE}) {
    v1::EditAgendaRequest hidden = move;
    hidden.set_edit(edit);
    hidden.set_item_id(secret_item);
    hidden.set_position(0);
    EXPECT_EQ(meetings_->EditAgenda(Call(other_coordinator_).get(), hidden, &meeting).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  v1::GetMeetingRequest get;
  get.set_meeting_id(meeting_id);
  ASSERT_TRUE(meetings_->GetMeeting(Call(other_coordinator_).get(), get, &meeting).ok());
  EXPECT_EQ(meeting.items_size(), 2);
  v1::CloseMeetingRequest close;
  close.set_meeting_id(meeting_id);
  ASSERT_TRUE(meetings_->CloseMeeting(Call(other_coordinator_).get(), close, &meeting).ok());
  EXPECT_EQ(meeting.status(), v1::MEETING_STATUS_CLOSED);
  EXPECT_EQ(meeting.items_size(), 2);
  v1::CorrectMinutesRequest correct;
  correct.set_request_id(RandomUuid());
  correct.set_meeting_id(meeting_id);
  correct.set_text("Aanwezigheid aangevuld");
  ASSERT_TRUE(meetings_->CorrectMinutes(Call(other_coordinator_).get(), correct, &meeting).ok());
  EXPECT_EQ(meeting.items_size(), 2);
  EXPECT_EQ(meeting.corrections_size(), 1) << "a correction on the whole meeting is for everyone who sees it";

  ASSERT_TRUE(meetings_->GetMeeting(Call(coordinator_).get(), get, &meeting).ok());
  ASSERT_EQ(meeting.items_size(), 3) << "the item is still there, in its place, for whoever may see its case";
  EXPECT_EQ(meeting.items(0).case_id(), secret.case_id());
  EXPECT_EQ(meeting.items(1).case_id(), second.case_id());
  EXPECT_EQ(meeting.items(2).case_id(), first.case_id());
}

TEST_F(CasesEndToEndTest, RetentionClearsAClosedCaseAfterItsPeriodEverywhereAndNothingElse) {
  v1::Case old_case = Open(Household());
  v1::Case recent = Open(Household());
  v1::Case open = Open(Household());
  v1::AddNoteRequest note;
  note.set_request_id(RandomUuid());
  note.set_case_id(old_case.case_id());
  note.set_visibility(v1::NOTE_VISIBILITY_CARE);
  note.set_text("zorgnotitie: Jan in GGZ-traject");
  v1::Note added;
  ASSERT_TRUE(cases_->AddNote(Call(care_).get(), note, &added).ok());
  v1::CreateActionRequest action;
  action.set_request_id(RandomUuid());
  action.set_case_id(old_case.case_id());
  action.set_description("Huisbezoek bij Jansen");
  action.add_organisation_ids("politie");
  action.set_due_date("2099-01-01");
  common::v1::Address* at = action.add_addresses();
  at->set_street("Kasteelweg");
  at->set_house_number(3);
  at->set_postcode("6417 BC");
  at->set_city("Heerlen");
  v1::Action given;
  ASSERT_TRUE(actions_->CreateAction(Call(coordinator_).get(), action, &given).ok());
  std::string meeting_id = Schedule(v1::CASE_KIND_CASUISTIEK, "kasteelbuurt", {"buurtteam", "politie"});
  v1::Meeting meeting;
  Generate(meeting_id, &meeting);
  ASSERT_EQ(meeting.items_size(), 3);
  for (const auto& item : meeting.items()) {
    if (item.case_id() != old_case.case_id()) continue;
    v1::DecideItemRequest decide;
    decide.set_request_id(RandomUuid());
    decide.set_meeting_id(meeting_id);
    decide.set_item_id(item.item_id());
    decide.set_decision("Jansen krijgt een huisbezoek");
    ASSERT_TRUE(meetings_->DecideItem(Call(coordinator_).get(), decide, &meeting).ok());
  }
  for (const v1::Case* c : {&old_case, &recent}) {
    v1::Case moved;
    ASSERT_TRUE(Move(c->case_id(), v1::CASE_STATUS_TRIAGE, &moved).ok());
    ASSERT_TRUE(Move(c->case_id(), v1::CASE_STATUS_CLOSED, &moved).ok());
  }
  // Closed long ago (the Casuïstiek period is a year by default).
  ASSERT_TRUE(deployment_.pool()
                  .Query("UPDATE cases.cases SET closed_at = now() - interval '400 days' WHERE case_id = $1::uuid",
                         {old_case.case_id()})
                  .ok());

  absl::StatusOr<v1::CaseSummary> cleared;
  absl::Time give_up = absl::Now() + absl::Seconds(20);
  do {
    absl::SleepFor(absl::Milliseconds(100));
    cleared = Get(coordinator_, old_case.case_id());
    ASSERT_TRUE(cleared.ok()) << cleared.status();
  } while (!cleared->case_().has_personal_data_removed_at() && absl::Now() < give_up);
  ASSERT_TRUE(cleared->case_().has_personal_data_removed_at()) << "not cleared within 20 s";

  // The case keeps its lifecycle; who, where and what was said are gone.
  EXPECT_EQ(cleared->case_().status(), v1::CASE_STATUS_CLOSED);
  EXPECT_EQ(cleared->case_().result(), v1::CASE_RESULT_RESOLVED);
  EXPECT_EQ(cleared->case_().persons_size(), 0);
  EXPECT_EQ(cleared->case_().title(), kRemoved);
  EXPECT_EQ(cleared->notes_size(), 0);
  ASSERT_EQ(cleared->history_size(), 3);
  for (const auto& step : cleared->history()) EXPECT_EQ(step.reason(), kRemoved);
  v1::ListActionsRequest list;
  list.set_case_id(old_case.case_id());
  v1::ListActionsResponse actions;
  ASSERT_TRUE(actions_->ListActions(Call(coordinator_).get(), list, &actions).ok());
  ASSERT_EQ(actions.actions_size(), 1);
  EXPECT_EQ(actions.actions(0).description(), kRemoved);
  EXPECT_EQ(actions.actions(0).addresses_size(), 0);
  v1::GetMeetingRequest get;
  get.set_meeting_id(meeting_id);
  ASSERT_TRUE(meetings_->GetMeeting(Call(coordinator_).get(), get, &meeting).ok());
  for (const auto& item : meeting.items()) {
    bool removed = item.case_id() == old_case.case_id();
    EXPECT_EQ(item.case_title() == kRemoved, removed) << item.case_id();
    if (removed) {
      EXPECT_EQ(item.decision(), kRemoved);
    }
  }
  // Nowhere in the service's tables, also not in the action stream's copies.
  for (const char* table : {"cases.cases", "cases.actions", "cases.action_changes", "cases.meetings"}) {
    auto found = deployment_.pool().Query(
        absl::StrCat("SELECT count(*) AS n FROM ", table,
                     " WHERE position(convert_to('Huisbezoek bij Jansen', 'UTF8') IN content) > 0"
                     "    OR position(convert_to('Jansen krijgt', 'UTF8') IN content) > 0"));
    ASSERT_TRUE(found.ok()) << found.status();
    EXPECT_EQ(found->Int(0, "n"), 0) << table;
  }
  // The meeting's listing was made again from what is left.
  auto stored = deployment_.pool().Query(
      "SELECT content, listing FROM cases.meetings WHERE meeting_id = $1::uuid", {meeting_id});
  ASSERT_TRUE(stored.ok()) << stored.status();
  v1::Meeting whole;
  ASSERT_TRUE(whole.ParseFromString(stored->Bytes(0, "content")));
  ASSERT_FALSE(stored->IsNull(0, "listing"));
  EXPECT_EQ(stored->Bytes(0, "listing"), MeetingListing(whole).SerializeAsString());
  auto notes = deployment_.pool().Query("SELECT count(*) AS n FROM cases.notes WHERE case_id = $1::uuid",
                                        {old_case.case_id()});
  ASSERT_TRUE(notes.ok());
  EXPECT_EQ(notes->Int(0, "n"), 0);

  // The closed-recently and the open case are untouched.
  for (const v1::Case* kept : {&recent, &open}) {
    auto summary = Get(coordinator_, kept->case_id());
    ASSERT_TRUE(summary.ok());
    EXPECT_FALSE(summary->case_().has_personal_data_removed_at());
    EXPECT_EQ(summary->case_().persons(0).name(), "Jan Jansen");
  }

  // The removal is in the audit log, about the household (pseudonymised).
  bool recorded = false;
  give_up = absl::Now() + absl::Seconds(20);
  while (!recorded && absl::Now() < give_up) {
    audit::EventQuery query;
    query.log_id = "heerlen";
    query.object_id = old_case.case_id();
    auto found = deployment_.audit_store().Query(query, absl::InfiniteFuture());
    ASSERT_TRUE(found.ok()) << found.status();
    for (const auto& entry : *found) {
      audit::v1::AuditEvent e;
      e.ParseFromString(entry.bytes);
      recorded = recorded || (e.action() == audit::v1::ACTION_DELETE && e.purpose() == "RETENTION" &&
                              e.subjects_size() == 1);
    }
    if (!recorded) absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_TRUE(recorded);
}

TEST_F(CasesEndToEndTest, AMunicipalityInAnotherTimeZoneMeetsReviewsAndDatesActionsInItsOwnTime) {
  // Pago Pago (UTC-11, no daylight saving): a weekly meeting at 19:00 stays
  // at 19:00 there when Amsterdam moves its clocks (28 March 2027).
  AddTenant("pago-pago", "Pacific/Pago_Pago");
  absl::TimeZone pago_pago;
  ASSERT_TRUE(absl::LoadTimeZone("Pacific/Pago_Pago", &pago_pago));
  const std::string coordinator = CoordinatorOf("pago-pago");
  v1::OpenCaseRequest household = Household();
  household.set_area_id("pago-pago-centrum");
  v1::Case c;
  ASSERT_TRUE(cases_->OpenCase(Call(coordinator).get(), household, &c).ok());

  v1::ScheduleMeetingsRequest schedule;
  schedule.set_request_id(RandomUuid());
  schedule.set_kind(v1::CASE_KIND_CASUISTIEK);
  schedule.set_area_id("pago-pago-centrum");
  schedule.set_weeks(2);
  const absl::Time first = absl::FromCivil(absl::CivilMinute(2027, 3, 22, 19, 0), pago_pago);
  *schedule.mutable_starts_at() = TimeToProto(first);
  v1::ScheduleMeetingsResponse scheduled;
  ASSERT_TRUE(meetings_->ScheduleMeetings(Call(coordinator).get(), schedule, &scheduled).ok());
  ASSERT_EQ(scheduled.meetings_size(), 2);
  EXPECT_EQ(absl::FromUnixSeconds(scheduled.meetings(1).starts_at().seconds()),
            absl::FromCivil(absl::CivilMinute(2027, 3, 29, 19, 0), pago_pago))
      << "the same local time a week later";

  // The agenda shows the meeting's time and date there.
  const std::string meeting_id = scheduled.meetings(0).meeting_id();
  v1::EditAgendaRequest add;
  add.set_meeting_id(meeting_id);
  add.set_edit(v1::EditAgendaRequest::EDIT_ADD);
  add.set_case_id(c.case_id());
  v1::Meeting meeting;
  ASSERT_TRUE(meetings_->EditAgenda(Call(coordinator).get(), add, &meeting).ok());
  v1::ExportMeetingRequest export_request;
  export_request.set_meeting_id(meeting_id);
  export_request.set_format(v1::DOCUMENT_FORMAT_MARKDOWN);
  v1::MeetingDocument agenda;
  ASSERT_TRUE(meetings_->ExportMeeting(Call(coordinator).get(), export_request, &agenda).ok());
  EXPECT_EQ(agenda.file_name(), "agenda-casuistiekoverleg-2027-03-22.md");
  EXPECT_NE(agenda.content().find("- **Datum:** maandag 22 maart 2027, 19:00"), std::string::npos) << agenda.content();

  // A review date is that day from midnight there.
  v1::DecideItemRequest decide;
  decide.set_request_id(RandomUuid());
  decide.set_meeting_id(meeting_id);
  decide.set_item_id(meeting.items(0).item_id());
  decide.set_decision("Opnieuw bespreken na het huisbezoek");
  decide.set_next_review_date("2027-04-01");
  ASSERT_TRUE(meetings_->DecideItem(Call(coordinator).get(), decide, &meeting).ok());
  auto decided = deployment_.FindCase("pago-pago", c.case_id());
  ASSERT_TRUE(decided.ok() && decided->has_value());
  EXPECT_EQ(absl::FromUnixSeconds((*decided)->next_review_at().seconds()),
            absl::FromCivil(absl::CivilDay(2027, 4, 1), pago_pago));

  // Due dates count by the municipality's today. Kiritimati (UTC+14) and
  // Pago Pago are 25 hours apart: at any moment one of them has another date
  // than Amsterdam, so a service that counted in Amsterdam fails one of them.
  AddTenant("kiritimati", "Pacific/Kiritimati");
  for (const auto& [tenant, zone_name] : {std::pair{"pago-pago", "Pacific/Pago_Pago"},
                                          std::pair{"kiritimati", "Pacific/Kiritimati"}}) {
    SCOPED_TRACE(tenant);
    absl::TimeZone zone;
    ASSERT_TRUE(absl::LoadTimeZone(zone_name, &zone));
    const std::string token = CoordinatorOf(tenant);
    household.set_request_id(RandomUuid());
    household.set_area_id(absl::StrCat(tenant, "-centrum"));
    v1::Case on;
    ASSERT_TRUE(cases_->OpenCase(Call(token).get(), household, &on).ok());
    const absl::CivilDay today = absl::ToCivilDay(absl::Now(), zone);
    v1::CreateActionRequest action;
    action.set_request_id(RandomUuid());
    action.set_case_id(on.case_id());
    action.set_description("Huisbezoek");
    action.add_organisation_ids("buurtteam");
    action.set_due_date(absl::FormatCivilTime(today));
    v1::Action due_today;
    grpc::Status created = actions_->CreateAction(Call(token).get(), action, &due_today);
    ASSERT_TRUE(created.ok()) << created.error_message();
    EXPECT_FALSE(due_today.overdue());
    action.set_request_id(RandomUuid());
    action.set_due_date(absl::FormatCivilTime(today - 1));
    v1::Action refused;
    grpc::Status past = actions_->CreateAction(Call(token).get(), action, &refused);
    EXPECT_EQ(past.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(past.error_message().find("due_date"), std::string::npos) << past.error_message();

    v1::Action yesterday;
    yesterday.set_action_id(RandomUuid());
    yesterday.set_case_id(on.case_id());
    yesterday.set_description("Gisteren");
    yesterday.add_organisation_ids("buurtteam");
    yesterday.set_due_date(absl::FormatCivilTime(today - 1));
    yesterday.set_status(v1::ACTION_STATUS_OPEN);
    RequestContext as;
    as.tenant = tenant;
    as.user = "carla.coordinator";
    ASSERT_TRUE(deployment_.SeedAction(as, yesterday).ok());
    v1::ListActionsRequest list;
    list.set_case_id(on.case_id());
    list.set_overdue_only(true);
    v1::ListActionsResponse overdue;
    ASSERT_TRUE(actions_->ListActions(Call(token).get(), list, &overdue).ok());
    ASSERT_EQ(overdue.actions_size(), 1);
    EXPECT_EQ(overdue.actions(0).action_id(), yesterday.action_id());
    EXPECT_TRUE(overdue.actions(0).overdue());
  }
}

TEST_F(CasesEndToEndTest, RetentionClearsEachMunicipalitysCasesAfterItsOwnPeriod) {
  // Heerlen keeps the default (a Casuïstiek case a year); Maastricht set 60
  // days.
  AddTenant("maastricht", [](TenantSettings& s) { s.set_casuistiek_retention_days(60); });
  auto closed_days_ago = [&](const std::string& tenant, const std::string& area, int days) {
    RequestContext as;
    as.tenant = tenant;
    as.user = "carla.coordinator";
    v1::Case c;
    c.set_kind(v1::CASE_KIND_CASUISTIEK);
    c.set_title("Zorgen om gezin Jansen");
    c.mutable_area()->set_area_id(area);
    v1::CasePerson* p = c.add_persons();
    p->set_name("Jan Jansen");
    p->set_birth_year(1970);
    auto seeded = deployment_.SeedCase(as, c);
    EXPECT_TRUE(seeded.ok()) << seeded.status();
    if (!seeded.ok()) return std::string();
    EXPECT_TRUE(deployment_.SeedCaseChange(as, seeded->case_id(), [](v1::Case& closed) {
      closed.set_status(v1::CASE_STATUS_CLOSED);
      closed.set_result(v1::CASE_RESULT_RESOLVED);
    }).ok());
    EXPECT_TRUE(deployment_.pool()
                    .Query("UPDATE cases.cases SET closed_at = now() - make_interval(days => $2::int) "
                           "WHERE case_id = $1::uuid",
                           {seeded->case_id(), absl::StrCat(days)})
                    .ok());
    return seeded->case_id();
  };
  const std::string heerlen_kept = closed_days_ago("heerlen", "kasteelbuurt", 100);
  const std::string heerlen_due = closed_days_ago("heerlen", "kasteelbuurt", 400);
  const std::string maastricht_due = closed_days_ago("maastricht", "maastricht-centrum", 100);
  const std::string maastricht_kept = closed_days_ago("maastricht", "maastricht-centrum", 30);
  auto cleared = [&](const std::string& tenant, const std::string& case_id) {
    auto c = deployment_.FindCase(tenant, case_id);
    EXPECT_TRUE(c.ok() && c->has_value());
    return c.ok() && c->has_value() && (*c)->has_personal_data_removed_at();
  };
  absl::Time give_up = absl::Now() + absl::Seconds(20);
  while (!(cleared("heerlen", heerlen_due) && cleared("maastricht", maastricht_due)) && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_TRUE(cleared("heerlen", heerlen_due)) << "past Heerlen's year";
  EXPECT_TRUE(cleared("maastricht", maastricht_due)) << "past Maastricht's 60 days";
  absl::SleepFor(absl::Seconds(1));  // five more sweeps (every 200 ms here)
  EXPECT_FALSE(cleared("heerlen", heerlen_kept)) << "within Heerlen's year, though past Maastricht's 60 days";
  EXPECT_FALSE(cleared("maastricht", maastricht_kept)) << "within Maastricht's 60 days";
}

TEST_F(CasesEndToEndTest, IntakeHearsWhetherACaseIsOpenFromTheStepThatOpensClosesOrReopensIt) {
  // While intake is away the states wait in the outbox, where they can be read.
  deployment_.StopIntake();
  struct State {
    bool open = false;
    absl::Time changed_at;
    std::string transaction;  // xmin: the transaction that wrote it
  };
  auto states_of = [&](const std::string& case_id) {
    std::vector<State> states;
    auto rows = deployment_.pool().Query(
        "SELECT payload, xmin::text AS tx FROM cases.outbox WHERE target = 'intake-case-states' ORDER BY seq");
    EXPECT_TRUE(rows.ok()) << rows.status();
    for (int i = 0; rows.ok() && i < rows->size(); ++i) {
      intake::v1::CaseState state;
      EXPECT_TRUE(state.ParseFromString(rows->Bytes(i, "payload")));
      if (state.case_id() != case_id) continue;
      EXPECT_EQ(state.tenant_id(), "heerlen");
      states.push_back({state.open(), absl::FromUnixSeconds(state.changed_at().seconds()) +
                                          absl::Nanoseconds(state.changed_at().nanos()),
                        rows->Text(i, "tx")});
    }
    return states;
  };
  // The transaction that stored the case's step to `to`.
  auto step_transaction = [&](const std::string& case_id, const std::string& to) {
    auto rows = deployment_.pool().Query(
        "SELECT xmin::text AS tx FROM cases.status_changes WHERE case_id = $1::uuid AND to_status = $2 "
        "ORDER BY seq DESC LIMIT 1",
        {case_id, to});
    EXPECT_TRUE(rows.ok() && rows->size() == 1);
    return rows.ok() && rows->size() == 1 ? rows->Text(0, "tx") : std::string();
  };
  auto changed_at = [](const v1::Case& c) {
    return absl::FromUnixSeconds(c.updated_at().seconds()) + absl::Nanoseconds(c.updated_at().nanos());
  };

  v1::OpenCaseRequest request = Household();
  v1::Case c = Open(request);
  std::vector<State> states = states_of(c.case_id());
  ASSERT_EQ(states.size(), 1u);
  EXPECT_TRUE(states[0].open);
  EXPECT_EQ(states[0].changed_at, changed_at(c));
  EXPECT_EQ(states[0].transaction, step_transaction(c.case_id(), "REGISTERED")) << "written with the opening";
  Open(request);  // a retry: the first answer, no second opening
  EXPECT_EQ(states_of(c.case_id()).size(), 1u);

  // Steps within the open case, changes and refusals tell intake nothing.
  ASSERT_TRUE(Move(c.case_id(), v1::CASE_STATUS_TRIAGE, &c).ok());
  EXPECT_EQ(Move(c.case_id(), v1::CASE_STATUS_MONITORING, &c).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  v1::TransitionCaseRequest without_result;
  without_result.set_case_id(c.case_id());
  without_result.set_to(v1::CASE_STATUS_CLOSED);
  without_result.set_reason("klaar");
  EXPECT_EQ(cases_->TransitionCase(Call(coordinator_).get(), without_result, &c).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(states_of(c.case_id()).size(), 1u);

  ASSERT_TRUE(Move(c.case_id(), v1::CASE_STATUS_CLOSED, &c).ok());
  const absl::Time closed_at = changed_at(c);
  v1::ReopenCaseRequest reopen;
  reopen.set_case_id(c.case_id());
  reopen.set_reason("nieuwe signalen op hetzelfde adres");
  ASSERT_TRUE(cases_->ReopenCase(Call(coordinator_).get(), reopen, &c).ok());
  states = states_of(c.case_id());
  ASSERT_EQ(states.size(), 3u);
  EXPECT_FALSE(states[1].open);
  EXPECT_EQ(states[1].changed_at, closed_at);
  EXPECT_EQ(states[1].transaction, step_transaction(c.case_id(), "CLOSED")) << "written with the closing";
  EXPECT_TRUE(states[2].open);
  EXPECT_EQ(states[2].changed_at, changed_at(c));
  EXPECT_EQ(states[2].transaction, step_transaction(c.case_id(), "REOPENED")) << "written with the reopening";

  // One intake can never apply is set aside; the others reach intake, which
  // holds the newest.
  const std::string broken = RandomUuid();
  ASSERT_TRUE(deployment_.pool()
                  .Query("INSERT INTO cases.outbox (target, tenant_id, event_id, payload) "
                         "VALUES ('intake-case-states', 'heerlen', $1::uuid, '\\xffff'::bytea)",
                         {broken})
                  .ok());
  deployment_.StartIntake();
  bool delivered = false, set_aside = false;
  for (absl::Time give_up = absl::Now() + absl::Seconds(20); !(delivered && set_aside) && absl::Now() < give_up;) {
    absl::SleepFor(absl::Milliseconds(100));
    auto held = deployment_.pool().Query(
        "SELECT open, (extract(epoch FROM changed_at) * 1000000)::bigint AS at_us FROM intake.case_states "
        "WHERE tenant_id = 'heerlen' AND case_id = $1::uuid",
        {c.case_id()});
    ASSERT_TRUE(held.ok()) << held.status();
    delivered = held->size() == 1 && held->Bool(0, "open") &&
                absl::FromUnixMicros(held->Int(0, "at_us")) == absl::FromUnixMicros(absl::ToUnixMicros(changed_at(c)));
    auto dead = deployment_.pool().Query(
        "SELECT count(*) AS n FROM cases.dead_letters WHERE target = 'intake-case-states' AND event_id = $1::uuid",
        {broken});
    ASSERT_TRUE(dead.ok()) << dead.status();
    set_aside = dead->Int(0, "n") == 1;
  }
  EXPECT_TRUE(delivered) << "intake holds the reopened state";
  EXPECT_TRUE(set_aside) << "the broken state is set aside";
  EXPECT_TRUE(states_of(c.case_id()).empty()) << "the outbox is empty once intake acknowledged";
}

}  // namespace
}  // namespace hartslag::cases
