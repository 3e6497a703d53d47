#include "clients/cli/output.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"
#include "services/common/text.h"

namespace hartslag::cli {

void AddOutputFlags(Flags& flags) {
  flags.Add("output", "", "table", "table, json or csv (csv: lists only)");
  flags.AddShort("-o", "output");
  flags.AddBool("json", "", false, "short for -o json");
}

absl::StatusOr<Format> OutputFormat(const Flags& flags, Shape shape) {
  const std::string format = flags.GetBool("json") ? "json" : flags.Get("output");
  if (format == "table") return Format::kTable;
  if (format == "json") return Format::kJson;
  if (format == "csv" && shape == Shape::kList) return Format::kCsv;
  if (format == "csv") return UsageError("-o csv: alleen voor lijsten; kies table of json");
  return UsageError(absl::StrCat("-o: onbekend formaat ", format, "; kies table, json of csv"));
}

Format FormatOf(const Flags& flags) { return OutputFormat(flags, Shape::kList).value_or(Format::kTable); }

void PrintList(const Flags& flags, const google::protobuf::Message& message, const std::vector<std::string>& headers,
               const Rows& rows, const std::string& note) {
  if (FormatOf(flags) == Format::kJson) {
    PrintJson(message);
  } else {
    PrintRows(flags, headers, rows, note);
  }
}

void PrintRows(const Flags& flags, const std::vector<std::string>& headers, const Rows& rows,
               const std::string& note) {
  if (FormatOf(flags) == Format::kCsv) {
    std::fputs(Csv(headers, rows).c_str(), stdout);
    if (!note.empty()) std::fprintf(stderr, "%s\n", note.c_str());
    return;
  }
  PrintTable(headers, rows);
  if (!note.empty()) std::printf("%s\n", note.c_str());
}

void PrintTable(const std::vector<std::string>& headers, const Rows& rows) {
  std::vector<size_t> widths(headers.size());
  auto width = [](const std::string& s) { return Utf8Length(s).value_or(s.size()); };
  for (size_t c = 0; c < headers.size(); ++c) widths[c] = width(headers[c]);
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size() && c < widths.size(); ++c) {
      widths[c] = std::max(widths[c], width(row[c]));
    }
  }
  auto print_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(widths[c] - width(row[c]) + 2, ' ');
    }
    std::printf("%s\n", line.c_str());
  };
  print_row(headers);
  for (const auto& row : rows) print_row(row);
}

std::string JsonOf(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

void PrintJson(const google::protobuf::Message& message) { std::printf("%s\n", JsonOf(message).c_str()); }

std::string CsvField(absl::string_view text) {
  bool formula = !text.empty() && absl::string_view("=+-@\t\r").find(text[0]) != absl::string_view::npos;
  std::string field = formula ? absl::StrCat("'", text) : std::string(text);
  if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
  return absl::StrCat("\"", absl::StrReplaceAll(field, {{"\"", "\"\""}}), "\"");
}

std::string Csv(const std::vector<std::string>& headers, const Rows& rows) {
  std::string out;
  auto line = [&out](const std::vector<std::string>& fields) {
    for (size_t i = 0; i < fields.size(); ++i) absl::StrAppend(&out, i ? "," : "", CsvField(fields[i]));
    out += "\r\n";
  };
  line(headers);
  for (const auto& row : rows) line(row);
  return out;
}

absl::TimeZone CliTimeZone() {
  // absl caches loaded zones: reading the environment each time is cheap.
  const char* configured = std::getenv("HARTSLAG_TIME_ZONE");
  absl::TimeZone zone;
  if (configured != nullptr && *configured != '\0') {
    if (absl::LoadTimeZone(configured, &zone)) return zone;
    std::fprintf(stderr, "HARTSLAG_TIME_ZONE: onbekende tijdzone %s; Europe/Amsterdam gebruikt\n", configured);
  }
  if (!absl::LoadTimeZone("Europe/Amsterdam", &zone)) zone = absl::UTCTimeZone();
  return zone;
}

std::string LocalTime(const google::protobuf::Timestamp& timestamp) {
  if (timestamp.seconds() == 0 && timestamp.nanos() == 0) return "";
  return absl::FormatTime("%Y-%m-%d %H:%M", absl::FromUnixSeconds(timestamp.seconds()), CliTimeZone());
}

std::string EnumLabel(const std::string& full_name, const std::string& prefix) {
  std::string label = full_name.substr(std::min(prefix.size(), full_name.size()));
  return absl::AsciiStrToLower(label);
}

}  // namespace hartslag::cli
