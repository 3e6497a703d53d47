// What the audit benchmarks append: an audit record as a service delivers
// one (a coordinator reading a signal, with a person and an address as
// subjects), so that entries weigh what real ones do.
#ifndef HARTSLAG_TOOLS_BENCH_AUDIT_LOAD_H_
#define HARTSLAG_TOOLS_BENCH_AUDIT_LOAD_H_

#include <cstdint>
#include <string>

#include "hartslag/audit/v1/audit.pb.h"

namespace hartslag::bench {

// The `n`th benchmark record of `tenant`'s log; every call gets a new event id.
audit::v1::AuditEvent BenchAuditEvent(const std::string& tenant, uint64_t n);

}  // namespace hartslag::bench

#endif  // HARTSLAG_TOOLS_BENCH_AUDIT_LOAD_H_
