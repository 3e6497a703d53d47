// Figures without personal data, end to end: signals submitted and weighed
// through hartslag-intake and hartslag-cases, cases and actions in
// hartslag-cases, counted per ISO week in Heerlen's time zone by
// SignalFiguresService and CaseFiguresService and by `hartslag figures`.
// Small cells are withheld ("<5"), nothing about a person, an address or a
// text leaves, a coordinator counts only its own areas, and a reporter or
// partner counts nothing.
//
// The test moves the moments of what it made to fixed days in 2020 in the
// database, as if it had happened then, so that weeks, deadlines and lead
// times are known whatever day the test runs.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "hartslag/cases/v1/cases.grpc.pb.h"
#include "hartslag/cases/v1/figures.grpc.pb.h"
#include "hartslag/intake/v1/figures.grpc.pb.h"
#include "hartslag/intake/v1/intake.grpc.pb.h"
#include "services/common/crypto.h"
#include "services/common/figures.h"
#include "tests/support/cli_run.h"
#include "tests/support/deployment.h"
#include "tests/support/sample_signal.h"
#include "tests/support/test_keys.h"

namespace hartslag {
namespace {

namespace cv1 = cases::v1;
namespace iv1 = intake::v1;
using testing::ClaimsFor;

// Personal data and free text the test puts in; none of it may reach a
// figure.
constexpr const char* kPrivate[] = {"Jan Jansen", "Heerenweg", "6414", "Matrassen", "sanne.coach",
                                    "Overlast bij familie Jansen", "Woonpunt Zuid", "eigendom van de corporatie",
                                    "al opgeruimd", "Huisbezoek bij Jansen", "niemand thuis"};

// The signals' week: 31 December 2020 23:30 UTC is 1 January 2021 in
// Amsterdam, in ISO week 2020-W53.
constexpr char kReportedAt[] = "2020-12-31 23:30:00+00";
// The cases' week: Monday 23 November 2020 (2020-W48).
constexpr char kOpenedAt[] = "2020-11-23 10:00:00+00";

class FiguresEndToEndTest : public ::testing::Test {
 protected:
  FiguresEndToEndTest() {
    signals_ = iv1::SignalService::NewStub(deployment_.Channel(deployment_.intake()));
    signal_figures_ = iv1::SignalFiguresService::NewStub(deployment_.Channel(deployment_.intake()));
    triage_ = cv1::TriageService::NewStub(deployment_.Channel(deployment_.cases()));
    actions_ = cv1::ActionService::NewStub(deployment_.Channel(deployment_.cases()));
    case_figures_ = cv1::CaseFiguresService::NewStub(deployment_.Channel(deployment_.cases()));
    coach_ = deployment_.Token(ClaimsFor("sanne.coach", "gemeente", "MUNICIPALITY", {"REPORTER"}, {"heerlen-noord"}));
    coordinator_ = deployment_.Token(
        ClaimsFor("carla.coordinator", "gemeente", "MUNICIPALITY", {"COORDINATOR"}, {"heerlen-noord"}));
    gms_coordinator_ =
        deployment_.Token(ClaimsFor("gert.coordinator", "gemeente", "MUNICIPALITY", {"COORDINATOR"}, {"gms"}));
    admin_ = deployment_.Token(ClaimsFor("anna.admin", "gemeente", "MUNICIPALITY", {"ADMIN"}, {}));
    police_ = deployment_.Token(ClaimsFor("peter.politie", "politie", "POLICE", {"PARTNER"}, {}));
  }

  std::unique_ptr<grpc::ClientContext> Call(const std::string& token, const std::string& purpose = "") {
    auto call = deployment_.Call(token);
    if (!purpose.empty()) call->AddMetadata("x-hartslag-purpose", purpose);
    return call;
  }

  std::string Submit(const std::string& category) {
    iv1::SubmitSignalRequest r = testing::SampleSignal("vrieheide", category);
    r.set_description("Matrassen en huisraad naast de container.");
    iv1::Person* person = r.add_persons();
    person->set_name("Jan Jansen");
    person->set_birth_year(1970);
    iv1::SubmitSignalResponse out;
    grpc::Status status = signals_->SubmitSignal(Call(coach_).get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out.signal().signal_id();
  }

  void Decide(const std::string& signal_id, cv1::TriageChoice choice) {
    cv1::TriageSignalRequest r;
    r.set_request_id(RandomUuid());
    r.set_signal_id(signal_id);
    r.set_choice(choice);
    if (choice == cv1::TRIAGE_CHOICE_REFER) {
      r.set_refer_to("Woonpunt Zuid");
      r.set_reason("eigendom van de corporatie");
    }
    if (choice == cv1::TRIAGE_CHOICE_NO_ACTION) r.set_reason("al opgeruimd");
    cv1::TriageDecision out;
    grpc::Status status = triage_->TriageSignal(Call(coordinator_, "TRIAGE").get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
  }

  void Sql(const std::string& sql, const db::Params& params = {}) {
    absl::StatusOr<db::Rows> done = deployment_.pool().Query(sql, params);
    ASSERT_TRUE(done.ok()) << done.status() << ": " << sql;
  }

  int64_t Handled() {
    auto rows = deployment_.pool().Query(
        "SELECT count(*) AS n FROM intake.signals WHERE tenant_id = 'heerlen' AND handled_at IS NOT NULL");
    return rows.ok() ? rows->Int(0, "n") : -1;
  }

  // In vrieheide, as if reported on kReportedAt: 11 signals about dumping
  // (5 weighed in time, 5 weighed after their late moment, 1 still waiting
  // and late) and 2 about neglect (both weighed in time, no action).
  void MakeSignals() {
    std::vector<std::string> dumping, neglect;
    for (int i = 0; i < 11; ++i) dumping.push_back(Submit("afval-dumping"));
    for (int i = 0; i < 2; ++i) neglect.push_back(Submit("verloedering"));
    // The first five and the one left waiting were already past their term
    // when they were weighed.
    for (int i : {5, 6, 7, 8, 9, 10}) {
      Sql("UPDATE intake.signals SET due_at = reported_at, late_at = reported_at WHERE signal_id = $1::uuid",
          {dumping[i]});
    }
    cv1::TriageQueue queue;
    cv1::GetTriageQueueRequest page;
    page.set_page_size(50);
    ASSERT_TRUE(triage_->GetTriageQueue(Call(coordinator_, "TRIAGE").get(), page, &queue).ok());
    ASSERT_EQ(queue.items_size(), 13);
    for (int i = 0; i < 5; ++i) Decide(dumping[i], cv1::TRIAGE_CHOICE_HANDLE_DIRECTLY);
    for (int i = 5; i < 10; ++i) Decide(dumping[i], cv1::TRIAGE_CHOICE_REFER);
    for (const std::string& id : neglect) Decide(id, cv1::TRIAGE_CHOICE_NO_ACTION);
    absl::Time give_up = absl::Now() + absl::Seconds(30);
    while (Handled() < 12 && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(100));
    ASSERT_EQ(Handled(), 12) << "the outcomes reached intake";
    // Every moment of each signal moves with its reporting to kReportedAt.
    Sql(absl::StrCat("UPDATE intake.signals SET due_at = '", kReportedAt, "'::timestamptz + (due_at - reported_at), ",
                     "late_at = '", kReportedAt, "'::timestamptz + (late_at - reported_at), ", "handled_at = '",
                     kReportedAt, "'::timestamptz + (handled_at - reported_at), ", "observed_at = '", kReportedAt,
                     "', reported_at = '", kReportedAt, "' WHERE tenant_id = 'heerlen'"));
  }

  // In vrieheide, opened on kOpenedAt: 6 Leefbaarheid cases of which 5
  // closed 1 to 5 days (and an hour) later, and 2 Casuïstiek cases closed a
  // day later.
  void MakeCases() {
    RequestContext carla;
    carla.tenant = "heerlen";
    carla.user = "carla.coordinator";
    carla.organisation = "gemeente";
    auto seed = [&](cv1::CaseKind kind, std::optional<int> closed_after_days) {
      cv1::Case c;
      c.set_kind(kind);
      c.set_title("Overlast bij familie Jansen");
      c.mutable_area()->set_area_id("vrieheide");
      c.set_process_coordinator("carla.coordinator");
      c.add_persons()->set_name("Jan Jansen");
      absl::StatusOr<cv1::Case> opened = deployment_.SeedCase(carla, c);
      ASSERT_TRUE(opened.ok()) << opened.status();
      Sql(absl::StrCat("UPDATE cases.status_changes SET at = '", kOpenedAt, "' WHERE case_id = $1::uuid"),
          {opened->case_id()});
      if (!closed_after_days) return;
      ASSERT_TRUE(deployment_
                      .SeedCaseChange(carla, opened->case_id(),
                                      [](cv1::Case& closed) { closed.set_status(cv1::CASE_STATUS_CLOSED); })
                      .ok());
      Sql(absl::StrCat("UPDATE cases.cases SET closed_at = '", kOpenedAt, "'::timestamptz + make_interval(days => ",
                       *closed_after_days, ", hours => 1) WHERE case_id = $1::uuid"),
          {opened->case_id()});
    };
    for (int days = 1; days <= 5; ++days) seed(cv1::CASE_KIND_LEEFBAARHEID, days);
    seed(cv1::CASE_KIND_LEEFBAARHEID, std::nullopt);
    seed(cv1::CASE_KIND_CASUISTIEK, 1);
    seed(cv1::CASE_KIND_CASUISTIEK, 1);
  }

  static common::v1::ReportingPeriod Period(const std::string& start, const std::string& end) {
    common::v1::ReportingPeriod period;
    period.set_start_date(start);
    period.set_end_date(end);
    return period;
  }

  grpc::Status SignalFigures(const std::string& token, iv1::GetSignalFiguresResponse* out,
                             const std::string& area = "", const std::string& start = "2020-11-23",
                             const std::string& end = "2021-01-04") {
    iv1::GetSignalFiguresRequest r;
    *r.mutable_period() = Period(start, end);
    r.set_area_id(area);
    return signal_figures_->GetSignalFigures(Call(token).get(), r, out);
  }

  grpc::Status CaseFigures(const std::string& token, cv1::GetCaseFiguresResponse* out, const std::string& area = "",
                           const std::string& start = "2020-11-23", const std::string& end = "2021-01-04") {
    cv1::GetCaseFiguresRequest r;
    *r.mutable_period() = Period(start, end);
    r.set_area_id(area);
    return case_figures_->GetCaseFigures(Call(token).get(), r, out);
  }

  static std::string Shown(const common::v1::SuppressedCount& count) {
    return CountText(count);
  }

  static void ExpectNothingPrivate(const google::protobuf::Message& answer) {
    const std::string bytes = answer.SerializeAsString();
    for (const char* text : kPrivate) {
      EXPECT_EQ(bytes.find(text), std::string::npos) << "\"" << text << "\" in " << answer.ShortDebugString();
    }
  }

  std::string CliFlags(const std::string& token) {
    return absl::StrCat("figures --server ", deployment_.intake().address(), " --cases-server ",
                        deployment_.cases().address(), " --ca ", testing::CertsDir(), "/ca.pem --token ", token);
  }

  testing::Deployment deployment_;
  std::unique_ptr<iv1::SignalService::Stub> signals_;
  std::unique_ptr<iv1::SignalFiguresService::Stub> signal_figures_;
  std::unique_ptr<cv1::TriageService::Stub> triage_;
  std::unique_ptr<cv1::ActionService::Stub> actions_;
  std::unique_ptr<cv1::CaseFiguresService::Stub> case_figures_;
  std::string coach_, coordinator_, gms_coordinator_, admin_, police_;
};

TEST_F(FiguresEndToEndTest, SignalsAreCountedPerWeekAreaCategoryAndSourceSmallCellsWithheld) {
  MakeSignals();
  iv1::GetSignalFiguresResponse figures;
  grpc::Status status = SignalFigures(coordinator_, &figures);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(figures.time_zone(), "Europe/Amsterdam");
  ASSERT_EQ(figures.rows_size(), 2) << figures.ShortDebugString();

  const iv1::SignalFiguresRow& dumping = figures.rows(0);
  EXPECT_EQ(dumping.week(), "2020-W53") << "1 January 2021 in Amsterdam, in the week of 31 December";
  EXPECT_EQ(dumping.area().area_id(), "vrieheide");
  EXPECT_EQ(dumping.area().name(), "Vrieheide");
  EXPECT_EQ(dumping.category_id(), "afval-dumping");
  EXPECT_EQ(dumping.source(), iv1::SOURCE_STREET_COACH);
  // 11 = 5 + 0 + 5 + 1: with the 1 withheld, 11 - 5 - 0 - 5 gives it away;
  // with one 5 withheld too, 6 = x + <5 makes x 5 and <5 1; with both, 11 =
  // x + x + <5 is the least three such cells can be. Everything goes.
  EXPECT_EQ(Shown(dumping.received()), "x");
  EXPECT_EQ(Shown(dumping.handled_in_time()), "x");
  EXPECT_EQ(Shown(dumping.handled_overdue()), "0");
  EXPECT_EQ(Shown(dumping.handled_late()), "x");
  EXPECT_EQ(Shown(dumping.waiting()), "<5");
  EXPECT_EQ(dumping.waiting().value(), 0) << "a withheld count leaves the service as 0";
  EXPECT_EQ(Shown(dumping.waiting_overdue()), "0");
  EXPECT_EQ(Shown(dumping.waiting_late()), "<5");
  EXPECT_EQ(Shown(dumping.accepted()), "x") << "else 11 - 5 - 0 - 5 gives it away again";
  EXPECT_EQ(Shown(dumping.referred()), "x") << "else 6 = x + <5 gives both away";
  EXPECT_EQ(Shown(dumping.no_action()), "0");

  const iv1::SignalFiguresRow& neglect = figures.rows(1);
  EXPECT_EQ(neglect.week(), "2020-W53");
  EXPECT_EQ(neglect.category_id(), "verloedering");
  EXPECT_TRUE(neglect.received().suppressed()) << "a cell of 2 is withheld";
  EXPECT_EQ(neglect.received().value(), 0);
  EXPECT_TRUE(neglect.handled_in_time().suppressed());
  EXPECT_TRUE(neglect.no_action().suppressed());
  EXPECT_EQ(Shown(neglect.handled_late()), "0");
  ExpectNothingPrivate(figures);

  EXPECT_EQ(figures.period().start_date(), "2020-11-23") << "Mondays stay as asked";
  EXPECT_EQ(figures.period().end_date(), "2021-01-04");

  // The municipality's admin counts the same; the weeks before 2020-W53
  // hold none of them.
  iv1::GetSignalFiguresResponse whole;
  ASSERT_TRUE(SignalFigures(admin_, &whole).ok());
  EXPECT_EQ(whole.rows_size(), 2);
  iv1::GetSignalFiguresResponse december;
  ASSERT_TRUE(SignalFigures(admin_, &december, "", "2020-12-01", "2020-12-28").ok());
  EXPECT_EQ(december.rows_size(), 0) << december.ShortDebugString();
  EXPECT_EQ(december.period().start_date(), "2020-11-30") << "widened to the Monday before";
  EXPECT_EQ(december.period().end_date(), "2020-12-28");
  // A period of days is counted in whole weeks, and the response says so:
  // Wednesday 30 December to Thursday 31 December counts all of 2020-W53,
  // the signals of Friday 1 January too. So does 1 to 2 January: two
  // periods a few days apart cannot be subtracted to count those days.
  const std::pair<const char*, const char*> days[] = {{"2020-12-30", "2020-12-31"}, {"2021-01-01", "2021-01-02"}};
  for (const auto& [start, end] : days) {
    iv1::GetSignalFiguresResponse week;
    ASSERT_TRUE(SignalFigures(admin_, &week, "vrieheide", start, end).ok());
    EXPECT_EQ(week.rows_size(), 2) << start;
    EXPECT_EQ(week.period().start_date(), "2020-12-28") << start;
    EXPECT_EQ(week.period().end_date(), "2021-01-04") << start;
  }
  cv1::GetCaseFiguresResponse cases_week;
  ASSERT_TRUE(CaseFigures(admin_, &cases_week, "", "2020-12-30", "2020-12-31").ok());
  EXPECT_EQ(cases_week.period().start_date(), "2020-12-28");
  EXPECT_EQ(cases_week.period().end_date(), "2021-01-04");
}

TEST_F(FiguresEndToEndTest, CasesCountOpenedClosedAndLeadTimesOverFiveOrMoreCases) {
  MakeCases();
  cv1::GetCaseFiguresResponse figures;
  grpc::Status status = CaseFigures(coordinator_, &figures);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(figures.cases_size(), 2) << figures.ShortDebugString();

  const cv1::CaseFiguresRow& household = figures.cases(0);
  EXPECT_EQ(household.week(), "2020-W48");
  EXPECT_EQ(household.kind(), cv1::CASE_KIND_CASUISTIEK);
  EXPECT_TRUE(household.opened().suppressed());
  EXPECT_TRUE(household.closed().suppressed());
  ASSERT_TRUE(household.has_lead_time());
  EXPECT_TRUE(household.lead_time().suppressed()) << "a lead time over 2 cases is withheld";
  EXPECT_EQ(household.lead_time().median_days(), 0);

  const cv1::CaseFiguresRow& liveability = figures.cases(1);
  EXPECT_EQ(liveability.week(), "2020-W48");
  EXPECT_EQ(liveability.area().name(), "Vrieheide");
  EXPECT_EQ(liveability.kind(), cv1::CASE_KIND_LEEFBAARHEID);
  EXPECT_EQ(Shown(liveability.opened()), "6");
  EXPECT_EQ(Shown(liveability.closed()), "5");
  ASSERT_TRUE(liveability.has_lead_time());
  EXPECT_FALSE(liveability.lead_time().suppressed());
  EXPECT_DOUBLE_EQ(liveability.lead_time().median_days(), 3.0) << "1..5 days and an hour";
  EXPECT_DOUBLE_EQ(liveability.lead_time().p90_days(), 4.6);
  ExpectNothingPrivate(figures);

  // A case reopened is no longer counted as closed.
  Sql("UPDATE cases.cases SET status = 'TRIAGE', closed_at = NULL WHERE case_id = "
      "(SELECT case_id FROM cases.cases WHERE kind = 'LEEFBAARHEID' AND closed_at IS NOT NULL LIMIT 1)");
  ASSERT_TRUE(CaseFigures(admin_, &figures).ok());
  ASSERT_EQ(figures.cases_size(), 2);
  EXPECT_EQ(Shown(figures.cases(1).closed()), "<5");
  EXPECT_TRUE(figures.cases(1).lead_time().suppressed());
}

TEST_F(FiguresEndToEndTest, ActionsAreCountedPerOrganisationCompletedLateAndOverdue) {
  RequestContext carla;
  carla.tenant = "heerlen";
  carla.user = "carla.coordinator";
  carla.organisation = "gemeente";
  cv1::Case c;
  c.set_kind(cv1::CASE_KIND_LEEFBAARHEID);
  c.set_title("Overlast bij familie Jansen");
  c.mutable_area()->set_area_id("vrieheide");
  c.set_process_coordinator("carla.coordinator");
  absl::StatusOr<cv1::Case> opened = deployment_.SeedCase(carla, c);
  ASSERT_TRUE(opened.ok()) << opened.status();
  // Six for the police, due long ago, five of them completed now (late);
  // two for the housing corporation, due in the future.
  auto give = [&](const std::string& organisation, const std::string& due) {
    cv1::Action a;
    a.set_action_id(RandomUuid());
    a.set_case_id(opened->case_id());
    a.set_description("Huisbezoek bij Jansen");
    a.add_organisation_ids(organisation);
    a.set_due_date(due);
    a.set_status(cv1::ACTION_STATUS_OPEN);
    EXPECT_TRUE(deployment_.SeedAction(carla, a).ok());
    return a.action_id();
  };
  std::vector<std::string> police;
  for (int i = 0; i < 6; ++i) police.push_back(give("politie", "2021-01-04"));
  give("woonpunt", "2099-01-01");
  give("woonpunt", "2099-01-01");
  for (int i = 0; i < 5; ++i) {
    cv1::UpdateActionRequest done;
    done.set_action_id(police[i]);
    done.set_status(cv1::ACTION_STATUS_DONE);
    done.set_result("niemand thuis");
    cv1::Action out;
    grpc::Status status = actions_->UpdateAction(Call(police_, "ACTION_EXECUTION").get(), done, &out);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  absl::TimeZone amsterdam;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Amsterdam", &amsterdam));
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), amsterdam);
  cv1::GetCaseFiguresResponse figures;
  grpc::Status status = CaseFigures(coordinator_, &figures, "", absl::FormatCivilTime(today - 1),
                                    absl::FormatCivilTime(today + 2));
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(figures.actions_size(), 2) << figures.ShortDebugString();
  const cv1::ActionFiguresRow& politie = figures.actions(0);
  EXPECT_EQ(politie.organisation_id(), "politie");
  EXPECT_EQ(politie.week(), IsoWeekLabel(absl::Now(), amsterdam));
  EXPECT_EQ(Shown(politie.created()), "x") << "else 6 = x + <5 makes x 5 and <5 1";
  EXPECT_EQ(Shown(politie.completed()), "x") << "else 6 - 5 gives the open one away";
  EXPECT_EQ(Shown(politie.completed_late()), "5");
  EXPECT_EQ(Shown(politie.open()), "<5");
  EXPECT_EQ(Shown(politie.overdue()), "<5");
  const cv1::ActionFiguresRow& woonpunt = figures.actions(1);
  EXPECT_EQ(woonpunt.organisation_id(), "woonpunt");
  EXPECT_EQ(Shown(woonpunt.created()), "<5");
  EXPECT_EQ(Shown(woonpunt.completed()), "0");
  EXPECT_EQ(Shown(woonpunt.overdue()), "0");
  ExpectNothingPrivate(figures);
}

TEST_F(FiguresEndToEndTest, ACoordinatorCountsOnlyItsAreasAReporterOrPartnerNothing) {
  MakeSignals();
  MakeCases();
  iv1::GetSignalFiguresResponse signals;
  ASSERT_TRUE(SignalFigures(gms_coordinator_, &signals).ok());
  EXPECT_EQ(signals.rows_size(), 0) << "nothing of Vrieheide for GMS's coordinator";
  cv1::GetCaseFiguresResponse cases;
  ASSERT_TRUE(CaseFigures(gms_coordinator_, &cases).ok());
  EXPECT_EQ(cases.cases_size(), 0) << cases.ShortDebugString();
  EXPECT_EQ(cases.actions_size(), 0);

  grpc::Status outside = SignalFigures(gms_coordinator_, &signals, "vrieheide");
  EXPECT_EQ(outside.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(outside.error_message(), "area_id: outside your areas");
  EXPECT_EQ(CaseFigures(gms_coordinator_, &cases, "vrieheide").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(SignalFigures(coach_, &signals).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(CaseFigures(coach_, &cases).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(CaseFigures(police_, &cases).error_code(), grpc::StatusCode::PERMISSION_DENIED);

  // The coordinator's own wijk alone; a wijk without data is empty.
  ASSERT_TRUE(SignalFigures(coordinator_, &signals, "vrieheide").ok());
  EXPECT_EQ(signals.rows_size(), 2);
  ASSERT_TRUE(SignalFigures(coordinator_, &signals, "kasteelbuurt").ok());
  EXPECT_EQ(signals.rows_size(), 0);
}

TEST_F(FiguresEndToEndTest, EveryCallIsRecordedInTheAuditLogAsAListOfFigures) {
  iv1::GetSignalFiguresResponse signals;
  cv1::GetCaseFiguresResponse cases;
  ASSERT_TRUE(SignalFigures(coordinator_, &signals).ok());
  ASSERT_TRUE(CaseFigures(coordinator_, &cases).ok());
  ASSERT_EQ(SignalFigures(coach_, &signals).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  int answered = 0, refused = 0;
  absl::Time give_up = absl::Now() + absl::Seconds(20);
  while ((answered < 2 || refused < 1) && absl::Now() < give_up) {
    audit::EventQuery query;
    query.log_id = "heerlen";
    query.object_type = "figures";
    auto found = deployment_.audit_store().Query(query, absl::InfiniteFuture());
    answered = refused = 0;
    if (found.ok()) {
      for (const auto& entry : *found) {
        audit::v1::AuditEvent e;
        ASSERT_TRUE(e.ParseFromString(entry.bytes));
        EXPECT_EQ(e.action(), audit::v1::ACTION_LIST);
        if (e.outcome() == audit::v1::OUTCOME_SUCCESS && e.actor().user_id() == "carla.coordinator") {
          EXPECT_EQ(e.object().id(), "2020-11-23..2021-01-04") << "the period";
          ++answered;
        }
        if (e.outcome() == audit::v1::OUTCOME_DENIED && e.actor().user_id() == "sanne.coach") ++refused;
      }
    }
    if (answered < 2 || refused < 1) absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(answered, 2) << "one record from intake, one from cases";
  EXPECT_EQ(refused, 1);
}

TEST_F(FiguresEndToEndTest, BadInputIsNamedByField) {
  iv1::GetSignalFiguresResponse signals;
  cv1::GetCaseFiguresResponse cases;
  struct Case {
    std::string area, start, end, message;
  } refused[] = {
      {"", "", "2021-01-04", "period.start_date: must be a day as YYYY-MM-DD between 2000 and 2999"},
      {"", "2021-01-04", "2021-01-04", "period.end_date: must be after period.start_date"},
      {"", "2020-01-01", "2022-01-04",
       "period.end_date: at most 105 weeks after period.start_date, counted in whole weeks from Monday"},
      {"atlantis", "2020-11-23", "2021-01-04", "area_id: not a known area"},
      {"<script>", "2020-11-23", "2021-01-04", "area_id: "},
  };
  for (const Case& c : refused) {
    grpc::Status intake = SignalFigures(admin_, &signals, c.area, c.start, c.end);
    EXPECT_EQ(intake.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.message;
    EXPECT_EQ(intake.error_message().rfind(c.message, 0), 0u) << intake.error_message();
    grpc::Status cases_status = CaseFigures(admin_, &cases, c.area, c.start, c.end);
    EXPECT_EQ(cases_status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.message;
    EXPECT_EQ(cases_status.error_message().rfind(c.message, 0), 0u) << cases_status.error_message();
  }
}

TEST_F(FiguresEndToEndTest, TheCommandLinePrintsTheTablesAndCsvForReports) {
  MakeSignals();
  MakeCases();
  testing::CliRun csv = testing::CliApart(
      absl::StrCat(CliFlags(coordinator_), " --from 2020-11-23 --to 2021-01-04 --csv"));
  ASSERT_EQ(csv.exit_code, 0) << csv.errors;
  EXPECT_EQ(csv.output,
            "Meldingen\r\n"
            "WEEK,GEBIED,CATEGORIE,BRON,BINNEN,OP TIJD,OVER TERMIJN,TE LAAT,WACHTEND,WACHTEND OVER TERMIJN,"
            "WACHTEND TE LAAT,OPGEPAKT,DOORVERWEZEN,GEEN ACTIE\r\n"
            "2020-W53,Vrieheide,afval-dumping,street_coach,x,x,0,x,<5,0,<5,x,x,0\r\n"
            "2020-W53,Vrieheide,verloedering,street_coach,<5,<5,0,0,0,0,0,0,0,<5\r\n"
            "\r\n"
            "Casussen\r\n"
            "WEEK,GEBIED,OVERLEG,GEOPEND,GESLOTEN,DOORLOOPTIJD MEDIAAN (DAGEN),DOORLOOPTIJD P90 (DAGEN)\r\n"
            "2020-W48,Vrieheide,casuistiek,<5,<5,<5,<5\r\n"
            "2020-W48,Vrieheide,leefbaarheid,6,5,3.0,4.6\r\n"
            "\r\n"
            "Acties\r\n"
            "WEEK,GEBIED,ORGANISATIE,GEGEVEN,AFGEROND,AFGEROND NA DATUM,OPEN,OVER DATUM\r\n");
  EXPECT_NE(csv.errors.find("Europe/Amsterdam"), std::string::npos) << "the note goes to stderr: " << csv.errors;
  EXPECT_NE(csv.errors.find("van 2020-11-23 tot 2021-01-04"), std::string::npos) << "the weeks counted: " << csv.errors;

  // Days asked for are counted in whole weeks, and the note says which.
  testing::CliRun widened = testing::CliApart(
      absl::StrCat(CliFlags(coordinator_), " --from 2020-12-30 --to 2020-12-31 --csv --table signals"));
  ASSERT_EQ(widened.exit_code, 0) << widened.errors;
  EXPECT_NE(widened.output.find("2020-W53,Vrieheide,afval-dumping,"), std::string::npos) << widened.output;
  EXPECT_NE(widened.errors.find("van 2020-12-28 tot 2021-01-04"), std::string::npos) << widened.errors;

  // One table alone is a plain RFC 4180 file.
  testing::CliRun cases = testing::CliApart(
      absl::StrCat(CliFlags(admin_), " --from 2020-11-23 --to 2021-01-04 -o csv --table cases --area vrieheide"));
  ASSERT_EQ(cases.exit_code, 0) << cases.errors;
  EXPECT_EQ(cases.output.rfind("WEEK,GEBIED,OVERLEG,", 0), 0u) << cases.output;

  testing::CliRun table = testing::CliApart(absl::StrCat(CliFlags(coordinator_), " --from 2020-11-23 --to 2021-01-04"));
  ASSERT_EQ(table.exit_code, 0) << table.errors;
  EXPECT_EQ(table.output.rfind("Meldingen\nWEEK  ", 0), 0u) << table.output;
  EXPECT_NE(table.output.find("\nCasussen\n"), std::string::npos) << table.output;
  for (const char* text : kPrivate) EXPECT_EQ(table.output.find(text), std::string::npos) << text;

  testing::CliRun refused = testing::CliApart(absl::StrCat(CliFlags(coach_), " --from 2020-11-23 --to 2021-01-04"));
  EXPECT_EQ(refused.exit_code, 1) << refused.errors;
  EXPECT_NE(refused.errors.find("PERMISSION_DENIED"), std::string::npos) << refused.errors;
  testing::CliRun usage = testing::CliApart(absl::StrCat(CliFlags(coordinator_), " --from 2020-11-23"));
  EXPECT_EQ(usage.exit_code, 2) << usage.errors;
  EXPECT_NE(usage.errors.find("--to ontbreekt"), std::string::npos) << usage.errors;
}

}  // namespace
}  // namespace hartslag
