// Partial updates (AIP-134): an Update request changes exactly the fields its
// update_mask names, so that a client that sends one field never resets the
// others to their defaults (a roles-only update once deactivated the user).
//
//   ASSIGN_OR_RETURN(UpdatePaths paths, UpdatePathsOf(request.update_mask(), {"roles", "areas", "active"}));
//   if (paths.contains("active")) ...
#ifndef HARTSLAG_SERVICES_COMMON_UPDATE_MASK_H_
#define HARTSLAG_SERVICES_COMMON_UPDATE_MASK_H_

#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/field_mask.pb.h"

namespace hartslag {

using UpdatePaths = std::set<std::string>;

// The paths of `mask`, each one of `updatable`. INVALID_ARGUMENT naming
// update_mask when it names nothing, and update_mask.paths[i] for a path that
// is unknown or may not change.
absl::StatusOr<UpdatePaths> UpdatePathsOf(const google::protobuf::FieldMask& mask, const UpdatePaths& updatable);

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_UPDATE_MASK_H_
