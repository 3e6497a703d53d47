// Who sees how much of a signal.
#include "services/intake/signal_access.h"

#include <gtest/gtest.h>

namespace hartslag::intake {
namespace {

v1::Signal SignalOfCoach() {
  v1::Signal s;
  s.set_tenant_id("heerlen");
  s.mutable_area()->set_area_id("vrieheide");
  s.mutable_reporter()->set_user_id("coach-1");
  s.mutable_reporter()->set_organisation_id("straatcoaches");
  s.set_description("Geschreeuw uit woning");
  s.add_persons()->set_name("Jan Jansen");
  s.mutable_location()->mutable_address()->set_street("Heerenweg");
  return s;
}

RequestContext Caller(std::string user, std::string org, std::set<Role> roles,
                      std::string tenant = "heerlen") {
  RequestContext c;
  c.tenant = std::move(tenant);
  c.user = std::move(user);
  c.organisation = std::move(org);
  c.roles = std::move(roles);
  return c;
}

const std::set<std::string> kNoAreas;
const std::set<std::string> kHeerlenNoord = {"heerlen-noord", "vrieheide", "kasteelbuurt"};

TEST(SignalAccessTest, ReporterSeesOwnSignalInFull) {
  EXPECT_EQ(ViewOf(Caller("coach-1", "straatcoaches", {Role::kReporter}), kNoAreas, SignalOfCoach()),
            SignalView::kFull);
}

TEST(SignalAccessTest, ColleagueSeesStatusOnly) {
  EXPECT_EQ(ViewOf(Caller("coach-2", "straatcoaches", {Role::kReporter}), kNoAreas, SignalOfCoach()),
            SignalView::kStatusOnly);
}

TEST(SignalAccessTest, ReporterOfOtherOrganisationSeesNothing) {
  EXPECT_EQ(ViewOf(Caller("boa-1", "handhaving", {Role::kReporter}), kNoAreas, SignalOfCoach()),
            SignalView::kNone);
}

TEST(SignalAccessTest, CoordinatorSeesSignalsInItsAreas) {
  EXPECT_EQ(ViewOf(Caller("coord-1", "gemeente", {Role::kCoordinator}), kHeerlenNoord, SignalOfCoach()),
            SignalView::kFull);
  EXPECT_EQ(ViewOf(Caller("coord-2", "gemeente", {Role::kCoordinator}), {"heerlen-zuid"}, SignalOfCoach()),
            SignalView::kNone);
}

TEST(SignalAccessTest, OtherTenantSeesNothingWhateverItsRoles) {
  EXPECT_EQ(ViewOf(Caller("coach-1", "straatcoaches", {Role::kReporter, Role::kCoordinator}, "maastricht"),
                   kHeerlenNoord, SignalOfCoach()),
            SignalView::kNone);
}

TEST(SignalAccessTest, PartnersAdminsAndPrivacyOfficersSeeNothing) {
  for (Role role : {Role::kPartner, Role::kAdmin, Role::kPrivacyOfficer}) {
    EXPECT_EQ(ViewOf(Caller("coach-1", "straatcoaches", {role}), kHeerlenNoord, SignalOfCoach()),
              SignalView::kNone);
  }
}

TEST(SignalAccessTest, StatusOnlyViewDropsDetailsAndPersons) {
  v1::Signal s = SignalOfCoach();
  ApplyView(SignalView::kStatusOnly, s);
  EXPECT_TRUE(s.status_only());
  EXPECT_TRUE(s.description().empty());
  EXPECT_EQ(s.persons_size(), 0);
  EXPECT_FALSE(s.has_location());
  EXPECT_TRUE(s.reporter().user_id().empty());
  EXPECT_EQ(s.reporter().organisation_id(), "straatcoaches");
}

}  // namespace
}  // namespace hartslag::intake
