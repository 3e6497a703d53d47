// memory_bench: each service's memory under a long mixed load.
//
//   memory_bench --ca .local/certs/ca.pem --jwt-key .local/certs/jwt.key
//                [--duration 30m] [--clients 4] [--pid-dir .local/run] [--target-mb 200]
//
// Against the local run (tools/local.sh up): `--clients` threads call every
// service in turn (signals submitted and listed, the triage queue, cases,
// organisations, audit queries), and every 50th call of each thread opens a
// burst of 100 fresh TLS connections. Every second it reads each service's
// resident memory (VmRSS in /proc/<pid>/status, pids from --pid-dir) and at
// the end prints, per service, the memory at the start, the peak and at the
// end, and the calls by status. Exits 1 if a service's peak passed
// --target-mb. A benchmark: it measures and prints.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "hartslag/audit/v1/audit.grpc.pb.h"
#include "hartslag/cases/v1/cases.grpc.pb.h"
#include "hartslag/directory/v1/directory.grpc.pb.h"
#include "hartslag/intake/v1/intake.grpc.pb.h"
#include "services/common/config.h"
#include "services/common/crypto.h"
#include "services/common/files.h"
#include "services/common/token.h"

namespace {

using namespace hartslag;

// Resident memory of `pid` in MB, 0 if unknown.
double ResidentMb(const std::string& pid) {
  std::ifstream status("/proc/" + pid + "/status");
  std::string text;
  while (std::getline(status, text)) {
    absl::string_view line = text;
    if (absl::ConsumePrefix(&line, "VmRSS:")) {
      int64_t kb = 0;
      if (absl::SimpleAtoi(absl::StripSuffix(absl::StripAsciiWhitespace(line), " kB"), &kb)) return kb / 1024.0;
    }
  }
  return 0;
}

struct Memory {
  double start = 0, peak = 0, end = 0;
};

class Load {
 public:
  Load(std::string ca, TokenSigner signer, std::string issuer, std::map<std::string, std::string> addresses)
      : ca_(std::move(ca)), signer_(std::move(signer)), issuer_(std::move(issuer)), addresses_(std::move(addresses)) {
    reporter_ = Token("bench.coach", "gemeente-heerlen", "MUNICIPALITY", "REPORTER");
    coordinator_ = Token("bench.coordinator", "gemeente-heerlen", "MUNICIPALITY", "COORDINATOR");
    admin_ = Token("bench.admin", "gemeente-heerlen", "MUNICIPALITY", "ADMIN");
    officer_ = Token("bench.officer", "gemeente-heerlen", "MUNICIPALITY", "PRIVACY_OFFICER");
  }

  std::shared_ptr<grpc::Channel> Channel(const std::string& service, bool fresh) {
    grpc::SslCredentialsOptions tls;
    tls.pem_root_certs = ca_;
    grpc::ChannelArguments args;
    // A fresh channel gets a connection of its own.
    if (fresh) args.SetInt("bench.fresh", static_cast<int>(++fresh_));
    return grpc::CreateCustomChannel(addresses_.at(service), grpc::SslCredentials(tls), args);
  }

  // One round of calls to every service, on `channels` (or fresh ones).
  void Round(int n, bool fresh) {
    auto intake = intake::v1::SignalService::NewStub(Channel("intake", fresh));
    intake::v1::SubmitSignalRequest signal;
    signal.set_request_id(RandomUuid());
    signal.set_area_id("vrieheide");
    signal.set_category_id("afval-dumping");
    signal.set_description(absl::StrCat("Benchmark: matrassen naast de container, ronde ", n));
    signal.set_source(intake::v1::SOURCE_STREET_COACH);
    auto* address = signal.mutable_location()->mutable_address();
    address->set_street("Vrieheidelaan");
    address->set_house_number(1 + n % 200);
    address->set_postcode("6416 AB");
    address->set_city("Heerlen");
    intake::v1::SubmitSignalResponse submitted;
    Count(intake->SubmitSignal(Call(reporter_, "").get(), signal, &submitted));
    intake::v1::ListSignalsResponse signals;
    Count(intake->ListSignals(Call(coordinator_, "").get(), {}, &signals));

    auto cases = cases::v1::CaseService::NewStub(Channel("cases", fresh));
    cases::v1::TriageQueue queue;
    Count(cases::v1::TriageService::NewStub(Channel("cases", fresh))
              ->GetTriageQueue(Call(coordinator_, "TRIAGE").get(), {}, &queue));
    cases::v1::ListCasesResponse listed;
    Count(cases->ListCases(Call(coordinator_, "MEETING_PREPARATION").get(), {}, &listed));

    auto directory = directory::v1::DirectoryService::NewStub(Channel("directory", fresh));
    directory::v1::ListOrganisationsResponse organisations;
    Count(directory->ListOrganisations(Call(admin_, "").get(), {}, &organisations));

    auto audit = audit::v1::AuditService::NewStub(Channel("audit", fresh));
    audit::v1::QueryEventsRequest query;
    query.set_page_size(50);
    audit::v1::QueryEventsResponse events;
    Count(audit->QueryEvents(Call(officer_, "").get(), query, &events));
  }

  // `connections` new TLS connections at once, each with one call.
  void Burst(int connections) {
    std::vector<std::thread> threads;
    for (int i = 0; i < connections; ++i) {
      threads.emplace_back([this, i] {
        static const char* const kServices[] = {"intake", "cases", "directory", "audit"};
        auto channel = Channel(kServices[i % 4], /*fresh=*/true);
        grpc::ClientContext call;
        call.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
        Count(channel->WaitForConnected(call.deadline()) ? grpc::Status::OK
                                                         : grpc::Status(grpc::StatusCode::UNAVAILABLE, "connect"));
      });
    }
    for (std::thread& t : threads) t.join();
  }

  std::map<std::string, int64_t> counts() {
    std::lock_guard<std::mutex> lock(mutex_);
    return counts_;
  }

 private:
  std::string Token(const std::string& user, const std::string& org, const std::string& kind,
                    const std::string& role) {
    TokenClaims claims;
    claims.issuer = issuer_;
    claims.subject = user;
    claims.tenant = "heerlen";
    claims.organisation = org;
    claims.organisation_kind = kind;
    claims.roles = {role};
    claims.areas = {"heerlen-noord"};
    claims.issued_at = claims.not_before = absl::Now();
    claims.expires_at = absl::Now() + absl::Hours(24);
    return *signer_.Sign(claims);
  }

  static std::unique_ptr<grpc::ClientContext> Call(const std::string& bearer, const std::string& purpose) {
    auto c = std::make_unique<grpc::ClientContext>();
    c->AddMetadata("authorization", "Bearer " + bearer);
    if (!purpose.empty()) c->AddMetadata("x-hartslag-purpose", purpose);
    c->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    return c;
  }

  void Count(const grpc::Status& status) {
    std::lock_guard<std::mutex> lock(mutex_);
    ++counts_[absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code()))];
  }

  const std::string ca_;
  const TokenSigner signer_;
  const std::string issuer_;
  const std::map<std::string, std::string> addresses_;
  std::string reporter_, coordinator_, admin_, officer_;
  std::atomic<int> fresh_ = 0;
  std::mutex mutex_;
  std::map<std::string, int64_t> counts_;
};

int Run(int argc, char** argv) {
  Flags flags("memory_bench", "each service's memory under a long mixed load");
  flags.Add("ca", "", "", "PEM file of the CA of the services' certificate");
  flags.Add("jwt-key", "", "", "the token signing key, to act as each role");
  flags.Add("jwt-issuer", "", "hartslag-dev", "the issuer the services accept");
  flags.Add("duration", "", "30m", "how long to load, e.g. 60s for the quick form");
  flags.Add("clients", "", "4", "threads calling at once");
  flags.Add("pid-dir", "", ".local/run", "where <service>.pid files are");
  flags.Add("target-mb", "", "200", "the most resident memory a service may reach");
  flags.Add("directory", "", "localhost:7401", "hartslag-directory");
  flags.Add("intake", "", "localhost:7402", "hartslag-intake");
  flags.Add("cases", "", "localhost:7403", "hartslag-cases");
  flags.Add("audit", "", "localhost:7404", "hartslag-audit");
  if (absl::Status parsed = flags.Parse(argc, argv); !parsed.ok()) return IsHelpRequested(parsed) ? 0 : 2;
  auto ca = ReadFile(flags.Get("ca"), "--ca");
  auto signer = TokenSigner::FromPemFile(flags.Get("jwt-key"));
  auto duration = flags.GetDuration("duration");
  auto clients = flags.GetInt("clients");
  auto target = flags.GetInt("target-mb");
  if (!ca.ok() || !signer.ok() || !duration.ok() || !clients.ok() || !target.ok()) {
    std::fprintf(stderr, "--ca and --jwt-key are required; --duration, --clients, --target-mb must parse\n");
    return 2;
  }
  const std::vector<std::string> services = {"audit", "directory", "intake", "cases"};
  std::map<std::string, std::string> pids, addresses;
  for (const std::string& s : services) {
    auto pid = ReadFile(flags.Get("pid-dir") + "/" + s + ".pid", "--pid-dir");
    if (!pid.ok()) {
      std::fprintf(stderr, "%s\n", pid.status().ToString().c_str());
      return 2;
    }
    pids[s] = std::string(absl::StripAsciiWhitespace(*pid));
    addresses[s] = flags.Get(s);
  }

  std::map<std::string, Memory> memory;
  for (const std::string& s : services) memory[s].start = memory[s].peak = ResidentMb(pids[s]);
  Load load(*ca, *std::move(signer), flags.Get("jwt-issuer"), addresses);
  std::atomic<bool> stop = false;
  std::atomic<int64_t> rounds = 0;
  std::vector<std::thread> threads;
  for (int c = 0; c < *clients; ++c) {
    threads.emplace_back([&] {
      for (int n = 0; !stop; ++n) {
        load.Round(n, /*fresh=*/n % 10 == 0);
        if (n % 50 == 49) load.Burst(100);
        ++rounds;
      }
    });
  }
  absl::Time start = absl::Now(), end = start + *duration;
  absl::Time next_report = start + absl::Minutes(1);
  while (absl::Now() < end) {
    absl::SleepFor(absl::Seconds(1));
    for (const std::string& s : services) memory[s].peak = std::max(memory[s].peak, ResidentMb(pids[s]));
    if (absl::Now() >= next_report) {
      std::fprintf(stderr, "%.0f s: %lld rounds; peak MB", absl::ToDoubleSeconds(absl::Now() - start),
                   static_cast<long long>(rounds.load()));
      for (const std::string& s : services) std::fprintf(stderr, " %s %.0f", s.c_str(), memory[s].peak);
      std::fprintf(stderr, "\n");
      next_report += absl::Minutes(1);
    }
  }
  stop = true;
  for (std::thread& t : threads) t.join();
  absl::SleepFor(absl::Seconds(2));
  bool within = true;
  std::printf("mixed load for %.0f s with %d clients: %lld rounds (6 calls each), bursts of 100 connections\n",
              absl::ToDoubleSeconds(absl::Now() - start), *clients, static_cast<long long>(rounds.load()));
  std::printf("%-10s %10s %10s %10s\n", "service", "start MB", "peak MB", "end MB");
  for (const std::string& s : services) {
    memory[s].end = ResidentMb(pids[s]);
    std::printf("%-10s %10.1f %10.1f %10.1f\n", s.c_str(), memory[s].start, memory[s].peak, memory[s].end);
    within = within && memory[s].peak <= *target;
  }
  std::printf("calls by status:");
  for (const auto& [code, n] : load.counts()) std::printf(" %s %lld", code.c_str(), static_cast<long long>(n));
  std::printf("\npeak within %d MB: %s\n", *target, within ? "yes" : "NO");
  return within ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) { return Run(argc, argv); }
