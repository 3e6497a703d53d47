// ActionStore: the SQL of actions and of the feed of their changes that
// WatchActions streams (0006_action_feed.sql). Operations run inside the
// caller's transaction. Stateless and thread-safe.
#ifndef HARTSLAG_SERVICES_CASES_ACTION_STORE_H_
#define HARTSLAG_SERVICES_CASES_ACTION_STORE_H_

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "hartslag/cases/v1/cases.pb.h"
#include "services/common/db.h"

namespace hartslag::cases {

// Which actions to list.
struct ActionQuery {
  std::string tenant;
  std::optional<std::string> organisation;           // given to this organisation
  std::optional<std::vector<std::string>> case_ids;  // of these cases
  std::optional<std::vector<v1::ActionStatus>> statuses;
  std::optional<absl::CivilDay> due_before;
  std::optional<std::pair<std::string, std::string>> after;  // keyset position: due date, id
  std::optional<int> limit;  // none: all (only for the service's own use, never a caller's)
};

// An action with the case it belongs to.
struct ActionOnCase {
  v1::Action action;
  v1::Case of_case;
};

class ActionStore {
 public:
  // Stores a new action on case `c` (its case reference and times set here)
  // and appends it to the feed.
  absl::Status Insert(db::Transaction& tx, const std::string& tenant, const v1::Case& c, v1::Action& action) const;
  // Soonest due first (then by id).
  absl::StatusOr<std::vector<v1::Action>> List(db::Transaction& tx, const ActionQuery& query) const;
  // Locks the action for the rest of the transaction.
  absl::StatusOr<std::optional<ActionOnCase>> Lock(db::Transaction& tx, const std::string& tenant,
                                                   const std::string& action_id) const;
  // Stores a locked action (its updated_at set here) and appends the change
  // to the feed.
  absl::Status Save(db::Transaction& tx, const std::string& tenant, v1::Action& action) const;

  // The feed's last number for a tenant.
  absl::StatusOr<int64_t> FeedHead(db::Transaction& tx, const std::string& tenant) const;
  // A number that moves whenever any tenant's feed does (Doorbell::Probe).
  absl::StatusOr<int64_t> FeedVersion(db::Pool& pool) const;
  // Up to `limit` changes after number `after` of actions given to
  // `organisation`, in order, each with its case; `scanned_through` is the
  // number up to which the feed has been read (the next read starts after
  // it, so other organisations' changes are not read again).
  absl::StatusOr<std::vector<std::pair<v1::ActionEvent, v1::Case>>> Changes(db::Transaction& tx,
                                                                            const std::string& tenant,
                                                                            const std::string& organisation,
                                                                            int64_t after, int limit,
                                                                            int64_t* scanned_through) const;

  // Retention: lets `clear` remove the personal data of each action of the
  // case and of each of its snapshots in the feed.
  absl::Status ClearCase(db::Transaction& tx, const std::string& tenant, const std::string& case_id,
                         const std::function<void(v1::Action&)>& clear) const;
};

}  // namespace hartslag::cases

#endif  // HARTSLAG_SERVICES_CASES_ACTION_STORE_H_
