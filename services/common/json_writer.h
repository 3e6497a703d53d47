// JSON text written directly, for the hot paths that hand many rows to the
// database as one JSON parameter (jsonb_to_recordset). Built as
// nlohmann::json objects instead, a batch of signals cost intake more CPU
// than its round trip to the database: a sorted map per row, every value
// copied, and the nested JSON parsed only to be written out again.
//
//   std::string rows = "[";
//   JsonObject row(rows);
//   row.String("signal_id", id).Int("house_number", 12).Raw("persons", persons_json);
//   row.Close();
//   rows += "]";
//
// Strings are written as they are, escaped; they must be UTF-8 (protobuf's
// string fields and the token's claims are) and, for PostgreSQL's jsonb,
// hold no NUL (checked text holds no control characters). Every object
// must be closed; Raw's value is trusted to be JSON.
#ifndef HARTSLAG_SERVICES_COMMON_JSON_WRITER_H_
#define HARTSLAG_SERVICES_COMMON_JSON_WRITER_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace hartslag {

// Appends `text` as a JSON string: quoted, with '"', '\' and the control
// characters escaped.
void AppendJsonString(std::string& out, absl::string_view text);

// One JSON object appended to a string: '{' now, the members as they are
// added, '}' on Close.
class JsonObject {
 public:
  explicit JsonObject(std::string& out) : out_(out) { out_.push_back('{'); }
  JsonObject(const JsonObject&) = delete;
  JsonObject& operator=(const JsonObject&) = delete;

  JsonObject& String(absl::string_view key, absl::string_view value);
  JsonObject& Int(absl::string_view key, int64_t value);
  // The shortest form that reads back as the same double; null when it is
  // not finite, which JSON cannot hold. jsonb keeps no negative zero.
  JsonObject& Double(absl::string_view key, double value);
  JsonObject& Null(absl::string_view key);
  // `json`: a value written as JSON already (an array, an object), put in as
  // it is.
  JsonObject& Raw(absl::string_view key, absl::string_view json);
  void Close() { out_.push_back('}'); }

 private:
  void Key(absl::string_view key);
  std::string& out_;
  bool first_ = true;
};

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_JSON_WRITER_H_
