// Reading whole files (certificates, keys, tokens) with a clear error.
#ifndef HARTSLAG_SERVICES_COMMON_FILES_H_
#define HARTSLAG_SERVICES_COMMON_FILES_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace hartslag {

// The file's contents; INVALID_ARGUMENT "<what>: cannot read <path>" if it
// cannot be read. `what` names the flag or setting the path came from.
absl::StatusOr<std::string> ReadFile(const std::string& path, absl::string_view what);

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_FILES_H_
