// The coordinator's case screens in a real browser: the case list with its
// filters (kept when she opens a case and comes back), the case page with
// its timeline, a change of risk (by keyboard only) that changes nothing
// else of the case, an action for the police, a legal move of the status
// (an illegal one is not offered), and breaking the glass on a secret case,
// which the privacy officer then finds among the reviews.
#include <google/protobuf/util/message_differencer.h>

#include "hartslag/cases/v1/cases.grpc.pb.h"
#include "tests/web/browser_fixture.h"

namespace hartslag::web {
namespace {

namespace cv1 = cases::v1;

class CasesBrowserTest : public BrowserTest {
 protected:
  static RequestContext Carla() {
    RequestContext as;
    as.tenant = "heerlen";
    as.user = "carla.coordinator";
    as.organisation = "gemeente";
    return as;
  }

  // A case as the coordinator opened it, then brought to `status` (and
  // whatever `more` sets) in the store.
  std::string Seed(cv1::CaseKind kind, const std::string& title, const std::string& area, cv1::CaseStatus status,
                   const std::function<void(cv1::Case&)>& more = {}) {
    cv1::Case c;
    c.set_kind(kind);
    c.set_title(title);
    c.mutable_area()->set_area_id(area);
    c.set_process_coordinator("carla.coordinator");
    c.add_participating_organisations("gemeente");
    c.set_confidentiality(cv1::CONFIDENTIALITY_ZAAKVERTROUWELIJK);
    if (kind == cv1::CASE_KIND_LEEFBAARHEID) {
      common::v1::Address* a = c.mutable_address();
      a->set_street("Vrieheidelaan");
      a->set_house_number(static_cast<int>(title.size()));
      a->set_postcode("6416 AB");
      a->set_city("Heerlen");
    } else {
      cv1::CasePerson* p = c.add_persons();
      p->set_name("Bewoner " + title);
      p->set_role("bewoner");
    }
    auto opened = deployment_.SeedCase(Carla(), c);
    EXPECT_TRUE(opened.ok()) << opened.status();
    if (!opened.ok()) return "";
    EXPECT_TRUE(deployment_
                    .SeedCaseChange(Carla(), opened->case_id(),
                                    [&](cv1::Case& stored) {
                                      stored.set_status(status);
                                      if (more) more(stored);
                                    })
                    .ok());
    return opened->case_id();
  }

  void SeedAction(const std::string& case_id, const std::string& due) {
    cv1::Action action;
    action.set_action_id(RandomUuid());
    action.set_case_id(case_id);
    action.set_description("Buurtonderzoek");
    action.add_organisation_ids("politie");
    action.set_due_date(due);
    action.set_status(cv1::ACTION_STATUS_OPEN);
    ASSERT_TRUE(deployment_.SeedAction(Carla(), action).ok());
  }

  cv1::Case Stored(const std::string& case_id) {
    auto found = deployment_.FindCase("heerlen", case_id);
    EXPECT_TRUE(found.ok() && found->has_value());
    return found.ok() && found->has_value() ? **found : cv1::Case();
  }

  std::unique_ptr<grpc::ClientContext> AsCarla() {
    auto call = deployment_.Call(deployment_.Token(
        testing::ClaimsFor("carla.coordinator", "gemeente", "MUNICIPALITY", {"COORDINATOR"}, {"heerlen-noord"})));
    call->AddMetadata("x-hartslag-purpose", "CASE_MANAGEMENT");
    return call;
  }
};

TEST_F(CasesBrowserTest, ACoordinatorFiltersHerCasesChangesOneStepsItAlongAndBreaksTheGlassUnderReview) {
  const absl::Time now = absl::Now();
  std::string overdue = Seed(cv1::CASE_KIND_LEEFBAARHEID, "Overlast portiekflat", "vrieheide",
                             cv1::CASE_STATUS_IN_PROGRESS, [](cv1::Case& c) { c.set_risk_tier(cv1::RISK_TIER_HIGH); });
  SeedAction(overdue, "2020-01-01");
  Seed(cv1::CASE_KIND_LEEFBAARHEID, "Dumping achter de supermarkt", "kasteelbuurt", cv1::CASE_STATUS_TRIAGE);
  std::string review = Seed(cv1::CASE_KIND_LEEFBAARHEID, "Hangplek speeltuin", "hoofdstraat-west",
                            cv1::CASE_STATUS_MONITORING, [&](cv1::Case& c) {
                              c.set_risk_tier(cv1::RISK_TIER_MEDIUM);
                              *c.mutable_next_review_at() = TimeToProto(now - absl::Hours(24));
                            });
  Seed(cv1::CASE_KIND_CASUISTIEK, "Huishouden Jansen", "gms", cv1::CASE_STATUS_IN_PROGRESS);
  std::string edited = Seed(cv1::CASE_KIND_CASUISTIEK, "Huishouden Pietersen", "vrieheide",
                            cv1::CASE_STATUS_SCHEDULED, [&](cv1::Case& c) {
                              c.set_risk_tier(cv1::RISK_TIER_LOW);
                              c.set_risk_reason("Rustig huishouden");
                              *c.mutable_next_review_at() = TimeToProto(now + absl::Hours(24 * 50));
                              c.add_participating_organisations("buurtteam");
                              cv1::PlanGoal* goal = c.add_plan();
                              goal->set_goal("Schulden in beeld");
                              goal->add_organisation_ids("buurtteam");
                            });
  Seed(cv1::CASE_KIND_LEEFBAARHEID, "Leegstand winkelpand", "kasteelbuurt", cv1::CASE_STATUS_REGISTERED);
  // Closed, its last review date passed: nothing is due on a closed case.
  std::string closed = Seed(cv1::CASE_KIND_CASUISTIEK, "Huishouden De Vries", "hoofdstraat-west",
                            cv1::CASE_STATUS_CLOSED, [&](cv1::Case& c) {
                              c.set_result(cv1::CASE_RESULT_RESOLVED);
                              c.set_risk_tier(cv1::RISK_TIER_LOW);
                              *c.mutable_next_review_at() = TimeToProto(now - absl::Hours(48));
                            });
  // Secret, and Carla has no role on it: only breaking the glass opens it.
  std::string secret = Seed(cv1::CASE_KIND_CASUISTIEK, "Huishouden Geheim", "vrieheide",
                            cv1::CASE_STATUS_IN_PROGRESS, [](cv1::Case& c) {
                              c.set_confidentiality(cv1::CONFIDENTIALITY_GEHEIM);
                              c.set_process_coordinator("olaf.coordinator");
                              c.clear_participating_organisations();
                              c.add_participating_organisations("politie");
                            });
  ASSERT_FALSE(::testing::Test::HasFailure());

  auto stub = cv1::CaseService::NewStub(deployment_.Channel(deployment_.cases()));
  auto history = [&](const std::string& case_id) {
    cv1::GetCaseRequest get;
    get.set_case_id(case_id);
    cv1::CaseSummary summary;
    grpc::Status status = stub->GetCase(AsCarla().get(), get, &summary);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return summary;
  };
  const cv1::Case before = Stored(edited);
  const int steps_before = history(edited).history_size();

  Scenario("cases", {{"STEP", "list-and-risk"},
                     {"CASE_ID", edited},
                     {"OVERDUE_CASE_ID", overdue},
                     {"REVIEW_CASE_ID", review},
                     {"CLOSED_CASE_ID", closed},
                     {"SECRET_CASE_ID", secret}});

  // The risk changed, with its reason and the next review by the tier's
  // cadence; nothing else of the case, and no lifecycle step.
  cv1::Case after = Stored(edited);
  EXPECT_EQ(after.risk_tier(), cv1::RISK_TIER_HIGH);
  EXPECT_EQ(after.risk_reason(), "Dreigende huisuitzetting");
  EXPECT_LT(after.next_review_at().seconds(), before.next_review_at().seconds());
  cv1::Case unchanged = after;
  unchanged.set_risk_tier(before.risk_tier());
  unchanged.set_risk_reason(before.risk_reason());
  *unchanged.mutable_next_review_at() = before.next_review_at();
  *unchanged.mutable_updated_at() = before.updated_at();
  std::string difference;
  google::protobuf::util::MessageDifferencer differ;
  differ.ReportDifferencesToString(&difference);
  EXPECT_TRUE(differ.Compare(before, unchanged)) << difference;
  EXPECT_EQ(history(edited).history_size(), steps_before);

  Scenario("cases", {{"STEP", "action-move-glass"},
                     {"CASE_ID", edited},
                     {"OVERDUE_CASE_ID", overdue},
                     {"REVIEW_CASE_ID", review},
                     {"CLOSED_CASE_ID", closed},
                     {"SECRET_CASE_ID", secret}});

  // The action went to the police, who now take part.
  auto actions = cv1::ActionService::NewStub(deployment_.Channel(deployment_.cases()));
  cv1::ListActionsRequest list;
  list.set_case_id(edited);
  cv1::ListActionsResponse given;
  ASSERT_TRUE(actions->ListActions(AsCarla().get(), list, &given).ok());
  ASSERT_EQ(given.actions_size(), 1);
  EXPECT_EQ(given.actions(0).description(), "Huisbezoek met wijkagent");
  EXPECT_EQ(std::vector<std::string>(given.actions(0).organisation_ids().begin(), given.actions(0).organisation_ids().end()),
            std::vector<std::string>{"politie"});
  EXPECT_EQ(given.actions(0).due_date(), "2099-06-30");
  // One legal step, with its reason.
  cv1::CaseSummary moved = history(edited);
  EXPECT_EQ(moved.case_().status(), cv1::CASE_STATUS_IN_PROGRESS);
  ASSERT_EQ(moved.history_size(), steps_before + 1);
  EXPECT_EQ(moved.history(moved.history_size() - 1).from(), cv1::CASE_STATUS_SCHEDULED);
  EXPECT_EQ(moved.history(moved.history_size() - 1).reason(), "Besproken in het Casuïstiekoverleg");

  // The privacy officer has the glass broken by Carla to review.
  cv1::ListBreakGlassReviewsResponse reviews;
  ASSERT_TRUE(stub->ListBreakGlassReviews(deployment_.Call(deployment_.PrivacyOfficerToken()).get(), {}, &reviews).ok());
  int found = 0;
  for (const cv1::BreakGlassReview& r : reviews.reviews()) {
    if (r.case_id() == secret && r.actor().user_id() == "carla.coordinator" &&
        r.reason() == "Melding van acuut gevaar voor een kind, politie belt") {
      ++found;
    }
  }
  EXPECT_EQ(found, 1);
  // The glass was broken for this case only, and only once.
  EXPECT_EQ(reviews.reviews_size(), 1);
}

}  // namespace
}  // namespace hartslag::web
