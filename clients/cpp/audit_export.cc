#include "clients/cpp/audit_export.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "libs/audit_verify/log_export.h"
#include "services/common/grpc_status.h"
#include "services/common/status_macros.h"

namespace hartslag::client {

absl::StatusOr<uint64_t> ExportAuditLog(audit::v1::AuditService::Stub& stub,
                                        const std::function<std::unique_ptr<grpc::ClientContext>()>& call,
                                        std::ostream& out) {
  // Up to the size the log had at the first page: each page call adds its
  // own record to the same log, which would otherwise be chased forever.
  uint64_t written = 0;
  std::optional<uint64_t> end;
  while (!end || written < *end) {
    audit::v1::ExportLogRequest request;
    request.set_from_index(written);
    request.set_page_size(audit::kMaxExportPage);
    audit::v1::ExportLogResponse page;
    RETURN_IF_ERROR(FromGrpcStatus(stub.ExportLog(call().get(), request, &page)));
    if (!end) end = page.log_size();
    for (const audit::v1::LogEntry& e : page.entries()) {
      if (e.index() != written) {
        return absl::DataLossError(absl::StrCat("export: expected entry ", written, ", got ", e.index()));
      }
      out << audit::ExportLine(e.index(), e.entry(), e.leaf_hash()) << "\n";
      ++written;
    }
    if (page.entries().empty()) return written;
  }
  return written;
}

}  // namespace hartslag::client
