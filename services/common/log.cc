#include "services/common/log.h"

#include <cstdio>
#include <mutex>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace hartslag {
namespace {

std::mutex log_mutex;
std::string& ServiceName() {
  static std::string name = "hartslag";
  return name;
}

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kError: return "error";
  }
  return "info";
}

}  // namespace

void SetLogService(std::string service) {
  std::lock_guard<std::mutex> lock(log_mutex);
  ServiceName() = std::move(service);
}

void Log(LogLevel level, absl::string_view message, const LogFields& fields,
         absl::string_view request_id) {
  nlohmann::ordered_json line;
  line["time"] = absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::Now(), absl::UTCTimeZone());
  line["level"] = LevelName(level);
  std::lock_guard<std::mutex> lock(log_mutex);
  line["service"] = ServiceName();
  if (!request_id.empty()) line["request_id"] = request_id;
  line["message"] = message;
  for (const auto& [key, value] : fields) line[key] = value;
  // Replace rather than throw on invalid UTF-8: a log line must never fail.
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::fprintf(stderr, "%s\n", text.c_str());
  std::fflush(stderr);
}

}  // namespace hartslag
