// The case rules as a specification: the lifecycle table, review cadence,
// default confidentiality, actions, triage matching and agenda reasons.
#include "services/cases/case_rules.h"

#include <gtest/gtest.h>

#include <set>
#include <tuple>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "hartslag/intake/v1/intake.pb.h"
#include "services/common/request_bounds.h"

namespace hartslag::cases {
namespace {

using S = v1::CaseStatus;

TEST(CaseLifecycleTest, ExactlyTheDocumentedMovesAreLegal) {
  const std::set<std::pair<S, S>> legal = {
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
  for (int from = v1::CaseStatus_MIN; from <= v1::CaseStatus_MAX; ++from) {
    for (int to = v1::CaseStatus_MIN; to <= v1::CaseStatus_MAX; ++to) {
      EXPECT_EQ(IsLegalTransition(S(from), S(to)), legal.contains({S(from), S(to)}))
          << v1::CaseStatus_Name(from) << " -> " << v1::CaseStatus_Name(to);
    }
  }
}

TEST(CaseLifecycleTest, OnlyClosingAndReopeningChangeWhetherACaseIsOpen) {
  EXPECT_TRUE(ClosesOrReopens(v1::CASE_STATUS_TRIAGE, v1::CASE_STATUS_CLOSED));
  EXPECT_TRUE(ClosesOrReopens(v1::CASE_STATUS_MONITORING, v1::CASE_STATUS_CLOSED));
  EXPECT_TRUE(ClosesOrReopens(v1::CASE_STATUS_CLOSED, v1::CASE_STATUS_REOPENED));
  EXPECT_FALSE(ClosesOrReopens(v1::CASE_STATUS_REGISTERED, v1::CASE_STATUS_TRIAGE));
  EXPECT_FALSE(ClosesOrReopens(v1::CASE_STATUS_REOPENED, v1::CASE_STATUS_TRIAGE));
  EXPECT_FALSE(ClosesOrReopens(v1::CASE_STATUS_IN_PROGRESS, v1::CASE_STATUS_MONITORING));
}

TEST(CaseLifecycleTest, RiskTierSetsTheReviewCadenceAndKindTheDefaultConfidentiality) {
  EXPECT_EQ(ReviewCadence(v1::RISK_TIER_HIGH), absl::Hours(24 * 14));
  EXPECT_EQ(ReviewCadence(v1::RISK_TIER_MEDIUM), absl::Hours(24 * 28));
  EXPECT_EQ(ReviewCadence(v1::RISK_TIER_LOW), absl::Hours(24 * 56));
  EXPECT_EQ(ReviewCadence(v1::RISK_TIER_UNSPECIFIED), absl::ZeroDuration());
  EXPECT_EQ(DefaultConfidentiality(v1::CASE_KIND_LEEFBAARHEID), v1::CONFIDENTIALITY_ZAAKVERTROUWELIJK);
  EXPECT_EQ(DefaultConfidentiality(v1::CASE_KIND_CASUISTIEK), v1::CONFIDENTIALITY_VERTROUWELIJK);
}

// Intake learns whether a case keeps its signals whole from one case state
// that names them all, and takes at most as many as a case holds.
TEST(CaseLifecycleTest, ACaseHoldsAsManySignalsAsOneCaseStateCarriesAndNoMore) {
  const google::protobuf::FieldDescriptor* in_state =
      intake::v1::CaseState::descriptor()->FindFieldByNumber(intake::v1::CaseState::kSignalIdsFieldNumber);
  const google::protobuf::FieldDescriptor* in_case =
      v1::Case::descriptor()->FindFieldByNumber(v1::Case::kSignalIdsFieldNumber);
  EXPECT_EQ(kMaxSignalsPerCase, MaxItems(in_state));
  EXPECT_EQ(kMaxSignalsPerCase, MaxItems(in_case));

  v1::Case c;
  for (int i = 0; i < kMaxSignalsPerCase; ++i) {
    ASSERT_TRUE(LinkSignal(c, absl::StrCat("signal-", i)).ok()) << i;
  }
  absl::Status full = LinkSignal(c, "one-too-many");
  EXPECT_EQ(full.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StartsWith(full.message(), "case_id: ")) << full;
  EXPECT_EQ(c.signal_ids_size(), kMaxSignalsPerCase) << "the refused signal is not linked";
  EXPECT_EQ(c.signal_ids(kMaxSignalsPerCase - 1), absl::StrCat("signal-", kMaxSignalsPerCase - 1));
}

TEST(ActionRulesTest, ActionsMoveForwardOnlyAndOverdueIsDerived) {
  using A = v1::ActionStatus;
  const std::set<std::pair<A, A>> legal = {
      {v1::ACTION_STATUS_OPEN, v1::ACTION_STATUS_IN_PROGRESS}, {v1::ACTION_STATUS_OPEN, v1::ACTION_STATUS_DONE},
      {v1::ACTION_STATUS_OPEN, v1::ACTION_STATUS_CANCELLED},   {v1::ACTION_STATUS_IN_PROGRESS, v1::ACTION_STATUS_DONE},
      {v1::ACTION_STATUS_IN_PROGRESS, v1::ACTION_STATUS_CANCELLED}};
  for (int from = v1::ActionStatus_MIN; from <= v1::ActionStatus_MAX; ++from) {
    for (int to = v1::ActionStatus_MIN; to <= v1::ActionStatus_MAX; ++to) {
      EXPECT_EQ(IsLegalActionMove(A(from), A(to)), legal.contains({A(from), A(to)}))
          << v1::ActionStatus_Name(from) << " -> " << v1::ActionStatus_Name(to);
    }
  }
  v1::Action action;
  action.set_due_date("2026-11-30");
  action.set_status(v1::ACTION_STATUS_IN_PROGRESS);
  EXPECT_FALSE(IsOverdue(action, absl::CivilDay(2026, 11, 30))) << "due today is not overdue";
  EXPECT_TRUE(IsOverdue(action, absl::CivilDay(2026, 12, 1)));
  action.set_status(v1::ACTION_STATUS_DONE);
  EXPECT_FALSE(IsOverdue(action, absl::CivilDay(2026, 12, 1))) << "done is never overdue";
}

TEST(TriageRulesTest, TheCutOffIsTheLastMondayNoonAndAddressesMatchLoosely) {
  absl::TimeZone amsterdam;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Amsterdam", &amsterdam));
  auto at = [&](int y, int m, int d, int h) { return absl::FromCivil(absl::CivilHour(y, m, d, h), amsterdam); };
  EXPECT_EQ(WeeklyCutOff(at(2026, 11, 29, 23), amsterdam), at(2026, 11, 23, 12)) << "Sunday night";
  EXPECT_EQ(WeeklyCutOff(at(2026, 11, 30, 11), amsterdam), at(2026, 11, 23, 12)) << "Monday morning";
  EXPECT_EQ(WeeklyCutOff(at(2026, 11, 30, 13), amsterdam), at(2026, 11, 30, 12)) << "Monday afternoon";
  // A municipality that closes on Friday at 16:30 (TenantSettings).
  const CutOff friday{5, 16, 30};
  auto minute = [&](int y, int m, int d, int h, int mi) {
    return absl::FromCivil(absl::CivilMinute(y, m, d, h, mi), amsterdam);
  };
  EXPECT_EQ(WeeklyCutOff(minute(2026, 12, 4, 16, 29), amsterdam, friday), minute(2026, 11, 27, 16, 30));
  EXPECT_EQ(WeeklyCutOff(minute(2026, 12, 4, 16, 30), amsterdam, friday), minute(2026, 12, 4, 16, 30));
  EXPECT_EQ(WeeklyCutOff(minute(2026, 12, 7, 9, 0), amsterdam, friday), minute(2026, 12, 4, 16, 30)) << "Monday after";
  // The cut-off as the settings give it; the defaults for what is unset.
  TenantSettings settings;
  settings.set_triage_cut_off_weekday(5);
  settings.set_triage_cut_off_time("16:30");
  const CutOff given = CutOffOf(WithDefaults(settings));
  EXPECT_EQ(std::tie(given.weekday, given.hour, given.minute), std::tie(friday.weekday, friday.hour, friday.minute));
  const CutOff unset = CutOffOf(WithDefaults({}));
  EXPECT_EQ(std::tie(unset.weekday, unset.hour, unset.minute), std::make_tuple(1, 12, 0)) << "Monday 12:00";
  common::v1::Address a, b;
  a.set_postcode("6415 EG");
  a.set_house_number(41);
  a.set_house_number_addition("a");
  b.set_postcode("6415eg");
  b.set_house_number(41);
  b.set_house_number_addition("A");
  EXPECT_EQ(AddressKey(a), AddressKey(b));
  b.set_house_number_addition("");
  EXPECT_NE(AddressKey(a), AddressKey(b));
}

TEST(TriageRulesTest, TheSamePersonIsTheSameNameAndNoOtherYearOfBirth) {
  EXPECT_TRUE(SamePerson("Jan  Jansen", 1970, "jan jansen", 1970));
  EXPECT_TRUE(SamePerson("Jan Jansen", 0, "Jan Jansen", 1970)) << "a year unknown on one side";
  EXPECT_FALSE(SamePerson("Jan Jansen", 1971, "Jan Jansen", 1970));
  EXPECT_FALSE(SamePerson("Jan Jansen", 1970, "Jannie Jansen", 1970));
  EXPECT_FALSE(SamePerson("", 0, "", 0)) << "no name names no one";
}

TEST(TriageRulesTest, APersonKeyIsEqualForNamesThatMayMatchAndIsNotTheName) {
  EXPECT_EQ(PersonKey("Jan  Jansen"), PersonKey(" jan jansen"));
  EXPECT_NE(PersonKey("Jan Jansen"), PersonKey("Jannie Jansen"));
  EXPECT_EQ(PersonKey("Jan Jansen").find("jansen"), std::string::npos);
  EXPECT_EQ(PersonKey("  "), "") << "no name, no key";
}

TEST(AgendaRulesTest, ACaseIsOnTheAgendaForItsReasons) {
  absl::TimeZone amsterdam;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Amsterdam", &amsterdam));
  absl::Time meeting = absl::FromCivil(absl::CivilHour(2026, 12, 2, 14), amsterdam);
  auto reasons = [&](v1::CaseStatus status, std::vector<v1::Action> actions, std::optional<absl::Time> review) {
    v1::Case c;
    c.set_status(status);
    if (review) c.mutable_next_review_at()->set_seconds(absl::ToUnixSeconds(*review));
    return AgendaReasons(c, actions, meeting, amsterdam);
  };
  auto action = [](v1::ActionStatus status, std::string due) {
    v1::Action a;
    a.set_status(status);
    a.set_due_date(due);
    return a;
  };
  using R = std::vector<v1::AgendaReason>;
  EXPECT_EQ(reasons(v1::CASE_STATUS_TRIAGE, {}, std::nullopt), R{v1::AGENDA_REASON_NEWLY_TRIAGED});
  EXPECT_EQ(reasons(v1::CASE_STATUS_IN_PROGRESS, {action(v1::ACTION_STATUS_OPEN, "2026-12-01")}, std::nullopt),
            R{v1::AGENDA_REASON_OVERDUE_ACTIONS});
  EXPECT_EQ(reasons(v1::CASE_STATUS_IN_PROGRESS, {action(v1::ACTION_STATUS_OPEN, "2026-12-02")}, std::nullopt), R{})
      << "due on the meeting day is not overdue";
  EXPECT_EQ(reasons(v1::CASE_STATUS_IN_PROGRESS, {}, meeting - absl::Hours(1)), R{v1::AGENDA_REASON_REVIEW_DUE});
  EXPECT_EQ(reasons(v1::CASE_STATUS_IN_PROGRESS, {}, meeting + absl::Hours(24)), R{});
  EXPECT_EQ(reasons(v1::CASE_STATUS_MONITORING, {action(v1::ACTION_STATUS_DONE, "2026-11-01")}, std::nullopt),
            R{v1::AGENDA_REASON_PROPOSED_CLOSURE});
  EXPECT_EQ(reasons(v1::CASE_STATUS_MONITORING, {action(v1::ACTION_STATUS_OPEN, "2026-12-10")}, std::nullopt), R{})
      << "open actions: not yet";
  EXPECT_EQ(reasons(v1::CASE_STATUS_CLOSED, {action(v1::ACTION_STATUS_OPEN, "2026-11-01")}, meeting), R{});
}

}  // namespace
}  // namespace hartslag::cases
