#include "services/cases/action_store.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/cases/store_rows.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"

namespace hartslag::cases {
namespace {

using namespace rows;  // NOLINT: the store's own row helpers

constexpr char kInsertAction[] = R"sql(
  INSERT INTO cases.actions (action_id, tenant_id, case_id, status, organisations, due_date, content, updated_at)
  VALUES ($1, $2, $3::uuid, $4, $5::text[], $6::date, $7::bytea, $8)
)sql";

// LIMIT NULL is no limit.
constexpr char kActions[] = R"sql(
  SELECT content FROM cases.actions
  WHERE tenant_id = $1 AND ($2::text IS NULL OR $2 = ANY(organisations))
    AND ($3::uuid[] IS NULL OR case_id = ANY($3::uuid[]))
    AND ($4::text[] IS NULL OR status = ANY($4::text[]))
    AND ($5::date IS NULL OR due_date < $5::date)
    AND ($6::date IS NULL OR (due_date, action_id) > ($6::date, $7::uuid))
  ORDER BY due_date, action_id LIMIT $8::int
)sql";

constexpr char kLockAction[] = R"sql(
  SELECT a.content AS action, c.content FROM cases.actions a
  JOIN cases.cases c ON c.case_id = a.case_id
  WHERE a.tenant_id = $1 AND a.action_id = $2::uuid FOR UPDATE OF a
)sql";

// The first move to DONE sets completed_at.
constexpr char kUpdateAction[] = R"sql(
  UPDATE cases.actions SET status = $3, content = $4::bytea, updated_at = $5,
    completed_at = CASE WHEN $3 = 'DONE' THEN coalesce(completed_at, $5) END
  WHERE tenant_id = $1 AND action_id = $2::uuid
)sql";

constexpr char kNextActionSeq[] = R"sql(
  INSERT INTO cases.action_feed_heads AS h (tenant_id, last_seq) VALUES ($1, 1)
  ON CONFLICT (tenant_id) DO UPDATE SET last_seq = h.last_seq + 1
  RETURNING last_seq
)sql";

constexpr char kInsertActionChange[] = R"sql(
  INSERT INTO cases.action_changes (tenant_id, seq, action_id, organisations, change, content, changed_at)
  VALUES ($1, $2::bigint, $3::uuid, $4::text[], $5, $6::bytea, $7)
)sql";

constexpr char kActionFeedHead[] = R"sql(
  SELECT coalesce((SELECT last_seq FROM cases.action_feed_heads WHERE tenant_id = $1), 0) AS last_seq
)sql";

// Moves whenever any tenant's feed does: one row per tenant.
constexpr char kActionFeedVersion[] = R"sql(
  SELECT coalesce(sum(last_seq), 0)::bigint AS version FROM cases.action_feed_heads
)sql";

constexpr char kActionChanges[] = R"sql(
  SELECT f.seq, f.change, f.content AS action, c.content,
         floor(extract(epoch FROM f.changed_at) * 1000000)::bigint AS changed_us
  FROM cases.action_changes f
  JOIN cases.actions a ON a.action_id = f.action_id
  JOIN cases.cases c ON c.case_id = a.case_id
  WHERE f.tenant_id = $1 AND f.seq > $2::bigint AND f.seq <= $5::bigint AND $3 = ANY(f.organisations)
  ORDER BY f.seq LIMIT $4::int
)sql";

constexpr char kLockCaseActions[] = R"sql(
  SELECT action_id::text AS action_id, content FROM cases.actions
  WHERE tenant_id = $1 AND case_id = $2::uuid FOR UPDATE
)sql";

constexpr char kRewriteAction[] = R"sql(
  UPDATE cases.actions SET content = $3::bytea WHERE tenant_id = $1 AND action_id = $2::uuid
)sql";

constexpr char kActionSnapshots[] = R"sql(
  SELECT seq, content FROM cases.action_changes WHERE tenant_id = $1 AND action_id = $2::uuid FOR UPDATE
)sql";

constexpr char kRewriteSnapshot[] = R"sql(
  UPDATE cases.action_changes SET content = $3::bytea WHERE tenant_id = $1 AND seq = $2::bigint
)sql";

// The next change of `action` in its tenant's feed. Writers take numbers in
// commit order (the head row is locked until commit), so a reader that saw
// the head has seen every change up to it.
absl::Status AppendChange(db::Transaction& tx, const std::string& tenant, const v1::Action& action,
                          v1::ActionEvent::Change change) {
  ASSIGN_OR_RETURN(db::Rows head, tx.Query(kNextActionSeq, {tenant}));
  return tx.Exec(kInsertActionChange,
                 {tenant, absl::StrCat(head.Int(0, "last_seq")), action.action_id(),
                  db::TextArray(Strings(action.organisation_ids())),
                  Stored(v1::ActionEvent::Change_Name(change), "CHANGE_"), db::BytesParam(action.SerializeAsString()),
                  db::TimestampParam(absl::Now())});
}

}  // namespace

absl::Status ActionStore::Insert(db::Transaction& tx, const std::string& tenant, const v1::Case& c,
                                 v1::Action& action) const {
  action.set_case_reference(c.reference());
  absl::Time now = absl::Now();
  *action.mutable_created_at() = TimeToProto(now);
  *action.mutable_updated_at() = TimeToProto(now);
  RETURN_IF_ERROR(tx.Exec(kInsertAction, {action.action_id(), tenant, action.case_id(),
                                          ActionStatusName(action.status()),
                                          db::TextArray(Strings(action.organisation_ids())), action.due_date(),
                                          db::BytesParam(action.SerializeAsString()), db::TimestampParam(now)}));
  return AppendChange(tx, tenant, action, v1::ActionEvent::CHANGE_CREATED);
}

absl::StatusOr<std::vector<v1::Action>> ActionStore::List(db::Transaction& tx, const ActionQuery& query) const {
  std::optional<std::vector<std::string>> statuses;
  if (query.statuses) {
    statuses.emplace();
    for (v1::ActionStatus status : *query.statuses) statuses->push_back(ActionStatusName(status));
  }
  auto text = [](const std::string& value) { return value; };
  ASSIGN_OR_RETURN(
      db::Rows rows,
      tx.Query(kActions, {query.tenant, Maybe(query.organisation, text), Maybe(query.case_ids, db::TextArray),
                          Maybe(statuses, db::TextArray),
                          Maybe(query.due_before, [](absl::CivilDay day) { return absl::FormatCivilTime(day); }),
                          Maybe(query.after, [](const auto& after) { return after.first; }),
                          Maybe(query.after, [](const auto& after) { return after.second; }),
                          Maybe(query.limit, [](int limit) { return absl::StrCat(limit); })}));
  return DecodeAll<v1::Action>(rows);
}

absl::StatusOr<std::optional<ActionOnCase>> ActionStore::Lock(db::Transaction& tx, const std::string& tenant,
                                                              const std::string& action_id) const {
  ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kLockAction, {tenant, action_id}));
  if (rows.empty()) return std::nullopt;
  ActionOnCase found;
  ASSIGN_OR_RETURN(found.action, Decode<v1::Action>(rows, 0, "action"));
  ASSIGN_OR_RETURN(found.of_case, Decode<v1::Case>(rows, 0));
  return found;
}

absl::Status ActionStore::Save(db::Transaction& tx, const std::string& tenant, v1::Action& action) const {
  absl::Time now = absl::Now();
  *action.mutable_updated_at() = TimeToProto(now);
  RETURN_IF_ERROR(tx.Exec(kUpdateAction, {tenant, action.action_id(), ActionStatusName(action.status()),
                                          db::BytesParam(action.SerializeAsString()), db::TimestampParam(now)}));
  return AppendChange(tx, tenant, action, v1::ActionEvent::CHANGE_UPDATED);
}

absl::StatusOr<int64_t> ActionStore::FeedHead(db::Transaction& tx, const std::string& tenant) const {
  ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kActionFeedHead, {tenant}));
  return rows.Int(0, "last_seq");
}

absl::StatusOr<int64_t> ActionStore::FeedVersion(db::Pool& pool) const {
  // The probe runs every poll: it must never hold a connection for long.
  db::TransactionOptions bounded;
  bounded.deadline = absl::Now() + absl::Seconds(5);
  ASSIGN_OR_RETURN(db::Rows rows, pool.Query(kActionFeedVersion, {}, bounded));
  return rows.Int(0, "version");
}

absl::StatusOr<std::vector<std::pair<v1::ActionEvent, v1::Case>>> ActionStore::Changes(
    db::Transaction& tx, const std::string& tenant, const std::string& organisation, int64_t after, int limit,
    int64_t* scanned_through) const {
  ASSIGN_OR_RETURN(int64_t last, FeedHead(tx, tenant));
  ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kActionChanges, {tenant, absl::StrCat(after), organisation,
                                                            absl::StrCat(limit), absl::StrCat(last)}));
  // A page that is not full has seen every change up to the head.
  *scanned_through = rows.size() < limit ? std::max(last, after) : rows.Int(rows.size() - 1, "seq");
  std::vector<std::pair<v1::ActionEvent, v1::Case>> changes;
  for (int i = 0; i < rows.size(); ++i) {
    auto& [e, c] = changes.emplace_back();
    e.set_cursor(absl::StrCat(rows.Int(i, "seq")));
    v1::ActionEvent::Change change = v1::ActionEvent::CHANGE_UNSPECIFIED;
    v1::ActionEvent::Change_Parse("CHANGE_" + rows.Text(i, "change"), &change);
    e.set_change(change);
    ASSIGN_OR_RETURN(*e.mutable_action(), Decode<v1::Action>(rows, i, "action"));
    *e.mutable_changed_at() = TimeToProto(absl::FromUnixMicros(rows.Int(i, "changed_us")));
    ASSIGN_OR_RETURN(c, Decode<v1::Case>(rows, i));
  }
  return changes;
}

absl::Status ActionStore::ClearCase(db::Transaction& tx, const std::string& tenant, const std::string& case_id,
                                    const std::function<void(v1::Action&)>& clear) const {
  ASSIGN_OR_RETURN(db::Rows actions, tx.Query(kLockCaseActions, {tenant, case_id}));
  for (int i = 0; i < actions.size(); ++i) {
    std::string action_id = actions.Text(i, "action_id");
    ASSIGN_OR_RETURN(v1::Action action, Decode<v1::Action>(actions, i));
    clear(action);
    RETURN_IF_ERROR(tx.Exec(kRewriteAction, {tenant, action_id, db::BytesParam(action.SerializeAsString())}));
    ASSIGN_OR_RETURN(db::Rows snapshots, tx.Query(kActionSnapshots, {tenant, action_id}));
    for (int j = 0; j < snapshots.size(); ++j) {
      ASSIGN_OR_RETURN(v1::Action snapshot, Decode<v1::Action>(snapshots, j));
      clear(snapshot);
      RETURN_IF_ERROR(tx.Exec(kRewriteSnapshot, {tenant, absl::StrCat(snapshots.Int(j, "seq")),
                                                 db::BytesParam(snapshot.SerializeAsString())}));
    }
  }
  return absl::OkStatus();
}

}  // namespace hartslag::cases
