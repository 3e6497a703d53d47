#include "libs/audit_verify/log_export.h"

#include <optional>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libs/audit_verify/merkle.h"
#include "nlohmann/json.hpp"
#include "services/common/crypto.h"
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

}  // namespace hartslag::audit
