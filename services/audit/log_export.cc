#include "services/audit/log_export.h"

#include <optional>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "services/audit/merkle.h"
#include "services/common/crypto.h"
#include "services/common/server.h"
#include "services/common/status_macros.h"

namespace hartslag::audit {
namespace {

absl::Status BadEntry(uint64_t index, absl::string_view reason) {
  return absl::FailedPreconditionError(absl::StrCat("entry ", index, ": ", reason));
}

}  // namespace

std::string ExportLine(uint64_t index, absl::string_view entry, absl::string_view leaf_hash) {
  nlohmann::ordered_json line = {{"index", index},
                                 {"leaf", absl::Base64Escape(entry)},
                                 {"leaf_hash", HexEncode(leaf_hash)}};
  return line.dump();
}

absl::StatusOr<VerifiedLog> VerifyExportedLog(std::istream& lines,
                                              const std::optional<TreeHead>& head, EVP_PKEY* key) {
  if (head) RETURN_IF_ERROR(VerifyTreeHead(*head, key));
  MerkleTree tree;
  std::string text;
  for (uint64_t expected = 0; std::getline(lines, text); ++expected) {
    auto line = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!line.is_object() || !line.contains("index") || !line["index"].is_number_unsigned() ||
        !line.contains("leaf") || !line["leaf"].is_string()) {
      return BadEntry(expected, "not an exported entry (index and leaf are required)");
    }
    uint64_t index = line["index"].get<uint64_t>();
    if (index != expected) {
      return BadEntry(expected, absl::StrCat("found index ", index, ": entries are missing or out of order"));
    }
    std::string entry;
    if (!absl::Base64Unescape(line["leaf"].get<std::string>(), &entry)) {
      return BadEntry(expected, "leaf is not base64");
    }
    std::string leaf_hash = LeafHash(entry);
    if (line.contains("leaf_hash") &&
        (!line["leaf_hash"].is_string() || line["leaf_hash"].get<std::string>() != HexEncode(leaf_hash))) {
      return BadEntry(expected, "the entry does not match the leaf hash the log recorded");
    }
    tree.Append(std::move(leaf_hash));
  }
  VerifiedLog verified{tree.size(), *tree.Root(tree.size())};
  if (head) {
    if (head->tree_size > tree.size()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "tree head: vouches for ", head->tree_size, " entries, the log has ", tree.size()));
    }
    if (*tree.Root(head->tree_size) != head->root_hash) {
      return absl::FailedPreconditionError(
          "tree head: the root of the exported entries differs from the signed root");
    }
  }
  return verified;
}

absl::StatusOr<uint64_t> ExportFromService(
    v1::AuditService::Stub& stub, const std::function<std::unique_ptr<grpc::ClientContext>()>& call,
    std::ostream& out) {
  // Up to the size the log had at the first page: each page call adds its
  // own record to the same log, which would otherwise be chased forever.
  uint64_t written = 0;
  std::optional<uint64_t> end;
  while (!end || written < *end) {
    v1::ExportLogRequest request;
    request.set_from_index(written);
    request.set_page_size(kMaxExportPage);
    v1::ExportLogResponse page;
    RETURN_IF_ERROR(FromGrpcStatus(stub.ExportLog(call().get(), request, &page)));
    if (!end) end = page.log_size();
    for (const v1::LogEntry& e : page.entries()) {
      if (e.index() != written) {
        return absl::DataLossError(absl::StrCat("export: expected entry ", written, ", got ", e.index()));
      }
      out << ExportLine(e.index(), e.entry(), e.leaf_hash()) << "\n";
      ++written;
    }
    if (page.entries().empty()) return written;
  }
  return written;
}

}  // namespace hartslag::audit
