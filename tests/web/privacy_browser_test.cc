// The privacy officer's screens in a real browser (tests/web/browser/
// privacy.mjs): a week's activity is made through the services' gRPC APIs
// as the street coach, the coordinator and the police would make it, and
// the scenario, as pien.privacy, answers a request for access about the
// address, restricts and lifts, reviews the coordinator's break-the-glass
// read, and checks audit records against the signed tree head in the
// browser itself.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/time_util.h"
#include "hartslag/audit/v1/audit.grpc.pb.h"
#include "hartslag/cases/v1/cases.grpc.pb.h"
#include "tests/support/sample_signal.h"
#include "tests/web/browser_fixture.h"

namespace hartslag::web {
namespace {

constexpr char kPostcode[] = "6414 AB";
constexpr int kHouseNumber = 12;
constexpr char kBreakGlassReason[] = "Melding van acuut gevaar, regisseur niet bereikbaar";
// More reads by the coordinator than one page of the overview holds (50),
// so that the screen's answer spans two pages, also with the police's
// accesses restricted.
constexpr int kCoordinatorReads = 55;

class PrivacyBrowserTest : public BrowserTest {
 protected:
  std::string TokenOf(const std::string& user, const std::string& org, const std::string& kind, const std::string& role) {
    return deployment_.Token(testing::ClaimsFor(user, org, kind, {role}, {"heerlen-noord"}));
  }

  std::unique_ptr<grpc::ClientContext> CallWithPurpose(const std::string& token, const std::string& purpose) {
    auto call = deployment_.Call(token);
    call->AddMetadata("x-hartslag-purpose", purpose);
    return call;
  }

  // The address's access overview as the audit service gives it, every
  // page, in its order, as "occurred_at|organisation|action|purpose" with
  // occurred_at as proto3 JSON writes it (what the screen is given).
  std::vector<std::string> Overview() {
    auto audit = audit::v1::AuditService::NewStub(deployment_.Channel(deployment_.audit()));
    const std::string officer = TokenOf("pien.privacy", "gemeente", "MUNICIPALITY", "PRIVACY_OFFICER");
    std::vector<std::string> seen;
    audit::v1::GetAccessOverviewRequest request;
    request.mutable_subject()->mutable_address()->set_postcode(kPostcode);
    request.mutable_subject()->mutable_address()->set_house_number(kHouseNumber);
    do {
      audit::v1::GetAccessOverviewResponse page;
      grpc::Status status = audit->GetAccessOverview(deployment_.Call(officer).get(), request, &page);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      for (const auto& a : page.accesses()) {
        seen.push_back(absl::StrCat(google::protobuf::util::TimeUtil::ToString(a.occurred_at()), "|", a.organisation_id(),
                                    "|", audit::v1::Action_Name(a.action()), "|", a.purpose()));
      }
      request.set_page_token(page.next_page_token());
    } while (!request.page_token().empty());
    return seen;
  }
};

TEST_F(PrivacyBrowserTest, APrivacyOfficerAnswersARequestForAccessRestrictsReviewsBreakTheGlassAndVerifiesTheLogInTheBrowser) {
  // Monday: the street coach reports at the address.
  auto signals = intake::v1::SignalService::NewStub(deployment_.Channel(deployment_.intake()));
  intake::v1::SubmitSignalRequest signal = testing::SampleSignal("vrieheide");
  intake::v1::SubmitSignalResponse stored;
  grpc::Status status = signals->SubmitSignal(
      deployment_.Call(TokenOf("sam.straatcoach", "straatcoaches", "MUNICIPALITY", "REPORTER")).get(), signal, &stored);
  ASSERT_TRUE(status.ok()) << status.error_message();

  // Tuesday: a Leefbaarheid case about the same address, which the
  // coordinator and the police (taking part) read, each with a purpose.
  RequestContext opener;
  opener.tenant = "heerlen";
  opener.user = "carla.coordinator";
  opener.organisation = "gemeente";
  cases::v1::Case c;
  c.set_kind(cases::v1::CASE_KIND_LEEFBAARHEID);
  c.set_title("Overlast Heerenweg");
  c.mutable_area()->set_area_id("vrieheide");
  c.set_process_coordinator("carla.coordinator");
  c.add_participating_organisations("politie");
  c.set_confidentiality(cases::v1::CONFIDENTIALITY_ZAAKVERTROUWELIJK);
  *c.mutable_address() = signal.location().address();
  auto opened = deployment_.SeedCase(opener, c);
  ASSERT_TRUE(opened.ok()) << opened.status();
  auto cases_stub = cases::v1::CaseService::NewStub(deployment_.Channel(deployment_.cases()));
  cases::v1::GetCaseRequest get;
  get.set_case_id(opened->case_id());
  cases::v1::CaseSummary summary;
  const std::string carla = TokenOf("carla.coordinator", "gemeente", "MUNICIPALITY", "COORDINATOR");
  for (int i = 0; i < kCoordinatorReads; ++i) {
    status = cases_stub->GetCase(CallWithPurpose(carla, "MEETING_PREPARATION").get(), get, &summary);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  status = cases_stub->GetCase(
      CallWithPurpose(TokenOf("peter.politie", "politie", "POLICE", "PARTNER"), "ACTION_EXECUTION").get(), get, &summary);
  ASSERT_TRUE(status.ok()) << status.error_message();

  // Wednesday: the coordinator breaks the glass on a GEHEIM case of
  // someone else.
  cases::v1::Case secret;
  secret.set_kind(cases::v1::CASE_KIND_CASUISTIEK);
  secret.set_title("Geheime casus");
  secret.mutable_area()->set_area_id("vrieheide");
  secret.set_process_coordinator("olaf.coordinator");
  secret.set_confidentiality(cases::v1::CONFIDENTIALITY_GEHEIM);
  cases::v1::CasePerson* person = secret.add_persons();
  person->set_name("Jan Jansen");
  person->set_birth_year(1970);
  auto hidden = deployment_.SeedCase(opener, secret);
  ASSERT_TRUE(hidden.ok()) << hidden.status();
  cases::v1::GetCaseRequest urgent;
  urgent.set_case_id(hidden->case_id());
  urgent.set_break_glass_reason(kBreakGlassReason);
  status = cases_stub->GetCase(CallWithPurpose(carla, "CASE_MANAGEMENT").get(), urgent, &summary);
  ASSERT_TRUE(status.ok()) << status.error_message();

  // The records reach the log through the services' outboxes.
  std::vector<std::string> expected;
  const absl::Time give_up = absl::Now() + absl::Seconds(60);
  auto complete = [](const std::vector<std::string>& s) {
    auto has = [&](absl::string_view what) {
      return std::count_if(s.begin(), s.end(), [&](const std::string& e) { return absl::StrContains(e, what); });
    };
    return has("|gemeente|ACTION_READ|MEETING_PREPARATION") == kCoordinatorReads &&
           has("|politie|ACTION_READ|ACTION_EXECUTION") == 1 && has("|straatcoaches|") >= 1;
  };
  while (!complete(expected = Overview()) && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(200));
  ASSERT_TRUE(complete(expected)) << absl::StrJoin(expected, "; ");
  ASSERT_GT(expected.size(), 51u) << "two pages of 50, also without the police's access";

  testing::CliRun run = Scenario("privacy", {{"EXPECTED_ACCESSES", absl::StrJoin(expected, ";")},
                                             {"ADDRESS_POSTCODE", kPostcode},
                                             {"ADDRESS_NUMBER", absl::StrCat(kHouseNumber)},
                                             {"BREAK_GLASS_REASON", kBreakGlassReason}});

  // What the screens did is stored.
  auto reviews = deployment_.pool().Query(
      "SELECT finding, justified::text AS justified, completed_by FROM cases.break_glass WHERE case_id = $1::uuid",
      {hidden->case_id()});
  ASSERT_TRUE(reviews.ok()) << reviews.status();
  ASSERT_EQ(reviews->size(), 1);
  EXPECT_EQ(reviews->Text(0, "finding"), "Nagegaan bij de regisseur: het gevaar was acuut, de inzage was terecht.")
      << run.output;
  EXPECT_EQ(reviews->Text(0, "justified"), "true") << run.output;
  EXPECT_EQ(reviews->Text(0, "completed_by"), "pien.privacy") << run.output;
  EXPECT_EQ(Overview(), expected) << "the restriction was lifted: " << run.output;
}

}  // namespace
}  // namespace hartslag::web
