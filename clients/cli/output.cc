#include "clients/cli/output.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/ascii.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"
#include "services/common/text.h"

namespace hartslag::cli {

void PrintTable(const std::vector<std::string>& headers,
                const std::vector<std::vector<std::string>>& rows) {
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

void PrintJson(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  google::protobuf::util::MessageToJsonString(message, &json, options);
  std::printf("%s\n", json.c_str());
}

std::string LocalTime(const google::protobuf::Timestamp& timestamp) {
  if (timestamp.seconds() == 0 && timestamp.nanos() == 0) return "";
  absl::TimeZone zone;
  if (!absl::LoadTimeZone("Europe/Amsterdam", &zone)) zone = absl::UTCTimeZone();
  return absl::FormatTime("%Y-%m-%d %H:%M", absl::FromUnixSeconds(timestamp.seconds()), zone);
}

std::string EnumLabel(const std::string& full_name, const std::string& prefix) {
  std::string label = full_name.substr(std::min(prefix.size(), full_name.size()));
  return absl::AsciiStrToLower(label);
}

}  // namespace hartslag::cli
