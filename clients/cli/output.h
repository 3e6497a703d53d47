// How the CLI prints: aligned tables for people, JSON (protobuf's own JSON
// mapping) for scripts with --json.
#ifndef HARTSLAG_CLIENTS_CLI_OUTPUT_H_
#define HARTSLAG_CLIENTS_CLI_OUTPUT_H_

#include <string>
#include <vector>

#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"

namespace hartslag::cli {

void PrintTable(const std::vector<std::string>& headers,
                const std::vector<std::vector<std::string>>& rows);
void PrintJson(const google::protobuf::Message& message);
// "2026-11-28 23:04" in Dutch local time; "" if unset.
std::string LocalTime(const google::protobuf::Timestamp& timestamp);
// The enum value name without its prefix, lower case: URGENCY_HIGH -> "high".
std::string EnumLabel(const std::string& full_name, const std::string& prefix);

}  // namespace hartslag::cli

#endif  // HARTSLAG_CLIENTS_CLI_OUTPUT_H_
