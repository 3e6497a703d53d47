// Triage end to end: intake and cases as real processes. The coordinator's
// queue shows its areas' untriaged signals with proposals; a decision opens
// or links a case and reaches the reporter through intake exactly once, also
// when intake was down when it was taken.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "hartslag/cases/v1/cases.grpc.pb.h"
#include "hartslag/intake/v1/intake.grpc.pb.h"
#include "services/cases/case_rules.h"
#include "services/common/crypto.h"
#include "services/common/page_token.h"
#include "services/common/proto_time.h"
#include "tests/support/cli_run.h"
#include "tests/support/deployment.h"
#include "tests/support/sample_signal.h"
#include "tests/support/test_keys.h"

namespace hartslag::cases {
namespace {

using testing::ClaimsFor;
namespace iv1 = intake::v1;

class TriageEndToEndTest : public ::testing::Test {
 protected:
  TriageEndToEndTest() {
    cases_ = v1::CaseService::NewStub(deployment_.Channel(deployment_.cases()));
    triage_ = v1::TriageService::NewStub(deployment_.Channel(deployment_.cases()));
    actions_ = v1::ActionService::NewStub(deployment_.Channel(deployment_.cases()));
    meetings_ = v1::MeetingService::NewStub(deployment_.Channel(deployment_.cases()));
    coach_ = deployment_.Token(ClaimsFor("sanne.coach", "gemeente", "MUNICIPALITY", {"REPORTER"}, {"heerlen-noord"}));
    coordinator_ = deployment_.Token(
        ClaimsFor("carla.coordinator", "gemeente", "MUNICIPALITY", {"COORDINATOR"}, {"vrieheide"}));
  }

  iv1::SignalService::Stub& Signals() {
    // A fresh stub: intake may have been restarted on the same address.
    signals_ = iv1::SignalService::NewStub(deployment_.Channel(deployment_.intake()));
    return *signals_;
  }

  std::unique_ptr<grpc::ClientContext> Call(const std::string& token, const std::string& purpose = "TRIAGE") {
    auto call = deployment_.Call(token);
    call->AddMetadata("x-hartslag-purpose", purpose);
    return call;
  }

  iv1::Signal Submit(const std::string& area, const std::string& street, int number,
                     const std::string& category = "afval-dumping") {
    iv1::SubmitSignalRequest r = testing::SampleSignal(area, category);
    r.mutable_location()->mutable_address()->set_street(street);
    r.mutable_location()->mutable_address()->set_house_number(number);
    iv1::SubmitSignalResponse out;
    grpc::Status status = Signals().SubmitSignal(deployment_.Call(coach_).get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out.signal();
  }

  v1::TriageQueue Queue() {
    v1::TriageQueue queue;
    grpc::Status status = triage_->GetTriageQueue(Call(coordinator_).get(), {}, &queue);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return queue;
  }

  grpc::Status Decide(const std::string& signal_id, v1::TriageChoice choice, v1::TriageDecision* out,
                      const std::string& title = "", const std::string& case_id = "",
                      const std::string& reason = "") {
    v1::TriageSignalRequest r;
    r.set_request_id(RandomUuid());
    r.set_signal_id(signal_id);
    r.set_choice(choice);
    r.set_new_case_title(title);
    r.set_case_id(case_id);
    r.set_reason(reason);
    return triage_->TriageSignal(Call(coordinator_).get(), r, out);
  }

  // The signal as its reporter sees it, once its status is not NEW (or after 20 s).
  iv1::Signal AwaitOutcome(const std::string& signal_id) {
    absl::Time give_up = absl::Now() + absl::Seconds(20);
    iv1::Signal signal;
    while (absl::Now() < give_up) {
      iv1::GetSignalRequest r;
      r.set_signal_id(signal_id);
      if (Signals().GetSignal(deployment_.Call(coach_).get(), r, &signal).ok() &&
          signal.status() != iv1::SIGNAL_STATUS_NEW) {
        break;
      }
      absl::SleepFor(absl::Milliseconds(100));
    }
    return signal;
  }

  testing::Deployment deployment_;
  std::unique_ptr<v1::CaseService::Stub> cases_;
  std::unique_ptr<v1::TriageService::Stub> triage_;
  std::unique_ptr<v1::ActionService::Stub> actions_;
  std::unique_ptr<v1::MeetingService::Stub> meetings_;
  std::unique_ptr<iv1::SignalService::Stub> signals_;
  std::string coach_, coordinator_;
};

TEST_F(TriageEndToEndTest, TheQueueShowsTheAreasSignalsOldestFirstWithProposals) {
  iv1::Signal first = Submit("vrieheide", "Heerenweg", 12);
  iv1::Signal second = Submit("vrieheide", "Heerenweg", 12);
  iv1::Signal elsewhere = Submit("vrieheide", "Vrieheidelaan", 3, "vermoeden-huiselijk-geweld");
  Submit("kasteelbuurt", "Kasteelweg", 3);  // not Carla's area

  v1::OpenCaseRequest open;
  open.set_request_id(RandomUuid());
  open.set_kind(v1::CASE_KIND_LEEFBAARHEID);
  open.set_title("Overlast Heerenweg 12");
  open.set_area_id("vrieheide");
  *open.mutable_address() = first.location().address();
  v1::Case existing;
  ASSERT_TRUE(cases_->OpenCase(Call(coordinator_, "CASE_MANAGEMENT").get(), open, &existing).ok());

  v1::TriageQueue queue = Queue();
  ASSERT_EQ(queue.items_size(), 3);
  EXPECT_EQ(queue.items(0).signal().signal_id(), first.signal_id()) << "oldest first";
  EXPECT_EQ(queue.items(1).signal().signal_id(), second.signal_id());
  EXPECT_EQ(queue.items(2).signal().signal_id(), elsewhere.signal_id());
  EXPECT_EQ(queue.items(0).signals_at_address(0), second.signal_id()) << "same address proposed";
  ASSERT_EQ(queue.items(0).cases_at_address_size(), 1);
  EXPECT_EQ(queue.items(0).cases_at_address(0).case_id(), existing.case_id());
  EXPECT_EQ(queue.items(2).cases_at_address_size(), 0);
  EXPECT_TRUE(queue.items(2).meldcode()) << "flagged for Veilig Thuis";
  EXPECT_FALSE(queue.items(0).meldcode());
  EXPECT_EQ(queue.items(0).proposed_kind(), v1::CASE_KIND_LEEFBAARHEID) << "as its category proposes";
  EXPECT_EQ(queue.items(2).proposed_kind(), v1::CASE_KIND_CASUISTIEK);
  EXPECT_EQ(queue.items(0).signal().location().address().street(), "Heerenweg") << "in full, for triage";

  absl::TimeZone amsterdam;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Amsterdam", &amsterdam));
  absl::Time cut_off = absl::FromUnixSeconds(queue.cut_off().seconds());
  EXPECT_LE(cut_off, absl::Now());
  EXPECT_GT(cut_off, absl::Now() - absl::Hours(24 * 7));
  EXPECT_EQ(absl::GetWeekday(absl::ToCivilDay(cut_off, amsterdam)), absl::Weekday::monday);
  EXPECT_EQ(absl::ToCivilHour(cut_off, amsterdam).hour(), 12);

  v1::TriageQueue ignored;
  grpc::Status no_purpose = triage_->GetTriageQueue(Call(coordinator_, "MEETING").get(), {}, &ignored);
  EXPECT_EQ(no_purpose.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(TriageEndToEndTest, ProposalsReachBackOverTheWindowAndFindTheSameHousehold) {
  // Weighed last week, and another weighed ten days ago, at Heerenweg 12.
  iv1::Signal last_week = Submit("vrieheide", "Heerenweg", 12);
  iv1::Signal older = Submit("vrieheide", "Heerenweg", 12);
  Queue();
  v1::TriageDecision decision;
  for (const iv1::Signal* s : {&last_week, &older}) {
    ASSERT_TRUE(Decide(s->signal_id(), v1::TRIAGE_CHOICE_NO_ACTION, &decision, "", "", "al opgeruimd").ok());
  }
  auto reported_days_ago = [&](const iv1::Signal& s, int days) {
    auto rows = deployment_.pool().Query("SELECT content FROM cases.queue_signals WHERE signal_id = $1::uuid",
                                         {s.signal_id()});
    ASSERT_TRUE(rows.ok() && rows->size() == 1);
    iv1::Signal stored;
    ASSERT_TRUE(stored.ParseFromString(rows->Bytes(0, "content")));
    absl::Time at = absl::Now() - absl::Hours(24) * days;
    *stored.mutable_reported_at() = TimeToProto(at);
    ASSERT_TRUE(deployment_.pool()
                    .Query("UPDATE cases.queue_signals SET content = $2::bytea, fetched_at = $3, reported_at = $3 "
                           "WHERE signal_id = $1::uuid",
                           {s.signal_id(), db::BytesParam(stored.SerializeAsString()), db::TimestampParam(at)})
                    .ok());
  };
  reported_days_ago(last_week, 7);
  reported_days_ago(older, 10);

  // A household case about Jan Jansen elsewhere in Vrieheide.
  v1::OpenCaseRequest household;
  household.set_request_id(RandomUuid());
  household.set_kind(v1::CASE_KIND_CASUISTIEK);
  household.set_title("Zorgen om Jan");
  household.set_area_id("vrieheide");
  v1::CasePerson* jan = household.add_persons();
  jan->set_name("Jan Jansen");
  jan->set_birth_year(1970);
  v1::Case jans_case;
  ASSERT_TRUE(cases_->OpenCase(Call(coordinator_, "CASE_MANAGEMENT").get(), household, &jans_case).ok());
  // As a case stored before person keys existed: the service computes them
  // when it starts.
  ASSERT_TRUE(deployment_.pool()
                  .Query("UPDATE cases.cases SET person_keys = NULL WHERE case_id = $1::uuid", {jans_case.case_id()})
                  .ok());
  auto filled = deployment_.cases_data().cases.FillPersonKeys(deployment_.pool());
  ASSERT_TRUE(filled.ok()) << filled.status();
  EXPECT_GE(*filled, 1);

  iv1::Signal today = Submit("vrieheide", "Heerenweg", 12);
  iv1::SubmitSignalRequest about_jan = testing::SampleSignal("vrieheide");
  about_jan.mutable_location()->mutable_address()->set_street("Vrieheidelaan");
  about_jan.mutable_location()->mutable_address()->set_house_number(40);
  iv1::Person* named = about_jan.add_persons();
  named->set_name("jan  jansen");
  named->set_birth_year(1970);
  iv1::SubmitSignalResponse submitted;
  ASSERT_TRUE(Signals().SubmitSignal(deployment_.Call(coach_).get(), about_jan, &submitted).ok());

  v1::GetTriageQueueRequest request;
  request.set_window_days(8);
  v1::TriageQueue queue;
  ASSERT_TRUE(triage_->GetTriageQueue(Call(coordinator_).get(), request, &queue).ok());
  ASSERT_EQ(queue.items_size(), 2);
  EXPECT_EQ(queue.items(0).signal().signal_id(), today.signal_id());
  EXPECT_EQ(std::vector<std::string>(queue.items(0).signals_at_address().begin(),
                                     queue.items(0).signals_at_address().end()),
            std::vector<std::string>{last_week.signal_id()})
      << "weighed within the 8-day window: proposed; ten days ago: not";
  EXPECT_EQ(queue.items(0).cases_with_persons_size(), 0);
  ASSERT_EQ(queue.items(1).cases_with_persons_size(), 1) << "the same person, at another address";
  EXPECT_EQ(queue.items(1).cases_with_persons(0).case_id(), jans_case.case_id());

  request.set_window_days(30);
  ASSERT_TRUE(triage_->GetTriageQueue(Call(coordinator_).get(), request, &queue).ok());
  EXPECT_EQ(queue.items(0).signals_at_address_size(), 2) << "a wider window reaches both";
  request.set_window_days(400);
  grpc::Status refused = triage_->GetTriageQueue(Call(coordinator_).get(), request, &queue);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(refused.error_message().find("window_days"), std::string::npos);
}

// With 39,000 untriaged signals the queue was one 81 MB answer that failed
// after 6 s; now it comes in pages, each audited with what it holds.
TEST_F(TriageEndToEndTest, TheQueueComesInPagesThatTogetherHoldEverySignalOnce) {
  std::vector<std::string> submitted;
  for (int i = 1; i <= 7; ++i) submitted.push_back(Submit("vrieheide", "Heerenweg", i).signal_id());
  v1::GetTriageQueueRequest request;
  request.set_page_size(3);
  std::vector<std::string> seen;
  std::vector<int> sizes;
  for (;;) {
    v1::TriageQueue page;
    grpc::Status status = triage_->GetTriageQueue(Call(coordinator_).get(), request, &page);
    ASSERT_TRUE(status.ok()) << status.error_message();
    sizes.push_back(page.items_size());
    for (const auto& item : page.items()) seen.push_back(item.signal().signal_id());
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  EXPECT_EQ(seen, submitted) << "oldest first, each once";
  EXPECT_EQ(sizes, (std::vector<int>{3, 3, 1}));

  v1::GetTriageQueueRequest other = request;
  other.set_window_days(30);
  v1::TriageQueue ignored;
  grpc::Status refused = triage_->GetTriageQueue(Call(coordinator_).get(), other, &ignored);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(refused.error_message().rfind("page_token:", 0), 0u) << "a token is for the filter that made it";
  // Made by hand for the same filter, around a position intake never gave:
  // the caller's mistake, not intake being away.
  v1::GetTriageQueueRequest filter = request;
  filter.clear_page_size();
  filter.clear_page_token();
  request.set_page_token(EncodePageToken(FilterFingerprint(filter), {"not-from-intake"}));
  refused = triage_->GetTriageQueue(Call(coordinator_).get(), request, &ignored);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << refused.error_message();
  EXPECT_EQ(refused.error_message(), "page_token: not a token from a previous page (intake does not know its position)")
      << "refused by intake, past the check of the token's filter";
  request.clear_page_token();
  request.set_page_size(51);
  ASSERT_TRUE(triage_->GetTriageQueue(Call(coordinator_).get(), request, &ignored).ok()) << "capped, not refused";
}

// On the command line a backlog comes a page at a time too: the first page
// at once, with how to get the next.
TEST_F(TriageEndToEndTest, TheCommandLineShowsTheQueueAPageAtATime) {
  std::vector<iv1::Signal> submitted;
  for (int i = 1; i <= 3; ++i) submitted.push_back(Submit("vrieheide", "Heerenweg", 40 + i));
  const std::string queue = absl::StrCat("triage queue --server ", deployment_.cases().address(), " --ca ",
                                         testing::CertsDir(), "/ca.pem --token ", coordinator_);

  testing::CliRun first = testing::Cli(queue + " --page-size 2");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find(submitted[0].reference()), std::string::npos) << first.output;
  EXPECT_NE(first.output.find(submitted[1].reference()), std::string::npos) << first.output;
  EXPECT_EQ(first.output.find(submitted[2].reference()), std::string::npos) << "not on the first page";
  const std::string hint = "meer met --page-token ";
  size_t at = first.output.find(hint);
  ASSERT_NE(at, std::string::npos) << first.output;
  const std::string token = first.output.substr(at + hint.size(), first.output.find(' ', at + hint.size()) - at - hint.size());

  testing::CliRun next = testing::Cli(absl::StrCat(queue, " --page-size 2 --page-token ", token));
  ASSERT_EQ(next.exit_code, 0) << next.output;
  EXPECT_NE(next.output.find(submitted[2].reference()), std::string::npos) << next.output;
  EXPECT_EQ(next.output.find(submitted[0].reference()), std::string::npos) << next.output;
  EXPECT_EQ(next.output.find(hint), std::string::npos) << "the last page";

  testing::CliRun all = testing::Cli(queue + " --page-size 2 --all");
  ASSERT_EQ(all.exit_code, 0) << all.output;
  for (const iv1::Signal& s : submitted) EXPECT_NE(all.output.find(s.reference()), std::string::npos) << all.output;
  EXPECT_EQ(all.output.find(hint), std::string::npos) << all.output;
}

// The queue is intake's: the call cases makes to fetch it goes under the
// coordinator's request id and trace context, so intake's log line of it is
// found by the id the coordinator's screen saw.
TEST_F(TriageEndToEndTest, IntakeLogsTheQueueItGivesCasesUnderTheCoordinatorsTrace) {
  Submit("vrieheide", "Heerenweg", 3);
  const std::string request_id = "queue-" + RandomUuid().substr(0, 8);
  const std::string traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  auto call = Call(coordinator_);
  call->AddMetadata("x-request-id", request_id);
  call->AddMetadata("traceparent", traceparent);
  v1::TriageQueue queue;
  grpc::Status status = triage_->GetTriageQueue(call.get(), {}, &queue);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(queue.items_size(), 1);
  EXPECT_TRUE(deployment_.intake().LoggedCall("ListUntriagedSignals", request_id, traceparent))
      << deployment_.intake().Log();
}

TEST_F(TriageEndToEndTest, ADecisionReachesTheReporterExactlyOnceAlsoWhenIntakeWasDown) {
  iv1::Signal dumping = Submit("vrieheide", "Heerenweg", 12);
  iv1::Signal nothing = Submit("vrieheide", "Heerenweg", 14);
  ASSERT_EQ(Queue().items_size(), 2);

  deployment_.StopIntake();
  v1::TriageDecision to_meeting, no_action;
  ASSERT_TRUE(Decide(dumping.signal_id(), v1::TRIAGE_CHOICE_LEEFBAARHEID, &to_meeting, "Dumping Heerenweg").ok())
      << "the decision does not wait for intake";
  ASSERT_TRUE(Decide(nothing.signal_id(), v1::TRIAGE_CHOICE_NO_ACTION, &no_action, "", "",
                     "al opgeruimd door de gemeente").ok());
  EXPECT_FALSE(to_meeting.case_id().empty());
  v1::GetCaseRequest get;
  get.set_case_id(to_meeting.case_id());
  v1::CaseSummary opened;
  ASSERT_TRUE(cases_->GetCase(Call(coordinator_).get(), get, &opened).ok());
  EXPECT_EQ(opened.case_().kind(), v1::CASE_KIND_LEEFBAARHEID);
  EXPECT_EQ(opened.case_().address().street(), "Heerenweg");
  ASSERT_EQ(opened.case_().signal_ids_size(), 1);
  EXPECT_EQ(opened.case_().signal_ids(0), dumping.signal_id());

  deployment_.StartIntake();
  iv1::Signal seen = AwaitOutcome(dumping.signal_id());
  EXPECT_EQ(seen.status(), iv1::SIGNAL_STATUS_ACCEPTED);
  EXPECT_EQ(seen.feedback(), "Uw signaal is opgepakt en wordt besproken in het Leefbaarheidsoverleg.");
  EXPECT_EQ(seen.feedback().find("Dumping"), std::string::npos) << "never case content";
  EXPECT_EQ(AwaitOutcome(nothing.signal_id()).status(), iv1::SIGNAL_STATUS_NO_ACTION);
  // Intake knows the case the signal went to, and that it is open; the
  // other signal went to none.
  auto linked = deployment_.pool().Query(
      "SELECT l.case_id::text AS case_id, c.open FROM intake.signal_cases l "
      "LEFT JOIN intake.case_states c ON c.tenant_id = l.tenant_id AND c.case_id = l.case_id "
      "WHERE l.signal_id = $1::uuid",
      {dumping.signal_id()});
  ASSERT_TRUE(linked.ok() && linked->size() == 1);
  EXPECT_EQ(linked->Text(0, "case_id"), to_meeting.case_id());
  bool open_known = linked->Bool(0, "open");
  for (absl::Time give_up = absl::Now() + absl::Seconds(20); !open_known && absl::Now() < give_up;) {
    absl::SleepFor(absl::Milliseconds(100));  // the states have a relay of their own
    auto state = deployment_.pool().Query("SELECT open FROM intake.case_states WHERE case_id = $1::uuid",
                                          {to_meeting.case_id()});
    ASSERT_TRUE(state.ok());
    open_known = state->size() == 1 && state->Bool(0, "open");
  }
  EXPECT_TRUE(open_known) << "intake holds the opened case as open";
  auto unlinked = deployment_.pool().Query("SELECT case_id FROM intake.signal_cases WHERE signal_id = $1::uuid",
                                           {nothing.signal_id()});
  ASSERT_TRUE(unlinked.ok());
  EXPECT_EQ(unlinked->size(), 0);

  auto applied = deployment_.pool().Query("SELECT count(*) AS n FROM intake.applied_events");
  ASSERT_TRUE(applied.ok());
  EXPECT_EQ(applied->Int(0, "n"), 3) << "each outcome and the case's state applied once";
  // Delivering the same outcome again (as the relay would after a crash) changes nothing.
  auto feed = iv1::TriageFeedService::NewStub(deployment_.Channel(deployment_.intake(), "cases"));
  iv1::RecordTriageOutcomesRequest again;
  iv1::TriageOutcome outcome;
  outcome.set_event_id(to_meeting.decision_id());
  outcome.set_tenant_id("heerlen");
  outcome.set_signal_id(dumping.signal_id());
  outcome.set_status(iv1::SIGNAL_STATUS_NO_ACTION);
  again.add_outcomes(outcome.SerializeAsString());
  // An outcome intake can never apply is refused alone, by position.
  iv1::TriageOutcome unknown_status = outcome;
  unknown_status.set_event_id(RandomUuid());
  unknown_status.set_status(static_cast<iv1::SignalStatus>(99));
  again.add_outcomes(unknown_status.SerializeAsString());
  again.add_outcomes("\xff\xff");
  iv1::RecordTriageOutcomesResponse result;
  ASSERT_TRUE(feed->RecordTriageOutcomes(deployment_.Call().get(), again, &result).ok());
  EXPECT_EQ(result.applied(), 0);
  ASSERT_EQ(result.refused_size(), 2);
  EXPECT_EQ(result.refused(0).index(), 1);
  EXPECT_EQ(result.refused(0).reason(), "status: 99 is not a value of SignalStatus");
  EXPECT_EQ(result.refused(1).index(), 2);
  EXPECT_EQ(result.refused(1).reason(), "not a TriageOutcome");
  EXPECT_EQ(AwaitOutcome(dumping.signal_id()).status(), iv1::SIGNAL_STATUS_ACCEPTED);
  EXPECT_EQ(Queue().items_size(), 0) << "weighed signals leave the queue";
}

TEST_F(TriageEndToEndTest, TheReporterReadsTheCategorysStandardFeedbackUnlessTheCoordinatorWritesOne) {
  // The back office gives its category a standard text for taken-up signals.
  auto categories = iv1::CategoryService::NewStub(deployment_.Channel(deployment_.intake()));
  const std::string admin = deployment_.Token(
      testing::ClaimsFor("admin", "gemeente", "MUNICIPALITY", {"ADMIN"}, {"heerlen-noord"}));
  iv1::ListCategoryDefinitionsResponse all;
  ASSERT_TRUE(categories->ListCategoryDefinitions(deployment_.Call(admin).get(), {}, &all).ok());
  iv1::UpdateCategoryRequest update;
  for (const auto& c : all.categories()) {
    if (c.category_id() == "afval-dumping") *update.mutable_category() = c;
  }
  iv1::FeedbackText* text = update.mutable_category()->add_feedback_texts();
  text->set_outcome(iv1::SIGNAL_STATUS_ACCEPTED);
  text->set_text("Bedankt: de gemeente ruimt het afval op.");
  iv1::Category updated;
  ASSERT_TRUE(categories->UpdateCategory(deployment_.Call(admin).get(), update, &updated).ok());

  iv1::Signal standard = Submit("vrieheide", "Heerenweg", 20);
  iv1::Signal own_words = Submit("vrieheide", "Heerenweg", 22);
  ASSERT_EQ(Queue().items_size(), 2);
  v1::TriageDecision decided;
  ASSERT_TRUE(Decide(standard.signal_id(), v1::TRIAGE_CHOICE_HANDLE_DIRECTLY, &decided).ok());
  EXPECT_EQ(decided.feedback(), "Bedankt: de gemeente ruimt het afval op.");
  v1::TriageSignalRequest with_text;
  with_text.set_request_id(RandomUuid());
  with_text.set_signal_id(own_words.signal_id());
  with_text.set_choice(v1::TRIAGE_CHOICE_HANDLE_DIRECTLY);
  with_text.set_feedback("De BOA's nemen dit mee op hun ronde.");
  ASSERT_TRUE(triage_->TriageSignal(Call(coordinator_).get(), with_text, &decided).ok());

  EXPECT_EQ(AwaitOutcome(standard.signal_id()).feedback(), "Bedankt: de gemeente ruimt het afval op.");
  EXPECT_EQ(AwaitOutcome(own_words.signal_id()).feedback(), "De BOA's nemen dit mee op hun ronde.");
}

TEST_F(TriageEndToEndTest, TheQueuesCopyOfASignalIsForgottenAfterTheSignalPeriod) {
  iv1::Signal handled = Submit("vrieheide", "Heerenweg", 30);
  iv1::Signal to_case = Submit("vrieheide", "Heerenweg", 32);
  iv1::Signal recent = Submit("vrieheide", "Heerenweg", 34);
  ASSERT_EQ(Queue().items_size(), 3);  // the queue keeps a copy of each
  v1::TriageDecision decided;
  ASSERT_TRUE(Decide(handled.signal_id(), v1::TRIAGE_CHOICE_NO_ACTION, &decided, "", "",
                     "Bewoner Heerenweg 30 ruimt het zelf op").ok());
  ASSERT_TRUE(Decide(to_case.signal_id(), v1::TRIAGE_CHOICE_LEEFBAARHEID, &decided, "Heerenweg 32").ok());
  // Two of them were reported longer ago than Heerlen keeps signals (365 days).
  ASSERT_TRUE(deployment_.pool()
                  .Query("UPDATE cases.queue_signals SET reported_at = now() - interval '400 days' "
                         "WHERE signal_id = ANY($1::uuid[])",
                         {db::TextArray({handled.signal_id(), to_case.signal_id()})})
                  .ok());
  auto copies = [&] {
    auto rows = deployment_.pool().Query("SELECT signal_id::text AS id FROM cases.queue_signals", {});
    std::set<std::string> ids;
    for (int i = 0; rows.ok() && i < rows->size(); ++i) ids.insert(rows->Text(i, "id"));
    return ids;
  };
  for (absl::Time give_up = absl::Now() + absl::Seconds(20); copies().size() > 1 && absl::Now() < give_up;) {
    absl::SleepFor(absl::Milliseconds(100));  // the sweep runs every 200 ms here
  }
  EXPECT_EQ(copies(), std::set<std::string>{recent.signal_id()});
  auto reasons = deployment_.pool().Query(
      "SELECT signal_id::text AS id, content FROM cases.triage_decisions WHERE signal_id = ANY($1::uuid[])",
      {db::TextArray({handled.signal_id(), to_case.signal_id()})});
  ASSERT_TRUE(reasons.ok());
  for (int i = 0; i < reasons->size(); ++i) {
    v1::TriageDecision d;
    ASSERT_TRUE(d.ParseFromString(reasons->Bytes(i, "content")));
    if (reasons->Text(i, "id") == handled.signal_id()) {
      EXPECT_EQ(d.reason().find("Heerenweg"), std::string::npos) << "the decision's text is removed too";
    } else {
      EXPECT_FALSE(d.case_id().empty());
      EXPECT_EQ(d.feedback(), decided.feedback()) << "on an open case: the case's retention decides";
    }
  }
}

TEST_F(TriageEndToEndTest, ASignalIsWeighedOnceAndLinksOnlyToAVisibleCaseOfItsMeeting) {
  iv1::Signal signal = Submit("vrieheide", "Heerenweg", 12);
  iv1::Signal other = Submit("vrieheide", "Heerenweg", 16);
  ASSERT_EQ(Queue().items_size(), 2);
  v1::OpenCaseRequest open;
  open.set_request_id(RandomUuid());
  open.set_kind(v1::CASE_KIND_CASUISTIEK);
  open.set_title("Gezin Heerenweg");
  open.set_area_id("vrieheide");
  open.add_persons()->set_name("Jan Jansen");
  v1::Case household;
  ASSERT_TRUE(cases_->OpenCase(Call(coordinator_, "CASE_MANAGEMENT").get(), open, &household).ok());

  v1::TriageDecision decision;
  EXPECT_EQ(Decide(signal.signal_id(), v1::TRIAGE_CHOICE_LEEFBAARHEID, &decision, "", household.case_id())
                .error_code(),
            grpc::StatusCode::FAILED_PRECONDITION)
      << "a casuïstiek case is not on the Leefbaarheidsoverleg";
  ASSERT_TRUE(Decide(signal.signal_id(), v1::TRIAGE_CHOICE_CASUISTIEK, &decision, "", household.case_id()).ok());
  EXPECT_EQ(decision.case_id(), household.case_id());
  EXPECT_EQ(Decide(signal.signal_id(), v1::TRIAGE_CHOICE_NO_ACTION, &decision, "", "", "toch niet").error_code(),
            grpc::StatusCode::FAILED_PRECONDITION)
      << "weighed once";

  grpc::Status refer = Decide(other.signal_id(), v1::TRIAGE_CHOICE_REFER, &decision, "", "", "zorgen");
  EXPECT_EQ(refer.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(refer.error_message().rfind("refer_to:", 0), 0u) << refer.error_message();
  std::string stranger = deployment_.Token(
      ClaimsFor("kees.coordinator", "gemeente", "MUNICIPALITY", {"COORDINATOR"}, {"kasteelbuurt"}));
  v1::TriageSignalRequest r;
  r.set_request_id(RandomUuid());
  r.set_signal_id(other.signal_id());
  r.set_choice(v1::TRIAGE_CHOICE_HANDLE_DIRECTLY);
  EXPECT_EQ(triage_->TriageSignal(Call(stranger).get(), r, &decision).error_code(), grpc::StatusCode::NOT_FOUND)
      << "not in the caller's areas";
}

// Intake learns whether a case keeps its signals whole from one case state
// that names them all, and takes at most 1000 in one: a case holds no more.
TEST_F(TriageEndToEndTest, NoSignalIsLinkedToACaseThatHoldsAThousandAlready) {
  iv1::Signal first = Submit("vrieheide", "Heerenweg", 50);
  iv1::Signal next = Submit("vrieheide", "Heerenweg", 52);
  ASSERT_EQ(Queue().items_size(), 2);
  v1::TriageDecision opened;
  ASSERT_TRUE(Decide(first.signal_id(), v1::TRIAGE_CHOICE_LEEFBAARHEID, &opened, "Overlast Heerenweg").ok());
  RequestContext as;
  as.tenant = "heerlen";
  as.user = "carla.coordinator";
  ASSERT_TRUE(deployment_
                  .SeedCaseChange(as, opened.case_id(),
                                  [](v1::Case& c) {
                                    while (c.signal_ids_size() < kMaxSignalsPerCase) c.add_signal_ids(RandomUuid());
                                  })
                  .ok());

  v1::TriageDecision refused_decision;
  grpc::Status refused =
      Decide(next.signal_id(), v1::TRIAGE_CHOICE_LEEFBAARHEID, &refused_decision, "", opened.case_id());
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << refused.error_message();
  EXPECT_EQ(refused.error_message().rfind("case_id: ", 0), 0u) << refused.error_message();
  v1::TriageQueue queue = Queue();
  ASSERT_EQ(queue.items_size(), 1) << "the signal is still to be weighed";
  EXPECT_EQ(queue.items(0).signal().signal_id(), next.signal_id());
  v1::TriageDecision own_case;
  EXPECT_TRUE(Decide(next.signal_id(), v1::TRIAGE_CHOICE_LEEFBAARHEID, &own_case, "Overlast Heerenweg (vervolg)").ok())
      << "a new case takes it";
}

TEST_F(TriageEndToEndTest, ARetriedDecisionIsTakenOnceAlsoUnderConcurrentRetries) {
  iv1::Signal signal = Submit("vrieheide", "Heerenweg", 20);
  ASSERT_EQ(Queue().items_size(), 1);
  v1::TriageSignalRequest r;
  r.set_request_id(RandomUuid());
  r.set_signal_id(signal.signal_id());
  r.set_choice(v1::TRIAGE_CHOICE_LEEFBAARHEID);
  r.set_new_case_title("Overlast Heerenweg");
  std::vector<std::string> answers(8);
  std::vector<std::thread> retries;
  for (size_t i = 0; i < answers.size(); ++i) {
    retries.emplace_back([&, i] {
      v1::TriageDecision decision;
      grpc::Status status = triage_->TriageSignal(Call(coordinator_).get(), r, &decision);
      answers[i] = status.ok() ? decision.decision_id() + "/" + decision.case_id() : "error: " + status.error_message();
    });
  }
  for (std::thread& t : retries) t.join();
  EXPECT_EQ(answers[0].rfind("error", 0), std::string::npos) << answers[0];
  for (const std::string& answer : answers) EXPECT_EQ(answer, answers[0]) << "every retry gets the first decision";
  v1::ListCasesResponse cases;
  ASSERT_TRUE(cases_->ListCases(Call(coordinator_, "CASE_MANAGEMENT").get(), {}, &cases).ok());
  EXPECT_EQ(cases.cases_size(), 1) << "eight calls, one case";
  EXPECT_EQ(AwaitOutcome(signal.signal_id()).status(), iv1::SIGNAL_STATUS_ACCEPTED);

  r.set_choice(v1::TRIAGE_CHOICE_NO_ACTION);
  r.set_reason("toch niet");
  v1::TriageDecision other;
  grpc::Status reused = triage_->TriageSignal(Call(coordinator_).get(), r, &other);
  EXPECT_EQ(reused.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(reused.error_message().rfind("request_id:", 0), 0u) << reused.error_message();
  r.clear_request_id();
  grpc::Status missing = triage_->TriageSignal(Call(coordinator_).get(), r, &other);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(missing.error_message().rfind("request_id:", 0), 0u) << missing.error_message();
}

}  // namespace
}  // namespace hartslag::cases
