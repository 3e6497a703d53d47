// Structured logging: one JSON object per line on stderr with the time, level,
// service, request id and message, plus optional fields.
//
//   Log(LogLevel::kInfo, "rpc finished", {{"rpc", "SubmitSignal"}, {"code", "OK"}});
//
// Never pass personal data (names, addresses, descriptions) in a message or a
// field: log ids, codes and counts only. Thread-safe.
#ifndef HARTSLAG_SERVICES_COMMON_LOG_H_
#define HARTSLAG_SERVICES_COMMON_LOG_H_

#include <string>
#include "absl/strings/string_view.h"
#include <utility>
#include <vector>

namespace hartslag {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

using LogFields = std::vector<std::pair<std::string, std::string>>;

// Sets the service name written on every line. Call once at start-up.
void SetLogService(std::string service);

// Writes one line. `request_id` may be empty for lines outside a request.
void Log(LogLevel level, absl::string_view message, const LogFields& fields = {},
         absl::string_view request_id = {});

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_LOG_H_
