#include "clients/cli/flag_values.h"

#include <cstdio>

#include "services/common/crypto.h"

namespace hartslag::cli {

void AddRequestIdFlag(Flags& flags) {
  flags.Add("request-id", "", "", "UUID making the create exactly-once; reuse it to retry (default: a new one)");
}

std::string RequestIdOf(const Flags& flags) {
  std::string id = flags.IsSet("request-id") ? flags.Get("request-id") : RandomUuid();
  std::fprintf(stderr, "request id %s\n", id.c_str());
  return id;
}

absl::StatusOr<absl::Time> ParseTimeFlag(const std::string& flag, const std::string& text) {
  absl::Time time;
  std::string err;
  if (absl::ParseTime(absl::RFC3339_full, text, &time, &err)) return time;
  absl::TimeZone zone;
  if (!absl::LoadTimeZone("Europe/Amsterdam", &zone)) zone = absl::UTCTimeZone();
  for (const char* format : {"%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d"}) {
    if (absl::ParseTime(format, text, zone, &time, &err)) return time;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--", flag, ": use 2026-11-28, \"2026-11-28 23:00\" or RFC 3339"));
}

std::vector<std::string> ListFlag(const std::string& text) {
  return absl::StrSplit(text, ',', absl::SkipWhitespace());
}

}  // namespace hartslag::cli
