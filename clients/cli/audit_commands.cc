// hartslag audit verify: checks an exported audit log offline, without a
// database or a running service.
#include <openssl/evp.h>

#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "clients/cli/commands.h"
#include "services/audit/log_export.h"
#include "services/common/config.h"
#include "services/common/crypto.h"
#include "services/common/files.h"
#include "services/common/status_macros.h"

namespace hartslag::cli {
namespace {

absl::Status Verify(const std::vector<std::string>& args) {
  Flags flags("hartslag audit verify",
              "recompute an exported audit log's Merkle root and check it against a signed tree head");
  flags.Add("log", "", "", "the exported log (JSON Lines)");
  flags.Add("tree-head", "", "", "a signed tree head (JSON) to check the log against");
  flags.Add("public-key", "HARTSLAG_AUDIT_PUBLIC_KEY", "",
            "the audit log's Ed25519 public key (PEM); needed with --tree-head");
  RETURN_IF_ERROR(flags.Parse(args));
  if (flags.Get("log").empty()) return absl::InvalidArgumentError("--log is required");
  std::ifstream log(flags.Get("log"));
  if (!log) return absl::InvalidArgumentError(absl::StrCat("--log: cannot read ", flags.Get("log")));
  std::optional<audit::TreeHead> head;
  KeyPtr key(nullptr, EVP_PKEY_free);
  if (!flags.Get("tree-head").empty()) {
    ASSIGN_OR_RETURN(std::string json, ReadFile(flags.Get("tree-head"), "--tree-head"));
    ASSIGN_OR_RETURN(head, audit::TreeHeadFromJson(json));
    if (flags.Get("public-key").empty()) {
      return absl::InvalidArgumentError("--public-key is required with --tree-head");
    }
    ASSIGN_OR_RETURN(std::string pem, ReadFile(flags.Get("public-key"), "--public-key"));
    ASSIGN_OR_RETURN(key, ParseEd25519Pem(pem, /*is_private=*/false));
  }
  ASSIGN_OR_RETURN(audit::VerifiedLog verified, audit::VerifyExportedLog(log, head, key.get()));
  std::printf("tree_size=%llu root=%s\n", static_cast<unsigned long long>(verified.tree_size),
              HexEncode(verified.root_hash).c_str());
  if (head) {
    std::printf("the first %llu entries match the tree head signed by key %s\n",
                static_cast<unsigned long long>(head->tree_size), head->key_id.c_str());
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status AuditCommand(const std::vector<std::string>& args) {
  if (!args.empty() && args[0] == "verify") return Verify({args.begin() + 1, args.end()});
  std::printf("usage: hartslag audit verify --log FILE [--tree-head FILE --public-key FILE]\n");
  return absl::InvalidArgumentError("missing or unknown audit subcommand");
}

}  // namespace hartslag::cli
