// "Overzicht" in the browser: the coordinator's figures are the cells
// SignalFiguresService and CaseFiguresService return, "<5" and "x"
// included, with no description, address or name of the signals and cases
// they count; the administrator sees the municipality's. Without a tile
// server hartslag-web offers no map.
#include <gtest/gtest.h>

#include "hartslag/cases/v1/cases.grpc.pb.h"
#include "hartslag/cases/v1/figures.grpc.pb.h"
#include "hartslag/intake/v1/figures.grpc.pb.h"
#include "services/common/figures.h"
#include "tests/support/sample_signal.h"
#include "tests/web/browser_fixture.h"

namespace hartslag::web {
namespace {

namespace cv1 = cases::v1;
namespace iv1 = intake::v1;

// What the test puts in that no figure may show.
constexpr const char* kPrivate[] = {"Matrassen bij Jansen", "Heerenweg", "6414 AB", "Jan Jansen",
                                    "Overlastpand Akerstraat", "Akerstraat"};

std::string Cell(const common::v1::SuppressedCount& c) {
  if (c.secondary()) return "x";
  if (c.suppressed()) return absl::StrCat("<", kSmallestShownCount);
  return absl::StrCat(c.value());
}

class OverviewBrowserTest : public BrowserTest {
 protected:
  OverviewBrowserTest() {
    coach_ = deployment_.Token(
        testing::ClaimsFor("sam.straatcoach", "straatcoaches", "MUNICIPALITY", {"REPORTER"}, {"heerlen-noord"}));
    coordinator_ = deployment_.Token(
        testing::ClaimsFor("carla.coordinator", "gemeente", "MUNICIPALITY", {"COORDINATOR"}, {"heerlen-noord"}));
  }

  void Submit(const std::string& area, const std::string& category) {
    iv1::SubmitSignalRequest r = testing::SampleSignal(area, category);
    r.set_description("Matrassen bij Jansen naast de container.");
    r.add_persons()->set_name("Jan Jansen");
    iv1::SubmitSignalResponse out;
    auto stub = iv1::SignalService::NewStub(deployment_.Channel(deployment_.intake()));
    grpc::Status status = stub->SubmitSignal(deployment_.Call(coach_).get(), r, &out);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  void Open(const std::string& area) {
    cv1::OpenCaseRequest r;
    r.set_request_id(RandomUuid());
    r.set_kind(cv1::CASE_KIND_LEEFBAARHEID);
    r.set_title("Overlastpand Akerstraat");
    r.set_area_id(area);
    common::v1::Address* a = r.mutable_address();
    a->set_street("Akerstraat");
    a->set_house_number(7);
    a->set_postcode("6417 BC");
    a->set_city("Heerlen");
    cv1::Case out;
    auto stub = cv1::CaseService::NewStub(deployment_.Channel(deployment_.cases()));
    grpc::Status status = stub->OpenCase(deployment_.Call(coordinator_).get(), r, &out);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  // Today's week and those around it: the rows are those of this week
  // whatever period the page asks, as nothing else happened.
  common::v1::ReportingPeriod Period() {
    common::v1::ReportingPeriod p;
    p.set_start_date(absl::FormatTime("%Y-%m-%d", absl::Now() - absl::Hours(24 * 14), absl::UTCTimeZone()));
    p.set_end_date(absl::FormatTime("%Y-%m-%d", absl::Now() + absl::Hours(48), absl::UTCTimeZone()));
    return p;
  }

  iv1::GetSignalFiguresResponse SignalFigures() {
    iv1::GetSignalFiguresRequest r;
    *r.mutable_period() = Period();
    iv1::GetSignalFiguresResponse out;
    auto stub = iv1::SignalFiguresService::NewStub(deployment_.Channel(deployment_.intake()));
    grpc::Status status = stub->GetSignalFigures(deployment_.Call(coordinator_).get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  cv1::GetCaseFiguresResponse CaseFigures() {
    cv1::GetCaseFiguresRequest r;
    *r.mutable_period() = Period();
    cv1::GetCaseFiguresResponse out;
    auto stub = cv1::CaseFiguresService::NewStub(deployment_.Channel(deployment_.cases()));
    grpc::Status status = stub->GetCaseFigures(deployment_.Call(coordinator_).get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  std::map<std::string, std::string> CategoryLabels() {
    iv1::ListCategoriesResponse out;
    auto stub = iv1::SignalService::NewStub(deployment_.Channel(deployment_.intake()));
    EXPECT_TRUE(stub->ListCategories(deployment_.Call(coordinator_).get(), {}, &out).ok());
    std::map<std::string, std::string> labels;
    for (const auto& c : out.categories()) labels[c.category_id()] = c.label();
    return labels;
  }

  std::string coach_, coordinator_;
};

TEST_F(OverviewBrowserTest, TheCoordinatorSeesExactlyTheServicesFiguresWithSmallCountsWithheldAndNoPersonalData) {
  // Six about dumping in Vrieheide: a number. Two about neglect in
  // Kasteelbuurt, and one case there: "<5".
  for (int i = 0; i < 6; ++i) Submit("vrieheide", "afval-dumping");
  for (int i = 0; i < 2; ++i) Submit("kasteelbuurt", "verloedering");
  for (int i = 0; i < 5; ++i) Open("vrieheide");
  Open("kasteelbuurt");

  // Counted as soon as stored; bounded all the same.
  iv1::GetSignalFiguresResponse signals;
  cv1::GetCaseFiguresResponse cases;
  absl::Time give_up = absl::Now() + absl::Seconds(30);
  auto counted = [&] {
    int64_t received = 0, opened = 0;
    for (const auto& r : signals.rows()) received += r.received().value();
    for (const auto& r : cases.cases()) opened += r.opened().value();
    return received == 6 && opened == 5;
  };
  while (true) {
    signals = SignalFigures();
    cases = CaseFigures();
    if (counted() || absl::Now() > give_up) break;
    absl::SleepFor(absl::Milliseconds(200));
  }
  ASSERT_TRUE(counted()) << signals.DebugString() << cases.DebugString();

  std::map<std::string, std::string> labels = CategoryLabels();
  nlohmann::json signal_cells = nlohmann::json::array(), case_cells = nlohmann::json::array();
  for (const iv1::SignalFiguresRow& r : signals.rows()) {
    ASSERT_EQ(r.source(), iv1::SOURCE_STREET_COACH);
    signal_cells.push_back({r.week(), r.area().name(), labels[r.category_id()], "Straatcoach",
                            Cell(r.received()), Cell(r.handled_in_time()), Cell(r.handled_overdue()),
                            Cell(r.handled_late()), Cell(r.waiting()), Cell(r.waiting_overdue()), Cell(r.waiting_late()),
                            Cell(r.accepted()), Cell(r.referred()), Cell(r.no_action())});
  }
  for (const cv1::CaseFiguresRow& r : cases.cases()) {
    ASSERT_EQ(r.kind(), cv1::CASE_KIND_LEEFBAARHEID);
    ASSERT_FALSE(r.has_lead_time()) << "none closed";
    case_cells.push_back({r.week(), r.area().name(), "Leefbaarheidsoverleg", Cell(r.opened()), Cell(r.closed()), "", ""});
  }
  // What the page must then show: a 6 and a "<5" in both tables.
  EXPECT_NE(signal_cells.dump().find("\"6\""), std::string::npos) << signal_cells.dump();
  EXPECT_NE(signal_cells.dump().find("\"<5\""), std::string::npos) << signal_cells.dump();
  EXPECT_NE(case_cells.dump().find("\"5\""), std::string::npos) << case_cells.dump();
  EXPECT_NE(case_cells.dump().find("\"<5\""), std::string::npos) << case_cells.dump();

  Scenario("overview", {{"EXPECTED_SIGNALS", signal_cells.dump()},
                        {"EXPECTED_CASES", case_cells.dump()},
                        {"PRIVATE", nlohmann::json(std::vector<std::string>(std::begin(kPrivate), std::end(kPrivate))).dump()}});
}

}  // namespace
}  // namespace hartslag::web
