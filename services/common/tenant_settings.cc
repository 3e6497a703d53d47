#include "services/common/tenant_settings.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "re2/re2.h"
#include "services/common/validation.h"

namespace hartslag {
namespace {

constexpr int kMinRetentionDays = 30, kMaxRetentionDays = 3650;
constexpr int kMaxClosingDays = 100;

bool Matches(const std::string& text, const char* pattern) {
  const re2::RE2 re(pattern);
  return re2::RE2::FullMatch(re2::StringPiece(text.data(), text.size()), re);
}

std::optional<absl::CivilDay> ParseDay(const std::string& text) {
  absl::CivilDay day;
  if (!Matches(text, R"(\d{4}-\d{2}-\d{2})") || !absl::ParseCivilTime(text, &day)) return std::nullopt;
  return day;
}

}  // namespace

TenantSettings WithDefaults(TenantSettings s) {
  if (s.time_zone().empty()) s.set_time_zone("Europe/Amsterdam");
  if (s.triage_cut_off_weekday() == 0) s.set_triage_cut_off_weekday(1);
  if (s.triage_cut_off_time().empty()) s.set_triage_cut_off_time("12:00");
  if (s.signal_reference_prefix().empty()) s.set_signal_reference_prefix("SV");
  if (s.case_reference_prefix().empty()) s.set_case_reference_prefix("CS");
  if (s.signal_retention_days() == 0) s.set_signal_retention_days(365);
  if (s.leefbaarheid_retention_days() == 0) s.set_leefbaarheid_retention_days(730);
  if (s.casuistiek_retention_days() == 0) s.set_casuistiek_retention_days(365);
  if (s.max_attachment_bytes() == 0) s.set_max_attachment_bytes(10 << 20);
  if (s.max_attachments_per_signal() == 0) s.set_max_attachments_per_signal(5);
  return s;
}

absl::Status CheckTenantSettings(const TenantSettings& s) {
  FieldErrors errors;
  if (!TimeZoneOf(s.time_zone()).ok()) errors.Add(Invalid("settings.time_zone", "not a known IANA time zone"));
  if (s.triage_cut_off_weekday() < 1 || s.triage_cut_off_weekday() > 7) {
    errors.Add(Invalid("settings.triage_cut_off_weekday", "must be between 1 and 7"));
  }
  if (!Matches(s.triage_cut_off_time(), "([01][0-9]|2[0-3]):[0-5][0-9]")) {
    errors.Add(Invalid("settings.triage_cut_off_time", "must look like HH:MM"));
  }
  for (const auto& [field, prefix] : {std::pair{"settings.signal_reference_prefix", s.signal_reference_prefix()},
                                      std::pair{"settings.case_reference_prefix", s.case_reference_prefix()}}) {
    if (!Matches(prefix, "[A-Z]{1,8}")) errors.Add(Invalid(field, "must be 1 to 8 capital letters"));
  }
  for (const auto& [field, days] : {std::pair{"settings.signal_retention_days", s.signal_retention_days()},
                                    std::pair{"settings.leefbaarheid_retention_days", s.leefbaarheid_retention_days()},
                                    std::pair{"settings.casuistiek_retention_days", s.casuistiek_retention_days()}}) {
    if (days < kMinRetentionDays || days > kMaxRetentionDays) {
      errors.Add(Invalid(field, absl::StrCat("must be between ", kMinRetentionDays, " and ", kMaxRetentionDays)));
    }
  }
  if (s.max_attachment_bytes() < 1 || s.max_attachment_bytes() > kMaxAttachmentBytes) {
    errors.Add(Invalid("settings.max_attachment_bytes", absl::StrCat("must be between 1 and ", kMaxAttachmentBytes)));
  }
  if (s.max_attachments_per_signal() < 0 || s.max_attachments_per_signal() > 20) {
    errors.Add(Invalid("settings.max_attachments_per_signal", "must be between 0 and 20"));
  }
  if (s.closing_days_size() > kMaxClosingDays) {
    errors.Add(Invalid("settings.closing_days", absl::StrCat("at most ", kMaxClosingDays)));
  }
  for (int i = 0; i < s.closing_days_size() && i < kMaxClosingDays; ++i) {
    if (!ParseDay(s.closing_days(i))) {
      errors.Add(Invalid(absl::StrCat("settings.closing_days[", i, "]"), "must be a date as YYYY-MM-DD"));
    }
  }
  return errors.status();
}

std::set<absl::CivilDay> ClosingDays(const TenantSettings& settings) {
  std::set<absl::CivilDay> days;
  for (const std::string& text : settings.closing_days()) {
    if (auto day = ParseDay(text)) days.insert(*day);
  }
  return days;
}

absl::StatusOr<absl::TimeZone> TimeZoneOf(const std::string& name) {
  absl::TimeZone zone;
  if (name.empty() || !absl::LoadTimeZone(name, &zone)) {
    return absl::FailedPreconditionError(absl::StrCat("time zone ", name, " is not known"));
  }
  return zone;
}

}  // namespace hartslag
