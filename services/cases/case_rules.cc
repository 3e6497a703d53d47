#include "services/cases/case_rules.h"

#include <algorithm>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "services/common/crypto.h"

namespace hartslag::cases {
namespace {

using S = v1::CaseStatus;

}  // namespace

bool IsLegalTransition(v1::CaseStatus from, v1::CaseStatus to) {
  static const std::multimap<S, S> kLegal = {
      {v1::CASE_STATUS_REGISTERED, v1::CASE_STATUS_TRIAGE},
      {v1::CASE_STATUS_TRIAGE, v1::CASE_STATUS_SCHEDULED},
      {v1::CASE_STATUS_TRIAGE, v1::CASE_STATUS_CLOSED},
      {v1::CASE_STATUS_SCHEDULED, v1::CASE_STATUS_IN_PROGRESS},
      {v1::CASE_STATUS_SCHEDULED, v1::CASE_STATUS_TRIAGE},
      {v1::CASE_STATUS_IN_PROGRESS, v1::CASE_STATUS_MONITORING},
      {v1::CASE_STATUS_IN_PROGRESS, v1::CASE_STATUS_CLOSED},
      {v1::CASE_STATUS_MONITORING, v1::CASE_STATUS_IN_PROGRESS},
      {v1::CASE_STATUS_MONITORING, v1::CASE_STATUS_CLOSED},
      {v1::CASE_STATUS_REOPENED, v1::CASE_STATUS_TRIAGE},
  };
  auto [begin, end] = kLegal.equal_range(from);
  return std::any_of(begin, end, [to](const auto& move) { return move.second == to; });
}

absl::Status LinkSignal(v1::Case& c, const std::string& signal_id) {
  if (c.signal_ids_size() >= kMaxSignalsPerCase) {
    return absl::FailedPreconditionError(absl::StrCat("case_id: the case holds ", kMaxSignalsPerCase,
                                                      " signals, the most a case holds; open a new case"));
  }
  c.add_signal_ids(signal_id);
  return absl::OkStatus();
}

bool IsLegalActionMove(v1::ActionStatus from, v1::ActionStatus to) {
  bool open = from == v1::ACTION_STATUS_OPEN || from == v1::ACTION_STATUS_IN_PROGRESS;
  if (!open || from == to) return false;
  return to == v1::ACTION_STATUS_DONE || to == v1::ACTION_STATUS_CANCELLED ||
         (from == v1::ACTION_STATUS_OPEN && to == v1::ACTION_STATUS_IN_PROGRESS);
}

bool IsOverdue(const v1::Action& action, absl::CivilDay today) {
  absl::CivilDay due;
  if (!absl::ParseCivilTime(action.due_date(), &due)) return false;
  bool open = action.status() == v1::ACTION_STATUS_OPEN || action.status() == v1::ACTION_STATUS_IN_PROGRESS;
  return open && due < today;
}

std::vector<v1::AgendaReason> AgendaReasons(const v1::Case& c, const std::vector<v1::Action>& actions,
                                            absl::Time meeting_time, absl::TimeZone zone) {
  std::vector<v1::AgendaReason> reasons;
  if (c.status() == v1::CASE_STATUS_CLOSED) return reasons;
  if (c.status() == v1::CASE_STATUS_REGISTERED || c.status() == v1::CASE_STATUS_TRIAGE ||
      c.status() == v1::CASE_STATUS_REOPENED) {
    reasons.push_back(v1::AGENDA_REASON_NEWLY_TRIAGED);
  }
  absl::CivilDay meeting_day = absl::ToCivilDay(meeting_time, zone);
  bool open_actions = false, overdue = false;
  for (const v1::Action& a : actions) {
    open_actions = open_actions || a.status() == v1::ACTION_STATUS_OPEN || a.status() == v1::ACTION_STATUS_IN_PROGRESS;
    overdue = overdue || IsOverdue(a, meeting_day);
  }
  if (overdue) reasons.push_back(v1::AGENDA_REASON_OVERDUE_ACTIONS);
  if (c.has_next_review_at() && absl::FromUnixSeconds(c.next_review_at().seconds()) <= meeting_time) {
    reasons.push_back(v1::AGENDA_REASON_REVIEW_DUE);
  }
  if (c.status() == v1::CASE_STATUS_MONITORING && !open_actions) {
    reasons.push_back(v1::AGENDA_REASON_PROPOSED_CLOSURE);
  }
  return reasons;
}

bool ClosesOrReopens(v1::CaseStatus from, v1::CaseStatus to) {
  return (from == v1::CASE_STATUS_CLOSED) != (to == v1::CASE_STATUS_CLOSED);
}

absl::Duration ReviewCadence(v1::RiskTier tier) {
  switch (tier) {
    case v1::RISK_TIER_HIGH: return absl::Hours(24 * 14);
    case v1::RISK_TIER_MEDIUM: return absl::Hours(24 * 28);
    case v1::RISK_TIER_LOW: return absl::Hours(24 * 56);
    default: return absl::ZeroDuration();
  }
}

v1::Confidentiality DefaultConfidentiality(v1::CaseKind kind) {
  return kind == v1::CASE_KIND_CASUISTIEK ? v1::CONFIDENTIALITY_VERTROUWELIJK
                                          : v1::CONFIDENTIALITY_ZAAKVERTROUWELIJK;
}

std::string AddressKey(const common::v1::Address& address) {
  std::string key;
  for (char ch : absl::StrCat(address.postcode(), "|", address.house_number(), "|",
                              address.house_number_addition())) {
    if (!absl::ascii_isspace(static_cast<unsigned char>(ch))) key.push_back(absl::ascii_toupper(ch));
  }
  return key;
}

namespace {

std::string NormalName(absl::string_view name) {
  std::vector<absl::string_view> words = absl::StrSplit(name, ' ', absl::SkipWhitespace());
  return absl::AsciiStrToLower(absl::StrJoin(words, " "));
}

}  // namespace

bool SamePerson(absl::string_view name_a, int year_a, absl::string_view name_b, int year_b) {
  if (year_a != 0 && year_b != 0 && year_a != year_b) return false;
  std::string a = NormalName(name_a);
  return !a.empty() && a == NormalName(name_b);
}

std::string PersonKey(absl::string_view name) {
  std::string normal = NormalName(name);
  return normal.empty() ? "" : HexEncode(Sha256(normal)).substr(0, 32);
}

CutOff CutOffOf(const TenantSettings& settings) {
  CutOff cut_off;
  cut_off.weekday = settings.triage_cut_off_weekday();
  const std::string& time = settings.triage_cut_off_time();
  int hour = 0, minute = 0;
  if (time.size() == 5 && absl::SimpleAtoi(time.substr(0, 2), &hour) && absl::SimpleAtoi(time.substr(3, 2), &minute)) {
    cut_off.hour = hour;
    cut_off.minute = minute;
  }
  return cut_off;
}

absl::Time WeeklyCutOff(absl::Time now, absl::TimeZone zone, CutOff cut_off) {
  const absl::CivilDay today = absl::ToCivilDay(now, zone);
  // absl numbers Monday 0 to Sunday 6; ISO numbers Monday 1 to Sunday 7.
  const int since = (static_cast<int>(absl::GetWeekday(today)) - (cut_off.weekday - 1) + 7) % 7;
  auto at = [&](absl::CivilDay day) {
    return absl::FromCivil(absl::CivilMinute(day.year(), day.month(), day.day(), cut_off.hour, cut_off.minute), zone);
  };
  const absl::Time this_week = at(today - since);
  return this_week <= now ? this_week : at(today - since - 7);
}

}  // namespace hartslag::cases
