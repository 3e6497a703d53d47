// Meetings end to end, with hartslag-cases taking names over from a real
// hartslag-directory: attendance, approving minutes in a later meeting, the
// partner view a chair shows in a room of partners (exactly what a partner
// of that organisation gets, and only for the chair), and the documents a
// secretary files (names, Dutch dates, banner, attendees, action list,
// concept or approved).
#include <gtest/gtest.h>
#include <google/protobuf/util/message_differencer.h>

#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "hartslag/audit/v1/audit.pb.h"
#include "hartslag/cases/v1/cases.grpc.pb.h"
#include "services/common/crypto.h"
#include "services/common/proto_time.h"
#include "services/common/status_details.h"
#include "services/directory/password.h"
#include "tests/support/cli_run.h"
#include "tests/support/deployment.h"
#include "tests/support/sample_case.h"
#include "tests/support/test_keys.h"

namespace hartslag::cases {
namespace {

using testing::ClaimsFor;

class MeetingEndToEndTest : public ::testing::Test {
 protected:
  MeetingEndToEndTest() {
    meetings_ = v1::MeetingService::NewStub(deployment_.Channel(deployment_.cases()));
    cases_ = v1::CaseService::NewStub(deployment_.Channel(deployment_.cases()));
    coordinator_ = deployment_.Token(
        ClaimsFor("carla.coordinator", "gemeente", "MUNICIPALITY", {"COORDINATOR"}, {"heerlen-noord"}));
    // Heerlen's organisations and two users in the directory, as an admin
    // would set them up; the cases service takes their names over.
    directory::DirectoryStore& dir = deployment_.directory_store();
    EXPECT_TRUE(dir.CreateTenant("heerlen", "Gemeente Heerlen").ok());
    for (const auto& [id, name, kind] : std::vector<std::tuple<std::string, std::string, common::v1::OrganisationKind>>{
             {"gemeente", "Gemeente Heerlen", common::v1::ORGANISATION_KIND_MUNICIPALITY},
             {"politie", "Politie Limburg", common::v1::ORGANISATION_KIND_POLICE},
             {"buurtteam", "Buurtteam Heerlen", common::v1::ORGANISATION_KIND_CARE},
             {"woonpunt", "Woonpunt", common::v1::ORGANISATION_KIND_HOUSING},
             {"wijkteam", "Wijkteam Noord", common::v1::ORGANISATION_KIND_MUNICIPALITY}}) {
      directory::v1::Organisation o;
      o.set_organisation_id(id);
      o.set_name(name);
      o.set_kind(kind);
      EXPECT_TRUE(dir.CreateOrganisation("heerlen", o, testing::Unaudited()).ok());
    }
    for (const auto& [id, organisation, name, role] : std::vector<std::tuple<std::string, std::string, std::string,
                                                                             std::string>>{
             {"carla.coordinator", "gemeente", "Carla Coördinator", "COORDINATOR"},
             {"peter.politie", "politie", "Peter Politie", "PARTNER"}}) {
      directory::v1::User u;
      u.set_user_id(id);
      u.set_organisation_id(organisation);
      u.set_display_name(name);
      u.add_roles(role);
      EXPECT_TRUE(dir.CreateUser("heerlen", u, *directory::HashPassword("lang-genoeg-wachtwoord"),
                                 testing::Unaudited())
                      .ok());
    }
    // Its area sync runs every 500 ms here.
    bool synced = false;
    for (absl::Time give_up = absl::Now() + absl::Seconds(20); !synced && absl::Now() < give_up;) {
      absl::SleepFor(absl::Milliseconds(100));
      auto rows = deployment_.pool().Query(
          "SELECT (SELECT count(*) FROM cases.organisations WHERE tenant_id = 'heerlen') AS organisations, "
          "(SELECT count(*) FROM cases.user_names WHERE tenant_id = 'heerlen') AS users",
          {});
      synced = rows.ok() && rows->Int(0, "organisations") == 5 && rows->Int(0, "users") == 2;
    }
    EXPECT_TRUE(synced) << "the cases service did not take the names over within 20 s";
  }

  // A partner of `organisation` (of `kind`) without any role on a case.
  std::string Partner(const std::string& user, const std::string& organisation, const std::string& kind) {
    return deployment_.Token(ClaimsFor(user, organisation, kind, {"PARTNER"}, {}));
  }

  std::unique_ptr<grpc::ClientContext> Call(const std::string& token, const std::string& purpose = "MEETING") {
    auto call = deployment_.Call(token);
    if (!purpose.empty()) call->AddMetadata("x-hartslag-purpose", purpose);
    return call;
  }

  // A case in Vrieheide opened by the coordinator, then given
  // `confidentiality`, `organisations` and `members` as the meeting left it.
  v1::Case LeefbaarheidCase(const std::string& title, v1::Confidentiality confidentiality,
                            const std::vector<std::string>& organisations,
                            const std::vector<std::string>& members = {}) {
    v1::OpenCaseRequest r;
    r.set_request_id(RandomUuid());
    r.set_kind(v1::CASE_KIND_LEEFBAARHEID);
    r.set_title(title);
    r.set_area_id("vrieheide");
    auto* a = r.mutable_address();
    a->set_street("Vrieheidelaan");
    a->set_house_number(static_cast<int>(title.size()));
    a->set_postcode("6416 AB");
    a->set_city("Heerlen");
    v1::Case c;
    grpc::Status status = cases_->OpenCase(Call(coordinator_, "CASE_MANAGEMENT").get(), r, &c);
    EXPECT_TRUE(status.ok()) << status.error_message();
    RequestContext as;
    as.tenant = "heerlen";
    as.user = "carla.coordinator";
    EXPECT_TRUE(deployment_
                    .SeedCaseChange(as, c.case_id(),
                                    [&](v1::Case& stored) {
                                      stored.set_confidentiality(confidentiality);
                                      for (const auto& o : organisations) stored.add_participating_organisations(o);
                                      for (const auto& m : members) stored.add_members(m);
                                    })
                    .ok());
    return c;
  }

  // Meetings of `kind` in `area`, weekly from `starts`, with `partners`.
  std::vector<std::string> Schedule(v1::CaseKind kind, const std::string& area, absl::Time starts, int weeks,
                                    const std::vector<std::string>& partners) {
    v1::ScheduleMeetingsRequest schedule;
    schedule.set_request_id(RandomUuid());
    schedule.set_kind(kind);
    schedule.set_area_id(area);
    *schedule.mutable_starts_at() = TimeToProto(starts);
    schedule.set_weeks(weeks);
    for (const std::string& p : partners) schedule.add_participating_organisations(p);
    v1::ScheduleMeetingsResponse scheduled;
    grpc::Status status = meetings_->ScheduleMeetings(Call(coordinator_).get(), schedule, &scheduled);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::vector<std::string> ids;
    for (const auto& m : scheduled.meetings()) ids.push_back(m.meeting_id());
    return ids;
  }

  void Add(const std::string& meeting_id, const std::string& case_id) {
    v1::EditAgendaRequest add;
    add.set_meeting_id(meeting_id);
    add.set_edit(v1::EditAgendaRequest::EDIT_ADD);
    add.set_case_id(case_id);
    v1::Meeting m;
    grpc::Status status = meetings_->EditAgenda(Call(coordinator_).get(), add, &m);
    EXPECT_TRUE(status.ok()) << status.error_message();
  }

  grpc::Status Close(const std::string& meeting_id) {
    v1::CloseMeetingRequest close;
    close.set_meeting_id(meeting_id);
    v1::Meeting m;
    return meetings_->CloseMeeting(Call(coordinator_).get(), close, &m);
  }

  grpc::Status Attend(const std::string& meeting_id, const std::vector<std::pair<std::string, std::string>>& people,
                      v1::Meeting* out) {
    v1::SetAttendanceRequest r;
    r.set_meeting_id(meeting_id);
    for (const auto& [name, organisation] : people) {
      v1::Attendee& a = *r.add_attendees();
      a.set_name(name);
      a.set_organisation_id(organisation);
    }
    return meetings_->SetAttendance(Call(coordinator_).get(), r, out);
  }

  grpc::Status Approve(const std::string& token, const std::string& meeting_id, const std::string& in,
                       v1::Meeting* out) {
    v1::ApproveMinutesRequest r;
    r.set_meeting_id(meeting_id);
    r.set_approved_in_meeting_id(in);
    return meetings_->ApproveMinutes(Call(token).get(), r, out);
  }

  std::string Export(const std::string& meeting_id, v1::DocumentFormat format, const std::string& view_as = "") {
    v1::ExportMeetingRequest r;
    r.set_meeting_id(meeting_id);
    r.set_format(format);
    r.set_view_as_organisation_id(view_as);
    v1::MeetingDocument doc;
    grpc::Status status = meetings_->ExportMeeting(Call(coordinator_).get(), r, &doc);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return doc.content();
  }

  static std::set<std::string> CaseIds(const v1::Meeting& m) {
    std::set<std::string> ids;
    for (const auto& item : m.items()) ids.insert(item.case_id());
    return ids;
  }

  testing::Deployment deployment_;
  std::unique_ptr<v1::MeetingService::Stub> meetings_;
  std::unique_ptr<v1::CaseService::Stub> cases_;
  std::string coordinator_;
};

TEST_F(MeetingEndToEndTest, AttendanceIsRecordedWithOrganisationNamesReplacedWholeAndFixedOnceClosed) {
  std::string meeting = Schedule(v1::CASE_KIND_LEEFBAARHEID, "vrieheide", absl::Now() + absl::Hours(48), 1,
                                 {"politie", "buurtteam"})[0];
  v1::Meeting m;
  ASSERT_TRUE(Attend(meeting, {{"Zora Zorg", "buurtteam"}, {"Peter Politie", "politie"}}, &m).ok());
  ASSERT_EQ(m.attendees_size(), 2);
  EXPECT_EQ(m.attendees(0).name(), "Zora Zorg");
  EXPECT_EQ(m.attendees(0).organisation_name(), "Buurtteam Heerlen");
  EXPECT_EQ(m.attendees(1).organisation_name(), "Politie Limburg");

  ASSERT_TRUE(Attend(meeting, {{"Wim Weller", "woonpunt"}}, &m).ok());
  ASSERT_EQ(m.attendees_size(), 1) << "replaced, not added to";
  EXPECT_EQ(m.attendees(0).name(), "Wim Weller");

  grpc::Status bad = Attend(meeting, {{"  ", "politie"}}, &m);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(bad.error_message().find("attendees[0].name"), std::string::npos) << bad.error_message();
  bad = Attend(meeting, {{"Zora Zorg", "buurtteam"}, {"Onbekend", "geen-organisatie"}}, &m);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(bad.error_message().find("attendees[1].organisation_id"), std::string::npos) << bad.error_message();

  v1::GetMeetingRequest get;
  get.set_meeting_id(meeting);
  ASSERT_TRUE(meetings_->GetMeeting(Call(coordinator_).get(), get, &m).ok());
  ASSERT_EQ(m.attendees_size(), 1) << "a refused call changed nothing";

  ASSERT_TRUE(Close(meeting).ok());
  EXPECT_EQ(Attend(meeting, {{"Zora Zorg", "buurtteam"}}, &m).error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << "closed minutes are corrected, not changed";
}

TEST_F(MeetingEndToEndTest, MinutesAreApprovedOnceAndOnlyInALaterMeetingOfTheSameKindAndArea) {
  absl::Time start = absl::Now() + absl::Hours(48);
  std::vector<std::string> weekly = Schedule(v1::CASE_KIND_LEEFBAARHEID, "vrieheide", start, 3, {"politie"});
  std::string earlier = Schedule(v1::CASE_KIND_LEEFBAARHEID, "vrieheide", start - absl::Hours(24), 1, {})[0];
  std::string other_kind = Schedule(v1::CASE_KIND_CASUISTIEK, "vrieheide", start + absl::Hours(24), 1, {})[0];
  std::string other_area = Schedule(v1::CASE_KIND_LEEFBAARHEID, "kasteelbuurt", start + absl::Hours(24), 1, {})[0];
  const std::string& minutes = weekly[0];
  v1::Meeting m;

  grpc::Status open = Approve(coordinator_, minutes, weekly[1], &m);
  EXPECT_EQ(open.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(open.error_message().find("meeting_id"), std::string::npos) << open.error_message();
  ASSERT_TRUE(Close(minutes).ok());

  for (const std::string& wrong : {minutes, earlier, other_kind, other_area}) {
    grpc::Status refused = Approve(coordinator_, minutes, wrong, &m);
    EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << refused.error_message();
    EXPECT_NE(refused.error_message().find("approved_in_meeting_id"), std::string::npos) << refused.error_message();
  }
  EXPECT_EQ(Approve(Partner("peter.politie", "politie", "POLICE"), minutes, weekly[1], &m).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  ASSERT_TRUE(Approve(coordinator_, minutes, weekly[1], &m).ok());
  EXPECT_EQ(m.minutes_approved_in(), weekly[1]);
  EXPECT_TRUE(m.has_minutes_approved_at());
  v1::Meeting again;
  grpc::Status twice = Approve(coordinator_, minutes, weekly[2], &again);
  EXPECT_EQ(twice.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << "approved once";
  v1::GetMeetingRequest get;
  get.set_meeting_id(minutes);
  ASSERT_TRUE(meetings_->GetMeeting(Call(coordinator_).get(), get, &m).ok());
  EXPECT_EQ(m.minutes_approved_in(), weekly[1]) << "the first approval stands";
}

TEST_F(MeetingEndToEndTest, ThePartnerViewIsExactlyWhatARealPartnerOfThatOrganisationGets) {
  v1::Case police_case = LeefbaarheidCase("Overlast met politie", v1::CONFIDENTIALITY_INTERN, {"politie"});
  v1::Case care_housing = LeefbaarheidCase("Zorg en woning", v1::CONFIDENTIALITY_ZAAKVERTROUWELIJK,
                                           {"buurtteam", "woonpunt"});
  v1::Case nobodys = LeefbaarheidCase("Nog zonder partners", v1::CONFIDENTIALITY_INTERN, {});
  // GEHEIM: only the people with a role on it, so not a partner as such,
  // even of a participating organisation and with a colleague as member.
  v1::Case secret = LeefbaarheidCase("Geheim", v1::CONFIDENTIALITY_GEHEIM, {"politie", "buurtteam"},
                                     {"peter.politie"});
  std::string meeting = Schedule(v1::CASE_KIND_LEEFBAARHEID, "vrieheide", absl::Now() + absl::Hours(48), 1,
                                 {"politie", "buurtteam", "woonpunt"})[0];
  for (const v1::Case* c : {&police_case, &care_housing, &nobodys, &secret}) Add(meeting, c->case_id());

  const std::map<std::string, std::pair<std::string, std::set<std::string>>> partners = {
      {"politie", {"POLICE", {police_case.case_id()}}},
      {"buurtteam", {"CARE", {care_housing.case_id()}}},
      {"woonpunt", {"HOUSING", {care_housing.case_id()}}},
  };
  for (const auto& [organisation, expected] : partners) {
    const auto& [kind, items] = expected;
    v1::GetMeetingRequest get;
    get.set_meeting_id(meeting);
    v1::Meeting real, view;
    ASSERT_TRUE(
        meetings_->GetMeeting(Call(Partner("collega." + organisation, organisation, kind)).get(), get, &real).ok());
    get.set_view_as_organisation_id(organisation);
    grpc::Status shown = meetings_->GetMeeting(Call(coordinator_).get(), get, &view);
    ASSERT_TRUE(shown.ok()) << shown.error_message();
    EXPECT_EQ(CaseIds(view), items) << organisation;
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(view, real))
        << organisation << "\nview: " << view.DebugString() << "\nreal: " << real.DebugString();
    EXPECT_EQ(Export(meeting, v1::DOCUMENT_FORMAT_MARKDOWN, organisation).find(nobodys.reference()),
              std::string::npos)
        << "the document is the partner's too";
  }
  // The member sees the GEHEIM case himself; the view of his organisation
  // does not, since it needs his personal role.
  v1::GetMeetingRequest get;
  get.set_meeting_id(meeting);
  v1::Meeting member;
  ASSERT_TRUE(meetings_->GetMeeting(Call(Partner("peter.politie", "politie", "POLICE")).get(), get, &member).ok());
  EXPECT_TRUE(CaseIds(member).contains(secret.case_id()));

  // Refused: for a partner, for an organisation not in the meeting, for one
  // the tenant does not have, and for another purpose.
  v1::Meeting refused;
  get.set_view_as_organisation_id("politie");
  grpc::Status status =
      meetings_->GetMeeting(Call(Partner("collega.politie", "politie", "POLICE")).get(), get, &refused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(status.error_message().find("view_as_organisation_id"), std::string::npos) << status.error_message();
  for (const char* outsider : {"wijkteam", "bestaat-niet"}) {
    get.set_view_as_organisation_id(outsider);
    status = meetings_->GetMeeting(Call(coordinator_).get(), get, &refused);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << outsider;
    EXPECT_NE(status.error_message().find("view_as_organisation_id"), std::string::npos) << status.error_message();
  }
  v1::ExportMeetingRequest export_request;
  export_request.set_meeting_id(meeting);
  export_request.set_format(v1::DOCUMENT_FORMAT_HTML);
  export_request.set_view_as_organisation_id("wijkteam");
  v1::MeetingDocument doc;
  EXPECT_EQ(meetings_->ExportMeeting(Call(coordinator_).get(), export_request, &doc).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  get.set_view_as_organisation_id("politie");
  EXPECT_EQ(meetings_->GetMeeting(Call(coordinator_, "CASE_MANAGEMENT").get(), get, &refused).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT)
      << "the partner view is for the meeting";

  // The audit record says whose view was shown.
  bool recorded = false;
  for (absl::Time give_up = absl::Now() + absl::Seconds(20); !recorded && absl::Now() < give_up;) {
    audit::EventQuery query;
    query.log_id = "heerlen";
    query.object_id = meeting;
    query.limit = 200;
    auto found = deployment_.audit_store().Query(query, absl::InfiniteFuture());
    for (const auto& entry : found.ok() ? *found : std::vector<audit::StoredEntry>{}) {
      audit::v1::AuditEvent event;
      recorded = recorded || (event.ParseFromString(entry.bytes) && event.origin().rpc() == "GetMeeting" &&
                              event.outcome() == audit::v1::OUTCOME_SUCCESS &&
                              event.detail() == "partner view of organisation woonpunt" &&
                              event.actor().user_id() == "carla.coordinator");
    }
    if (!recorded) absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_TRUE(recorded) << "no audit record of the coordinator showing woonpunt's view";
}

TEST_F(MeetingEndToEndTest, TheMinutesAsFiledNamePeopleAndOrganisationsInDutchAndSayWhetherTheyAreApproved) {
  absl::TimeZone amsterdam;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Amsterdam", &amsterdam));
  v1::Case c = LeefbaarheidCase("Dumping achter de flat", v1::CONFIDENTIALITY_INTERN, {"politie"});
  std::vector<std::string> weekly =
      Schedule(v1::CASE_KIND_LEEFBAARHEID, "vrieheide",
               absl::FromCivil(absl::CivilMinute(2026, 12, 9, 14, 0), amsterdam), 2, {"politie", "buurtteam"});
  Add(weekly[0], c.case_id());
  v1::Meeting m;
  ASSERT_TRUE(Attend(weekly[0], {{"Zora Zorg", "buurtteam"}, {"Peter Politie", "politie"}}, &m).ok());
  v1::DecideItemRequest decide;
  decide.set_request_id(RandomUuid());
  decide.set_meeting_id(weekly[0]);
  decide.set_item_id(m.items(0).item_id());
  decide.set_decision("Extra surveillance");
  decide.set_rationale("Drie meldingen in een week");
  v1::CreateActionRequest& action = *decide.add_actions();
  action.set_description("Surveillance in de avond");
  action.add_organisation_ids("politie");
  action.set_assignee("peter.politie");
  action.set_due_date("2099-12-18");
  grpc::Status decided = meetings_->DecideItem(Call(coordinator_).get(), decide, &m);
  ASSERT_TRUE(decided.ok()) << decided.error_message();
  ASSERT_TRUE(Close(weekly[0]).ok());

  const std::string md = Export(weekly[0], v1::DOCUMENT_FORMAT_MARKDOWN);
  const std::string html = Export(weekly[0], v1::DOCUMENT_FORMAT_HTML);
  for (const std::string* doc : {&md, &html}) {
    for (const char* expected : {"Vertrouwelijk: alleen voor de deelnemers", "woensdag 9 december 2026, 14:00",
                                 "Carla Coördinator", "Politie Limburg, Buurtteam Heerlen", "Aanwezig",
                                 "Zora Zorg (Buurtteam Heerlen)", "Peter Politie (Politie Limburg)", "Extra surveillance",
                                 "Drie meldingen in een week", "Actielijst", "Politie Limburg (Peter Politie)",
                                 "vrijdag 18 december 2099", "Concept: nog niet vastgesteld"}) {
      EXPECT_NE(doc->find(expected), std::string::npos) << expected << " not in\n" << *doc;
    }
    for (const char* id : {"carla.coordinator", "peter.politie", "2026-12-09 14:00", "Vastgesteld"}) {
      EXPECT_EQ(doc->find(id), std::string::npos) << id << " in\n" << *doc;
    }
  }
  EXPECT_NE(md.find("| Wie | Wat | Uiterlijk |"), std::string::npos) << md;
  EXPECT_NE(html.find("<th scope=\"col\">Wie</th>"), std::string::npos) << html;
  EXPECT_NE(html.find("@top-center{content:\"Vertrouwelijk: alleen voor de deelnemers\""), std::string::npos)
      << "the banner heads every printed page";

  ASSERT_TRUE(Approve(coordinator_, weekly[0], weekly[1], &m).ok());
  for (v1::DocumentFormat format : {v1::DOCUMENT_FORMAT_MARKDOWN, v1::DOCUMENT_FORMAT_HTML}) {
    const std::string approved = Export(weekly[0], format);
    EXPECT_NE(approved.find("Vastgesteld"), std::string::npos) << approved;
    EXPECT_NE(approved.find("vastgesteld in de vergadering van woensdag 16 december 2026"), std::string::npos)
        << approved;
    EXPECT_EQ(approved.find("Concept"), std::string::npos) << approved;
  }
}

// A decision may give 20 actions, and an item can be decided again: without
// a bound, decisions would grow a meeting, which is stored, read and kept
// for retries whole, past what a message carries, and no one could read it
// or file its minutes any more.
TEST_F(MeetingEndToEndTest, AMeetingStaysReadableHoweverOftenItsItemIsDecided) {
  v1::Case c = LeefbaarheidCase("Overlast rond het winkelcentrum", v1::CONFIDENTIALITY_INTERN, {"politie"});
  std::vector<std::string> weekly =
      Schedule(v1::CASE_KIND_LEEFBAARHEID, "vrieheide", absl::Now() + absl::Hours(24 * 7), 1, {"politie"});
  Add(weekly[0], c.case_id());
  v1::GetMeetingRequest get;
  get.set_meeting_id(weekly[0]);
  v1::Meeting m;
  ASSERT_TRUE(meetings_->GetMeeting(Call(coordinator_).get(), get, &m).ok());
  ASSERT_EQ(m.items_size(), 1);

  // Twenty actions as large as a decision may give them, of quotes, which
  // the filed minutes (HTML) write six times as long.
  v1::DecideItemRequest decide;
  decide.set_meeting_id(weekly[0]);
  decide.set_item_id(m.items(0).item_id());
  decide.set_decision("Gezamenlijke aanpak");
  for (int i = 0; i < 20; ++i) {
    v1::CreateActionRequest& action = *decide.add_actions();
    action.set_description(std::string(2000, '"'));
    action.add_organisation_ids("politie");
    action.set_due_date("2099-12-18");
    for (int n = 1; n <= 50; ++n) {
      common::v1::Address& a = *action.add_addresses();
      a.set_street("Vrieheidelaan");
      a.set_house_number(n);
      a.set_postcode("6416 AB");
      a.set_city("Heerlen");
    }
  }
  int decided = 0;
  grpc::Status refused;
  for (int call = 0; call < 40 && refused.ok(); ++call) {
    decide.set_request_id(RandomUuid());
    grpc::Status status = meetings_->DecideItem(Call(coordinator_).get(), decide, &m);
    if (status.ok()) ++decided;
    refused = status;
  }
  ASSERT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << refused.error_message();
  EXPECT_TRUE(absl::StartsWith(refused.error_message(), "meeting_id: ")) << refused.error_message();
  EXPECT_EQ(LocalizedMessageOf(refused),
            "Dit overleg is vol: het kan niet meer bevatten. Zet het op het volgende overleg.");
  EXPECT_GE(decided, 4) << "a meeting holds several decisions of the largest kind";

  // Everything decided before is there, and nothing of the refused decision.
  ASSERT_TRUE(meetings_->GetMeeting(Call(coordinator_).get(), get, &m).ok());
  EXPECT_EQ(m.items(0).actions_size(), decided * 20);
  auto actions = deployment_.pool().Query("SELECT count(*) AS n FROM cases.actions WHERE case_id = $1::uuid",
                                          {c.case_id()});
  ASSERT_TRUE(actions.ok()) << actions.status();
  EXPECT_EQ(actions->Int(0, "n"), decided * 20);
  // The meeting still runs its course, and its minutes are filed whole.
  ASSERT_TRUE(Attend(weekly[0], {{"Peter Politie", "politie"}}, &m).ok());
  ASSERT_TRUE(Close(weekly[0]).ok());
  const std::string html = Export(weekly[0], v1::DOCUMENT_FORMAT_HTML);
  EXPECT_NE(html.find("Gezamenlijke aanpak"), std::string::npos) << "its minutes are still filed";
  EXPECT_GT(html.size(), 2 * m.ByteSizeLong()) << "the quotes were written out, and still fit a message";
}

// A list reads each meeting whole before it leaves the agenda out: a page
// holds at most 100, whatever the caller asks.
TEST_F(MeetingEndToEndTest, AListOfMeetingsComesAtMostAHundredAPage) {
  const absl::Time start = absl::Now() + absl::Hours(24);
  Schedule(v1::CASE_KIND_LEEFBAARHEID, "vrieheide", start, 52, {"politie"});
  Schedule(v1::CASE_KIND_CASUISTIEK, "vrieheide", start + absl::Hours(2), 52, {"buurtteam"});
  v1::ListMeetingsRequest request;
  *request.mutable_from() = TimeToProto(start - absl::Hours(1));
  *request.mutable_to() = TimeToProto(start + absl::Hours(24 * 365));
  request.set_page_size(500);
  std::vector<int> sizes;
  for (;;) {
    v1::ListMeetingsResponse page;
    grpc::Status status = meetings_->ListMeetings(Call(coordinator_).get(), request, &page);
    ASSERT_TRUE(status.ok()) << status.error_message();
    sizes.push_back(page.meetings_size());
    if (page.next_page_token().empty() || sizes.size() > 3) break;
    request.set_page_token(page.next_page_token());
  }
  EXPECT_EQ(sizes, (std::vector<int>{100, 4}));
}

TEST_F(MeetingEndToEndTest, AListReadsEachMeetingsListingAndTheWholeMeetingOnlyWhereTheListingIsMissingOrOld) {
  v1::Case c = LeefbaarheidCase("Zwerfvuil bij de flat", v1::CONFIDENTIALITY_INTERN, {"politie"});
  const absl::Time start = absl::Now() + absl::Hours(24);
  std::vector<std::string> weekly = Schedule(v1::CASE_KIND_LEEFBAARHEID, "vrieheide", start, 3, {"politie"});
  for (const std::string& meeting_id : weekly) Add(meeting_id, c.case_id());
  auto correct = [&](const std::string& meeting_id, const std::string& item_id, const std::string& text) {
    v1::CorrectMinutesRequest request;
    request.set_request_id(RandomUuid());
    request.set_meeting_id(meeting_id);
    request.set_item_id(item_id);
    request.set_text(text);
    v1::Meeting corrected;
    grpc::Status status = meetings_->CorrectMinutes(Call(coordinator_).get(), request, &corrected);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return corrected;
  };
  // The first two closed, each with a correction on its item, the first
  // also one on the minutes as a whole.
  for (int i : {0, 1}) {
    ASSERT_TRUE(Close(weekly[i]).ok());
    v1::Meeting corrected = correct(weekly[i], "", "Aanwezigheid aangevuld");
    ASSERT_EQ(corrected.items_size(), 1);
    correct(weekly[i], corrected.items(0).item_id(), "Besluit over de flat aangepast");
  }

  auto stored = [&](const std::string& meeting_id, const char* column) {
    auto rows = deployment_.pool().Query(
        absl::StrCat("SELECT ", column, " AS bytes FROM cases.meetings WHERE meeting_id = $1::uuid"), {meeting_id});
    EXPECT_TRUE(rows.ok()) << rows.status();
    std::optional<v1::Meeting> m;
    if (rows.ok() && !rows->IsNull(0, "bytes")) {
      m.emplace();
      EXPECT_TRUE(m->ParseFromString(rows->Bytes(0, "bytes")));
    }
    return m;
  };
  // The listing is the meeting without its agenda and the corrections on
  // its items (which may be about a case the caller may not see).
  std::optional<v1::Meeting> whole = stored(weekly[0], "content");
  std::optional<v1::Meeting> listing = stored(weekly[0], "listing");
  ASSERT_TRUE(whole && listing);
  ASSERT_EQ(whole->items_size(), 1);
  ASSERT_EQ(whole->corrections_size(), 2);
  EXPECT_EQ(listing->items_size(), 0);
  ASSERT_EQ(listing->corrections_size(), 1);
  EXPECT_EQ(listing->corrections(0).text(), "Aanwezigheid aangevuld");
  whole->clear_items();
  whole->mutable_corrections()->RemoveLast();
  EXPECT_EQ(listing->SerializeAsString(), whole->SerializeAsString());

  // The list reads the listing only: the first meeting is listed with its
  // whole form made unreadable (by a save that counts as one of this
  // binary's). The second has none (stored before there were listings); the
  // third was closed by a binary from before listings, which changed its
  // content alone. Both are listed from their content, and without what a
  // listing leaves out.
  auto exec = [&](const std::string& sql, const db::Params& params) {
    auto done = deployment_.pool().Query(sql, params);
    EXPECT_TRUE(done.ok()) << done.status();
  };
  exec("UPDATE cases.meetings SET content = '\\xff', listing_writes = listing_writes + 1 WHERE meeting_id = $1::uuid",
       {weekly[0]});
  exec("UPDATE cases.meetings SET listing = NULL WHERE meeting_id = $1::uuid", {weekly[1]});
  std::optional<v1::Meeting> third = stored(weekly[2], "content");
  ASSERT_TRUE(third);
  third->set_status(v1::MEETING_STATUS_CLOSED);
  exec("UPDATE cases.meetings SET status = 'CLOSED', content = $2::bytea WHERE meeting_id = $1::uuid",
       {weekly[2], db::BytesParam(third->SerializeAsString())});
  EXPECT_FALSE(stored(weekly[2], "listing")) << "an old binary's save leaves no stale listing";

  v1::ListMeetingsRequest request;
  *request.mutable_from() = TimeToProto(start - absl::Hours(1));
  v1::ListMeetingsResponse page;
  grpc::Status status = meetings_->ListMeetings(Call(coordinator_).get(), request, &page);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(page.meetings_size(), 3);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(page.meetings(i).meeting_id(), weekly[i]);
    EXPECT_EQ(page.meetings(i).items_size(), 0) << i;
  }
  ASSERT_EQ(page.meetings(0).corrections_size(), 1);
  ASSERT_EQ(page.meetings(1).corrections_size(), 1);
  EXPECT_EQ(page.meetings(1).corrections(0).text(), "Aanwezigheid aangevuld");
  EXPECT_EQ(page.meetings(2).status(), v1::MEETING_STATUS_CLOSED);
  // A meeting without a listing gets one when it is next saved.
  correct(weekly[1], "", "Notulen vastgesteld zonder wijziging");
  std::optional<v1::Meeting> renewed = stored(weekly[1], "listing");
  ASSERT_TRUE(renewed);
  EXPECT_EQ(renewed->meeting_id(), weekly[1]);
  EXPECT_EQ(renewed->corrections_size(), 2);
}

TEST_F(MeetingEndToEndTest, TheCommandLineRecordsAttendanceApprovesMinutesAndShowsThePartnerView) {
  v1::Case c = LeefbaarheidCase("Jongeren bij het winkelcentrum", v1::CONFIDENTIALITY_INTERN, {"politie"});
  v1::Case other = LeefbaarheidCase("Alleen voor de gemeente", v1::CONFIDENTIALITY_INTERN, {});
  std::vector<std::string> weekly =
      Schedule(v1::CASE_KIND_LEEFBAARHEID, "vrieheide", absl::Now() + absl::Hours(48), 2, {"politie"});
  Add(weekly[0], c.case_id());
  Add(weekly[0], other.case_id());
  const std::string connection = absl::StrCat("--server ", deployment_.cases().address(), " --ca ",
                                              testing::CertsDir(), "/ca.pem --token ", coordinator_);

  testing::CliRun attended = testing::Cli(absl::StrCat("meeting attendance ", connection, " ", weekly[0],
                                                       " --attendee \"Zora Zorg:buurtteam\" --attendee",
                                                       " \"Peter Politie:politie\""));
  ASSERT_EQ(attended.exit_code, 0) << attended.output;
  EXPECT_NE(attended.output.find("aanwezig: Zora Zorg (Buurtteam Heerlen), Peter Politie (Politie Limburg)"),
            std::string::npos)
      << attended.output;
  testing::CliRun bad = testing::Cli(absl::StrCat("meeting attendance ", connection, " ", weekly[0],
                                                  " --attendee \"Zonder organisatie\""));
  EXPECT_NE(bad.exit_code, 0) << bad.output;

  testing::CliRun view = testing::Cli(absl::StrCat("meeting get ", connection, " --purpose MEETING ", weekly[0],
                                                   " --view-as politie"));
  ASSERT_EQ(view.exit_code, 0) << view.output;
  EXPECT_NE(view.output.find(c.reference()), std::string::npos) << view.output;
  EXPECT_EQ(view.output.find(other.reference()), std::string::npos) << "not the police's: " << view.output;
  testing::CliRun document = testing::Cli(absl::StrCat("meeting export ", connection, " --purpose MEETING --id ",
                                                       weekly[0], " --view-as politie"));
  ASSERT_EQ(document.exit_code, 0) << document.output;
  EXPECT_EQ(document.output.find(other.reference()), std::string::npos) << document.output;

  ASSERT_TRUE(Close(weekly[0]).ok());
  testing::CliRun approved =
      testing::Cli(absl::StrCat("meeting approve ", connection, " ", weekly[0], " --in ", weekly[1]));
  ASSERT_EQ(approved.exit_code, 0) << approved.output;
  EXPECT_NE(approved.output.find(absl::StrCat("notulen vastgesteld ")), std::string::npos) << approved.output;
  EXPECT_NE(approved.output.find(absl::StrCat("in overleg ", weekly[1])), std::string::npos) << approved.output;
}

}  // namespace
}  // namespace hartslag::cases
