// Flag values the CLI's commands share: times, enum names, persons and the
// request ids of creates. A value that cannot be read is a UsageError.
#ifndef HARTSLAG_CLIENTS_CLI_FLAG_VALUES_H_
#define HARTSLAG_CLIENTS_CLI_FLAG_VALUES_H_

#include <initializer_list>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "services/common/config.h"

namespace hartslag::cli {

// Accepts RFC 3339 ("2026-11-28T23:00:00+01:00"), or Dutch local time as
// "2026-11-28 23:00" or "2026-11-28".
absl::StatusOr<absl::Time> ParseTimeFlag(const std::string& flag, const std::string& text);

// Declares --request-id on a create command.
void AddRequestIdFlag(Flags& flags);
// The request id of a create: --request-id, or a new UUID. Printed on
// stderr before the call is sent, so that a create whose answer was lost (a
// timeout) can be sent again with `--request-id <id>` and is still made once.
std::string RequestIdOf(const Flags& flags);

// "high" with prefix "URGENCY_" -> URGENCY_HIGH, by the enum's Parse function.
template <typename Enum, typename Parse>
absl::StatusOr<Enum> ParseEnumFlag(const std::string& flag, const std::string& value,
                                   const std::string& prefix, Parse parse) {
  Enum result;
  if (!parse(prefix + absl::AsciiStrToUpper(value), &result)) {
    return UsageError(absl::StrCat("--", flag, ": onbekende waarde ", value));
  }
  return result;
}

// "name|birth year|role;..." into a repeated field of person messages (any
// message with name, birth_year and role).
template <typename Persons>
absl::Status ParsePersonsFlag(const std::string& text, Persons* persons) {
  for (absl::string_view entry : absl::StrSplit(text, ';', absl::SkipWhitespace())) {
    std::vector<std::string> parts = absl::StrSplit(entry, '|');
    auto* person = persons->Add();
    person->set_name(parts[0]);
    if (parts.size() > 1 && !parts[1].empty()) {
      int year = 0;
      if (!absl::SimpleAtoi(parts[1], &year)) {
        return UsageError("--persons: het geboortejaar moet een getal zijn");
      }
      person->set_birth_year(year);
    }
    if (parts.size() > 2) person->set_role(parts[2]);
  }
  return absl::OkStatus();
}

// A usage error naming the first of `names` that was given no value.
absl::Status Required(const Flags& flags, std::initializer_list<const char*> names);

// "a,b" -> {"a", "b"}.
std::vector<std::string> ListFlag(const std::string& text);

}  // namespace hartslag::cli

#endif  // HARTSLAG_CLIENTS_CLI_FLAG_VALUES_H_
