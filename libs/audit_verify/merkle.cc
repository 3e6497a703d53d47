#include "libs/audit_verify/merkle.h"

#include <bit>

#include "absl/strings/str_cat.h"
#include "services/common/crypto.h"

namespace hartslag::audit {
namespace {

// The largest power of two smaller than n (n >= 2), the RFC's split point.
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

}  // namespace

std::string LeafHash(absl::string_view entry) {
  std::string data(1, '\x00');
  data.append(entry.data(), entry.size());
  return Sha256(data);
}

std::string NodeHash(absl::string_view left, absl::string_view right) {
  std::string data(1, '\x01');
  data.append(left.data(), left.size());
  data.append(right.data(), right.size());
  return Sha256(data);
}

std::string EmptyTreeHash() { return Sha256(""); }

void MerkleTree::Append(std::string leaf_hash) {
  if (levels_.empty()) levels_.emplace_back();
  levels_[0].push_back(std::move(leaf_hash));
  // Every time a level gets an even count, a subtree one level up completes.
  for (size_t level = 0; levels_[level].size() % 2 == 0; ++level) {
    const auto& below = levels_[level];
    std::string parent = NodeHash(below[below.size() - 2], below.back());
    if (levels_.size() == level + 1) levels_.emplace_back();
    levels_[level + 1].push_back(std::move(parent));
  }
}

namespace {

// MTH(D[begin:end]) for a range the RFC's recursion produces.
std::string SubtreeHash(const SubtreeLookup& subtree, uint64_t begin, uint64_t end) {
  uint64_t n = end - begin;
  if (std::has_single_bit(n) && begin % n == 0) return subtree(std::countr_zero(n), begin / n);
  uint64_t k = SplitPoint(n);
  return NodeHash(SubtreeHash(subtree, begin, begin + k), SubtreeHash(subtree, begin + k, end));
}

void InclusionPath(const SubtreeLookup& subtree, uint64_t index, uint64_t begin, uint64_t end,
                   std::vector<std::string>& proof) {
  uint64_t n = end - begin;
  if (n == 1) return;
  uint64_t k = SplitPoint(n);
  if (index - begin < k) {
    InclusionPath(subtree, index, begin, begin + k, proof);
    proof.push_back(SubtreeHash(subtree, begin + k, end));
  } else {
    InclusionPath(subtree, index, begin + k, end, proof);
    proof.push_back(SubtreeHash(subtree, begin, begin + k));
  }
}

void ConsistencyPath(const SubtreeLookup& subtree, uint64_t old_size, uint64_t begin, uint64_t end,
                     bool whole, std::vector<std::string>& proof) {
  uint64_t n = end - begin;
  if (old_size == n) {
    if (!whole) proof.push_back(SubtreeHash(subtree, begin, end));
    return;
  }
  uint64_t k = SplitPoint(n);
  if (old_size <= k) {
    ConsistencyPath(subtree, old_size, begin, begin + k, whole, proof);
    proof.push_back(SubtreeHash(subtree, begin + k, end));
  } else {
    ConsistencyPath(subtree, old_size - k, begin + k, end, false, proof);
    proof.push_back(SubtreeHash(subtree, begin, begin + k));
  }
}

}  // namespace

std::string RootFrom(const SubtreeLookup& subtree, uint64_t tree_size) {
  return SubtreeHash(subtree, 0, tree_size);
}

std::vector<std::string> InclusionPathFrom(const SubtreeLookup& subtree, uint64_t index,
                                           uint64_t tree_size) {
  std::vector<std::string> proof;
  InclusionPath(subtree, index, 0, tree_size, proof);
  return proof;
}

std::vector<std::string> ConsistencyPathFrom(const SubtreeLookup& subtree, uint64_t old_size,
                                             uint64_t new_size) {
  std::vector<std::string> proof;
  ConsistencyPath(subtree, old_size, 0, new_size, true, proof);
  return proof;
}

SubtreeLookup MerkleTree::Lookup() const {
  return [this](int level, uint64_t index) { return levels_[level][index]; };
}

absl::StatusOr<std::string> MerkleTree::Root(uint64_t tree_size) const {
  if (tree_size > size()) {
    return absl::OutOfRangeError(absl::StrCat("tree_size: the log has only ", size(), " entries"));
  }
  if (tree_size == 0) return EmptyTreeHash();
  return RootFrom(Lookup(), tree_size);
}

absl::StatusOr<std::vector<std::string>> MerkleTree::InclusionProof(uint64_t index,
                                                                    uint64_t tree_size) const {
  if (tree_size > size()) {
    return absl::OutOfRangeError(absl::StrCat("tree_size: the log has only ", size(), " entries"));
  }
  if (index >= tree_size) {
    return absl::InvalidArgumentError("index: must be smaller than tree_size");
  }
  return InclusionPathFrom(Lookup(), index, tree_size);
}

absl::StatusOr<std::vector<std::string>> MerkleTree::ConsistencyProof(uint64_t old_size,
                                                                      uint64_t new_size) const {
  if (new_size > size()) {
    return absl::OutOfRangeError(absl::StrCat("new_size: the log has only ", size(), " entries"));
  }
  if (old_size > new_size) {
    return absl::InvalidArgumentError("old_size: must not exceed new_size");
  }
  if (old_size == 0 || old_size == new_size) return std::vector<std::string>{};
  return ConsistencyPathFrom(Lookup(), old_size, new_size);
}

bool VerifyInclusion(absl::string_view leaf_hash, uint64_t index, uint64_t tree_size,
                     const std::vector<std::string>& proof, absl::string_view root) {
  if (index >= tree_size) return false;
  uint64_t fn = index;
  uint64_t sn = tree_size - 1;
  std::string r(leaf_hash);
  for (const std::string& p : proof) {
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      r = NodeHash(p, r);
      if (!(fn & 1)) {
        while (!(fn & 1) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

bool VerifyConsistency(uint64_t old_size, uint64_t new_size, absl::string_view old_root,
                       absl::string_view new_root, const std::vector<std::string>& proof) {
  if (old_size > new_size) return false;
  if (old_size == new_size) return proof.empty() && old_root == new_root;
  if (old_size == 0) return proof.empty();  // every tree extends the empty one
  if (proof.empty()) return false;
  std::vector<std::string> path;
  if (std::has_single_bit(old_size)) path.emplace_back(old_root);
  path.insert(path.end(), proof.begin(), proof.end());
  uint64_t fn = old_size - 1;
  uint64_t sn = new_size - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  std::string fr = path[0];
  std::string sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const std::string& c = path[i];
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      if (!(fn & 1)) {
        while (!(fn & 1) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return fr == old_root && sr == new_root && sn == 0;
}

}  // namespace hartslag::audit
