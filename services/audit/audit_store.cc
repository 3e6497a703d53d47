#include "services/audit/audit_store.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "libs/audit_verify/log_export.h"
#include "libs/audit_verify/merkle.h"
#include "services/common/crypto.h"
#include "services/common/proto_bytes.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"

namespace hartslag::audit {
namespace {

constexpr char kLockLog[] = R"sql(
  SELECT pg_advisory_xact_lock(hashtext('hartslag.audit.' || $1))
)sql";

constexpr char kSize[] = R"sql(
  SELECT coalesce(max(idx) + 1, 0) AS size FROM audit.entries WHERE log_id = $1
)sql";

// A loose index scan: one probe per log, however long the logs are.
constexpr char kLogs[] = R"sql(
  WITH RECURSIVE logs AS (
    SELECT min(log_id) AS log_id FROM audit.entries
    UNION ALL
    SELECT (SELECT min(log_id) FROM audit.entries WHERE log_id > logs.log_id)
    FROM logs WHERE logs.log_id IS NOT NULL)
  SELECT log_id FROM logs WHERE log_id IS NOT NULL
)sql";

constexpr char kKnownEvents[] = R"sql(
  SELECT event_id::text AS event_id FROM audit.entries
  WHERE log_id = $1 AND event_id = ANY($2::uuid[])
)sql";

constexpr char kInsertEntries[] = R"sql(
  INSERT INTO audit.entries (log_id, idx, event_id, entry, occurred_at, actor_user_id,
                             organisation_id, object_type, object_id, action, outcome)
  SELECT $1, * FROM unnest($2::bigint[], $3::uuid[], $4::bytea[], $5::timestamptz[], $6::text[],
                           $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
)sql";

constexpr char kInsertSubjects[] = R"sql(
  INSERT INTO audit.entry_subjects (log_id, idx, subject)
  SELECT $1, * FROM unnest($2::bigint[], $3::text[]) ON CONFLICT DO NOTHING
)sql";

constexpr char kInsertNodes[] = R"sql(
  INSERT INTO audit.nodes (log_id, level, idx, hash)
  SELECT $1, * FROM unnest($2::integer[], $3::bigint[], $4::bytea[])
)sql";

// One primary-key lookup per wanted node, whatever the statistics say: the
// LIMIT keeps the planner from turning this into a scan of the whole log.
constexpr char kSelectNodes[] = R"sql(
  SELECT w.level, w.idx, n.hash
  FROM unnest($2::integer[], $3::bigint[]) AS w(level, idx)
  JOIN LATERAL (SELECT hash FROM audit.nodes
                WHERE log_id = $1 AND level = w.level AND idx = w.idx LIMIT 1) n ON true
)sql";

// A page ends before the entry that would take it past $4 bytes; the first
// entry is always in.
constexpr char kEntries[] = R"sql(
  SELECT p.idx, p.entry, n.hash FROM (
    SELECT idx, entry, sum(octet_length(entry)) OVER (ORDER BY idx) AS running FROM (
      SELECT idx, entry FROM audit.entries WHERE log_id = $1 AND idx >= $2 ORDER BY idx LIMIT $3) first) p
  LEFT JOIN audit.nodes n ON n.log_id = $1 AND n.level = 0 AND n.idx = p.idx
  WHERE p.running <= $4 OR p.running = octet_length(p.entry) ORDER BY p.idx
)sql";

constexpr char kEntry[] = R"sql(
  SELECT entry FROM audit.entries WHERE log_id = $1 AND idx = $2
)sql";

constexpr char kQuery[] = R"sql(
  SELECT e.idx, e.entry, '' AS hash FROM audit.entries e
  WHERE e.log_id = $1
    AND ($2::text IS NULL OR EXISTS (
          SELECT 1 FROM audit.entry_subjects s
          WHERE s.log_id = e.log_id AND s.subject = $2 AND s.idx = e.idx))
    AND ($3::text IS NULL OR e.actor_user_id = $3)
    AND ($4::text IS NULL OR e.organisation_id = $4)
    AND ($5::text IS NULL OR e.object_type = $5)
    AND ($6::text IS NULL OR e.object_id = $6)
    AND ($7::text IS NULL OR e.action = $7)
    AND ($8::text IS NULL OR e.outcome = $8)
    AND ($9::timestamptz IS NULL OR e.occurred_at >= $9)
    AND ($10::timestamptz IS NULL OR e.occurred_at < $10)
    AND ($11::bigint IS NULL OR e.idx < $11)
    AND (NOT $12::boolean OR NOT EXISTS (
          SELECT 1 FROM audit.restrictions r
          WHERE r.tenant_id = e.log_id AND r.subject = $2 AND r.lifted_at IS NULL
            AND (r.organisation_id IS NULL OR r.organisation_id = e.organisation_id)))
    AND NOT (e.object_type = ANY($14::text[]))
  ORDER BY e.idx DESC LIMIT $13
)sql";

constexpr char kInsertTreeHead[] = R"sql(
  INSERT INTO audit.tree_heads (log_id, tree_size, root_hash, signed_at, key_id, signature)
  VALUES ($1, $2, $3::bytea, $4, $5, $6::bytea) ON CONFLICT DO NOTHING
)sql";

constexpr char kLatestTreeHead[] = R"sql(
  SELECT tree_size, root_hash, (extract(epoch FROM signed_at) * 1000)::bigint AS signed_ms,
         key_id, signature
  FROM audit.tree_heads WHERE log_id = $1
  ORDER BY signed_at DESC, tree_size DESC LIMIT 1
)sql";

constexpr char kRestrictionColumns[] = R"sql(
  restriction_id::text AS restriction_id, subject, coalesce(organisation_id, '') AS organisation_id,
  reason, review_date::text AS review_date, created_by,
  (extract(epoch FROM created_at) * 1000000)::bigint AS created_us,
  (extract(epoch FROM lifted_at) * 1000000)::bigint AS lifted_us, coalesce(lifted_by, '') AS lifted_by
)sql";

constexpr char kInsertRestriction[] = R"sql(
  INSERT INTO audit.restrictions (restriction_id, tenant_id, subject, organisation_id, reason,
                                  review_date, created_by)
  VALUES ($1, $2, $3, nullif($4, ''), $5, $6::date, $7)
  RETURNING )sql";

constexpr char kLiftRestriction[] = R"sql(
  UPDATE audit.restrictions SET lifted_at = now(), lifted_by = $3
  WHERE tenant_id = $1 AND restriction_id = $2::uuid AND lifted_at IS NULL
  RETURNING )sql";

constexpr char kSelectRestriction[] = R"sql(
  SELECT lifted_at IS NOT NULL AS lifted FROM audit.restrictions
  WHERE tenant_id = $1 AND restriction_id = $2::uuid
)sql";

constexpr char kListRestrictions[] = R"sql(
  SELECT )sql";
constexpr char kListRestrictionsFrom[] = R"sql(
  FROM audit.restrictions
  WHERE tenant_id = $1 AND ($2::timestamptz IS NULL OR (created_at, restriction_id) < ($2, $3::uuid))
  ORDER BY created_at DESC, restriction_id DESC LIMIT $4
)sql";

using NodeKey = std::pair<int, uint64_t>;

std::string BytesElement(absl::string_view bytes) { return absl::StrCat("\\x", HexEncode(bytes)); }

absl::StatusOr<std::map<NodeKey, std::string>> FetchNodes(db::Pool& pool, const std::string& log_id,
                                                          const std::set<NodeKey>& keys) {
  std::vector<std::string> levels, indexes;
  for (const auto& [level, index] : keys) {
    levels.push_back(absl::StrCat(level));
    indexes.push_back(absl::StrCat(index));
  }
  ASSIGN_OR_RETURN(db::Rows rows,
                   pool.Query(kSelectNodes, {log_id, db::TextArray(levels), db::TextArray(indexes)}));
  std::map<NodeKey, std::string> nodes;
  for (int i = 0; i < rows.size(); ++i) {
    nodes[{static_cast<int>(rows.Int(i, "level")), static_cast<uint64_t>(rows.Int(i, "idx"))}] =
        rows.Bytes(i, "hash");
  }
  if (nodes.size() != keys.size()) {
    return absl::DataLossError(absl::StrCat("audit log ", log_id, ": stored subtree hashes are missing"));
  }
  return nodes;
}

// Runs `compute` (a root or proof over a SubtreeLookup) twice: once to learn
// which stored hashes it needs, then with those hashes fetched in one query.
template <typename Compute>
auto WithStoredSubtrees(db::Pool& pool, const std::string& log_id, Compute compute)
    -> absl::StatusOr<decltype(compute(SubtreeLookup{}))> {
  std::set<NodeKey> wanted;
  compute([&wanted](int level, uint64_t index) {
    wanted.insert({level, index});
    return std::string(32, '\0');
  });
  ASSIGN_OR_RETURN(auto nodes, FetchNodes(pool, log_id, wanted));
  return compute([&nodes](int level, uint64_t index) { return nodes.at({level, index}); });
}

v1::Restriction RestrictionFromRow(const db::Rows& rows, int i) {
  v1::Restriction r;
  r.set_restriction_id(rows.Text(i, "restriction_id"));
  r.set_subject(rows.Text(i, "subject"));
  r.set_organisation_id(rows.Text(i, "organisation_id"));
  r.set_reason(rows.Text(i, "reason"));
  r.set_review_date(rows.Text(i, "review_date"));
  r.set_created_by(rows.Text(i, "created_by"));
  *r.mutable_created_at() = TimeToProto(absl::FromUnixMicros(rows.Int(i, "created_us")));
  if (!rows.IsNull(i, "lifted_us")) {
    *r.mutable_lifted_at() = TimeToProto(absl::FromUnixMicros(rows.Int(i, "lifted_us")));
    r.set_lifted_by(rows.Text(i, "lifted_by"));
  }
  return r;
}

std::vector<StoredEntry> EntriesFromRows(const db::Rows& rows) {
  std::vector<StoredEntry> entries;
  for (int i = 0; i < rows.size(); ++i) {
    entries.push_back({static_cast<uint64_t>(rows.Int(i, "idx")), rows.Bytes(i, "entry"),
                       rows.IsNull(i, "hash") ? std::string() : rows.Bytes(i, "hash")});
  }
  return entries;
}

}  // namespace

std::string EntryBytes(const v1::AuditEvent& event) { return DeterministicBytes(event); }

absl::StatusOr<AppendResult> AuditStore::Append(const std::string& log_id,
                                                const std::vector<v1::AuditEvent>& events) {
  AppendResult result;
  RETURN_IF_ERROR(pool_->InTransaction([&](db::Transaction& tx) -> absl::Status {
    result = {};
    RETURN_IF_ERROR(tx.Exec(kLockLog, {log_id}));
    ASSIGN_OR_RETURN(db::Rows size_rows, tx.Query(kSize, {log_id}));
    uint64_t size = static_cast<uint64_t>(size_rows.Int(0, "size"));
    std::vector<std::string> ids;
    for (const v1::AuditEvent& e : events) ids.push_back(e.event_id());
    ASSIGN_OR_RETURN(db::Rows known, tx.Query(kKnownEvents, {log_id, db::TextArray(ids)}));
    std::set<std::string> skip;
    for (int i = 0; i < known.size(); ++i) skip.insert(known.Text(i, "event_id"));

    // The left siblings new leaves can need are the complete subtrees of the
    // current tree (one per set bit of its size); everything else is
    // computed here.
    std::map<NodeKey, std::string> nodes;
    if (size > 0) {
      std::set<NodeKey> frontier;
      uint64_t begin = 0;
      for (int level = 63; level >= 0; --level) {
        if ((size >> level & 1) == 0) continue;
        frontier.insert({level, begin >> level});
        begin += uint64_t{1} << level;
      }
      ASSIGN_OR_RETURN(nodes, FetchNodes(*pool_, log_id, frontier));
    }
    std::vector<std::string> idx, event_ids, entries, times, actors, orgs, types, objects, actions,
        outcomes, subject_idx, subjects, node_levels, node_idx, node_hashes;
    auto put = [&](int level, uint64_t index, std::string hash) {
      node_levels.push_back(absl::StrCat(level));
      node_idx.push_back(absl::StrCat(index));
      node_hashes.push_back(BytesElement(hash));
      nodes[{level, index}] = std::move(hash);
    };
    for (const v1::AuditEvent& e : events) {
      if (!skip.insert(e.event_id()).second) continue;  // known, or twice in this batch
      uint64_t index = size++;
      std::string bytes = EntryBytes(e);
      absl::StatusOr<absl::Time> occurred = TimeFromProto(e.occurred_at(), "occurred_at");
      idx.push_back(absl::StrCat(index));
      event_ids.push_back(e.event_id());
      entries.push_back(BytesElement(bytes));
      times.push_back(db::TimestampParam(occurred.ok() ? *occurred : absl::UnixEpoch()));
      actors.push_back(e.actor().user_id());
      orgs.push_back(e.actor().organisation_id());
      types.push_back(e.object().type());
      objects.push_back(e.object().id());
      actions.push_back(v1::Action_Name(e.action()));
      outcomes.push_back(v1::Outcome_Name(e.outcome()));
      for (const std::string& subject : e.subjects()) {
        subject_idx.push_back(absl::StrCat(index));
        subjects.push_back(subject);
      }
      put(0, index, LeafHash(bytes));
      // Leaf `index` completes one subtree per trailing one bit of index.
      for (int level = 0; ((index >> level) & 1) == 1; ++level) {
        uint64_t right = index >> level;
        put(level + 1, right >> 1, NodeHash(nodes.at({level, right - 1}), nodes.at({level, right})));
      }
      ++result.appended;
    }
    result.size = size;
    if (result.appended == 0) return absl::OkStatus();
    RETURN_IF_ERROR(tx.Exec(kInsertEntries,
                            {log_id, db::TextArray(idx), db::TextArray(event_ids),
                             db::TextArray(entries), db::TextArray(times), db::TextArray(actors),
                             db::TextArray(orgs), db::TextArray(types), db::TextArray(objects),
                             db::TextArray(actions), db::TextArray(outcomes)}));
    if (!subjects.empty()) {
      RETURN_IF_ERROR(tx.Exec(kInsertSubjects,
                              {log_id, db::TextArray(subject_idx), db::TextArray(subjects)}));
    }
    return tx.Exec(kInsertNodes, {log_id, db::TextArray(node_levels), db::TextArray(node_idx),
                                  db::TextArray(node_hashes)});
  }));
  return result;
}

absl::StatusOr<uint64_t> AuditStore::Size(const std::string& log_id) {
  ASSIGN_OR_RETURN(db::Rows rows, pool_->Query(kSize, {log_id}));
  return static_cast<uint64_t>(rows.Int(0, "size"));
}

absl::StatusOr<std::vector<std::string>> AuditStore::Logs() {
  ASSIGN_OR_RETURN(db::Rows rows, pool_->Query(kLogs));
  std::vector<std::string> logs;
  for (int i = 0; i < rows.size(); ++i) logs.push_back(rows.Text(i, "log_id"));
  return logs;
}

absl::StatusOr<std::string> AuditStore::Root(const std::string& log_id, uint64_t tree_size) {
  ASSIGN_OR_RETURN(uint64_t size, Size(log_id));
  if (tree_size > size) {
    return absl::OutOfRangeError(absl::StrCat("tree_size: the log has only ", size, " entries"));
  }
  if (tree_size == 0) return EmptyTreeHash();
  return WithStoredSubtrees(*pool_, log_id, [tree_size](const SubtreeLookup& subtree) {
    return RootFrom(subtree, tree_size);
  });
}

absl::StatusOr<InclusionPath> AuditStore::InclusionProof(const std::string& log_id, uint64_t index,
                                                         uint64_t tree_size) {
  ASSIGN_OR_RETURN(uint64_t size, Size(log_id));
  if (tree_size > size) {
    return absl::OutOfRangeError(absl::StrCat("tree_size: the log has only ", size, " entries"));
  }
  if (index >= tree_size) return absl::InvalidArgumentError("index: must be smaller than tree_size");
  InclusionPath proof;
  ASSIGN_OR_RETURN(db::Rows rows, pool_->Query(kEntry, {log_id, absl::StrCat(index)}));
  if (rows.empty()) return absl::DataLossError(absl::StrCat("audit log ", log_id, ": entry missing"));
  proof.entry = rows.Bytes(0, "entry");
  ASSIGN_OR_RETURN(proof.path,
                   WithStoredSubtrees(*pool_, log_id, [&](const SubtreeLookup& subtree) {
                     return InclusionPathFrom(subtree, index, tree_size);
                   }));
  return proof;
}

absl::StatusOr<std::vector<std::string>> AuditStore::ConsistencyProof(const std::string& log_id,
                                                                      uint64_t old_size,
                                                                      uint64_t new_size) {
  ASSIGN_OR_RETURN(uint64_t size, Size(log_id));
  if (new_size > size) {
    return absl::OutOfRangeError(absl::StrCat("new_size: the log has only ", size, " entries"));
  }
  if (old_size > new_size) return absl::InvalidArgumentError("old_size: must not exceed new_size");
  if (old_size == 0 || old_size == new_size) return std::vector<std::string>{};
  return WithStoredSubtrees(*pool_, log_id, [&](const SubtreeLookup& subtree) {
    return ConsistencyPathFrom(subtree, old_size, new_size);
  });
}

absl::StatusOr<std::vector<StoredEntry>> AuditStore::Entries(const std::string& log_id,
                                                             uint64_t from, int limit, int64_t max_bytes) {
  ASSIGN_OR_RETURN(db::Rows rows, pool_->Query(kEntries, {log_id, absl::StrCat(from), absl::StrCat(limit),
                                                          absl::StrCat(max_bytes)}));
  return EntriesFromRows(rows);
}

absl::Status AuditStore::Export(const std::string& log_id, std::ostream& out) {
  for (uint64_t next = 0;;) {
    ASSIGN_OR_RETURN(std::vector<StoredEntry> page, Entries(log_id, next, kMaxExportPage, kMaxExportPageBytes));
    if (page.empty()) return absl::OkStatus();
    for (const StoredEntry& e : page) out << ExportLine(e.index, e.bytes, e.leaf_hash) << "\n";
    next = page.back().index + 1;
  }
}

absl::StatusOr<std::vector<StoredEntry>> AuditStore::Query(const EventQuery& q,
                                                           absl::Time deadline) {
  auto text = [](const std::optional<std::string>& v) -> db::Param { return v; };
  db::Params params = {
      q.log_id,
      text(q.subject),
      text(q.actor_user_id),
      text(q.organisation_id),
      text(q.object_type),
      text(q.object_id),
      q.action ? db::Param(v1::Action_Name(*q.action)) : std::nullopt,
      q.outcome ? db::Param(v1::Outcome_Name(*q.outcome)) : std::nullopt,
      q.from ? db::Param(db::TimestampParam(*q.from)) : std::nullopt,
      q.to ? db::Param(db::TimestampParam(*q.to)) : std::nullopt,
      q.before_index ? db::Param(absl::StrCat(*q.before_index)) : std::nullopt,
      q.apply_restrictions ? "true" : "false",
      absl::StrCat(q.limit),
      db::TextArray(q.exclude_object_types)};
  ASSIGN_OR_RETURN(db::Rows rows, pool_->Query(kQuery, params, {.deadline = deadline}));
  std::vector<StoredEntry> entries = EntriesFromRows(rows);
  for (StoredEntry& e : entries) e.leaf_hash.clear();
  return entries;
}

absl::Status AuditStore::SaveTreeHead(const std::string& log_id, const TreeHead& head) {
  return pool_->Query(kInsertTreeHead,
                      {log_id, absl::StrCat(head.tree_size), db::BytesParam(head.root_hash),
                       db::TimestampParam(head.timestamp), head.key_id,
                       db::BytesParam(head.signature)})
      .status();
}

absl::StatusOr<std::optional<TreeHead>> AuditStore::LatestTreeHead(const std::string& log_id) {
  ASSIGN_OR_RETURN(db::Rows rows, pool_->Query(kLatestTreeHead, {log_id}));
  if (rows.empty()) return std::nullopt;
  TreeHead head;
  head.tree_size = static_cast<uint64_t>(rows.Int(0, "tree_size"));
  head.root_hash = rows.Bytes(0, "root_hash");
  head.timestamp = absl::FromUnixMillis(rows.Int(0, "signed_ms"));
  head.key_id = rows.Text(0, "key_id");
  head.signature = rows.Bytes(0, "signature");
  return head;
}

absl::StatusOr<v1::Restriction> AuditStore::InsertRestriction(db::Transaction& tx, const std::string& tenant,
                                                              const v1::Restriction& r) {
  ASSIGN_OR_RETURN(db::Rows rows, tx.Query(absl::StrCat(kInsertRestriction, kRestrictionColumns),
                                           {r.restriction_id(), tenant, r.subject(), r.organisation_id(),
                                            r.reason(), r.review_date(), r.created_by()}));
  return RestrictionFromRow(rows, 0);
}

absl::StatusOr<v1::Restriction> AuditStore::AddRestriction(const std::string& tenant,
                                                           const v1::Restriction& r,
                                                           AuditRecord& audit) {
  v1::Restriction added;
  RETURN_IF_ERROR(InAuditedTransaction(*pool_, audit, [&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(added, InsertRestriction(tx, tenant, r));
    return absl::OkStatus();
  }));
  return added;
}

absl::StatusOr<v1::Restriction> AuditStore::LiftRestriction(const std::string& tenant,
                                                            const std::string& restriction_id,
                                                            const std::string& lifted_by,
                                                            AuditRecord& audit) {
  v1::Restriction lifted;
  RETURN_IF_ERROR(InAuditedTransaction(*pool_, audit, [&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(db::Rows rows, tx.Query(absl::StrCat(kLiftRestriction, kRestrictionColumns),
                                             {tenant, restriction_id, lifted_by}));
    if (!rows.empty()) {
      lifted = RestrictionFromRow(rows, 0);
      audit.AddPseudonym(lifted.subject());
      return absl::OkStatus();
    }
    ASSIGN_OR_RETURN(db::Rows existing, tx.Query(kSelectRestriction, {tenant, restriction_id}));
    if (existing.empty()) return absl::NotFoundError("restriction_id: no such restriction");
    return absl::FailedPreconditionError("restriction_id: the restriction was lifted already");
  }));
  return lifted;
}

absl::StatusOr<std::vector<v1::Restriction>> AuditStore::Restrictions(
    const std::string& tenant, const std::optional<std::pair<absl::Time, std::string>>& after, int limit) {
  ASSIGN_OR_RETURN(db::Rows rows, pool_->Query(absl::StrCat(kListRestrictions, kRestrictionColumns,
                                                            kListRestrictionsFrom),
                                               {tenant, after ? db::Param(db::TimestampParam(after->first)) : std::nullopt,
                                                after ? db::Param(after->second) : std::nullopt,
                                                absl::StrCat(limit)}));
  std::vector<v1::Restriction> restrictions;
  for (int i = 0; i < rows.size(); ++i) restrictions.push_back(RestrictionFromRow(rows, i));
  return restrictions;
}

}  // namespace hartslag::audit
