// The Merkle tree of RFC 6962 (section 2.1) over the audit log's entries:
//   leaf hash  = SHA-256(0x00 || entry bytes)
//   node hash  = SHA-256(0x01 || left || right)
//   empty tree = SHA-256("")
// with inclusion and consistency proofs, and their verification as RFC 9162
// (section 2.1.3.2 and 2.1.4.2) describes it. Hashes are 32 raw bytes.
//
// MerkleTree keeps the hash of every complete subtree, so a root or a proof
// for any tree size costs O(log^2 n) hash lookups and at most O(log n) hash
// computations, never a pass over the log. Not thread-safe; the verify
// functions are pure and thread-safe.
#ifndef HARTSLAG_LIBS_AUDIT_VERIFY_MERKLE_H_
#define HARTSLAG_LIBS_AUDIT_VERIFY_MERKLE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace hartslag::audit {

std::string LeafHash(absl::string_view entry);
std::string NodeHash(absl::string_view left, absl::string_view right);
std::string EmptyTreeHash();

// The hash of the complete subtree of 2^level leaves starting at leaf
// index * 2^level (level 0: the leaf hashes). Whatever stores the log
// provides it; the functions below build roots and proofs from it alone.
using SubtreeLookup = std::function<std::string(int level, uint64_t index)>;

// MTH of the first `tree_size` leaves (tree_size >= 1).
std::string RootFrom(const SubtreeLookup& subtree, uint64_t tree_size);
// The audit path of leaf `index` < `tree_size`.
std::vector<std::string> InclusionPathFrom(const SubtreeLookup& subtree, uint64_t index,
                                           uint64_t tree_size);
// The consistency proof from `old_size` to `new_size` (0 < old_size < new_size).
std::vector<std::string> ConsistencyPathFrom(const SubtreeLookup& subtree, uint64_t old_size,
                                             uint64_t new_size);

class MerkleTree {
 public:
  // Appends the next leaf, given as its leaf hash.
  void Append(std::string leaf_hash);
  uint64_t size() const { return levels_.empty() ? 0 : levels_[0].size(); }

  // The root hash of the tree of the first `tree_size` leaves.
  absl::StatusOr<std::string> Root(uint64_t tree_size) const;
  // The audit path of leaf `index` in the tree of the first `tree_size` leaves.
  absl::StatusOr<std::vector<std::string>> InclusionProof(uint64_t index, uint64_t tree_size) const;
  // The proof that the tree of `old_size` leaves is a prefix of the tree of
  // `new_size` leaves.
  absl::StatusOr<std::vector<std::string>> ConsistencyProof(uint64_t old_size,
                                                            uint64_t new_size) const;

 private:
  SubtreeLookup Lookup() const;

  // levels_[k][i]: the hash of the complete subtree of 2^k leaves starting at
  // leaf i * 2^k. levels_[0] are the leaf hashes.
  std::vector<std::vector<std::string>> levels_;
};

// True if `proof` shows that `leaf_hash` is leaf `index` of the tree of
// `tree_size` leaves with root `root`.
bool VerifyInclusion(absl::string_view leaf_hash, uint64_t index, uint64_t tree_size,
                     const std::vector<std::string>& proof, absl::string_view root);

// True if `proof` shows that the tree (`old_size`, `old_root`) is a prefix of
// the tree (`new_size`, `new_root`).
bool VerifyConsistency(uint64_t old_size, uint64_t new_size, absl::string_view old_root,
                       absl::string_view new_root, const std::vector<std::string>& proof);

}  // namespace hartslag::audit

#endif  // HARTSLAG_LIBS_AUDIT_VERIFY_MERKLE_H_
