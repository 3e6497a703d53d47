// intake_bench: measures intake's hot paths and prints the figures.
//
//   intake_bench                         token verification and validation, in-process
//   intake_bench --server localhost:7402 --ca ca.pem --key jwt.key [--signals 2000 --clients 16]
//                                        end-to-end SubmitSignal throughput and latency
//
// A benchmark, not a test: it asserts nothing and its numbers depend on the machine.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <thread>

#include "absl/time/clock.h"
#include "hartslag/intake/v1/intake.grpc.pb.h"
#include "services/common/config.h"
#include "services/common/crypto.h"
#include "services/common/files.h"
#include "services/common/token.h"
#include "services/intake/signal_validation.h"

namespace {

using namespace hartslag;
namespace v1 = hartslag::intake::v1;

TokenClaims Coach() {
  TokenClaims c;
  c.issuer = "hartslag-dev";
  c.subject = "bench-coach";
  c.tenant = "heerlen";
  c.organisation = "straatcoaches-heerlen";
  c.organisation_kind = "MUNICIPALITY";
  c.roles = {"REPORTER"};
  c.areas = {"heerlen-noord"};
  c.issued_at = c.not_before = absl::Now();
  c.expires_at = absl::Now() + absl::Hours(1);
  return c;
}

v1::SubmitSignalRequest Signal(int i) {
  v1::SubmitSignalRequest r;
  r.set_request_id(RandomUuid());
  r.set_area_id("vrieheide");
  auto* a = r.mutable_location()->mutable_address();
  a->set_street("Vrieheidelaan");
  a->set_house_number(1 + i % 200);
  a->set_postcode("6416ab");
  a->set_city("Heerlen");
  r.set_category_id("afval-dumping");
  r.set_description("Matrassen en huisraad naast de ondergrondse container.");
  r.set_source(v1::SOURCE_STREET_COACH);
  return r;
}

template <typename F>
void Measure(const char* name, int n, F f) {
  absl::Time start = absl::Now();
  for (int i = 0; i < n; ++i) f(i);
  double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  std::printf("%-28s %10.0f ops/s  (%d ops, %.3f s)\n", name, n / seconds, n, seconds);
}

int InProcess(const Flags& flags) {
  auto signer = TokenSigner::FromPemFile(flags.Get("key"));
  auto verifier = TokenVerifier::FromPemFiles({flags.Get("pub")}, {});
  if (!signer.ok() || !verifier.ok()) {
    std::fprintf(stderr, "cannot read --key or --pub\n");
    return 1;
  }
  std::string token = *signer->Sign(Coach());
  std::printf("token size: %zu bytes\n", token.size());
  Measure("token sign (Ed25519)", 20000, [&](int) { (void)signer->Sign(Coach()); });
  Measure("token verify (Ed25519)", 20000, [&](int) { (void)verifier->Verify(token, absl::Now()); });
  v1::SubmitSignalRequest request = Signal(0);
  Measure("signal validation", 200000, [&](int) {
    v1::SubmitSignalRequest copy = request;
    (void)intake::ValidateAndNormalise(copy, absl::Now());
  });
  return 0;
}

int EndToEnd(const Flags& flags) {
  auto signer = TokenSigner::FromPemFile(flags.Get("key"));
  if (!signer.ok()) {
    std::fprintf(stderr, "%s\n", signer.status().ToString().c_str());
    return 1;
  }
  std::string token = *signer->Sign(Coach());
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = ReadFile(flags.Get("ca"), "--ca").value_or("");
  auto channel = grpc::CreateChannel(flags.Get("server"), grpc::SslCredentials(tls));
  auto stub = v1::SignalService::NewStub(channel);
  int signals = *flags.GetInt("signals");
  int clients = *flags.GetInt("clients");
  std::vector<std::vector<double>> latencies(clients);
  std::atomic<int> next{0}, failed{0};
  absl::Time start = absl::Now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      for (int i; (i = next++) < signals;) {
        grpc::ClientContext call;
        call.AddMetadata("authorization", "Bearer " + token);
        v1::SubmitSignalResponse response;
        absl::Time t0 = absl::Now();
        grpc::Status status = stub->SubmitSignal(&call, Signal(i), &response);
        latencies[c].push_back(absl::ToDoubleMilliseconds(absl::Now() - t0));
        if (!status.ok()) ++failed;
      }
    });
  }
  for (auto& t : threads) t.join();
  double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) { return all[std::min(all.size() - 1, static_cast<size_t>(p * all.size()))]; };
  std::printf("SubmitSignal end to end: %d signals, %d clients, %d failed\n", signals, clients,
              failed.load());
  std::printf("  throughput %.0f signals/s; latency p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
              signals / seconds, pct(0.50), pct(0.99), all.back());
  return failed.load() == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags("intake_bench", "measure intake's hot paths");
  flags.Add("key", "HARTSLAG_JWT_KEY", ".local/certs/jwt.key", "Ed25519 signing key (PEM)");
  flags.Add("pub", "", ".local/certs/jwt.pub", "its public key (PEM)");
  flags.Add("server", "", "", "intake address; empty runs only the in-process figures");
  flags.Add("ca", "HARTSLAG_CA", ".local/certs/ca.pem", "CA of the server certificate");
  flags.Add("signals", "", "2000", "signals to submit");
  flags.Add("clients", "", "16", "concurrent clients");
  absl::Status parsed = flags.Parse(argc, argv);
  if (IsHelpRequested(parsed)) return 0;
  if (!parsed.ok()) {
    std::fprintf(stderr, "%s\n", parsed.ToString().c_str());
    return 2;
  }
  if (int rc = InProcess(flags); rc != 0) return rc;
  return flags.Get("server").empty() ? 0 : EndToEnd(flags);
}
