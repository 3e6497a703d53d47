// What the directory accepts: each function checks one request (or one part
// of one) and answers INVALID_ARGUMENT naming the field and the reason, e.g.
// "user.roles: unknown role BOSS". Pure functions over the request (the
// Create checks lower-case its request_id in place): what only the database
// knows (an unknown organisation, a taken id) is the store's to say.
#ifndef HARTSLAG_SERVICES_DIRECTORY_DIRECTORY_VALIDATION_H_
#define HARTSLAG_SERVICES_DIRECTORY_DIRECTORY_VALIDATION_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/repeated_field.h"
#include "hartslag/directory/v1/directory.pb.h"

namespace hartslag::directory {

// An id of a tenant, area, organisation, user or client: required, lower-case
// letters, digits, dashes, dots or underscores.
absl::Status CheckDirectoryId(absl::string_view field, const std::string& value);
// A display name: 1 to 200 plain characters.
absl::Status CheckDisplayName(absl::string_view field, const std::string& value);
// Each a role Hartslag knows (REPORTER, COORDINATOR, ...).
absl::Status CheckRoles(absl::string_view field, const google::protobuf::RepeatedPtrField<std::string>& roles);
// Each an area id.
absl::Status CheckAreaIds(absl::string_view field, const google::protobuf::RepeatedPtrField<std::string>& areas);

// A password a user is given: at least kMinPasswordLength characters.
absl::Status CheckNewPassword(absl::string_view field, const std::string& password);

// The Create requests, request_id included (required, a UUID).
absl::Status ValidateNewArea(v1::CreateAreaRequest& request);
absl::Status ValidateNewOrganisation(v1::CreateOrganisationRequest& request);
// Also the initial password's length.
absl::Status ValidateNewUser(v1::CreateUserRequest& request);
absl::Status ValidateNewClient(v1::CreateIntegratedClientRequest& request);

}  // namespace hartslag::directory

#endif  // HARTSLAG_SERVICES_DIRECTORY_DIRECTORY_VALIDATION_H_
