#include "clients/cli/flag_values.h"

#include <cstdio>

#include "clients/cli/output.h"
#include "services/common/crypto.h"

namespace hartslag::cli {

void AddRequestIdFlag(Flags& flags) {
  flags.Add("request-id", "", "", "UUID that makes this create exactly-once (default: a new one, printed first)");
}

std::string RequestIdOf(const Flags& flags) {
  std::string id = flags.IsSet("request-id") ? flags.Get("request-id") : RandomUuid();
  std::fprintf(stderr, "verzoek-id %s (bij een time-out veilig opnieuw te sturen met --request-id %s)\n", id.c_str(),
               id.c_str());
  return id;
}

absl::StatusOr<absl::Time> ParseTimeFlag(const std::string& flag, const std::string& text) {
  absl::Time time;
  std::string err;
  if (absl::ParseTime(absl::RFC3339_full, text, &time, &err)) return time;
  const absl::TimeZone zone = CliTimeZone();
  for (const char* format : {"%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d"}) {
    if (absl::ParseTime(format, text, zone, &time, &err)) return time;
  }
  return UsageError(absl::StrCat("--", flag, ": gebruik 2026-11-28, \"2026-11-28 23:00\" of RFC 3339"));
}

absl::Status Required(const Flags& flags, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    if (flags.Get(name).empty()) return UsageError(absl::StrCat("--", name, " ontbreekt"));
  }
  return absl::OkStatus();
}

std::vector<std::string> ListFlag(const std::string& text) {
  return absl::StrSplit(text, ',', absl::SkipWhitespace());
}

}  // namespace hartslag::cli
