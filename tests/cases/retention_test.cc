// What retention removes from each object, and what it keeps for the
// lifecycle and statistics.
#include "services/cases/retention.h"

#include <gtest/gtest.h>

namespace hartslag::cases {
namespace {

// True if `message`'s bytes contain `text` anywhere.
bool Holds(const google::protobuf::Message& message, const std::string& text) {
  return message.SerializeAsString().find(text) != std::string::npos;
}

TEST(RetentionTest, ACaseKeepsItsLifecycleAndLosesWhoAndWhere) {
  v1::Case c;
  c.set_case_id("c1");
  c.set_reference("CS-2025-000007");
  c.set_kind(v1::CASE_KIND_CASUISTIEK);
  c.set_status(v1::CASE_STATUS_CLOSED);
  c.set_title("Zorgen om gezin Jansen, Kasteelweg 3");
  c.mutable_area()->set_area_id("kasteelbuurt");
  c.mutable_address()->set_street("Kasteelweg");
  c.mutable_address()->set_house_number(3);
  v1::CasePerson* p = c.add_persons();
  p->set_name("Jan Jansen");
  p->set_birth_year(1970);
  c.add_members("zora.zorg");
  c.set_case_manager("zora.zorg");
  c.add_participating_organisations("buurtteam");
  c.set_risk_tier(v1::RISK_TIER_HIGH);
  c.set_risk_reason("Jan dreigt met geweld");
  c.set_escalation_reason("Jansen weigert hulp");
  c.add_plan()->set_goal("Jan naar de GGZ");
  c.set_result(v1::CASE_RESULT_RESOLVED);
  c.add_signal_ids("s1");

  RemovePersonalData(c);
  for (const char* personal : {"Jansen", "Kasteelweg", "Jan ", "zora.zorg"}) {
    EXPECT_FALSE(Holds(c, personal)) << personal;
  }
  EXPECT_EQ(c.title(), kRemoved);
  EXPECT_EQ(c.persons_size(), 0);
  EXPECT_FALSE(c.has_address());
  EXPECT_EQ(c.case_id(), "c1");
  EXPECT_EQ(c.reference(), "CS-2025-000007");
  EXPECT_EQ(c.kind(), v1::CASE_KIND_CASUISTIEK);
  EXPECT_EQ(c.status(), v1::CASE_STATUS_CLOSED);
  EXPECT_EQ(c.area().area_id(), "kasteelbuurt");
  EXPECT_EQ(c.participating_organisations(0), "buurtteam");
  EXPECT_EQ(c.risk_tier(), v1::RISK_TIER_HIGH);
  EXPECT_EQ(c.result(), v1::CASE_RESULT_RESOLVED);
  EXPECT_EQ(c.plan_size(), 1) << "the plan's shape stays, its text goes";
  EXPECT_EQ(c.signal_ids(0), "s1");
}

TEST(RetentionTest, ActionsItemsAndDecisionsLoseTheirTexts) {
  v1::Action a;
  a.set_action_id("a1");
  a.set_description("Huisbezoek bij Jansen");
  a.add_organisation_ids("politie");
  a.set_assignee("peter.politie");
  a.set_due_date("2025-03-01");
  a.set_status(v1::ACTION_STATUS_DONE);
  a.set_result("Jan was thuis");
  a.add_addresses()->mutable_address()->set_street("Kasteelweg");
  RemovePersonalData(a);
  EXPECT_FALSE(Holds(a, "Jansen") || Holds(a, "Jan ") || Holds(a, "Kasteelweg") || Holds(a, "peter.politie"));
  EXPECT_EQ(a.status(), v1::ACTION_STATUS_DONE);
  EXPECT_EQ(a.due_date(), "2025-03-01");
  EXPECT_EQ(a.organisation_ids(0), "politie");

  v1::AgendaItem item;
  item.set_case_id("c1");
  item.set_case_title("Gezin Jansen");
  item.set_decision("Jansen krijgt een huisbezoek");
  item.set_rationale("Jan is onbereikbaar");
  item.add_reasons(v1::AGENDA_REASON_NEWLY_TRIAGED);
  *item.add_actions() = v1::Action();
  item.mutable_actions(0)->set_description("Bel Jansen");
  RemovePersonalData(item);
  EXPECT_FALSE(Holds(item, "Jansen") || Holds(item, "Jan "));
  EXPECT_EQ(item.case_id(), "c1");
  EXPECT_EQ(item.reasons_size(), 1);
  EXPECT_EQ(item.decision(), kRemoved) << "a decision was taken; its text is gone";

  v1::TriageDecision d;
  d.set_signal_id("s1");
  d.set_choice(v1::TRIAGE_CHOICE_CASUISTIEK);
  d.set_reason("Jansen bekend bij buurtteam");
  d.set_feedback("Dank, Jan wordt geholpen");
  RemovePersonalData(d);
  EXPECT_FALSE(Holds(d, "Jansen") || Holds(d, "Jan "));
  EXPECT_EQ(d.choice(), v1::TRIAGE_CHOICE_CASUISTIEK);
}

TEST(RetentionTest, EachKindKeepsItsDataForTheMunicipalitysPeriod) {
  TenantSettings unset;
  EXPECT_EQ(RetentionPeriod(unset, v1::CASE_KIND_LEEFBAARHEID), absl::Hours(24 * 730)) << "the default";
  EXPECT_EQ(RetentionPeriod(unset, v1::CASE_KIND_CASUISTIEK), absl::Hours(24 * 365)) << "the default";
  TenantSettings own;
  own.set_leefbaarheid_retention_days(400);
  own.set_casuistiek_retention_days(60);
  EXPECT_EQ(RetentionPeriod(own, v1::CASE_KIND_LEEFBAARHEID), absl::Hours(24 * 400));
  EXPECT_EQ(RetentionPeriod(own, v1::CASE_KIND_CASUISTIEK), absl::Hours(24 * 60));
}

}  // namespace
}  // namespace hartslag::cases
