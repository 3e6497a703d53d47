// MeetingStore: the SQL of meetings, each stored with its agenda, decisions
// and corrections. Operations run inside the caller's transaction.
// Stateless and thread-safe.
#ifndef HARTSLAG_SERVICES_CASES_MEETING_STORE_H_
#define HARTSLAG_SERVICES_CASES_MEETING_STORE_H_

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "hartslag/cases/v1/cases.pb.h"
#include "services/common/db.h"

namespace hartslag::cases {

// A meeting as a list shows it, and as the store keeps it for lists: without
// its agenda and without the corrections on its items, which belong to items
// and may be about a case the caller may not see.
v1::Meeting MeetingListing(v1::Meeting meeting);

class MeetingStore {
 public:
  // Stores a new meeting, its area's name filled in; INVALID_ARGUMENT naming
  // area_id for an area the tenant does not have.
  absl::Status Insert(db::Transaction& tx, const std::string& tenant, v1::Meeting& meeting) const;
  absl::StatusOr<std::optional<v1::Meeting>> Find(db::Transaction& tx, const std::string& tenant,
                                                  const std::string& meeting_id) const;
  // Locks the meeting for the rest of the transaction.
  absl::StatusOr<std::optional<v1::Meeting>> Lock(db::Transaction& tx, const std::string& tenant,
                                                  const std::string& meeting_id) const;
  absl::Status Save(db::Transaction& tx, const std::string& tenant, const v1::Meeting& meeting) const;
  // At most `limit` meetings starting in [from, to), soonest first (then by
  // id), after `after` (starts_at, meeting_id) if given: each one's listing,
  // or the whole meeting where it has none, so the caller makes each a
  // MeetingListing before it answers.
  absl::StatusOr<std::vector<v1::Meeting>> Between(db::Transaction& tx, const std::string& tenant, absl::Time from,
                                                   absl::Time to, std::optional<v1::CaseKind> kind,
                                                   const std::optional<std::pair<absl::Time, std::string>>& after,
                                                   int limit) const;
  // Retention: lets `clear` change every meeting whose agenda names the case.
  absl::Status ClearCase(db::Transaction& tx, const std::string& tenant, const std::string& case_id,
                         const std::function<void(v1::Meeting&)>& clear) const;
};

}  // namespace hartslag::cases

#endif  // HARTSLAG_SERVICES_CASES_MEETING_STORE_H_
