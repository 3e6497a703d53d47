#include "services/directory/directory_validation.h"

#include "absl/strings/str_cat.h"
#include "services/common/auth.h"
#include "services/common/exactly_once.h"
#include "services/common/status_macros.h"
#include "services/common/text.h"
#include "services/directory/password.h"

namespace hartslag::directory {

absl::Status CheckDirectoryId(absl::string_view field, const std::string& value) {
  if (value.empty()) return absl::InvalidArgumentError(absl::StrCat(field, ": is required"));
  if (!IsId(value)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": must be lower-case letters, digits, dashes, dots or underscores"));
  }
  return absl::OkStatus();
}

absl::Status CheckDisplayName(absl::string_view field, const std::string& value) {
  auto length = Utf8Length(value);
  if (!length) return absl::InvalidArgumentError(absl::StrCat(field, ": is not valid UTF-8"));
  if (*length == 0) return absl::InvalidArgumentError(absl::StrCat(field, ": is required"));
  if (*length > 200 || HasControlCharacters(value, false)) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": must be 1 to 200 plain characters"));
  }
  return absl::OkStatus();
}

absl::Status CheckRoles(absl::string_view field, const google::protobuf::RepeatedPtrField<std::string>& roles) {
  for (const std::string& role : roles) {
    if (!ParseRole(role)) return absl::InvalidArgumentError(absl::StrCat(field, ": unknown role ", role));
  }
  return absl::OkStatus();
}

absl::Status CheckAreaIds(absl::string_view field, const google::protobuf::RepeatedPtrField<std::string>& areas) {
  for (const std::string& area : areas) RETURN_IF_ERROR(CheckDirectoryId(field, area));
  return absl::OkStatus();
}

absl::Status ValidateNewArea(v1::CreateAreaRequest& request) {
  RETURN_IF_ERROR(CheckRequestId(*request.mutable_request_id()));
  const v1::Area& area = request.area();
  RETURN_IF_ERROR(CheckDirectoryId("area.area_id", area.area_id()));
  if (!area.parent_area_id().empty()) RETURN_IF_ERROR(CheckDirectoryId("area.parent_area_id", area.parent_area_id()));
  return CheckDisplayName("area.name", area.name());
}

absl::Status ValidateNewOrganisation(v1::CreateOrganisationRequest& request) {
  RETURN_IF_ERROR(CheckRequestId(*request.mutable_request_id()));
  const v1::Organisation& o = request.organisation();
  RETURN_IF_ERROR(CheckDirectoryId("organisation.organisation_id", o.organisation_id()));
  RETURN_IF_ERROR(CheckDisplayName("organisation.name", o.name()));
  if (o.kind() == common::v1::ORGANISATION_KIND_UNSPECIFIED || !common::v1::OrganisationKind_IsValid(o.kind())) {
    return absl::InvalidArgumentError("organisation.kind: is required");
  }
  return absl::OkStatus();
}

absl::Status ValidateNewUser(v1::CreateUserRequest& request) {
  RETURN_IF_ERROR(CheckRequestId(*request.mutable_request_id()));
  const v1::User& u = request.user();
  RETURN_IF_ERROR(CheckDirectoryId("user.user_id", u.user_id()));
  RETURN_IF_ERROR(CheckDirectoryId("user.organisation_id", u.organisation_id()));
  RETURN_IF_ERROR(CheckDisplayName("user.display_name", u.display_name()));
  if (u.roles().empty()) return absl::InvalidArgumentError("user.roles: at least one role");
  RETURN_IF_ERROR(CheckRoles("user.roles", u.roles()));
  RETURN_IF_ERROR(CheckAreaIds("user.areas", u.areas()));
  return CheckNewPassword("password", request.password());
}

absl::Status CheckNewPassword(absl::string_view field, const std::string& password) {
  if (Utf8Length(password).value_or(0) < kMinPasswordLength) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": must be at least ", kMinPasswordLength, " characters"));
  }
  return absl::OkStatus();
}

absl::Status ValidateNewClient(v1::CreateIntegratedClientRequest& request) {
  RETURN_IF_ERROR(CheckRequestId(*request.mutable_request_id()));
  const v1::IntegratedClient& client = request.client();
  RETURN_IF_ERROR(CheckDirectoryId("client.client_id", client.client_id()));
  RETURN_IF_ERROR(CheckDirectoryId("client.organisation_id", client.organisation_id()));
  if (client.certificate_uri().rfind("spiffe://", 0) != 0 && client.certificate_uri().rfind("urn:", 0) != 0) {
    return absl::InvalidArgumentError(
        "client.certificate_uri: must be the certificate's URI SAN (spiffe://... or urn:...)");
  }
  return absl::OkStatus();
}

}  // namespace hartslag::directory
