// Fetches an audit log from hartslag-audit for offline verification
// (libs/audit_verify/log_export.h reads what this writes).
//
//   std::ofstream out("log.jsonl");
//   ASSIGN_OR_RETURN(uint64_t entries,
//                    ExportAuditLog(*audit_stub, [&] { return *session.NewCall(); }, out));
#ifndef HARTSLAG_CLIENTS_CPP_AUDIT_EXPORT_H_
#define HARTSLAG_CLIENTS_CPP_AUDIT_EXPORT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "hartslag/audit/v1/audit.grpc.pb.h"

namespace hartslag::client {

// Reads the whole log (ExportLog, page by page) up to the size it had at the
// first page and writes it as JSON Lines; `call` makes each call's context
// (its token and purpose). Returns how many entries it wrote.
absl::StatusOr<uint64_t> ExportAuditLog(audit::v1::AuditService::Stub& stub,
                                        const std::function<std::unique_ptr<grpc::ClientContext>()>& call,
                                        std::ostream& out);

}  // namespace hartslag::client

#endif  // HARTSLAG_CLIENTS_CPP_AUDIT_EXPORT_H_
