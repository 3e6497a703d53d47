// audit_bench: how the audit log scales.
//
//   audit_bench [--entries 1000000] [--proofs 10000]
//   audit_bench --db "host=... dbname=..." [--entries 100000] [--batch 500] [--clients 2] [--proofs 1000]
//   audit_bench --server localhost:7404 --ca ca.pem --cert intake.pem --key intake.key
//               --jwt-key jwt.key [--entries 1000000] [--batch 500] [--clients 2] [--proofs 1000]
//
// In memory: append throughput, and root, inclusion-proof and
// consistency-proof latency at the full size. With --db: append throughput,
// root latency and inclusion- and consistency-proof latency of AuditStore in
// that PostgreSQL database (a new log).
// With --server: through a running hartslag-audit, as a service delivering
// batches (Append over mutual TLS) into a new tenant's log, then inclusion
// and consistency proofs fetched as a privacy officer and checked against a
// signed tree head. A benchmark: it measures and prints; it asserts nothing
// beyond checking that the proofs it times verify.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <random>
#include <thread>

#include "absl/time/clock.h"
#include "hartslag/audit/v1/audit.grpc.pb.h"
#include "libs/audit_verify/merkle.h"
#include "services/audit/audit_store.h"
#include "tools/bench/audit_load.h"
#include "services/common/config.h"
#include "services/common/crypto.h"
#include "services/common/files.h"
#include "services/common/proto_time.h"
#include "services/common/token.h"

namespace {

using namespace hartslag;

double Seconds(absl::Time since) { return absl::ToDoubleSeconds(absl::Now() - since); }

double Percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<size_t>(p * values.size()))];
}

int Database(const std::string& conninfo, uint64_t entries, int batch, int clients, int proofs) {
  auto pool = db::Pool::Open(conninfo, clients + 1);
  if (!pool.ok()) {
    std::fprintf(stderr, "%s\n", pool.status().ToString().c_str());
    return 1;
  }
  if (auto applied = db::ApplyMigrations(**pool, audit::kSchema, AuditMigrations()); !applied.ok()) {
    std::fprintf(stderr, "%s\n", applied.status().ToString().c_str());
    return 1;
  }
  audit::AuditStore store(pool->get());
  std::string log = "bench-" + HexEncode(RandomBytes(4));
  // `clients` appenders take batches in turn; the time is the wall clock of
  // the appends, making the events included (a few percent of it).
  std::atomic<uint64_t> taken = 0;
  std::atomic<bool> failed = false;
  absl::Time began = absl::Now();
  std::vector<std::thread> appenders;
  for (int c = 0; c < clients; ++c) {
    appenders.emplace_back([&] {
      for (;;) {
        uint64_t first = taken.fetch_add(batch);
        if (first >= entries || failed) return;
        std::vector<audit::v1::AuditEvent> events;
        for (uint64_t i = first; i < std::min(entries, first + batch); ++i) {
          events.push_back(bench::BenchAuditEvent(log, i));
        }
        if (auto size = store.Append(log, events); !size.ok()) {
          std::fprintf(stderr, "%s\n", size.status().ToString().c_str());
          failed = true;
        }
      }
    });
  }
  for (std::thread& t : appenders) t.join();
  if (failed) return 1;
  double seconds = Seconds(began);
  std::printf("AuditStore append (PostgreSQL, %d appenders, batches of %d): %llu entries in %.1f s = %.0f entries/s\n",
              clients, batch, static_cast<unsigned long long>(entries), seconds, entries / seconds);
  absl::Time start = absl::Now();
  for (int i = 0; i < 100; ++i) (void)store.Root(log, entries - i);
  std::printf("AuditStore root at %llu entries: %.2f ms\n", static_cast<unsigned long long>(entries),
              Seconds(start) * 10);

  std::mt19937_64 random(42);
  std::string root = *store.Root(log, entries);
  std::vector<double> latencies;
  int verified = 0;
  for (int i = 0; i < proofs; ++i) {
    uint64_t index = random() % entries;
    absl::Time t = absl::Now();
    auto proof = store.InclusionProof(log, index, entries);
    latencies.push_back(absl::ToDoubleMilliseconds(absl::Now() - t));
    verified += proof.ok() && audit::VerifyInclusion(audit::LeafHash(proof->entry), index, entries,
                                                     proof->path, root);
  }
  std::printf("AuditStore inclusion proof at %llu entries: p50 %.3f ms, p99 %.3f ms (%d/%d verified)\n",
              static_cast<unsigned long long>(entries), Percentile(latencies, 0.5),
              Percentile(latencies, 0.99), verified, proofs);
  latencies.clear();
  for (int i = 0; i < proofs; ++i) {
    uint64_t old_size = 1 + random() % (entries - 1);
    absl::Time t = absl::Now();
    auto proof = store.ConsistencyProof(log, old_size, entries);
    latencies.push_back(absl::ToDoubleMilliseconds(absl::Now() - t));
    if (!proof.ok()) return 1;
  }
  std::printf("AuditStore consistency proof at %llu entries: p50 %.3f ms, p99 %.3f ms\n",
              static_cast<unsigned long long>(entries), Percentile(latencies, 0.5),
              Percentile(latencies, 0.99));
  return verified == proofs ? 0 : 1;
}

int Service(const Flags& flags, uint64_t entries, int batch, int clients, int proofs) {
  auto fail = [](const std::string& what) {
    std::fprintf(stderr, "%s\n", what.c_str());
    return 1;
  };
  grpc::SslCredentialsOptions tls;
  auto ca = ReadFile(flags.Get("ca"), "--ca");
  auto cert = ReadFile(flags.Get("cert"), "--cert");
  auto key = ReadFile(flags.Get("key"), "--key");
  auto signer = TokenSigner::FromPemFile(flags.Get("jwt-key"));
  if (!ca.ok() || !cert.ok() || !key.ok() || !signer.ok()) {
    return fail("--ca, --cert, --key (a service certificate) and --jwt-key are required");
  }
  tls.pem_root_certs = *ca;
  auto officer_channel = grpc::CreateChannel(flags.Get("server"), grpc::SslCredentials(tls));
  tls.pem_cert_chain = *cert;
  tls.pem_private_key = *key;
  auto service_channel = grpc::CreateChannel(flags.Get("server"), grpc::SslCredentials(tls));
  const std::string tenant = "bench-" + HexEncode(RandomBytes(4));

  std::atomic<uint64_t> next{0};
  std::atomic<bool> failed{false};
  absl::Time start = absl::Now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      auto stub = audit::v1::AuditService::NewStub(service_channel);
      for (;;) {
        uint64_t from = next.fetch_add(batch);
        if (from >= entries || failed) return;
        audit::v1::AppendRequest request;
        for (uint64_t n = from; n < std::min<uint64_t>(entries, from + batch); ++n) {
          request.add_events(bench::BenchAuditEvent(tenant, n).SerializeAsString());
        }
        grpc::ClientContext call;
        call.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
        audit::v1::AppendResponse response;
        grpc::Status status = stub->Append(&call, request, &response);
        if (!status.ok()) {
          std::fprintf(stderr, "Append: %s\n", status.error_message().c_str());
          failed = true;
          return;
        }
        if (from / batch % 200 == 0) {
          std::fprintf(stderr, "  %llu appended\n", static_cast<unsigned long long>(from + batch));
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  if (failed) return 1;
  double append_s = Seconds(start);
  std::printf("Append through hartslag-audit (%d clients, batches of %d): %llu entries in %.1f s = %.0f entries/s\n",
              clients, batch, static_cast<unsigned long long>(entries), append_s, entries / append_s);

  TokenClaims claims;
  claims.issuer = flags.Get("jwt-issuer");
  claims.subject = "bench.officer";
  claims.tenant = tenant;
  claims.organisation = "gemeente";
  claims.organisation_kind = "MUNICIPALITY";
  claims.roles = {"PRIVACY_OFFICER"};
  claims.issued_at = claims.not_before = absl::Now();
  claims.expires_at = absl::Now() + absl::Hours(1);
  std::string token = *signer->Sign(claims);
  auto officer = audit::v1::AuditService::NewStub(officer_channel);
  auto call = [&] {
    auto c = std::make_unique<grpc::ClientContext>();
    c->AddMetadata("authorization", "Bearer " + token);
    c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return c;
  };

  audit::v1::GetTreeHeadRequest fresh;
  fresh.set_fresh(true);
  audit::v1::SignedTreeHead head;
  start = absl::Now();
  grpc::Status status = officer->GetTreeHead(call().get(), fresh, &head);
  if (!status.ok()) return fail("GetTreeHead: " + status.error_message());
  std::printf("signed tree head at %llu entries: %.1f ms\n",
              static_cast<unsigned long long>(head.tree_size()), Seconds(start) * 1000);

  std::mt19937_64 random(42);
  std::vector<double> latencies;
  int verified = 0;
  for (int i = 0; i < proofs; ++i) {
    audit::v1::GetInclusionProofRequest request;
    request.set_index(random() % head.tree_size());
    request.set_tree_size(head.tree_size());
    audit::v1::InclusionProof proof;
    absl::Time t = absl::Now();
    status = officer->GetInclusionProof(call().get(), request, &proof);
    if (!status.ok()) return fail("GetInclusionProof: " + status.error_message());
    std::vector<std::string> path(proof.audit_path().begin(), proof.audit_path().end());
    verified += audit::VerifyInclusion(audit::LeafHash(proof.entry()), proof.index(), head.tree_size(),
                                       path, head.root_hash());
    latencies.push_back(absl::ToDoubleMilliseconds(absl::Now() - t));
  }
  std::printf("inclusion proof (fetch + verify) at %llu entries: p50 %.2f ms, p99 %.2f ms (%d/%d verified)\n",
              static_cast<unsigned long long>(head.tree_size()), Percentile(latencies, 0.5),
              Percentile(latencies, 0.99), verified, proofs);

  latencies.clear();
  for (int i = 0; i < proofs / 10; ++i) {
    audit::v1::GetConsistencyProofRequest request;
    request.set_old_size(1 + random() % (head.tree_size() - 1));
    request.set_new_size(head.tree_size());
    audit::v1::ConsistencyProof proof;
    absl::Time t = absl::Now();
    status = officer->GetConsistencyProof(call().get(), request, &proof);
    if (!status.ok()) return fail("GetConsistencyProof: " + status.error_message());
    latencies.push_back(absl::ToDoubleMilliseconds(absl::Now() - t));
  }
  std::printf("consistency proof (fetch) at %llu entries: p50 %.2f ms, p99 %.2f ms\n",
              static_cast<unsigned long long>(head.tree_size()), Percentile(latencies, 0.5),
              Percentile(latencies, 0.99));
  return verified == proofs ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags("audit_bench", "measure the audit log's Merkle tree");
  flags.Add("entries", "", "1000000", "entries to append");
  flags.Add("proofs", "", "10000", "proofs to time");
  flags.Add("db", "", "", "measure AuditStore in this database instead of the in-memory tree");
  flags.Add("batch", "", "500", "with --db or --server: entries per append");
  flags.Add("server", "", "", "measure a running hartslag-audit at this address");
  flags.Add("ca", "HARTSLAG_CA", "", "with --server: the CA of its certificate");
  flags.Add("cert", "", "", "with --server: a service client certificate (e.g. intake.pem)");
  flags.Add("key", "", "", "with --server: its key");
  flags.Add("jwt-key", "", "", "with --server: the token signing key, to act as a privacy officer");
  flags.Add("jwt-issuer", "", "hartslag-dev", "with --server: the token issuer");
  flags.Add("clients", "", "2", "with --db or --server: concurrent appenders");
  absl::Status parsed = flags.Parse(argc, argv);
  if (IsHelpRequested(parsed)) return 0;
  if (!parsed.ok()) {
    std::fprintf(stderr, "%s\n", parsed.ToString().c_str());
    return 2;
  }
  const uint64_t entries = static_cast<uint64_t>(*flags.GetInt("entries"));
  const int proofs = *flags.GetInt("proofs");
  if (!flags.Get("db").empty()) {
    return Database(flags.Get("db"), entries, *flags.GetInt("batch"), *flags.GetInt("clients"), proofs);
  }
  if (!flags.Get("server").empty()) {
    return Service(flags, entries, *flags.GetInt("batch"), *flags.GetInt("clients"), proofs);
  }

  audit::MerkleTree tree;
  absl::Time start = absl::Now();
  for (uint64_t i = 0; i < entries; ++i) {
    tree.Append(audit::LeafHash("audit event " + std::to_string(i) + std::string(200, 'x')));
  }
  double append_s = Seconds(start);
  std::printf("append (leaf hash + tree): %llu entries in %.2f s = %.0f entries/s\n",
              static_cast<unsigned long long>(entries), append_s, entries / append_s);

  start = absl::Now();
  std::string root = *tree.Root(entries);
  std::printf("root at %llu entries: %.3f ms\n", static_cast<unsigned long long>(entries),
              Seconds(start) * 1000);

  std::mt19937_64 random(42);
  int verified = 0;
  start = absl::Now();
  for (int i = 0; i < proofs; ++i) {
    uint64_t index = random() % entries;
    auto proof = tree.InclusionProof(index, entries);
    verified += audit::VerifyInclusion(audit::LeafHash("audit event " + std::to_string(index) +
                                                       std::string(200, 'x')),
                                       index, entries, *proof, root);
  }
  std::printf("inclusion proof + verify at %llu entries: %.1f us each (%d/%d verified)\n",
              static_cast<unsigned long long>(entries), Seconds(start) * 1e6 / proofs, verified, proofs);

  start = absl::Now();
  for (int i = 0; i < proofs; ++i) {
    uint64_t old_size = 1 + random() % (entries - 1);
    auto proof = tree.ConsistencyProof(old_size, entries);
    verified += audit::VerifyConsistency(old_size, entries, *tree.Root(old_size), root, *proof);
  }
  std::printf("consistency proof + verify (incl. old root) at %llu entries: %.1f us each\n",
              static_cast<unsigned long long>(entries), Seconds(start) * 1e6 / proofs);
  return verified == 2 * proofs ? 0 : 1;
}
