// Reading whole files (certificates, keys, tokens) with a clear error, and
// replacing one so that a crash leaves either the old or the new contents.
#ifndef HARTSLAG_SERVICES_COMMON_FILES_H_
#define HARTSLAG_SERVICES_COMMON_FILES_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace hartslag {

// The file's contents; INVALID_ARGUMENT "<what>: cannot read <path>" if it
// cannot be read. `what` names the flag or setting the path came from.
absl::StatusOr<std::string> ReadFile(const std::string& path, absl::string_view what);

// Replaces `path` with `contents` atomically and durably (a temporary file
// beside it, fsync, rename, fsync of the folder), readable by the owner only:
// for cursors and tokens, where a half-written file would lose or repeat work.
// INVALID_ARGUMENT "<what>: cannot write <path>" on failure.
absl::Status WriteFileAtomically(const std::string& path, absl::string_view contents, absl::string_view what);

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_FILES_H_
