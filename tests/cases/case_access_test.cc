// Need-to-know in the cases service as a specification: who may read a case
// and which of its notes (case_access.h). case_store_test.cc checks that
// the list query applies the same rule.
#include "services/cases/case_access.h"

#include <gtest/gtest.h>

#include <set>

namespace hartslag::cases {
namespace {

RequestContext Caller(const std::string& user, const std::string& org, common::v1::OrganisationKind kind,
                      Role role) {
  RequestContext c;
  c.tenant = "heerlen";
  c.user = user;
  c.organisation = org;
  c.organisation_kind = kind;
  c.roles = {role};
  return c;
}

v1::Case CaseAt(v1::Confidentiality level) {
  v1::Case c;
  c.mutable_area()->set_area_id("vrieheide");
  c.set_confidentiality(level);
  c.set_process_coordinator("carla");
  c.add_participating_organisations("gemeente");
  c.add_participating_organisations("buurtteam");
  return c;
}

TEST(CaseAccessTest, WhoSeesACaseDependsOnItsConfidentiality) {
  const std::set<std::string> vrieheide = {"heerlen-noord", "vrieheide"}, elsewhere = {"heerlen-zuid"};
  auto carla = Caller("carla", "gemeente", common::v1::ORGANISATION_KIND_MUNICIPALITY, Role::kCoordinator);
  auto colleague = Caller("cor", "gemeente", common::v1::ORGANISATION_KIND_MUNICIPALITY, Role::kCoordinator);
  auto other_coordinator = Caller("olga", "wijkteam-zuid", common::v1::ORGANISATION_KIND_MUNICIPALITY,
                                  Role::kCoordinator);
  auto care = Caller("zora", "buurtteam", common::v1::ORGANISATION_KIND_CARE, Role::kPartner);
  auto police = Caller("peter", "politie", common::v1::ORGANISATION_KIND_POLICE, Role::kPartner);

  v1::Case intern = CaseAt(v1::CONFIDENTIALITY_INTERN);
  EXPECT_TRUE(MaySeeCase(other_coordinator, vrieheide, intern)) << "any coordinator of the area";
  EXPECT_FALSE(MaySeeCase(other_coordinator, elsewhere, intern)) << "not outside the area";
  EXPECT_TRUE(MaySeeCase(care, {}, intern)) << "a participating partner";
  EXPECT_FALSE(MaySeeCase(police, {}, intern)) << "a partner that does not participate";

  v1::Case confidential = CaseAt(v1::CONFIDENTIALITY_VERTROUWELIJK);
  EXPECT_FALSE(MaySeeCase(other_coordinator, vrieheide, confidential))
      << "from zaakvertrouwelijk up, only participants";
  EXPECT_TRUE(MaySeeCase(colleague, vrieheide, confidential)) << "a coordinator of a participant";
  EXPECT_TRUE(MaySeeCase(care, {}, confidential));
  EXPECT_TRUE(MaySeeCase(carla, {}, confidential)) << "the process coordinator, wherever";

  v1::Case secret = CaseAt(v1::CONFIDENTIALITY_GEHEIM);
  EXPECT_TRUE(MaySeeCase(carla, vrieheide, secret)) << "people with a role on the case";
  EXPECT_FALSE(MaySeeCase(colleague, vrieheide, secret)) << "not their organisation";
  EXPECT_FALSE(MaySeeCase(care, {}, secret));
  secret.add_members("zora");
  EXPECT_TRUE(MaySeeCase(care, {}, secret)) << "a member";

  EXPECT_TRUE(MayBreakGlass(other_coordinator, vrieheide, confidential));
  EXPECT_FALSE(MayBreakGlass(other_coordinator, elsewhere, confidential));
  EXPECT_FALSE(MayBreakGlass(police, {}, confidential)) << "partners cannot break the glass";
}

TEST(CaseAccessTest, CareNotesNeverReachThePoliceAndTheReverse) {
  auto coordinator = Caller("carla", "gemeente", common::v1::ORGANISATION_KIND_MUNICIPALITY, Role::kCoordinator);
  auto care = Caller("zora", "buurtteam", common::v1::ORGANISATION_KIND_CARE, Role::kPartner);
  auto police = Caller("peter", "politie", common::v1::ORGANISATION_KIND_POLICE, Role::kPartner);
  auto housing = Caller("wim", "woonpunt", common::v1::ORGANISATION_KIND_HOUSING, Role::kPartner);
  struct Row {
    v1::NoteVisibility visibility;
    bool coordinator, care, police, housing;
  };
  for (const Row& r : {Row{v1::NOTE_VISIBILITY_PARTICIPANTS, true, true, true, true},
                       Row{v1::NOTE_VISIBILITY_COORDINATION, true, false, false, false},
                       Row{v1::NOTE_VISIBILITY_CARE, true, true, false, false},
                       Row{v1::NOTE_VISIBILITY_POLICE, true, false, true, false}}) {
    std::string name = v1::NoteVisibility_Name(r.visibility);
    EXPECT_EQ(MayReadNote(coordinator, r.visibility), r.coordinator) << name;
    EXPECT_EQ(MayReadNote(care, r.visibility), r.care) << name;
    EXPECT_EQ(MayReadNote(police, r.visibility), r.police) << name;
    EXPECT_EQ(MayReadNote(housing, r.visibility), r.housing) << name;
    EXPECT_EQ(MayWriteNote(care, r.visibility), r.care && r.visibility != v1::NOTE_VISIBILITY_COORDINATION)
        << name;
    EXPECT_EQ(MayWriteNote(police, r.visibility), r.police) << name;
    EXPECT_TRUE(MayWriteNote(coordinator, r.visibility)) << name;
  }
}

TEST(CaseAccessTest, ThePartnerViewSeesWhatAnyPartnerOfTheOrganisationSeesAndNoPersonalRole) {
  auto carla = Caller("carla", "gemeente", common::v1::ORGANISATION_KIND_MUNICIPALITY, Role::kCoordinator);
  RequestContext care_view = PartnerView(carla, "buurtteam", common::v1::ORGANISATION_KIND_CARE);
  EXPECT_TRUE(care_view.user.empty());
  EXPECT_FALSE(care_view.Has(Role::kCoordinator)) << "no coordinator's reach through the view";
  EXPECT_EQ(care_view.organisation_kind, common::v1::ORGANISATION_KIND_CARE);

  EXPECT_TRUE(MaySeeCase(care_view, {}, CaseAt(v1::CONFIDENTIALITY_VERTROUWELIJK)));
  EXPECT_FALSE(MaySeeCase(PartnerView(carla, "politie", common::v1::ORGANISATION_KIND_POLICE), {},
                          CaseAt(v1::CONFIDENTIALITY_INTERN)))
      << "an organisation that does not participate";
  v1::Case secret = CaseAt(v1::CONFIDENTIALITY_GEHEIM);
  EXPECT_TRUE(MaySeeCase(carla, {}, secret)) << "carla coordinates it herself";
  EXPECT_FALSE(MaySeeCase(PartnerView(carla, "gemeente", common::v1::ORGANISATION_KIND_MUNICIPALITY), {}, secret))
      << "but her organisation's view has none of her roles";
  secret.set_case_manager("");
  secret.clear_members();
  EXPECT_FALSE(MaySeeCase(care_view, {}, secret)) << "an unnamed case manager is no role for a caller without user";
  EXPECT_TRUE(MayReadNote(care_view, v1::NOTE_VISIBILITY_CARE)) << "its kind counts for notes";
  EXPECT_FALSE(MayReadNote(care_view, v1::NOTE_VISIBILITY_COORDINATION));
}

}  // namespace
}  // namespace hartslag::cases
