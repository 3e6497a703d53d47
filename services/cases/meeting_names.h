// MeetingNames: the cases service's copy of the directory's organisations
// and users by name (migration 0018), kept by the area sync (area_sync.h).
// Meeting documents name the chair, the authors of corrections and the
// organisations by it; SetAttendance checks an attendee's organisation
// against it; the partner view takes an organisation's kind from it.
// Stateless and thread-safe; operations run inside the caller's transaction.
#ifndef HARTSLAG_SERVICES_CASES_MEETING_NAMES_H_
#define HARTSLAG_SERVICES_CASES_MEETING_NAMES_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "hartslag/directory/v1/directory.pb.h"
#include "services/common/db.h"

namespace hartslag::cases {

// Names by id, for a document; an id not known stands for itself.
struct NameBook {
  std::map<std::string, std::string> organisations;
  std::map<std::string, std::string> users;
  const std::string& Organisation(const std::string& id) const;
  const std::string& User(const std::string& id) const;
};

class MeetingNames {
 public:
  // Stores or updates what the directory handed over for `tenant` (whose
  // row the area copy stored first).
  absl::Status Store(db::Transaction& tx, const std::string& tenant,
                     const std::vector<directory::v1::Organisation>& organisations,
                     const std::vector<directory::v1::UserName>& users) const;
  absl::StatusOr<std::optional<directory::v1::Organisation>> FindOrganisation(db::Transaction& tx,
                                                                             const std::string& tenant,
                                                                             const std::string& id) const;
  // The tenant's organisations, and of its users those in `user_ids`.
  absl::StatusOr<NameBook> Book(db::Transaction& tx, const std::string& tenant,
                                const std::vector<std::string>& user_ids) const;
};

}  // namespace hartslag::cases

#endif  // HARTSLAG_SERVICES_CASES_MEETING_NAMES_H_
