// WatchActions end to end: an integrated police system follows its
// organisation's actions on a stream from hartslag-cases (a real process,
// TLS with the client's certificate), drops the connection mid-stream and
// resumes from its cursor: nothing lost, nothing doubled, in order. The
// stream carries actions only, never notes, and only the caller's
// organisation's; every delivered page of actions is in the audit log. A
// stream without a cursor starts at the present unless it asks for the
// history; an organisation has a bounded number of streams open.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "hartslag/cases/v1/cases.grpc.pb.h"
#include "services/common/crypto.h"
#include "tests/support/cli_run.h"
#include "tests/support/deployment.h"
#include "tests/support/sample_case.h"
#include "tests/support/test_keys.h"

namespace hartslag::cases {
namespace {

using testing::ClaimsFor;

class WatchActionsTest : public ::testing::Test {
 protected:
  WatchActionsTest() {
    cases_ = v1::CaseService::NewStub(deployment_.Channel(deployment_.cases()));
    actions_ = v1::ActionService::NewStub(deployment_.Channel(deployment_.cases()));
    meetings_ = v1::MeetingService::NewStub(deployment_.Channel(deployment_.cases()));
    police_system_ = v1::ActionService::NewStub(deployment_.Channel(deployment_.cases(), "politie-bvh"));
    coordinator_ = deployment_.Token(ClaimsFor("carla.coordinator", "gemeente", "MUNICIPALITY", {"COORDINATOR"},
                                               {"heerlen-noord"}));
    police_ = deployment_.Token(ClaimsFor("bvh.koppeling", "politie", "POLICE", {"PARTNER"}, {}));
    care_ = deployment_.Token(ClaimsFor("zora.zorg", "buurtteam", "CARE", {"PARTNER"}, {}));
    case_id_ = OpenHousehold();
  }

  std::unique_ptr<grpc::ClientContext> Call(const std::string& token, const std::string& purpose = "CASE_MANAGEMENT") {
    auto call = deployment_.Call(token);
    if (!purpose.empty()) call->AddMetadata("x-hartslag-purpose", purpose);
    return call;
  }

  std::string OpenHousehold() {
    v1::OpenCaseRequest r = testing::SampleHousehold();
    v1::Case opened;
    grpc::Status status = cases_->OpenCase(Call(coordinator_).get(), r, &opened);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return opened.case_id();
  }

  // A new action on the household's case (or `case_id`) for `organisation`,
  // by the coordinator.
  std::string GiveAction(const std::string& organisation, const std::string& description,
                         const std::string& case_id = "") {
    v1::CreateActionRequest r;
    r.set_request_id(RandomUuid());
    r.set_case_id(case_id.empty() ? case_id_ : case_id);
    r.set_description(description);
    r.add_organisation_ids(organisation);
    r.set_due_date("2099-01-01");
    v1::Action created;
    grpc::Status status = actions_->CreateAction(Call(coordinator_).get(), r, &created);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return created.action_id();
  }

  // What one connection of the police system reads.
  struct Connection {
    std::unique_ptr<grpc::ClientContext> call;
    std::unique_ptr<grpc::ClientReader<v1::ActionEvent>> stream;
  };
  Connection Watch(const std::string& cursor, absl::Duration deadline = absl::Seconds(20),
                   bool from_beginning = false) {
    Connection c;
    c.call = Call(police_, "ACTION_EXECUTION");
    c.call->set_deadline(absl::ToChronoTime(absl::Now() + deadline));
    v1::WatchActionsRequest request;
    request.set_cursor(cursor);
    request.set_from_beginning(from_beginning);
    c.stream = police_system_->WatchActions(c.call.get(), request);
    // Open (or refused) once the initial metadata arrives.
    c.stream->WaitForInitialMetadata();
    return c;
  }

  // "<change> <description>" of an event, to compare sequences.
  static std::string Line(const v1::ActionEvent& e) {
    return absl::StrCat(v1::ActionEvent::Change_Name(e.change()), " ", e.action().description());
  }

  testing::Deployment deployment_;
  std::unique_ptr<v1::CaseService::Stub> cases_;
  std::unique_ptr<v1::ActionService::Stub> actions_, police_system_;
  std::unique_ptr<v1::MeetingService::Stub> meetings_;
  std::string coordinator_, police_, care_;
  std::string case_id_;
};

TEST_F(WatchActionsTest, AResumedStreamMissesNothingAndRepeatsNothing) {
  // Connected before anything happens: the first events arrive live.
  Connection first = Watch("", absl::Seconds(20), /*from_beginning=*/true);
  std::string one = GiveAction("politie", "1: adrescontrole");
  GiveAction("buurtteam", "zorgactie");  // not the police's
  GiveAction("politie", "2: buurtonderzoek");
  std::vector<v1::ActionEvent> seen(2);
  ASSERT_TRUE(first.stream->Read(&seen[0]));
  ASSERT_TRUE(first.stream->Read(&seen[1]));
  EXPECT_EQ(Line(seen[0]), "CHANGE_CREATED 1: adrescontrole");
  EXPECT_EQ(Line(seen[1]), "CHANGE_CREATED 2: buurtonderzoek");

  // The connection drops; meanwhile work goes on.
  first.call->TryCancel();
  first.stream->Finish();
  GiveAction("politie", "3: huisbezoek");
  v1::UpdateActionRequest start;
  start.set_action_id(one);
  start.set_status(v1::ACTION_STATUS_IN_PROGRESS);
  v1::Action updated;
  ASSERT_TRUE(actions_->UpdateAction(Call(police_, "ACTION_EXECUTION").get(), start, &updated).ok());
  GiveAction("politie", "4: camerabeelden");

  // Resumed from the last cursor processed: exactly the rest, in order,
  // including a change written by another instance (straight into the
  // database, so only the poll finds it).
  Connection resumed = Watch(seen[1].cursor());
  v1::Action direct;
  direct.set_action_id(RandomUuid());
  direct.set_case_id(case_id_);
  direct.set_description("5: van een andere instantie");
  direct.add_organisation_ids("politie");
  direct.set_due_date("2099-01-01");
  direct.set_status(v1::ACTION_STATUS_OPEN);
  RequestContext as;
  as.tenant = "heerlen";
  as.user = "carla.coordinator";
  ASSERT_TRUE(deployment_.SeedAction(as, direct).ok());
  std::vector<std::string> rest;
  std::string last_cursor = seen[1].cursor();
  v1::ActionEvent e;
  while (rest.size() < 4 && resumed.stream->Read(&e)) {
    EXPECT_GT(std::stoll(e.cursor()), std::stoll(last_cursor)) << "cursors only go forward";
    last_cursor = e.cursor();
    rest.push_back(Line(e));
  }
  EXPECT_EQ(rest, (std::vector<std::string>{"CHANGE_CREATED 3: huisbezoek", "CHANGE_UPDATED 1: adrescontrole",
                                            "CHANGE_CREATED 4: camerabeelden",
                                            "CHANGE_CREATED 5: van een andere instantie"}));
  resumed.call->TryCancel();
  resumed.stream->Finish();

  // And after the last one there is nothing more.
  Connection after = Watch(last_cursor, absl::Milliseconds(1500));
  EXPECT_FALSE(after.stream->Read(&e)) << "doubled: " << Line(e);
  EXPECT_EQ(after.stream->Finish().error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);

  // Every delivered action is in the audit log as read by the police
  // system: live ones one record each (by action id), the history replayed
  // after resuming one record per page.
  int delivered = 0;
  std::set<std::string> live;
  absl::Time give_up = absl::Now() + absl::Seconds(20);
  while (delivered < 6 && absl::Now() < give_up) {
    delivered = 0;
    live.clear();
    audit::EventQuery query;
    query.log_id = "heerlen";
    query.actor_user_id = "bvh.koppeling";
    auto found = deployment_.audit_store().Query(query, absl::InfiniteFuture());
    ASSERT_TRUE(found.ok()) << found.status();
    for (const auto& entry : *found) {
      audit::v1::AuditEvent event;
      event.ParseFromString(entry.bytes);
      if (absl::EndsWith(event.origin().rpc(), "WatchActions") && event.action() == audit::v1::ACTION_READ &&
          !event.object().id().empty()) {
        EXPECT_EQ(event.object().type(), "action");
        EXPECT_EQ(event.purpose(), "ACTION_EXECUTION");
        EXPECT_EQ(event.subjects_size(), 1) << "the household's person, pseudonymised";
        EXPECT_GE(event.result_count(), 1);
        delivered += event.result_count();
        if (event.result_count() == 1) live.insert(event.object().id());
      }
    }
    if (delivered < 6) absl::SleepFor(absl::Milliseconds(100));
  }
  // 2 live and 4 after resuming; a stream may still read a page in the
  // moment after its client left, and that read is recorded too.
  EXPECT_GE(delivered, 6) << "every delivered event recorded";
  EXPECT_TRUE(live.contains(one)) << "a live delivery is found by its action id";
}

TEST_F(WatchActionsTest, WithoutACursorAStreamStartsAtThePresentUnlessItAsksForTheHistory) {
  GiveAction("politie", "oud: adrescontrole");
  Connection present = Watch("", absl::Seconds(20));
  GiveAction("politie", "nieuw: buurtonderzoek");
  v1::ActionEvent e;
  ASSERT_TRUE(present.stream->Read(&e));
  EXPECT_EQ(Line(e), "CHANGE_CREATED nieuw: buurtonderzoek") << "no replay of what came before";
  present.call->TryCancel();
  present.stream->Finish();

  Connection history = Watch("", absl::Seconds(20), /*from_beginning=*/true);
  ASSERT_TRUE(history.stream->Read(&e));
  EXPECT_EQ(Line(e), "CHANGE_CREATED oud: adrescontrole");
  ASSERT_TRUE(history.stream->Read(&e));
  EXPECT_EQ(Line(e), "CHANGE_CREATED nieuw: buurtonderzoek");
  history.call->TryCancel();
  history.stream->Finish();

  v1::WatchActionsRequest both;
  both.set_cursor("1");
  both.set_from_beginning(true);
  auto call = Call(police_, "ACTION_EXECUTION");
  auto refused = police_system_->WatchActions(call.get(), both);
  EXPECT_FALSE(refused->Read(&e));
  grpc::Status status = refused->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message().rfind("from_beginning:", 0), 0u) << status.error_message();
}

TEST_F(WatchActionsTest, ACoordinatorsOwnActionsAreOnlyThoseOnCasesSheMaySee) {
  // The household's case lies in Kasteelbuurt. An action on it goes to the
  // wijkteam, which has a coordinator for Heerlen-Noord and one for
  // Vrieheide only; neither has the partner role.
  GiveAction("wijkteam", "Huisbezoek door het wijkteam");
  const std::string near = deployment_.Token(
      ClaimsFor("olaf.coordinator", "wijkteam", "MUNICIPALITY", {"COORDINATOR"}, {"heerlen-noord"}));
  const std::string far =
      deployment_.Token(ClaimsFor("vera.coordinator", "wijkteam", "MUNICIPALITY", {"COORDINATOR"}, {"vrieheide"}));
  auto mine = [&](const std::string& token) {
    v1::ListActionsRequest request;
    request.set_mine(true);
    v1::ListActionsResponse list;
    grpc::Status status = actions_->ListActions(Call(token).get(), request, &list);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::vector<std::string> descriptions;
    for (const v1::Action& a : list.actions()) descriptions.push_back(a.description());
    return descriptions;
  };
  EXPECT_EQ(mine(near), std::vector<std::string>{"Huisbezoek door het wijkteam"});
  EXPECT_EQ(mine(far), std::vector<std::string>{}) << "not a case of her areas";

  // The stream's history likewise (read until its deadline).
  auto history = [&](const std::string& token) {
    auto call = Call(token, "ACTION_EXECUTION");
    call->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(3)));
    v1::WatchActionsRequest request;
    request.set_from_beginning(true);
    auto stream = actions_->WatchActions(call.get(), request);
    std::vector<std::string> lines;
    for (v1::ActionEvent e; stream->Read(&e);) lines.push_back(Line(e));
    stream->Finish();
    return lines;
  };
  EXPECT_EQ(history(near), std::vector<std::string>{"CHANGE_CREATED Huisbezoek door het wijkteam"});
  EXPECT_EQ(history(far), std::vector<std::string>{});

  // Pages (of 100) of changes she may not work, more than one poll of the
  // feed wakes the stream for, then one on a case of Vrieheide: it arrives
  // although nothing changes after it.
  for (int i = 0; i < 300; ++i) GiveAction("wijkteam", absl::StrCat("Nabellen ", i));
  v1::OpenCaseRequest open = testing::SampleHousehold();
  open.set_area_id("vrieheide");
  v1::Case in_vrieheide;
  ASSERT_TRUE(cases_->OpenCase(Call(coordinator_).get(), open, &in_vrieheide).ok());
  ASSERT_FALSE(GiveAction("wijkteam", "Huisbezoek in Vrieheide", in_vrieheide.case_id()).empty());
  EXPECT_EQ(history(far), std::vector<std::string>{"CHANGE_CREATED Huisbezoek in Vrieheide"});
}

// 2,000 streams opened without a cursor used to replay the whole history
// each, one audit record per event, until unary calls timed out.
TEST_F(WatchActionsTest, AnOrganisationHasABoundedNumberOfStreamsOpen) {
  std::vector<Connection> open;
  v1::ActionEvent e;
  for (int i = 0; i < 10; ++i) open.push_back(Watch("", absl::Seconds(20)));
  GiveAction("politie", "adrescontrole");
  for (Connection& c : open) ASSERT_TRUE(c.stream->Read(&e)) << "each of the ten streams is served";
  Connection eleventh = Watch("", absl::Seconds(20));
  EXPECT_FALSE(eleventh.stream->Read(&e));
  grpc::Status refused = eleventh.stream->Finish();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << refused.error_message();

  // A stream that ends gives its place back.
  open.back().call->TryCancel();
  open.back().stream->Finish();
  open.pop_back();
  absl::Time give_up = absl::Now() + absl::Seconds(10);
  grpc::StatusCode code = grpc::StatusCode::RESOURCE_EXHAUSTED;
  while (code == grpc::StatusCode::RESOURCE_EXHAUSTED && absl::Now() < give_up) {
    Connection again = Watch("", absl::Seconds(2));
    code = again.stream->Read(&e) ? grpc::StatusCode::OK : again.stream->Finish().error_code();
  }
  EXPECT_EQ(code, grpc::StatusCode::DEADLINE_EXCEEDED) << "admitted again, and idle until its deadline";
  for (Connection& c : open) {
    c.call->TryCancel();
    c.stream->Finish();
  }
}

TEST_F(WatchActionsTest, PoliceNeverReadACareNoteOnTheStreamOrInTheMinutes) {
  v1::AddNoteRequest note;
  note.set_request_id(RandomUuid());
  note.set_case_id(case_id_);
  note.set_visibility(v1::NOTE_VISIBILITY_CARE);
  note.set_text("zorgnotitie: GGZ-traject loopt");
  v1::Note added;
  ASSERT_TRUE(cases_->AddNote(Call(care_).get(), note, &added).ok());
  GiveAction("buurtteam", "zorgactie: GGZ-intake plannen");
  GiveAction("politie", "politieactie: adrescontrole");

  // The stream: the police's action, no care action, no note.
  Connection c = Watch("", absl::Milliseconds(1500), /*from_beginning=*/true);
  std::string streamed;
  v1::ActionEvent e;
  while (c.stream->Read(&e)) streamed += e.SerializeAsString();
  EXPECT_NE(streamed.find("politieactie"), std::string::npos);
  EXPECT_EQ(streamed.find("zorgactie"), std::string::npos);
  EXPECT_EQ(streamed.find("zorgnotitie"), std::string::npos);
  EXPECT_EQ(streamed.find("Jan Jansen"), std::string::npos);

  // The minutes: the case is on the police's copy, the care note is not.
  v1::ScheduleMeetingsRequest schedule;
  schedule.set_request_id(RandomUuid());
  schedule.set_kind(v1::CASE_KIND_CASUISTIEK);
  schedule.set_area_id("kasteelbuurt");
  schedule.mutable_starts_at()->set_seconds(absl::ToUnixSeconds(absl::Now() + absl::Hours(24)));
  schedule.add_participating_organisations("politie");
  schedule.add_participating_organisations("buurtteam");
  v1::ScheduleMeetingsResponse scheduled;
  ASSERT_TRUE(meetings_->ScheduleMeetings(Call(coordinator_).get(), schedule, &scheduled).ok());
  v1::EditAgendaRequest generate;
  generate.set_meeting_id(scheduled.meetings(0).meeting_id());
  generate.set_edit(v1::EditAgendaRequest::EDIT_GENERATE);
  v1::Meeting meeting;
  ASSERT_TRUE(meetings_->EditAgenda(Call(coordinator_).get(), generate, &meeting).ok());
  ASSERT_EQ(meeting.items_size(), 1);
  for (auto format : {v1::DOCUMENT_FORMAT_MARKDOWN, v1::DOCUMENT_FORMAT_HTML}) {
    v1::ExportMeetingRequest export_request;
    export_request.set_meeting_id(meeting.meeting_id());
    export_request.set_format(format);
    v1::MeetingDocument copy;
    ASSERT_TRUE(meetings_->ExportMeeting(Call(police_).get(), export_request, &copy).ok());
    EXPECT_NE(copy.content().find("Zorgen om gezin Kasteelweg"), std::string::npos);
    EXPECT_EQ(copy.content().find("zorgnotitie"), std::string::npos);
  }
}

TEST_F(WatchActionsTest, ABadCursorOrAMissingPurposeIsRefusedNamingIt) {
  v1::ActionEvent e;
  for (std::string cursor : {"abc", "-1", "999999"}) {
    Connection c = Watch(cursor);
    EXPECT_FALSE(c.stream->Read(&e));
    grpc::Status status = c.stream->Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << cursor;
    EXPECT_NE(status.error_message().find("cursor"), std::string::npos) << status.error_message();
  }
  auto call = Call(police_, "");
  auto stream = police_system_->WatchActions(call.get(), {});
  EXPECT_FALSE(stream->Read(&e));
  grpc::Status status = stream->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("x-hartslag-purpose"), std::string::npos) << status.error_message();

  auto anonymous = deployment_.Call();
  auto refused = police_system_->WatchActions(anonymous.get(), {});
  EXPECT_FALSE(refused->Read(&e));
  EXPECT_EQ(refused->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(WatchActionsTest, AStreamEndsWhenItsTokenExpiresOrTheServerShutsDown) {
  TokenClaims claims = ClaimsFor("bvh.koppeling", "politie", "POLICE", {"PARTNER"}, {});
  claims.expires_at = absl::Now() + absl::Seconds(2);
  auto call = Call(deployment_.Token(claims), "ACTION_EXECUTION");
  call->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
  auto stream = police_system_->WatchActions(call.get(), {});
  v1::ActionEvent e;
  while (stream->Read(&e)) {
  }
  grpc::Status expired = stream->Finish();
  EXPECT_EQ(expired.error_code(), grpc::StatusCode::UNAUTHENTICATED) << expired.error_message();
  EXPECT_NE(expired.error_message().find("cursor"), std::string::npos) << "tells how to resume";

  // A waiting stream ends at once when the server shuts down, telling the
  // client to resume elsewhere (not cut off after the drain period).
  Connection waiting = Watch("", absl::Seconds(20), /*from_beginning=*/true);
  GiveAction("politie", "1: adrescontrole");
  ASSERT_TRUE(waiting.stream->Read(&e));
  grpc::Status shutdown;
  std::thread reader([&] {
    v1::ActionEvent more;
    EXPECT_FALSE(waiting.stream->Read(&more));
    shutdown = waiting.stream->Finish();
  });
  deployment_.cases().Stop(SIGTERM);
  reader.join();
  EXPECT_EQ(shutdown.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_NE(shutdown.error_message().find("shutting down"), std::string::npos) << shutdown.error_message();
}

TEST_F(WatchActionsTest, TheCliResumesFromItsCursorFileAndRereadsAnExpiredToken) {
  const std::string dir = "/tmp/hartslag-watch-" + HexEncode(RandomBytes(4));
  std::filesystem::create_directories(dir);
  auto write_token = [&](absl::Duration valid) {
    TokenClaims claims = ClaimsFor("bvh.koppeling", "politie", "POLICE", {"PARTNER"}, {});
    claims.expires_at = absl::Now() + valid;
    std::ofstream(dir + "/token.tmp") << deployment_.Token(claims);
    std::filesystem::rename(dir + "/token.tmp", dir + "/token");
  };
  const std::string watch =
      absl::StrCat("action watch --server ", deployment_.cases().address(), " --ca ", testing::CertsDir(),
                   "/ca.pem --token-file ", dir, "/token --purpose ACTION_EXECUTION --cursor-file ", dir,
                   "/cursor --from-beginning --for 30s");
  GiveAction("politie", "1: adrescontrole");
  write_token(absl::Seconds(3));
  absl::Time expires = absl::Now() + absl::Seconds(3);
  testing::CliRun run;
  std::thread cli([&] { run = testing::Cli(watch + " --count 2"); });
  // Once the CLI has processed the first event (its cursor file exists) it
  // holds the short token; whoever logs in for the system then keeps the
  // file fresh, and the first token runs out while the CLI waits.
  absl::Time give_up = absl::Now() + absl::Seconds(20);
  while (!std::filesystem::exists(dir + "/cursor") && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(20));
  ASSERT_LT(absl::Now(), expires) << "the CLI took too long to start";
  write_token(absl::Minutes(15));
  absl::SleepFor(expires - absl::Now() + absl::Seconds(2));
  GiveAction("politie", "2: buurtonderzoek");
  cli.join();
  EXPECT_EQ(run.exit_code, 0) << run.output;

  EXPECT_NE(run.output.find(" created "), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("1: adrescontrole"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("2: buurtonderzoek"), std::string::npos) << "after the token was reread: " << run.output;

  // The cursor file holds the last event's cursor: the next run starts after it.
  GiveAction("politie", "3: huisbezoek");
  testing::CliRun next = testing::Cli(watch + " --count 1 --json");
  EXPECT_EQ(next.exit_code, 0) << next.output;
  EXPECT_EQ(next.output.find("1: adrescontrole"), std::string::npos) << next.output;
  EXPECT_EQ(next.output.find("2: buurtonderzoek"), std::string::npos) << next.output;
  EXPECT_NE(next.output.find("3: huisbezoek"), std::string::npos) << next.output;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hartslag::cases
