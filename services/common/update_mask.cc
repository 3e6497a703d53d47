#include "services/common/update_mask.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace hartslag {

absl::StatusOr<UpdatePaths> UpdatePathsOf(const google::protobuf::FieldMask& mask, const UpdatePaths& updatable) {
  if (mask.paths().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("update_mask: name the fields to change (", absl::StrJoin(updatable, ", "), ")"));
  }
  UpdatePaths paths;
  for (int i = 0; i < mask.paths_size(); ++i) {
    if (!updatable.contains(mask.paths(i))) {
      return absl::InvalidArgumentError(absl::StrCat("update_mask.paths[", i, "]: \"", mask.paths(i).substr(0, 64),
                                                     "\" is not a field this request changes (",
                                                     absl::StrJoin(updatable, ", "), ")"));
    }
    paths.insert(mask.paths(i));
  }
  return paths;
}

}  // namespace hartslag
