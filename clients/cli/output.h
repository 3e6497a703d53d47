// How the CLI prints. People get aligned tables and Dutch labels; scripts get
// JSON (protobuf's JSON mapping, field names as in the .proto: its keys are
// an interface); spreadsheets get CSV. Every command chooses with
// -o table|json|csv (--output; --json is short for -o json); CSV is for lists.
#ifndef HARTSLAG_CLIENTS_CLI_OUTPUT_H_
#define HARTSLAG_CLIENTS_CLI_OUTPUT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "services/common/config.h"

namespace hartslag::cli {

enum class Format { kTable, kJson, kCsv };
// What a command prints: one object, or a list (which may also be CSV).
enum class Shape { kObject, kList };

using Rows = std::vector<std::vector<std::string>>;

// Declares -o/--output and --json on `flags`.
void AddOutputFlags(Flags& flags);
// The format the parsed flags ask for; a usage error for an unknown one, or
// for csv where `shape` is not a list.
absl::StatusOr<Format> OutputFormat(const Flags& flags, Shape shape);
// The format of flags OutputFormat accepted.
Format FormatOf(const Flags& flags);

void PrintJson(const google::protobuf::Message& message);
std::string JsonOf(const google::protobuf::Message& message);
void PrintTable(const std::vector<std::string>& headers, const Rows& rows);

// A list: `message` as JSON, or `rows` under `headers` as a table or CSV.
// `note` (a count, where more pages are) follows a table, and goes to stderr
// with CSV to keep the file clean.
void PrintList(const Flags& flags, const google::protobuf::Message& message, const std::vector<std::string>& headers,
               const Rows& rows, const std::string& note = "");
// A table or CSV (PrintList without JSON), for a list that is not one message.
void PrintRows(const Flags& flags, const std::vector<std::string>& headers, const Rows& rows,
               const std::string& note = "");
// One object: `message` as JSON, or as `print` shows it.
template <typename Message, typename Print>
void PrintObject(const Flags& flags, const Message& message, Print print) {
  if (FormatOf(flags) == Format::kJson) {
    PrintJson(message);
  } else {
    print(message);
  }
}

// RFC 4180: comma-separated, CRLF line ends, a field with a comma, quote or
// line break quoted with its quotes doubled. A field that a spreadsheet would
// take for a formula (=, +, -, @, tab, CR first) gets a leading apostrophe:
// the lists hold text that reporters typed.
std::string CsvField(absl::string_view text);
std::string Csv(const std::vector<std::string>& headers, const Rows& rows);

// "2026-11-28 23:04" in Dutch local time; "" if unset.
std::string LocalTime(const google::protobuf::Timestamp& timestamp);

// The zone the command line reads and shows times in: the municipality's,
// from HARTSLAG_TIME_ZONE (e.g. America/Kralendijk), else Europe/Amsterdam.
// An unknown zone is reported on stderr and Europe/Amsterdam used.
absl::TimeZone CliTimeZone();
// The enum value name without its prefix, lower case: URGENCY_HIGH -> "high".
// Left as the value's name (not translated): it is what flags take.
std::string EnumLabel(const std::string& full_name, const std::string& prefix);

}  // namespace hartslag::cli

#endif  // HARTSLAG_CLIENTS_CLI_OUTPUT_H_
