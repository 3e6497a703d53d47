#include "services/audit/audit_store.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "libs/audit_verify/log_export.h"
#include "libs/audit_verify/merkle.h"
#include "services/common/crypto.h"
#include "services/common/proto_bytes.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"
#include "services/common/text.h"

namespace hartslag::audit {
namespace {

constexpr db::Prepared kLockLog{"audit_lock_log", R"sql(
  SELECT pg_advisory_xact_lock(hashtext('hartslag.audit.' || $1))
)sql"};

// How these statements find single rows: the statistics of audit.entries
// know nothing of a log that is new since the last ANALYZE and take it to be
// empty, and the planner could then read "the" row through whichever index
// leads with log_id and is smallest, filtering the whole log. So each lookup
// is a seek that only the index it needs can serve in order (log_id = $1
// AND key >= $k ORDER BY key LIMIT 1), checked for equality afterwards.
constexpr db::Prepared kSize{"audit_size", R"sql(
  SELECT coalesce((SELECT idx + 1 FROM audit.entries WHERE log_id = $1
                   ORDER BY idx DESC LIMIT 1), 0) AS size
)sql"};

// The transactions of an append and of a proof's read, whose statements
// seek by key: planned once, and with index scans even when the statistics
// were taken while the tables were empty (a plan the session then keeps).
constexpr db::TransactionOptions kSeeksByKey{.index_scans_only = true, .generic_plans = true};

// audit.nodes holds the subtrees of 2^kStoredLevel leaves and more; the
// lower levels are computed from the at most 2^kStoredLevel leaf hashes of
// a block, which the entries carry. A level more halves the node rows an
// append writes and doubles the leaf hashes a proof reads.
constexpr int kStoredLevel = 4;
constexpr uint64_t kBlock = uint64_t{1} << kStoredLevel;

// The sequencer's view of a log, under its lock: the size (a row of level
// -1), the stored subtrees that new leaves can need as left siblings (one
// per set bit of the size at level kStoredLevel and up: level, and index
// (size >> level) - 1 at that level), and the leaf hashes of the last,
// incomplete block (level 0), from which the lower ones are computed.
constexpr db::Prepared kHead{"audit_head", R"sql(
  WITH head AS (
    SELECT coalesce((SELECT idx + 1 FROM audit.entries WHERE log_id = $1
                     ORDER BY idx DESC LIMIT 1), 0) AS size)
  SELECT -1 AS level, head.size AS idx, NULL::bytea AS hash FROM head
  UNION ALL
  SELECT l.level, (head.size >> l.level) - 1, n.hash
  FROM head, generate_series($2::integer, 62) AS l(level)
  JOIN LATERAL (SELECT hash FROM audit.nodes
                WHERE log_id = $1 AND level = l.level AND idx = (head.size >> l.level) - 1
                LIMIT 1) n ON true
  WHERE (head.size >> l.level) & 1 = 1
  UNION ALL
  SELECT 0, b.idx, b.leaf_hash FROM head JOIN LATERAL (
    SELECT idx, leaf_hash FROM audit.entries
    WHERE log_id = $1 AND idx >= (head.size >> $2::integer) << $2::integer AND idx < head.size
    ORDER BY idx LIMIT $3) b ON true
)sql"};

// A loose index scan: one probe per log, however long the logs are.
constexpr char kLogs[] = R"sql(
  WITH RECURSIVE logs AS (
    SELECT min(log_id) AS log_id FROM audit.entries
    UNION ALL
    SELECT (SELECT min(log_id) FROM audit.entries WHERE log_id > logs.log_id)
    FROM logs WHERE logs.log_id IS NOT NULL)
  SELECT log_id FROM logs WHERE log_id IS NOT NULL
)sql";

// One seek in the unique index per event id.
constexpr db::Prepared kKnownEvents{"audit_known_events", R"sql(
  SELECT e.event_id::text AS event_id FROM unnest($2::uuid[]) AS w(event_id)
  JOIN LATERAL (SELECT event_id FROM audit.entries
                WHERE log_id = $1 AND event_id >= w.event_id ORDER BY event_id LIMIT 1) e
    ON e.event_id = w.event_id
)sql"};

// COPY targets, with the column order of the rows Append makes: an entry's
// log and index last, after the values made before the log's lock is taken.
constexpr char kCopyEntries[] = "audit.entries (event_id, entry, leaf_hash, log_id, idx)";
constexpr char kCopySearch[] =
    "audit.entry_search (subjects, occurred_at, actor_user_id, organisation_id, object_type, object_id, "
    "action, outcome, log_id, idx)";
constexpr char kCopyNodes[] = "audit.nodes (log_id, level, idx, hash)";

// One primary-key lookup per wanted stored node, and the leaf hashes of the
// wanted blocks (start indexes in $4, each read as one range of the primary
// key), whatever the statistics say: the LIMITs keep the planner from
// turning this into a scan of the whole log. With $5 set, also entry $5's
// bytes, as the row of level -1 (a seek: the caller checks its idx).
constexpr db::Prepared kSelectNodes{"audit_select_nodes", R"sql(
  SELECT w.level, w.idx, n.hash
  FROM unnest($2::integer[], $3::bigint[]) AS w(level, idx)
  JOIN LATERAL (SELECT hash FROM audit.nodes
                WHERE log_id = $1 AND level = w.level AND idx = w.idx LIMIT 1) n ON true
  UNION ALL
  SELECT 0, b.idx, b.leaf_hash FROM unnest($4::bigint[]) AS w(start)
  JOIN LATERAL (SELECT idx, leaf_hash FROM audit.entries
                WHERE log_id = $1 AND idx >= w.start AND idx < w.start + $6::bigint
                ORDER BY idx LIMIT $6::bigint) b ON true
  UNION ALL
  (SELECT -1, idx, entry FROM audit.entries WHERE log_id = $1 AND idx >= $5::bigint
   ORDER BY idx LIMIT 1)
)sql"};

// A page ends before the entry that would take it past $4 bytes; the first
// entry is always in.
constexpr char kEntries[] = R"sql(
  SELECT p.idx, p.entry, p.leaf_hash AS hash FROM (
    SELECT idx, entry, leaf_hash, sum(octet_length(entry)) OVER (ORDER BY idx) AS running FROM (
      SELECT idx, entry, leaf_hash FROM audit.entries WHERE log_id = $1 AND idx >= $2
      ORDER BY idx LIMIT $3) first) p
  WHERE p.running <= $4 OR p.running = octet_length(p.entry) ORDER BY p.idx
)sql";

// The entries a query reads, through their search rows: the log, or with a
// subject ($15, its digest) the entries about it. The planner would rather
// walk the log backwards and test each entry's subjects, hoping to fill the
// page early, which for a rare subject is a walk through the whole log;
// OFFSET 0 keeps the subject's entries a query of their own, found through
// the GIN index.
constexpr char kQueryLog[] = R"sql(
  SELECT s.idx, e.entry, '' AS hash FROM audit.entry_search s
)sql";
constexpr char kQuerySubject[] = R"sql(
  SELECT s.idx, e.entry, '' AS hash FROM (
    SELECT * FROM audit.entry_search WHERE log_id = $1 AND subjects @> ARRAY[$15::bytea]
      AND ($11::bigint IS NULL OR idx < $11) OFFSET 0) s
)sql";
constexpr char kQuery[] = R"sql(
  JOIN audit.entries e ON e.log_id = s.log_id AND e.idx = s.idx
  WHERE s.log_id = $1
    AND ($15::bytea IS NULL OR s.subjects @> ARRAY[$15::bytea])
    AND ($3::text IS NULL OR s.actor_user_id = $3)
    AND ($4::text IS NULL OR s.organisation_id = $4)
    AND ($5::text IS NULL OR s.object_type = $5)
    AND ($6::text IS NULL OR s.object_id = $6)
    AND ($7::text IS NULL OR s.action = $7)
    AND ($8::text IS NULL OR s.outcome = $8)
    AND ($9::timestamptz IS NULL OR s.occurred_at >= $9)
    AND ($10::timestamptz IS NULL OR s.occurred_at < $10)
    AND ($11::bigint IS NULL OR s.idx < $11)
    AND (NOT $12::boolean OR NOT EXISTS (
          SELECT 1 FROM audit.restrictions r
          WHERE r.tenant_id = s.log_id AND r.lifted_at IS NULL
            AND (r.organisation_id IS NULL OR r.organisation_id = s.organisation_id)
            -- A restriction keeps a record out of every overview it would
            -- be in: also that of another subject of the same record (a
            -- housemate, the address), by the digest SubjectDigest makes.
            AND (r.subject = $2
                 OR s.subjects @> ARRAY[substring(sha256(convert_to(r.subject, 'UTF8')) FROM 1 FOR 16)])))
    AND NOT (s.object_type = ANY($14::text[]))
  ORDER BY s.idx DESC LIMIT $13
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

// What a root or proof over the first `tree_size` entries reads: the stored
// subtree hashes it needs and, if asked for, one entry's bytes.
struct StoredTree {
  std::map<NodeKey, std::string> nodes;
  std::string entry;
};

// Reads `keys` and the entry read.entry_index in one statement. OUT_OF_RANGE
// if the log has fewer than read.tree_size entries: its leaf tree_size - 1,
// written with that entry, is then missing.
struct TreeRead {
  uint64_t tree_size = 0;
  const char* size_field = "tree_size";  // named when the log is shorter
  std::optional<uint64_t> entry_index;
};

// Computes every complete subtree below kStoredLevel over the leaves (level
// 0) in `nodes`, bottom up.
void ComputeLowLevels(std::map<NodeKey, std::string>& nodes) {
  for (int level = 0; level + 1 < kStoredLevel; ++level) {
    auto it = nodes.lower_bound({level, 0});
    while (it != nodes.end() && it->first.first == level) {
      auto next = std::next(it);
      if ((it->first.second & 1) == 0 && next != nodes.end() && next->first.first == level &&
          next->first.second == it->first.second + 1) {
        nodes[{level + 1, it->first.second >> 1}] = NodeHash(it->second, next->second);
      }
      it = next;
    }
  }
}

// OUT_OF_RANGE naming read.size_field: the log is shorter than it says.
absl::Status LogShorterThan(db::Pool& pool, const std::string& log_id, const TreeRead& read) {
  ASSIGN_OR_RETURN(db::Rows size, pool.OneStatement(kSize, {log_id}));
  return absl::OutOfRangeError(absl::StrCat(read.size_field, ": the log has only ", size.Int(0, "size"), " entries"));
}

absl::StatusOr<StoredTree> FetchTree(db::Pool& pool, const std::string& log_id, const TreeRead& read,
                                     std::set<NodeKey> keys) {
  const uint64_t tree_size = read.tree_size;
  const std::optional<uint64_t>& entry_index = read.entry_index;
  const NodeKey last_leaf{0, tree_size - 1};
  keys.insert(last_leaf);
  // Stored nodes by key; a lower one through the block of leaves it lies in.
  std::vector<std::string> levels, indexes;
  std::set<uint64_t> blocks;
  for (const auto& [level, index] : keys) {
    if (level >= kStoredLevel) {
      levels.push_back(absl::StrCat(level));
      indexes.push_back(absl::StrCat(index));
    } else {
      blocks.insert((index << level) / kBlock * kBlock);
    }
  }
  std::vector<std::string> starts;
  for (uint64_t start : blocks) starts.push_back(absl::StrCat(start));
  ASSIGN_OR_RETURN(db::Rows rows,
                   pool.OneStatement(kSelectNodes, {log_id, db::TextArray(levels), db::TextArray(indexes),
                                             db::TextArray(starts),
                                             entry_index ? db::Param(absl::StrCat(*entry_index))
                                                         : std::nullopt,
                                             absl::StrCat(kBlock)},
                                    kSeeksByKey));
  StoredTree tree;
  bool has_entry = false;
  for (int i = 0; i < rows.size(); ++i) {
    int level = static_cast<int>(rows.Int(i, "level"));
    if (level < 0) {
      has_entry = entry_index && static_cast<uint64_t>(rows.Int(i, "idx")) == *entry_index;
      tree.entry = rows.Bytes(i, "hash");
      continue;
    }
    uint64_t index = static_cast<uint64_t>(rows.Int(i, "idx"));
    // Leaves past the tree asked for are not part of it.
    if (level == 0 && index >= tree_size) continue;
    tree.nodes[{level, index}] = rows.Bytes(i, "hash");
  }
  if (!tree.nodes.contains(last_leaf)) return LogShorterThan(pool, log_id, read);
  ComputeLowLevels(tree.nodes);
  bool complete = std::all_of(keys.begin(), keys.end(), [&](const NodeKey& k) { return tree.nodes.contains(k); });
  if (!complete || (entry_index && !has_entry)) {
    return absl::DataLossError(absl::StrCat("audit log ", log_id, ": stored entries or subtree hashes are missing"));
  }
  return tree;
}

// Runs `compute` (a root or proof over a SubtreeLookup of the first
// read.tree_size entries) twice: once to learn which stored hashes it needs,
// then with those hashes (and the entry read.entry_index, into `entry`)
// fetched in one query.
template <typename Compute>
auto WithStoredSubtrees(db::Pool& pool, const std::string& log_id, const TreeRead& read, Compute compute,
                        std::string* entry = nullptr) -> absl::StatusOr<decltype(compute(SubtreeLookup{}))> {
  // An index is a bigint in the database: a caller's larger size must not
  // reach it as an overflow, and no log is that long.
  if (read.tree_size > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return LogShorterThan(pool, log_id, read);
  }
  std::set<NodeKey> wanted;
  compute([&wanted](int level, uint64_t index) {
    wanted.insert({level, index});
    return std::string(32, '\0');
  });
  ASSIGN_OR_RETURN(StoredTree tree, FetchTree(pool, log_id, read, std::move(wanted)));
  if (entry != nullptr) *entry = std::move(tree.entry);
  return compute([&tree](int level, uint64_t index) { return tree.nodes.at({level, index}); });
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

// What audit.entry_search.subjects holds for a subject: the first half of its
// SHA-256, short to index and still without collisions in practice.
std::string SubjectDigest(const std::string& subject) { return Sha256(subject).substr(0, 16); }

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

namespace {

// An event made ready for the log before its lock is taken, so that the
// serialising, hashing and formatting of one batch runs while another holds
// the lock: everything but the index.
struct FormattedEntry {
  std::string event_id;  // lower case
  std::string leaf_hash;
  db::CopyRows entry;   // its row of kCopyEntries up to, without, log_id and idx
  db::CopyRows search;  // its row of kCopySearch, likewise
};

// The batch's events in order, each event id once.
absl::StatusOr<std::vector<FormattedEntry>> FormatEntries(const std::vector<v1::AuditEvent>& events) {
  std::vector<FormattedEntry> prepared;
  prepared.reserve(events.size());
  std::set<std::string> seen;
  std::vector<std::string> digests;
  for (const v1::AuditEvent& e : events) {
    if (!IsUuid(e.event_id())) return absl::InvalidArgumentError("event_id: must be a UUID");
    // The id in lower case, as the database writes a uuid: the known ids it
    // returns are compared with these.
    std::string event_id = absl::AsciiStrToLower(e.event_id());
    if (!seen.insert(event_id).second) continue;
    std::string bytes = EntryBytes(e);
    absl::StatusOr<absl::Time> occurred = TimeFromProto(e.occurred_at(), "occurred_at");
    std::string leaf = LeafHash(bytes);
    // An event may name a subject twice; its entry is about it once.
    digests.clear();
    for (const std::string& subject : e.subjects()) digests.push_back(SubjectDigest(subject));
    std::sort(digests.begin(), digests.end());
    digests.erase(std::unique(digests.begin(), digests.end()), digests.end());
    FormattedEntry entry{.event_id = std::move(event_id), .leaf_hash = leaf, .entry = {}, .search = {}};
    entry.entry.Uuid(absl::HexStringToBytes(absl::StrReplaceAll(e.event_id(), {{"-", ""}})))
        .Bytes(bytes)
        .Bytes(leaf);
    entry.search.BytesArray(digests)
        .Timestamp(occurred.ok() ? *occurred : absl::UnixEpoch())
        .Text(e.actor().user_id())
        .Text(e.actor().organisation_id())
        .Text(e.object().type())
        .Text(e.object().id())
        .Text(v1::Action_Name(e.action()))
        .Text(v1::Outcome_Name(e.outcome()));
    prepared.push_back(std::move(entry));
  }
  return prepared;
}

// How long an append waits for the appends ahead of it in this process
// before it passes them (AppendOrder): far longer than the few batches ahead
// take in the lock, short enough that one stuck append does not stop a log.
constexpr absl::Duration kLongestTurnWait = absl::Seconds(2);

// The search rows of `entries`, the first at index `first`.
db::CopyRows SearchRows(const std::string& log_id, const std::vector<const FormattedEntry*>& entries,
                        uint64_t first) {
  db::CopyRows rows;
  for (const FormattedEntry* e : entries) {
    rows.Row(10).Append(e->search).Text(log_id).Int64(static_cast<int64_t>(first++));
  }
  return rows;
}

// How an append in a transaction went, beside its status.
struct AppendAttempt {
  AppendResult result;
  bool search_rows_before_lock = false;
  // The log's size under the lock was not the one expected, or the turn
  // did not come: the transaction must roll back, search rows and all.
  bool expected_wrongly = false;
};

// How an append is made. Unless it looks up known event ids first, the
// log's unique index on event ids refuses the batch (ALREADY_EXISTS) if one
// is there.
enum class AppendWay {
  kExpecting,       // search rows before the lock, if `ticket` expects a size
  kUnderLock,       // everything under the lock
  kLookingUpKnown,  // under the lock, the event ids already in the log left out
};

// Appends the entries of `entries` that are new to the log, under the log's
// lock, which it takes in `ticket`'s turn.
absl::Status AppendInTransaction(db::Transaction& tx, const std::string& log_id,
                                 const std::vector<FormattedEntry>& entries, AppendWay way,
                                 AppendOrder::Ticket& ticket, AppendAttempt& attempt) {
  attempt = {};
  std::vector<const FormattedEntry*> fresh;
  for (const FormattedEntry& e : entries) fresh.push_back(&e);
  const std::optional<uint64_t> expected = way == AppendWay::kExpecting ? ticket.expected_size() : std::nullopt;
  if (expected) RETURN_IF_ERROR(tx.CopyIn(kCopySearch, SearchRows(log_id, fresh, *expected)));
  attempt.search_rows_before_lock = expected.has_value();

  // Not ABORTED, which InTransaction would retry as it is.
  const absl::Status expected_wrongly = absl::FailedPreconditionError("audit log: appended to meanwhile");
  if (!ticket.WaitTurn(absl::Now() + kLongestTurnWait) && expected) {
    attempt.expected_wrongly = true;  // the appends ahead are late: what they wrote is unknown
    return expected_wrongly;
  }
  RETURN_IF_ERROR(tx.Exec(kLockLog, {log_id}));
  // Read after the lock is held: a statement sees what committed before it
  // started, so what the previous sequencer appended.
  ASSIGN_OR_RETURN(db::Rows head, tx.Query(kHead, {log_id, absl::StrCat(kStoredLevel),
                                                    absl::StrCat(kBlock)}));
  uint64_t size = 0;
  // The left siblings new leaves can need; every other node they need is
  // computed here.
  std::map<NodeKey, std::string> nodes;
  for (int i = 0; i < head.size(); ++i) {
    int level = static_cast<int>(head.Int(i, "level"));
    if (level < 0) {
      size = static_cast<uint64_t>(head.Int(i, "idx"));
      continue;
    }
    nodes[{level, static_cast<uint64_t>(head.Int(i, "idx"))}] = head.Bytes(i, "hash");
  }
  if (expected && size != *expected) {
    attempt.expected_wrongly = true;
    return expected_wrongly;
  }
  ComputeLowLevels(nodes);
  for (int level = 0; level < 63; ++level) {
    if (((size >> level) & 1) == 1 && !nodes.contains({level, (size >> level) - 1})) {
      return absl::DataLossError(absl::StrCat("audit log ", log_id, ": stored subtree hashes are missing"));
    }
  }
  if (way == AppendWay::kLookingUpKnown) {
    std::vector<std::string> ids;
    for (const FormattedEntry& e : entries) ids.push_back(e.event_id);
    ASSIGN_OR_RETURN(db::Rows known, tx.Query(kKnownEvents, {log_id, db::TextArray(ids)}));
    std::set<std::string> skip;
    for (int i = 0; i < known.size(); ++i) skip.insert(known.Text(i, "event_id"));
    std::erase_if(fresh, [&](const FormattedEntry* e) { return skip.contains(e->event_id); });
  }

  db::CopyRows entry_rows;
  db::CopyRows node_rows;
  auto put = [&](int level, uint64_t index, std::string hash) {
    if (level >= kStoredLevel) {
      node_rows.Row(4).Text(log_id).Int32(level).Int64(static_cast<int64_t>(index)).Bytes(hash);
    }
    nodes[{level, index}] = std::move(hash);
  };
  const uint64_t first = size;
  for (const FormattedEntry* e : fresh) {
    uint64_t index = size++;
    entry_rows.Row(5).Append(e->entry).Text(log_id).Int64(static_cast<int64_t>(index));
    put(0, index, e->leaf_hash);
    // Leaf `index` completes one subtree per trailing one bit of index.
    for (int level = 0; ((index >> level) & 1) == 1; ++level) {
      uint64_t right = index >> level;
      put(level + 1, right >> 1, NodeHash(nodes.at({level, right - 1}), nodes.at({level, right})));
    }
  }
  attempt.result = {.size = size, .appended = static_cast<int>(fresh.size())};
  if (fresh.empty()) return absl::OkStatus();
  RETURN_IF_ERROR(tx.CopyIn(kCopyEntries, entry_rows));
  if (!expected) RETURN_IF_ERROR(tx.CopyIn(kCopySearch, SearchRows(log_id, fresh, first)));
  if (!node_rows.empty()) RETURN_IF_ERROR(tx.CopyIn(kCopyNodes, node_rows));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<AppendResult> AuditStore::Append(const std::string& log_id,
                                                const std::vector<v1::AuditEvent>& events) {
  ASSIGN_OR_RETURN(const std::vector<FormattedEntry> entries, FormatEntries(events));
  // Almost every batch is new: the unique index on event ids checks that as
  // it takes the entries, and only a batch it refuses (a retry, or an event
  // sent again) is appended once more, with the known events left out. An
  // append that expected its index wrongly is made again without expecting.
  auto append = [&](AppendWay way) -> absl::StatusOr<AppendAttempt> {
    std::unique_ptr<AppendOrder::Ticket> ticket;
    AppendAttempt attempt;
    absl::Status status = pool_->InTransaction([&](db::Transaction& tx) {
      // A place taken afresh in each run, while the run holds its
      // connection (AppendOrder says why).
      ticket.reset();
      ticket = order_.Enter(log_id, entries.size());
      absl::Status appended = AppendInTransaction(tx, log_id, entries, way, *ticket, attempt);
      // Not held through a pause before the next run, without a connection.
      if (!appended.ok()) ticket.reset();
      return appended;
    }, kSeeksByKey);
    if (attempt.expected_wrongly) {
      ++counts_.expected_wrongly;
      return attempt;
    }
    RETURN_IF_ERROR(status);
    ticket->Committed(attempt.result.size);
    ++(attempt.search_rows_before_lock ? counts_.search_rows_before_lock : counts_.search_rows_under_lock);
    return attempt;
  };
  absl::StatusOr<AppendAttempt> attempt = append(AppendWay::kExpecting);
  if (attempt.ok() && attempt->expected_wrongly) attempt = append(AppendWay::kUnderLock);
  if (absl::IsAlreadyExists(attempt.status())) attempt = append(AppendWay::kLookingUpKnown);
  if (!attempt.ok()) return attempt.status();
  return attempt->result;
}

AuditStore::AppendCounts AuditStore::append_counts() const {
  return {.search_rows_before_lock = counts_.search_rows_before_lock,
          .search_rows_under_lock = counts_.search_rows_under_lock,
          .expected_wrongly = counts_.expected_wrongly};
}

absl::StatusOr<uint64_t> AuditStore::Size(const std::string& log_id) {
  ASSIGN_OR_RETURN(db::Rows rows, pool_->OneStatement(kSize, {log_id}));
  return static_cast<uint64_t>(rows.Int(0, "size"));
}

absl::StatusOr<std::vector<std::string>> AuditStore::Logs() {
  ASSIGN_OR_RETURN(db::Rows rows, pool_->Query(kLogs));
  std::vector<std::string> logs;
  for (int i = 0; i < rows.size(); ++i) logs.push_back(rows.Text(i, "log_id"));
  return logs;
}

absl::StatusOr<std::string> AuditStore::Root(const std::string& log_id, uint64_t tree_size) {
  if (tree_size == 0) return EmptyTreeHash();
  return WithStoredSubtrees(*pool_, log_id, {.tree_size = tree_size, .size_field = "tree_size", .entry_index = std::nullopt},
                            [tree_size](const SubtreeLookup& subtree) {
    return RootFrom(subtree, tree_size);
  });
}

absl::StatusOr<InclusionPath> AuditStore::InclusionProof(const std::string& log_id, uint64_t index,
                                                         uint64_t tree_size) {
  if (index >= tree_size) return absl::InvalidArgumentError("index: must be smaller than tree_size");
  InclusionPath proof;
  ASSIGN_OR_RETURN(proof.path, WithStoredSubtrees(
                                   *pool_, log_id, {.tree_size = tree_size, .size_field = "tree_size", .entry_index = index},
                                   [&](const SubtreeLookup& subtree) {
                                     return InclusionPathFrom(subtree, index, tree_size);
                                   },
                                   &proof.entry));
  return proof;
}

absl::StatusOr<std::vector<std::string>> AuditStore::ConsistencyProof(const std::string& log_id,
                                                                      uint64_t old_size,
                                                                      uint64_t new_size) {
  if (old_size > new_size) return absl::InvalidArgumentError("old_size: must not exceed new_size");
  if (new_size == 0) return std::vector<std::string>{};
  return WithStoredSubtrees(*pool_, log_id, {.tree_size = new_size, .size_field = "new_size", .entry_index = std::nullopt},
                            [&](const SubtreeLookup& subtree) {
    // Nothing to prove between a tree and itself or the empty tree; the
    // query still shows that the log has new_size entries.
    if (old_size == 0 || old_size == new_size) return std::vector<std::string>{};
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
      db::TextArray(q.exclude_object_types),
      q.subject ? db::Param(db::BytesParam(SubjectDigest(*q.subject))) : std::nullopt};
  ASSIGN_OR_RETURN(db::Rows rows, pool_->Query(absl::StrCat(q.subject ? kQuerySubject : kQueryLog, kQuery),
                                               params, {.deadline = deadline}));
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
