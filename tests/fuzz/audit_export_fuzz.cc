// Fuzzes the offline verification of an exported audit log
// (libs/audit_verify/log_export.h, VerifyExportedLog) and the tree head it is
// checked against (libs/audit_verify/tree_head.h, TreeHeadFromJson): what
// `hartslag audit verify` reads from files an auditor was handed.
//
// The first byte chooses what the rest is:
//   '0' (byte % 3 == 0)  JSON Lines of the log, verified without a tree head;
//   '1' (byte % 3 == 1)  "<tree head JSON>\n<JSON Lines>": the head is parsed
//                        and, if it parses, the log verified against it;
//   '2' (byte % 3 == 2)  "<tree size>\n<JSON Lines>": the target signs a head
//                        for that size over the root of the log's first lines
//                        and verifies the log against it, which must succeed
//                        exactly when the log is valid and that long.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/audit_verify/log_export.h"
#include "libs/audit_verify/tree_head.h"
#include "services/common/token.h"
#include "tests/fuzz/fuzz_key.h"

namespace {

using hartslag::KeyPtr;
using hartslag::audit::TreeHead;
using hartslag::audit::VerifiedLog;

struct Keys {
  KeyPtr signing;
  KeyPtr verifying;
};

const Keys& TheKeys() {
  static const Keys* keys = [] {
    auto signing = hartslag::ParseEd25519Pem(hartslag::fuzz::kPrivateKeyPem, /*is_private=*/true);
    auto verifying = hartslag::ParseEd25519Pem(hartslag::fuzz::kPublicKeyPem, /*is_private=*/false);
    if (!signing.ok() || !verifying.ok()) std::abort();
    return new Keys{*signing, *verifying};
  }();
  return *keys;
}

absl::StatusOr<VerifiedLog> Verify(absl::string_view lines, const std::optional<TreeHead>& head) {
  std::istringstream stream{std::string(lines)};
  return hartslag::audit::VerifyExportedLog(stream, head, TheKeys().verifying.get());
}

// The first `count` lines of `lines`, as std::getline splits them.
absl::string_view FirstLines(absl::string_view lines, uint64_t count) {
  size_t end = 0;
  for (uint64_t i = 0; i < count && end < lines.size(); ++i) {
    size_t newline = lines.find('\n', end);
    end = newline == absl::string_view::npos ? lines.size() : newline + 1;
  }
  return lines.substr(0, end);
}

void SignedHead(absl::string_view size_text, absl::string_view lines) {
  uint64_t tree_size = 0;
  if (!absl::SimpleAtoi(size_text, &tree_size)) return;
  auto log = Verify(lines, std::nullopt);
  auto prefix = Verify(FirstLines(lines, tree_size), std::nullopt);
  if (!prefix.ok()) {
    if (log.ok()) std::abort();  // a prefix of a valid log is valid
    return;
  }
  auto head = hartslag::audit::SignTreeHead(tree_size, prefix->root_hash, absl::FromUnixMillis(1772323200000),
                                            TheKeys().signing.get());
  if (!head.ok()) std::abort();
  auto round_trip = hartslag::audit::TreeHeadFromJson(hartslag::audit::TreeHeadToJson(*head));
  if (!round_trip.ok() || round_trip->tree_size != head->tree_size ||
      round_trip->root_hash != head->root_hash || round_trip->timestamp != head->timestamp ||
      round_trip->key_id != head->key_id || round_trip->signature != head->signature) {
    std::abort();
  }
  auto checked = Verify(lines, *round_trip);
  bool should_pass = log.ok() && tree_size <= log->tree_size;
  if (checked.ok() != should_pass) std::abort();
  if (checked.ok() && (checked->tree_size != log->tree_size || checked->root_hash != log->root_hash)) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  absl::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 3 == 0) {
    Verify(rest, std::nullopt).IgnoreError();
    return 0;
  }
  size_t newline = rest.find('\n');
  absl::string_view first = rest.substr(0, newline);
  absl::string_view lines = newline == absl::string_view::npos ? "" : rest.substr(newline + 1);
  if (data[0] % 3 == 1) {
    auto head = hartslag::audit::TreeHeadFromJson(first);
    if (head.ok()) Verify(lines, *head).IgnoreError();
    return 0;
  }
  SignedHead(first, lines);
  return 0;
}
