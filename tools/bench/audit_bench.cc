// audit_bench: how the audit log's Merkle tree scales, in memory.
//
//   audit_bench [--entries 1000000] [--proofs 10000]
//   audit_bench --db "host=... dbname=..." [--entries 100000] [--batch 500]
//
// In memory: append throughput, and root, inclusion-proof and
// consistency-proof latency at the full size. With --db: append throughput
// and root latency of AuditStore in that PostgreSQL database (a new log). A benchmark: it measures, it asserts nothing
// beyond checking that the proofs it times verify.
#include <cstdio>
#include <random>

#include "absl/time/clock.h"
#include "services/audit/audit_store.h"
#include "services/audit/merkle.h"
#include "services/common/crypto.h"
#include "services/common/config.h"

namespace {

using namespace hartslag;

double Seconds(absl::Time since) { return absl::ToDoubleSeconds(absl::Now() - since); }

int Database(const std::string& conninfo, uint64_t entries, int batch) {
  auto pool = db::Pool::Open(conninfo, 2);
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
  absl::Time start = absl::Now();
  for (uint64_t done = 0; done < entries;) {
    std::vector<audit::v1::AuditEvent> events;
    for (int i = 0; i < batch && done < entries; ++i, ++done) {
      audit::v1::AuditEvent& e = events.emplace_back();
      e.set_event_id(RandomUuid());
      e.mutable_object()->set_type("signal");
      e.mutable_object()->set_id(std::to_string(done));
      e.add_subjects("person:" + HexEncode(RandomBytes(32)));
    }
    if (auto size = store.Append(log, events); !size.ok()) {
      std::fprintf(stderr, "%s\n", size.status().ToString().c_str());
      return 1;
    }
  }
  double seconds = Seconds(start);
  std::printf("AuditStore append (PostgreSQL, batches of %d): %llu entries in %.1f s = %.0f entries/s\n",
              batch, static_cast<unsigned long long>(entries), seconds, entries / seconds);
  start = absl::Now();
  for (int i = 0; i < 100; ++i) (void)store.Root(log, entries - i);
  std::printf("AuditStore root at %llu entries: %.2f ms\n", static_cast<unsigned long long>(entries),
              Seconds(start) * 10);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags("audit_bench", "measure the audit log's Merkle tree");
  flags.Add("entries", "", "1000000", "entries to append");
  flags.Add("proofs", "", "10000", "proofs to time");
  flags.Add("db", "", "", "measure AuditStore in this database instead of the in-memory tree");
  flags.Add("batch", "", "500", "with --db: entries per append");
  absl::Status parsed = flags.Parse(argc, argv);
  if (IsHelpRequested(parsed)) return 0;
  if (!parsed.ok()) {
    std::fprintf(stderr, "%s\n", parsed.ToString().c_str());
    return 2;
  }
  const uint64_t entries = static_cast<uint64_t>(*flags.GetInt("entries"));
  const int proofs = *flags.GetInt("proofs");
  if (!flags.Get("db").empty()) return Database(flags.Get("db"), entries, *flags.GetInt("batch"));

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
