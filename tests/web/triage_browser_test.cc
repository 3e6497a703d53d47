// The coordinator's Werkvoorraad in a real browser: the week's signals,
// submitted by a street coach through the real intake service, weighed on
// the screen; the decisions, the feedback and the signals' status checked
// in the database, which the browser cannot see.
#include <map>

#include "absl/strings/str_join.h"
#include "hartslag/cases/v1/cases.grpc.pb.h"
#include "tests/support/sample_signal.h"
#include "tests/web/browser_fixture.h"

namespace hartslag::web {
namespace {

constexpr char kEditedFeedback[] =
    "Dank voor uw melding. De graffiti staat op particulier terrein; de eigenaar is gevraagd het te verwijderen.";

class TriageBrowserTest : public BrowserTest {
 protected:
  intake::v1::Signal Submit(intake::v1::SubmitSignalRequest r) {
    auto signals = intake::v1::SignalService::NewStub(deployment_.Channel(deployment_.intake()));
    const std::string token = deployment_.Token(
        testing::ClaimsFor("sam.straatcoach", "straatcoaches", "MUNICIPALITY", {"REPORTER"}, {"heerlen-noord"}));
    intake::v1::SubmitSignalResponse out;
    grpc::Status status = signals->SubmitSignal(deployment_.Call(token).get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    // reported_at orders the queue: one signal per millisecond at least.
    absl::SleepFor(absl::Milliseconds(20));
    return out.signal();
  }

  static intake::v1::SubmitSignalRequest At(const std::string& area, const std::string& category,
                                            const std::string& street, int number, const std::string& description) {
    intake::v1::SubmitSignalRequest r = testing::SampleSignal(area, category);
    r.mutable_location()->mutable_address()->set_street(street);
    r.mutable_location()->mutable_address()->set_house_number(number);
    r.set_description(description);
    return r;
  }

  // The coordinator's queue as the cases service serves it, once it holds
  // `count` signals (bounded: 20 s).
  int QueueSize(int count) {
    auto triage = cases::v1::TriageService::NewStub(deployment_.Channel(deployment_.cases()));
    const std::string token = deployment_.Token(
        testing::ClaimsFor("carla.coordinator", "gemeente", "MUNICIPALITY", {"COORDINATOR"}, {"heerlen-noord"}));
    int size = -1;
    for (absl::Time give_up = absl::Now() + absl::Seconds(20); absl::Now() < give_up;) {
      auto call = deployment_.Call(token);
      call->AddMetadata("x-hartslag-purpose", "TRIAGE");
      cases::v1::GetTriageQueueRequest request;
      request.set_page_size(50);
      cases::v1::TriageQueue queue;
      if (triage->GetTriageQueue(call.get(), request, &queue).ok()) size = queue.items_size();
      if (size == count) break;
      absl::SleepFor(absl::Milliseconds(200));
    }
    return size;
  }

  // The decision stored for each signal.
  std::map<std::string, cases::v1::TriageDecision> Decisions() {
    std::map<std::string, cases::v1::TriageDecision> decisions;
    auto rows = deployment_.pool().Query(
        "SELECT signal_id::text AS id, content FROM cases.triage_decisions WHERE tenant_id = 'heerlen'", {});
    EXPECT_TRUE(rows.ok()) << rows.status();
    for (int i = 0; rows.ok() && i < rows->size(); ++i) {
      EXPECT_TRUE(decisions[rows->Text(i, "id")].ParseFromString(rows->Bytes(i, "content")));
    }
    return decisions;
  }

  // The signal's status and feedback at intake once it is not NEW (bounded:
  // 20 s; the outcome reaches intake through the cases service's outbox).
  std::pair<std::string, std::string> StatusAtIntake(const std::string& signal_id) {
    std::pair<std::string, std::string> found = {"", ""};
    for (absl::Time give_up = absl::Now() + absl::Seconds(20); absl::Now() < give_up;) {
      auto rows = deployment_.pool().Query(
          "SELECT status, feedback FROM intake.signals WHERE signal_id = $1::uuid", {signal_id});
      if (rows.ok() && rows->size() == 1) found = {rows->Text(0, "status"), rows->Text(0, "feedback")};
      if (!found.first.empty() && found.first != "NEW") break;
      absl::SleepFor(absl::Milliseconds(200));
    }
    return found;
  }
};

TEST_F(TriageBrowserTest, ACoordinatorWeighsTheWeeksSignalsOnTheWerkvoorraad) {
  // Graffiti has a standard text for "no action" that the screen offers.
  intake::v1::Category graffiti;
  graffiti.set_category_id("graffiti");
  graffiti.set_label("Graffiti");
  graffiti.set_default_meeting(intake::v1::MEETING_KIND_LEEFBAARHEID);
  graffiti.set_handling_deadline_days(14);
  intake::v1::FeedbackText* standard = graffiti.add_feedback_texts();
  standard->set_outcome(intake::v1::SIGNAL_STATUS_NO_ACTION);
  standard->set_text("Dank voor uw melding. De gemeente onderneemt hier geen actie op.");
  CreateCategory(graffiti);

  // An open Leefbaarheid case at Heerenweg 12.
  RequestContext coordinator;
  coordinator.tenant = "heerlen";
  coordinator.user = "carla.coordinator";
  coordinator.organisation = "gemeente";
  cases::v1::Case existing;
  existing.set_kind(cases::v1::CASE_KIND_LEEFBAARHEID);
  existing.set_title("Overlast rond de containers Heerenweg");
  existing.mutable_area()->set_area_id("vrieheide");
  existing.set_process_coordinator("carla.coordinator");
  existing.add_participating_organisations("gemeente");
  common::v1::Address* address = existing.mutable_address();
  address->set_street("Heerenweg");
  address->set_house_number(12);
  address->set_postcode("6414 AB");
  address->set_city("Heerlen");
  auto opened = deployment_.SeedCase(coordinator, existing);
  ASSERT_TRUE(opened.ok()) << opened.status();

  // The week's signals, oldest first: more than one page of the screen.
  intake::v1::Signal at_case =
      Submit(At("vrieheide", "afval-dumping", "Heerenweg", 12, "Weer matrassen naast de container bij nummer 12."));
  intake::v1::SubmitSignalRequest violence_request = At("kasteelbuurt", "vermoeden-huiselijk-geweld", "Kasteelweg", 3,
                                                        "Geschreeuw en een huilend kind, 's avonds laat.");
  intake::v1::Person* person = violence_request.add_persons();
  person->set_name("Jan Jansen");
  person->set_birth_year(1970);
  person->set_role("bewoner");
  intake::v1::Signal violence = Submit(violence_request);
  intake::v1::Signal youths =
      Submit(At("hoofdstraat-west", "jongerenoverlast", "Hoofdstraat", 40, "Groep jongeren bij het winkelcentrum."));
  intake::v1::Signal tags = Submit(At("gms", "graffiti", "Grasbroekerweg", 7, "Graffiti op de zijgevel van de loods."));
  intake::v1::Signal by_keyboard =
      Submit(At("vrieheide", "afval-dumping", "Vrieheidelaan", 14, "Een bankstel op de stoep, direct op te halen."));
  std::vector<std::string> order = {at_case.reference(), violence.reference(), youths.reference(), tags.reference(),
                                    by_keyboard.reference()};
  for (int number = 20; number < 27; ++number) {
    order.push_back(
        Submit(At("vrieheide", "verloedering", "Akerstraat", number, "Losliggende stoeptegels voor de deur."))
            .reference());
  }
  ASSERT_EQ(QueueSize(12), 12) << "the signals reach the coordinator's triage queue";

  testing::CliRun run = Scenario("triage", {{"ORDER", absl::StrJoin(order, ",")},
                                           {"AT_CASE", at_case.reference()},
                                           {"CASE_REFERENCE", opened->reference()},
                                           {"VIOLENCE", violence.reference()},
                                           {"YOUTHS", youths.reference()},
                                           {"TAGS", tags.reference()},
                                           {"BY_KEYBOARD", by_keyboard.reference()},
                                           {"EDITED_FEEDBACK", kEditedFeedback}});

  std::map<std::string, cases::v1::TriageDecision> decisions = Decisions();
  EXPECT_EQ(decisions.size(), 5u) << "five decisions, the rest left waiting";
  const cases::v1::TriageDecision& linked = decisions[at_case.signal_id()];
  EXPECT_EQ(linked.choice(), cases::v1::TRIAGE_CHOICE_LEEFBAARHEID);
  EXPECT_EQ(linked.case_id(), opened->case_id()) << "linked to the proposed case";

  const cases::v1::TriageDecision& new_case = decisions[youths.signal_id()];
  EXPECT_EQ(new_case.choice(), cases::v1::TRIAGE_CHOICE_LEEFBAARHEID);
  EXPECT_FALSE(new_case.case_id().empty());
  EXPECT_NE(new_case.case_id(), opened->case_id());
  auto found = deployment_.FindCase("heerlen", new_case.case_id());
  ASSERT_TRUE(found.ok() && found->has_value()) << "a new case was opened";
  EXPECT_EQ((*found)->kind(), cases::v1::CASE_KIND_LEEFBAARHEID);
  EXPECT_EQ((*found)->address().street(), "Hoofdstraat");

  const cases::v1::TriageDecision& referred = decisions[violence.signal_id()];
  EXPECT_EQ(referred.choice(), cases::v1::TRIAGE_CHOICE_REFER);
  EXPECT_EQ(referred.refer_to(), "Veilig Thuis");
  EXPECT_FALSE(referred.reason().empty());
  EXPECT_EQ(referred.feedback(), "Uw signaal is doorgezet naar Veilig Thuis.") << "the prefilled text, as sent";

  const cases::v1::TriageDecision& no_action = decisions[tags.signal_id()];
  EXPECT_EQ(no_action.choice(), cases::v1::TRIAGE_CHOICE_NO_ACTION);
  EXPECT_FALSE(no_action.reason().empty());
  EXPECT_EQ(no_action.feedback(), kEditedFeedback) << "the coordinator's own text, not the standard one";

  EXPECT_EQ(decisions[by_keyboard.signal_id()].choice(), cases::v1::TRIAGE_CHOICE_HANDLE_DIRECTLY);

  // What the reporter gets to see, at intake.
  EXPECT_EQ(StatusAtIntake(at_case.signal_id()).first, "ACCEPTED");
  EXPECT_EQ(StatusAtIntake(youths.signal_id()).first, "ACCEPTED");
  EXPECT_EQ(StatusAtIntake(violence.signal_id()), std::make_pair(std::string("REFERRED"),
                                                                 std::string("Uw signaal is doorgezet naar Veilig Thuis.")));
  EXPECT_EQ(StatusAtIntake(tags.signal_id()), std::make_pair(std::string("NO_ACTION"), std::string(kEditedFeedback)));
  EXPECT_EQ(StatusAtIntake(by_keyboard.signal_id()).first, "ACCEPTED");
  auto waiting = deployment_.pool().Query("SELECT count(*) AS n FROM intake.signals WHERE status = 'NEW'", {});
  ASSERT_TRUE(waiting.ok());
  EXPECT_EQ(waiting->Text(0, "n"), "7") << "the signals not weighed still wait";
}

}  // namespace
}  // namespace hartslag::web
