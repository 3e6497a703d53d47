// What an operator's Prometheus reads from each service: its calls by method
// and code with their durations, its database pool, and what is its own
// (the audit log's size and the age of its tree head, the open action
// streams); a metrics address already in use stops a service with that reason.
#include <gtest/gtest.h>

#include <map>
#include <stdexcept>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "hartslag/cases/v1/cases.grpc.pb.h"
#include "hartslag/directory/v1/directory.grpc.pb.h"
#include "tests/support/deployment.h"
#include "tests/support/service_process.h"
#include "tests/support/test_keys.h"

namespace hartslag {
namespace {

using testing::ClaimsFor;
using testing::Deployment;

// The value of the sample `name` whose labels include every one of
// `labels`, or -1 when the endpoint at `port` shows none.
double Sample(int port, const std::string& name, const std::map<std::string, std::string>& labels = {}) {
  for (absl::string_view line : absl::StrSplit(testing::HttpGet(port, "/metrics"), '\n')) {
    if (!absl::StartsWith(line, name) || (line.size() > name.size() && line[name.size()] != '{' &&
                                          line[name.size()] != ' ')) {
      continue;
    }
    bool all = true;
    for (const auto& [label, value] : labels) all = all && absl::StrContains(line, label + "=\"" + value + "\"");
    double number = 0;
    if (all && absl::SimpleAtod(line.substr(line.rfind(' ') + 1), &number)) return number;
  }
  return -1;
}

bool Await(const std::function<bool()>& done) {
  for (absl::Time give_up = absl::Now() + absl::Seconds(15); !done(); absl::SleepFor(absl::Milliseconds(100))) {
    if (absl::Now() > give_up) return false;
  }
  return true;
}

TEST(MetricsTest, EachServiceShowsItsCallsByMethodAndCodeItsPoolAndWhatIsItsOwn) {
  Deployment deployment;
  const int directory = deployment.directory_metrics_port();
  auto areas = directory::v1::DirectoryService::NewStub(deployment.Channel(deployment.directory()));
  const std::string admin = deployment.Token(ClaimsFor("ad.admin", "gemeente", "MUNICIPALITY", {"ADMIN"}, {}));
  const std::map<std::string, std::string> list_areas = {{"grpc_service", "hartslag.directory.v1.DirectoryService"},
                                                         {"grpc_method", "ListAreas"}};
  auto with_code = [&](const std::string& code) {
    std::map<std::string, std::string> labels = list_areas;
    labels["grpc_code"] = code;
    return labels;
  };
  const double ok_before = std::max(0.0, Sample(directory, "grpc_server_handled_total", with_code("OK")));
  for (int i = 0; i < 3; ++i) {
    directory::v1::ListAreasResponse listed;
    ASSERT_TRUE(areas->ListAreas(deployment.Call(admin).get(), {}, &listed).ok());
  }
  directory::v1::ListAreasResponse refused;
  EXPECT_EQ(areas->ListAreas(deployment.Call().get(), {}, &refused).error_code(), grpc::StatusCode::UNAUTHENTICATED);

  EXPECT_EQ(Sample(directory, "grpc_server_handled_total", with_code("OK")), ok_before + 3);
  EXPECT_GE(Sample(directory, "grpc_server_handled_total", with_code("UNAUTHENTICATED")), 1);
  EXPECT_GE(Sample(directory, "grpc_server_handling_seconds_count", list_areas), ok_before + 4);
  EXPECT_GE(Sample(directory, "grpc_server_handling_seconds_bucket", {{"grpc_method", "ListAreas"}, {"le", "+Inf"}}),
            ok_before + 4);
  const double idle = Sample(directory, "hartslag_db_pool_connections", {{"state", "idle"}});
  const double in_use = Sample(directory, "hartslag_db_pool_connections", {{"state", "in_use"}});
  EXPECT_GE(idle, 0);
  EXPECT_GE(in_use, 0);
  EXPECT_GE(idle + in_use, 1);
  EXPECT_LE(idle + in_use, 8);
  EXPECT_GT(Sample(directory, "hartslag_db_pool_wait_seconds_count"), 0);
  EXPECT_EQ(Sample(directory, "hartslag_db_pool_size"), 8);
  // The three lists' records were written by the group commit of records.
  const std::map<std::string, std::string> records = {{"batch", "audit_records"}};
  const double record_batches = Sample(directory, "hartslag_group_commit_batches_total", records);
  EXPECT_GE(Sample(directory, "hartslag_group_commit_items_total", records), 3);
  EXPECT_GE(record_batches, 1);
  EXPECT_LE(record_batches, Sample(directory, "hartslag_group_commit_items_total", records));
  EXPECT_EQ(Sample(directory, "hartslag_group_commit_failed_batches_total", records), 0);
  EXPECT_GE(Sample(directory, "hartslag_group_commit_queued_seconds_total", records), 0);
  EXPECT_GT(Sample(directory, "hartslag_group_commit_running_seconds_total", records), 0);

  // The tenant's audit log holds the calls' records, and a tree head signed
  // over all of them (the deployment signs every second, over logs that grew).
  const int audit = deployment.audit_metrics_port();
  EXPECT_TRUE(Await([&] {
    return Sample(audit, "hartslag_audit_tree_size", {{"log", "heerlen"}}) >= 3 &&
           Sample(audit, "hartslag_audit_unsigned_entries", {{"log", "heerlen"}}) == 0;
  })) << testing::HttpGet(audit, "/metrics");
  // The records came in appends: after the log's first append of this
  // process, each knew its first index and wrote its search rows first.
  EXPECT_GE(Sample(audit, "hartslag_audit_appends_total", {{"search_rows", "under_lock"}}), 1);
  EXPECT_GE(Sample(audit, "hartslag_audit_appends_total", {{"search_rows", "before_lock"}}), 0);
  EXPECT_GE(Sample(audit, "hartslag_audit_appends_expected_wrongly_total"), 0);
  const double age = Sample(audit, "hartslag_audit_tree_head_age_seconds", {{"log", "heerlen"}});
  EXPECT_GE(age, 0);
  EXPECT_LT(age, 60);

  // Open WatchActions streams, counted while they are open.
  const int cases = deployment.cases_metrics_port();
  EXPECT_EQ(Sample(cases, "hartslag_watch_actions_streams"), 0);
  auto police = cases::v1::ActionService::NewStub(deployment.Channel(deployment.cases(), "politie-bvh"));
  auto call = deployment.Call(deployment.Token(ClaimsFor("bvh.koppeling", "politie", "POLICE", {"PARTNER"}, {})));
  call->AddMetadata("x-hartslag-purpose", "ACTION_EXECUTION");
  auto stream = police->WatchActions(call.get(), {});
  EXPECT_TRUE(Await([&] { return Sample(cases, "hartslag_watch_actions_streams") == 1; }));
  call->TryCancel();
  stream->Finish();
  EXPECT_TRUE(Await([&] { return Sample(cases, "hartslag_watch_actions_streams") == 0; }));
}

TEST(MetricsTest, AMetricsAddressInUseStopsTheServiceWithItsReason) {
  Deployment deployment;
  try {
    auto second = deployment.StartAnotherCases(deployment.cases_metrics_port());
    FAIL() << "a second service listened on a metrics port in use";
  } catch (const std::runtime_error& e) {
    // The reason, logged when Run returned: not a crash on the way out.
    EXPECT_TRUE(absl::StrContains(e.what(), "metrics-address: cannot listen on")) << e.what();
  }
  // The first one still shows its figures.
  EXPECT_GE(Sample(deployment.cases_metrics_port(), "hartslag_watch_actions_streams"), 0);
}

}  // namespace
}  // namespace hartslag
