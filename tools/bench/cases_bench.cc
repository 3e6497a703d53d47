// cases_bench: how fast the action stream delivers.
//
//   cases_bench --server localhost:7403 --ca ca.pem --jwt-key jwt.key [--actions 2000]
//
// Against a running hartslag-cases with the tenant Heerlen (tools/local.sh
// up): a coordinator opens a case and gives a new organisation `--actions`
// actions one after another while that organisation's system follows
// WatchActions; then a second connection reads the whole stream from the
// start. Prints the CreateAction latency, the delivery latency (from the
// start of CreateAction to the event's arrival on the stream) and the
// catch-up rate. A benchmark: it measures and prints; it checks only that
// every action arrived once.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>

#include "absl/time/clock.h"
#include "hartslag/cases/v1/cases.grpc.pb.h"
#include "services/common/config.h"
#include "services/common/crypto.h"
#include "services/common/files.h"
#include "services/common/token.h"

namespace {

using namespace hartslag;
namespace v1 = cases::v1;

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<size_t>(p * values.size()))];
}

int Run(int argc, char** argv) {
  Flags flags("cases_bench", "how fast the action stream delivers");
  flags.Add("server", "", "localhost:7403", "hartslag-cases address");
  flags.Add("ca", "", "", "PEM file of the CA of the server's certificate");
  flags.Add("jwt-key", "", "", "the token signing key, to act as coordinator and partner system");
  flags.Add("jwt-issuer", "", "hartslag-dev", "the issuer the services accept");
  flags.Add("actions", "", "2000", "how many actions to give");
  if (absl::Status parsed = flags.Parse(argc, argv); !parsed.ok()) return IsHelpRequested(parsed) ? 0 : 2;
  auto ca = ReadFile(flags.Get("ca"), "--ca");
  auto signer = TokenSigner::FromPemFile(flags.Get("jwt-key"));
  auto actions = flags.GetInt("actions");
  if (!ca.ok() || !signer.ok() || !actions.ok() || *actions < 1) {
    std::fprintf(stderr, "--ca, --jwt-key and a positive --actions are required\n");
    return 2;
  }
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = *ca;
  auto stub = v1::ActionService::NewStub(grpc::CreateChannel(flags.Get("server"), grpc::SslCredentials(tls)));
  const std::string partner = "bench-" + HexEncode(RandomBytes(4));
  auto token = [&](const std::string& user, const std::string& org, const std::string& kind,
                   const std::string& role) {
    TokenClaims claims;
    claims.issuer = flags.Get("jwt-issuer");
    claims.subject = user;
    claims.tenant = "heerlen";
    claims.organisation = org;
    claims.organisation_kind = kind;
    claims.roles = {role};
    claims.areas = {"heerlen-noord"};
    claims.issued_at = claims.not_before = absl::Now();
    claims.expires_at = absl::Now() + absl::Hours(1);
    return *signer->Sign(claims);
  };
  const std::string coordinator = token("bench.coordinator", "gemeente-heerlen", "MUNICIPALITY", "COORDINATOR");
  const std::string system = token("bench.system", partner, "POLICE", "PARTNER");
  auto call = [](const std::string& bearer, const std::string& purpose, absl::Duration deadline) {
    auto c = std::make_unique<grpc::ClientContext>();
    c->AddMetadata("authorization", "Bearer " + bearer);
    c->AddMetadata("x-hartslag-purpose", purpose);
    c->set_deadline(absl::ToChronoTime(absl::Now() + deadline));
    return c;
  };

  v1::OpenCaseRequest open;
  open.set_request_id(RandomUuid());
  open.set_kind(v1::CASE_KIND_LEEFBAARHEID);
  open.set_title("Benchmark");
  open.set_area_id("vrieheide");
  open.mutable_address()->set_street("Vrieheidelaan");
  open.mutable_address()->set_house_number(1);
  open.mutable_address()->set_postcode("6416 AB");
  open.mutable_address()->set_city("Heerlen");
  v1::Case opened;
  auto cases = v1::CaseService::NewStub(grpc::CreateChannel(flags.Get("server"), grpc::SslCredentials(tls)));
  if (grpc::Status s = cases->OpenCase(call(coordinator, "CASE_MANAGEMENT", absl::Seconds(10)).get(), open, &opened);
      !s.ok()) {
    std::fprintf(stderr, "OpenCase: %s\n", s.error_message().c_str());
    return 1;
  }

  std::mutex mutex;
  std::map<std::string, absl::Time> arrived;  // action id -> when its event arrived
  int duplicates = 0;
  auto watch_call = call(system, "ACTION_EXECUTION", absl::Minutes(30));
  v1::WatchActionsRequest from_start;  // the new organisation has no history: nothing is missed
  from_start.set_from_beginning(true);
  auto stream = stub->WatchActions(watch_call.get(), from_start);
  std::thread watcher([&] {
    v1::ActionEvent e;
    while (stream->Read(&e)) {
      std::lock_guard<std::mutex> lock(mutex);
      if (!arrived.emplace(e.action().action_id(), absl::Now()).second) ++duplicates;
      if (static_cast<int>(arrived.size()) == *actions) return;
    }
  });

  std::map<std::string, absl::Time> sent;
  std::vector<double> create_ms;
  absl::Time start = absl::Now();
  for (int i = 0; i < *actions; ++i) {
    v1::CreateActionRequest request;
    request.set_request_id(RandomUuid());
    request.set_case_id(opened.case_id());
    request.set_description("Benchmark-actie " + std::to_string(i));
    request.add_organisation_ids(partner);
    request.set_due_date("2099-01-01");
    v1::Action created;
    absl::Time before = absl::Now();
    grpc::Status s = stub->CreateAction(call(coordinator, "CASE_MANAGEMENT", absl::Seconds(10)).get(), request, &created);
    if (!s.ok()) {
      std::fprintf(stderr, "CreateAction: %s\n", s.error_message().c_str());
      watch_call->TryCancel();
      watcher.join();
      return 1;
    }
    create_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - before));
    sent[created.action_id()] = before;
  }
  double create_s = absl::ToDoubleSeconds(absl::Now() - start);
  watcher.join();
  watch_call->TryCancel();
  stream->Finish();
  std::vector<double> delivery_ms;
  for (const auto& [id, at] : sent) {
    auto it = arrived.find(id);
    if (it != arrived.end()) delivery_ms.push_back(absl::ToDoubleMilliseconds(it->second - at));
  }
  std::printf("CreateAction (one client, sequential): %d in %.1f s = %.0f/s; p50 %.2f ms, p99 %.2f ms\n", *actions,
              create_s, *actions / create_s, Percentile(create_ms, 0.5), Percentile(create_ms, 0.99));
  std::printf("Delivered live on WatchActions: %zu of %d, %d doubled; latency from CreateAction's start "
              "p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
              delivery_ms.size(), *actions, duplicates, Percentile(delivery_ms, 0.5), Percentile(delivery_ms, 0.99),
              Percentile(delivery_ms, 1.0));

  auto replay_call = call(system, "ACTION_EXECUTION", absl::Minutes(10));
  auto replay = stub->WatchActions(replay_call.get(), from_start);
  start = absl::Now();
  int read = 0;
  v1::ActionEvent e;
  while (read < *actions && replay->Read(&e)) ++read;
  double replay_s = absl::ToDoubleSeconds(absl::Now() - start);
  replay_call->TryCancel();
  replay->Finish();
  std::printf("Catch-up from the start (a reconnecting system): %d events in %.2f s = %.0f events/s\n", read,
              replay_s, read / replay_s);
  return delivery_ms.size() == static_cast<size_t>(*actions) && duplicates == 0 && read == *actions ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) { return Run(argc, argv); }
