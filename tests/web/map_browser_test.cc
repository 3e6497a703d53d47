// "Kaart" in the browser: with hartslag-web given a tile server
// (--map-tiles, here one of the test's own over HTTPS), the coordinator sees
// the signals of its area that came with coordinates as markers on the
// tiles, each a button with the signal's category and address as its name,
// reachable by keyboard, and the same signals as a list below the map. A
// case stands at the place of one of its signals; a case without one is
// counted, not placed.
#include <httplib.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "absl/strings/match.h"

#include "hartslag/cases/v1/cases.grpc.pb.h"
#include "tests/support/sample_signal.h"
#include "services/web/web_server.h"
#include "tests/web/browser_fixture.h"

namespace hartslag::web {
namespace {

namespace cv1 = cases::v1;
namespace iv1 = intake::v1;

// A 256x256 tile: light ground with a grid (PNG).
constexpr char kTile[] = "\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x01\x00\x00\x00\x01\x00\x08\x03\x00\x00\x00\x6b\xac\x58\x54\x00\x00\x00\x06\x50\x4c\x54\x45\xe8\xee\xe4\xb0\xb8\xa8\xa0\xc6\x7e\x8b\x00\x00\x01\x47\x49\x44\x41\x54\x78\xda\xed\xdc\xa1\x11\x00\x00\x08\x03\xb1\xb2\xff\xd2\x0c\x81\x02\x82\xc7\xe4\xae\xf6\x53\xcf\x2f\x95\xd9\x6d\xff\x07\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x37\x00\xf4\x03\x4c\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xe8\x07\xe8\x07\x98\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xd0\x0f\xd0\x0f\x30\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x30\xfd\x6f\x3c\x36\x07\xf1\x14\x15\x51\x70\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82";

class MapBrowserTest : public BrowserTest {
 protected:
  MapBrowserTest() {
    const std::string certs = testing::CertsDir();
    tiles_ = std::make_unique<httplib::SSLServer>((certs + "/server.pem").c_str(), (certs + "/server.key").c_str());
    tiles_->Get(R"(/tiles/(\d+)/(\d+)/(\d+)\.png)", [this](const httplib::Request&, httplib::Response& res) {
      ++tile_requests_;
      res.set_content(std::string(kTile, sizeof(kTile) - 1), "image/png");
    });
    tile_port_ = tiles_->bind_to_any_port("127.0.0.1");
    serving_ = std::thread([this] { tiles_->listen_after_bind(); });
    web_.reset();
    web_ = std::make_unique<testing::WebProcess>(
        HARTSLAG_WEB_BINARY, deployment_, HARTSLAG_WEB_STATIC_DIR,
        std::vector<std::string>{"--map-tiles", absl::StrCat("https://localhost:", tile_port_, "/tiles/{z}/{x}/{y}.png")});
    coach_ = deployment_.Token(
        testing::ClaimsFor("sam.straatcoach", "straatcoaches", "MUNICIPALITY", {"REPORTER"}, {"heerlen-noord"}));
    coordinator_ = deployment_.Token(
        testing::ClaimsFor("carla.coordinator", "gemeente", "MUNICIPALITY", {"COORDINATOR"}, {"heerlen-noord"}));
  }
  ~MapBrowserTest() override {
    tiles_->stop();
    serving_.join();
  }

  // A signal at street, number; with a point unless latitude is 0.
  std::string Submit(const std::string& area, const std::string& street, int number, double latitude,
                     double longitude) {
    iv1::SubmitSignalRequest r = testing::SampleSignal(area, "afval-dumping");
    r.mutable_location()->mutable_address()->set_street(street);
    r.mutable_location()->mutable_address()->set_house_number(number);
    if (latitude != 0) {
      r.mutable_location()->mutable_point()->set_latitude(latitude);
      r.mutable_location()->mutable_point()->set_longitude(longitude);
    }
    iv1::SubmitSignalResponse out;
    auto stub = iv1::SignalService::NewStub(deployment_.Channel(deployment_.intake()));
    grpc::Status status = stub->SubmitSignal(deployment_.Call(coach_).get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out.signal().signal_id();
  }

  std::string Open(const std::vector<std::string>& signal_ids) {
    cv1::OpenCaseRequest r;
    r.set_request_id(RandomUuid());
    r.set_kind(cv1::CASE_KIND_LEEFBAARHEID);
    r.set_title("Zwerfafval rond de container");
    r.set_area_id("vrieheide");
    common::v1::Address* a = r.mutable_address();
    a->set_street("Heerenweg");
    a->set_house_number(12);
    a->set_postcode("6414 AB");
    a->set_city("Heerlen");
    for (const std::string& id : signal_ids) r.add_signal_ids(id);
    cv1::Case out;
    auto stub = cv1::CaseService::NewStub(deployment_.Channel(deployment_.cases()));
    grpc::Status status = stub->OpenCase(deployment_.Call(coordinator_).get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out.case_id();
  }

  std::unique_ptr<httplib::SSLServer> tiles_;
  int tile_port_ = 0;
  std::thread serving_;
  std::atomic<int> tile_requests_{0};
  std::string coach_, coordinator_;
};

TEST_F(MapBrowserTest, TheCoordinatorFindsEachSignalWithCoordinatesAsANamedMarkerOnTheTilesAndInTheListBelow) {
  nlohmann::json placed = nlohmann::json::array();
  std::string first;
  for (const auto& [area, street, number, lat, lon] :
       std::vector<std::tuple<std::string, std::string, int, double, double>>{
           {"vrieheide", "Vrieheidelaan", 14, 50.9135, 5.9744},
           {"vrieheide", "Heerenweg", 12, 50.9101, 5.9790},
           {"kasteelbuurt", "Kasteelweg", 3, 50.9052, 5.9861}}) {
    std::string id = Submit(area, street, number, lat, lon);
    if (first.empty()) first = id;
    placed.push_back({{"id", id}, {"address", absl::StrCat(street, " ", number)}});
  }
  Submit("vrieheide", "Zonder Plekstraat", 1, 0, 0);
  // One case at the place of its signal, one with no signal to stand at.
  std::string placed_case = Open({first});
  std::string unplaced_case = Open({});
  ASSERT_FALSE(placed_case.empty());
  ASSERT_FALSE(unplaced_case.empty());

  // Images from the tile server's origin, and from no other.
  httplib::SSLClient client("localhost", web_->port());
  client.enable_server_certificate_verification(false);
  httplib::Result page = client.Get("/");
  ASSERT_TRUE(page) << "hartslag-web answers";
  EXPECT_NE(page->get_header_value("Content-Security-Policy")
                .find(absl::StrCat("img-src 'self' data: blob: https://localhost:", tile_port_, ";")),
            std::string::npos)
      << page->get_header_value("Content-Security-Policy");

  testing::CliRun run = Scenario("map", {{"PLACED", placed.dump()}, {"PLACED_CASE", placed_case}});
  EXPECT_GT(tile_requests_.load(), 0) << "the tiles came from the configured tile server: " << run.output;

  // The map read lists, each with its purpose, and no case or signal one by
  // one: a case's persons and address are not read to put it on a map (a
  // read would stand in every data subject's access overview).
  audit::EventQuery query;
  query.log_id = "heerlen";
  query.actor_user_id = "carla.coordinator";
  query.limit = 1000;
  std::vector<audit::v1::AuditEvent> events;
  bool listed_cases = false;
  for (absl::Time give_up = absl::Now() + absl::Seconds(20); absl::Now() < give_up && !listed_cases;) {
    absl::SleepFor(absl::Milliseconds(200));
    auto found = deployment_.audit_store().Query(query, absl::InfiniteFuture());
    ASSERT_TRUE(found.ok()) << found.status();
    events.clear();
    for (const audit::StoredEntry& entry : *found) {
      ASSERT_TRUE(events.emplace_back().ParseFromString(entry.bytes));
      listed_cases = listed_cases || (events.back().object().type() == "case" &&
                                      events.back().action() == audit::v1::ACTION_LIST);
    }
  }
  ASSERT_TRUE(listed_cases) << "the map listed the cases";
  // What a case-by-case read would have left has had time to arrive.
  absl::SleepFor(absl::Seconds(2));
  auto found = deployment_.audit_store().Query(query, absl::InfiniteFuture());
  ASSERT_TRUE(found.ok()) << found.status();
  int lists = 0;
  for (const audit::StoredEntry& entry : *found) {
    audit::v1::AuditEvent e;
    ASSERT_TRUE(e.ParseFromString(entry.bytes));
    const std::string& rpc = e.origin().rpc();
    EXPECT_FALSE(absl::EndsWith(rpc, "GetCase") || absl::EndsWith(rpc, "GetSignal"))
        << rpc << " " << e.object().id() << ": read one by one";
    if (absl::EndsWith(rpc, "ListCases")) {
      ++lists;
      EXPECT_EQ(e.purpose(), "CASE_MANAGEMENT");
    } else if (absl::EndsWith(rpc, "ListSignals")) {
      ++lists;
      EXPECT_EQ(e.purpose(), "TRIAGE");
    }
  }
  EXPECT_GE(lists, 2);
}

TEST(MapTiles, HartslagWebTakesOnlyAnHttpsTileTemplateWithZXAndYAndAllowsImagesFromItsOriginAlone) {
  for (const std::string bad : {"http://tiles.example/{z}/{x}/{y}.png", "https://tiles.example/{z}/{x}.png",
                                "https://tiles.example; script-src *;/{z}/{x}/{y}.png",
                                "https://tiles.example/{z}/{x}/{y}.png,https://evil.example"}) {
    absl::StatusOr<std::string> origin = TileOrigin(bad);
    EXPECT_EQ(origin.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  absl::StatusOr<std::string> pdok =
      TileOrigin("https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/standaard/EPSG:3857/{z}/{x}/{y}.png");
  ASSERT_TRUE(pdok.ok()) << pdok.status();
  EXPECT_EQ(*pdok, "https://service.pdok.nl");
  // The session's answer holds at most 2000 bytes of template: refused at
  // start-up, not at every log-in.
  const std::string head = "https://tiles.example/";
  const std::string tail = "/{z}/{x}/{y}.png";
  const std::string longest = head + std::string(2000 - head.size() - tail.size(), 'a') + tail;
  EXPECT_TRUE(TileOrigin(longest).ok()) << TileOrigin(longest).status();
  absl::StatusOr<std::string> too_long = TileOrigin(head + std::string(2001 - head.size() - tail.size(), 'a') + tail);
  EXPECT_EQ(too_long.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(too_long.status().message().find("map-tiles"), std::string::npos) << too_long.status();
}

}  // namespace
}  // namespace hartslag::web
