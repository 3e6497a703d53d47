#include "services/audit/audit_store.h"

#include <bit>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "services/audit/log_export.h"
#include "services/audit/merkle.h"
#include "services/common/status_macros.h"

namespace hartslag::audit {
namespace {

constexpr char kLockLog[] = R"sql(
  SELECT pg_advisory_xact_lock(hashtext('hartslag.audit.' || $1))
)sql";

constexpr char kSize[] = R"sql(
  SELECT coalesce(max(idx) + 1, 0) AS size FROM audit.entries WHERE log_id = $1
)sql";

constexpr char kKnownEvents[] = R"sql(
  SELECT event_id::text AS event_id FROM audit.entries
  WHERE log_id = $1 AND event_id = ANY($2::uuid[])
)sql";

constexpr char kInsertEntry[] = R"sql(
  INSERT INTO audit.entries (log_id, idx, event_id, entry) VALUES ($1, $2, $3, $4::bytea)
)sql";

constexpr char kInsertNode[] = R"sql(
  INSERT INTO audit.nodes (log_id, level, idx, hash) VALUES ($1, $2, $3, $4::bytea)
)sql";

constexpr char kSelectNode[] = R"sql(
  SELECT hash FROM audit.nodes WHERE log_id = $1 AND level = $2 AND idx = $3
)sql";

constexpr char kExport[] = R"sql(
  SELECT e.idx, e.entry, n.hash FROM audit.entries e
  LEFT JOIN audit.nodes n ON n.log_id = e.log_id AND n.level = 0 AND n.idx = e.idx
  WHERE e.log_id = $1 AND e.idx >= $2 ORDER BY e.idx LIMIT $3
)sql";

absl::StatusOr<std::string> Node(db::Transaction& tx, const std::string& log_id, int level,
                                 uint64_t index) {
  ASSIGN_OR_RETURN(db::Rows rows,
                   tx.Query(kSelectNode, {log_id, absl::StrCat(level), absl::StrCat(index)}));
  if (rows.empty()) {
    return absl::DataLossError(absl::StrCat("audit log ", log_id, ": node ", level, "/", index, " is missing"));
  }
  return rows.Bytes(0, "hash");
}

absl::StatusOr<uint64_t> SizeIn(db::Transaction& tx, const std::string& log_id) {
  ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kSize, {log_id}));
  return static_cast<uint64_t>(rows.Int(0, "size"));
}

}  // namespace

absl::StatusOr<uint64_t> AuditStore::Append(const std::string& log_id,
                                            const std::vector<AuditEntry>& entries) {
  uint64_t size = 0;
  RETURN_IF_ERROR(pool_->InTransaction([&](db::Transaction& tx) -> absl::Status {
    RETURN_IF_ERROR(tx.Exec(kLockLog, {log_id}));
    ASSIGN_OR_RETURN(size, SizeIn(tx, log_id));
    std::vector<std::string> ids;
    for (const AuditEntry& e : entries) ids.push_back(e.event_id);
    ASSIGN_OR_RETURN(db::Rows known, tx.Query(kKnownEvents, {log_id, db::TextArray(ids)}));
    std::set<std::string> skip;
    for (int i = 0; i < known.size(); ++i) skip.insert(known.Text(i, "event_id"));
    // Hashes written in this transaction, by (level, index), so a parent
    // needs no read-back of the child just inserted.
    std::map<std::pair<int, uint64_t>, std::string> written;
    auto node = [&](int level, uint64_t index) -> absl::StatusOr<std::string> {
      if (auto it = written.find({level, index}); it != written.end()) return it->second;
      return Node(tx, log_id, level, index);
    };
    auto put = [&](int level, uint64_t index, std::string hash) -> absl::Status {
      RETURN_IF_ERROR(tx.Exec(kInsertNode, {log_id, absl::StrCat(level), absl::StrCat(index),
                                            db::BytesParam(hash)}));
      written[{level, index}] = std::move(hash);
      return absl::OkStatus();
    };
    for (const AuditEntry& e : entries) {
      if (!skip.insert(e.event_id).second) continue;  // known, or twice in this batch
      uint64_t index = size++;
      RETURN_IF_ERROR(tx.Exec(kInsertEntry, {log_id, absl::StrCat(index), e.event_id,
                                             db::BytesParam(e.bytes)}));
      RETURN_IF_ERROR(put(0, index, LeafHash(e.bytes)));
      // Leaf `index` completes one subtree per trailing one bit of index.
      for (int level = 0; ((index >> level) & 1) == 1; ++level) {
        uint64_t right = index >> level;
        ASSIGN_OR_RETURN(std::string left_hash, node(level, right - 1));
        ASSIGN_OR_RETURN(std::string right_hash, node(level, right));
        RETURN_IF_ERROR(put(level + 1, right >> 1, NodeHash(left_hash, right_hash)));
      }
    }
    return absl::OkStatus();
  }));
  return size;
}

absl::StatusOr<uint64_t> AuditStore::Size(const std::string& log_id) {
  ASSIGN_OR_RETURN(db::Rows rows, pool_->Query(kSize, {log_id}));
  return static_cast<uint64_t>(rows.Int(0, "size"));
}

absl::StatusOr<std::string> AuditStore::Root(const std::string& log_id, uint64_t tree_size) {
  std::string root;
  RETURN_IF_ERROR(pool_->InTransaction([&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(uint64_t size, SizeIn(tx, log_id));
    if (tree_size > size) {
      return absl::OutOfRangeError(absl::StrCat("tree_size: the log has only ", size, " entries"));
    }
    if (tree_size == 0) {
      root = EmptyTreeHash();
      return absl::OkStatus();
    }
    // The tree of tree_size leaves is a row of complete subtrees, largest
    // first, one per set bit of tree_size; the root folds them from the right.
    std::vector<std::string> subtrees;
    uint64_t begin = 0;
    for (int level = 63; level >= 0; --level) {
      uint64_t width = uint64_t{1} << level;
      if ((tree_size & width) == 0) continue;
      ASSIGN_OR_RETURN(std::string hash, Node(tx, log_id, level, begin >> level));
      subtrees.push_back(std::move(hash));
      begin += width;
    }
    root = subtrees.back();
    for (size_t i = subtrees.size() - 1; i-- > 0;) root = NodeHash(subtrees[i], root);
    return absl::OkStatus();
  }));
  return root;
}

absl::Status AuditStore::Export(const std::string& log_id, std::ostream& out) {
  constexpr int kPage = 1000;
  for (uint64_t next = 0;;) {
    ASSIGN_OR_RETURN(db::Rows rows,
                     pool_->Query(kExport, {log_id, absl::StrCat(next), absl::StrCat(kPage)}));
    for (int i = 0; i < rows.size(); ++i) {
      out << ExportLine(static_cast<uint64_t>(rows.Int(i, "idx")), rows.Bytes(i, "entry"),
                        rows.Bytes(i, "hash"))
          << "\n";
      next = static_cast<uint64_t>(rows.Int(i, "idx")) + 1;
    }
    if (rows.size() < kPage) return absl::OkStatus();
  }
}

}  // namespace hartslag::audit
