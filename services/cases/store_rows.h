// How the cases stores keep their objects: each as its protobuf bytes,
// enums by their names without the prefix (so SQL filters read "CLOSED",
// not 7), beside the columns queries filter on. For the *_store.cc files
// only.
#ifndef HARTSLAG_SERVICES_CASES_STORE_ROWS_H_
#define HARTSLAG_SERVICES_CASES_STORE_ROWS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "hartslag/cases/v1/cases.pb.h"
#include "services/common/auth.h"
#include "services/common/db.h"

namespace hartslag::cases::rows {

inline std::string Stored(const std::string& enum_name, absl::string_view prefix) {
  return enum_name.substr(prefix.size());
}
inline std::string KindName(v1::CaseKind k) { return Stored(v1::CaseKind_Name(k), "CASE_KIND_"); }
inline std::string StatusName(v1::CaseStatus s) { return Stored(v1::CaseStatus_Name(s), "CASE_STATUS_"); }
inline std::string ActionStatusName(v1::ActionStatus s) { return Stored(v1::ActionStatus_Name(s), "ACTION_STATUS_"); }
inline std::string MeetingStatusName(v1::MeetingStatus s) {
  return Stored(v1::MeetingStatus_Name(s), "MEETING_STATUS_");
}
inline v1::CaseStatus StatusFrom(const std::string& stored) {
  v1::CaseStatus s = v1::CASE_STATUS_UNSPECIFIED;
  v1::CaseStatus_Parse("CASE_STATUS_" + stored, &s);
  return s;
}

inline std::vector<std::string> Strings(const google::protobuf::RepeatedPtrField<std::string>& values) {
  return {values.begin(), values.end()};
}

// The protobuf in column `column` of row `i`; DATA_LOSS if it does not parse.
template <typename T>
absl::StatusOr<T> Decode(const db::Rows& rows, int i, const char* column = "content") {
  T value;
  if (!value.ParseFromString(rows.Bytes(i, column))) {
    return absl::DataLossError(absl::StrCat("a stored ", T::descriptor()->name(), " does not parse"));
  }
  return value;
}

template <typename T>
absl::StatusOr<std::vector<T>> DecodeAll(const db::Rows& rows, const char* column = "content") {
  std::vector<T> values;
  for (int i = 0; i < rows.size(); ++i) {
    absl::StatusOr<T> value = Decode<T>(rows, i, column);
    if (!value.ok()) return value.status();
    values.push_back(*std::move(value));
  }
  return values;
}

inline common::v1::Actor ActorFrom(const db::Rows& rows, int i, const char* user, const char* org,
                                   const char* kind) {
  common::v1::Actor actor;
  actor.set_user_id(rows.Text(i, user));
  actor.set_organisation_id(rows.Text(i, org));
  actor.set_organisation_kind(
      ParseOrganisationKind(rows.Text(i, kind)).value_or(common::v1::ORGANISATION_KIND_UNSPECIFIED));
  return actor;
}

// The caller as the three actor columns (user, organisation, kind).
inline db::Params ActorParams(const RequestContext& caller) {
  return {caller.user, caller.organisation, std::string(OrganisationKindName(caller.organisation_kind))};
}

// Optional parameters: SQL NULL when absent.
template <typename T, typename ToText>
db::Param Maybe(const std::optional<T>& value, ToText to_text) {
  return value ? db::Param(to_text(*value)) : std::nullopt;
}

}  // namespace hartslag::cases::rows

#endif  // HARTSLAG_SERVICES_CASES_STORE_ROWS_H_
