// A municipality's settings: defaults for what it left unset, every bad
// field named.
#include "services/common/tenant_settings.h"

#include <gtest/gtest.h>

namespace hartslag {
namespace {

TEST(TenantSettingsTest, WhatIsLeftUnsetTakesTheDefault) {
  TenantSettings set;
  set.set_time_zone("America/Kralendijk");
  TenantSettings s = WithDefaults(set);
  EXPECT_EQ(s.time_zone(), "America/Kralendijk");
  EXPECT_EQ(s.triage_cut_off_weekday(), 1);
  EXPECT_EQ(s.triage_cut_off_time(), "12:00");
  EXPECT_EQ(s.signal_reference_prefix(), "SV");
  EXPECT_EQ(s.case_reference_prefix(), "CS");
  EXPECT_EQ(s.signal_retention_days(), 365);
  EXPECT_EQ(s.leefbaarheid_retention_days(), 730);
  EXPECT_EQ(s.casuistiek_retention_days(), 365);
  EXPECT_EQ(s.max_attachment_bytes(), 10 << 20);
  EXPECT_EQ(s.max_attachments_per_signal(), 5);
  EXPECT_TRUE(CheckTenantSettings(s).ok()) << CheckTenantSettings(s);
}

TEST(TenantSettingsTest, EveryBadFieldIsNamed) {
  TenantSettings s = WithDefaults({});
  s.set_time_zone("Europe/Atlantis");
  s.set_triage_cut_off_weekday(8);
  s.set_triage_cut_off_time("24:00");
  s.set_case_reference_prefix("cs");
  s.set_signal_retention_days(7);
  s.set_max_attachment_bytes(int64_t{1} << 40);
  s.set_max_attachments_per_signal(21);
  s.add_closing_days("2026-05-15");
  s.add_closing_days("15-05-2026");
  absl::Status status = CheckTenantSettings(s);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  for (const char* field : {"settings.time_zone", "settings.triage_cut_off_weekday", "settings.triage_cut_off_time",
                            "settings.case_reference_prefix", "settings.signal_retention_days",
                            "settings.max_attachment_bytes", "settings.max_attachments_per_signal",
                            "settings.closing_days[1]"}) {
    EXPECT_NE(status.message().find(field), absl::string_view::npos) << field << ": " << status;
  }
  EXPECT_EQ(status.message().find("closing_days[0]"), absl::string_view::npos) << status;
}

TEST(TenantSettingsTest, ClosingDaysAreDates) {
  TenantSettings s;
  s.add_closing_days("2026-05-15");
  s.add_closing_days("2026-12-24");
  EXPECT_EQ(ClosingDays(s), (std::set<absl::CivilDay>{absl::CivilDay(2026, 5, 15), absl::CivilDay(2026, 12, 24)}));
  EXPECT_EQ(TimeZoneOf("Nowhere/Atlantis").status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace hartslag
