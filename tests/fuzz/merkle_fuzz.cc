// Fuzzes the Merkle tree of the audit log (libs/audit_verify/merkle.h): roots
// and proofs from MerkleTree, and VerifyInclusion / VerifyConsistency on
// proofs an auditor is handed.
//
// From the input (FuzzedDataProvider): a tree of up to 200 leaves, each the
// leaf hash of one input byte (so equal leaves occur), then sizes and
// indexes, in range or any 64-bit value, and a change to make to a proof.
// Checked:
//   - MerkleTree's roots and proofs equal RFC 6962's definitions (MTH, PATH,
//     PROOF), computed here the slow way;
//   - every proof the tree gives verifies, and no changed proof does (a
//     proof is unique for its sizes unless SHA-256 collides);
//   - whatever the sizes and proof bytes, verification returns and only
//     accepts what it should.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include <fuzzer/FuzzedDataProvider.h>

#include "libs/audit_verify/merkle.h"

namespace {

using hartslag::audit::EmptyTreeHash;
using hartslag::audit::LeafHash;
using hartslag::audit::MerkleTree;
using hartslag::audit::NodeHash;
using Leaves = std::vector<std::string>;
using Proof = std::vector<std::string>;

uint64_t Split(uint64_t n) {
  uint64_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

// RFC 6962 section 2.1: MTH(D[begin:end]).
std::string Mth(const Leaves& leaves, uint64_t begin, uint64_t end) {
  uint64_t n = end - begin;
  if (n == 0) return EmptyTreeHash();
  if (n == 1) return leaves[begin];
  uint64_t k = Split(n);
  return NodeHash(Mth(leaves, begin, begin + k), Mth(leaves, begin + k, end));
}

// RFC 6962 section 2.1.1: PATH(m, D[begin:end]).
Proof Path(const Leaves& leaves, uint64_t m, uint64_t begin, uint64_t end) {
  uint64_t n = end - begin;
  if (n == 1) return {};
  uint64_t k = Split(n);
  Proof proof;
  if (m < k) {
    proof = Path(leaves, m, begin, begin + k);
    proof.push_back(Mth(leaves, begin + k, end));
  } else {
    proof = Path(leaves, m - k, begin + k, end);
    proof.push_back(Mth(leaves, begin, begin + k));
  }
  return proof;
}

// RFC 6962 section 2.1.2: SUBPROOF(m, D[begin:end], b).
Proof Subproof(const Leaves& leaves, uint64_t m, uint64_t begin, uint64_t end, bool whole) {
  uint64_t n = end - begin;
  if (m == n) return whole ? Proof{} : Proof{Mth(leaves, begin, end)};
  uint64_t k = Split(n);
  Proof proof;
  if (m <= k) {
    proof = Subproof(leaves, m, begin, begin + k, whole);
    proof.push_back(Mth(leaves, begin + k, end));
  } else {
    proof = Subproof(leaves, m - k, begin + k, end, false);
    proof.push_back(Mth(leaves, begin, begin + k));
  }
  return proof;
}

void Check(bool condition) {
  if (!condition) std::abort();
}

uint64_t Size(FuzzedDataProvider& input, uint64_t leaves) {
  return input.ConsumeBool() ? input.ConsumeIntegral<uint64_t>()
                             : input.ConsumeIntegralInRange<uint64_t>(0, leaves + 1);
}

// `proof` changed as the input says; may come back unchanged.
Proof Changed(FuzzedDataProvider& input, Proof proof) {
  switch (input.ConsumeIntegralInRange<int>(0, 3)) {
    case 0:
      if (!proof.empty()) {
        std::string& element = proof[input.ConsumeIntegralInRange<size_t>(0, proof.size() - 1)];
        if (!element.empty()) {
          element[input.ConsumeIntegralInRange<size_t>(0, element.size() - 1)] ^=
              static_cast<char>(input.ConsumeIntegralInRange<int>(1, 255));
        }
      }
      break;
    case 1:
      if (!proof.empty()) proof.pop_back();
      break;
    case 2:
      proof.insert(proof.begin() + input.ConsumeIntegralInRange<size_t>(0, proof.size()),
                   input.ConsumeBytesAsString(32));
      break;
    default:
      std::reverse(proof.begin(), proof.end());
      break;
  }
  return proof;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider input(data, size);
  Leaves leaves(input.ConsumeIntegralInRange<size_t>(0, 200));
  MerkleTree tree;
  for (std::string& leaf : leaves) {
    leaf = LeafHash(std::string(1, static_cast<char>(input.ConsumeIntegral<uint8_t>())));
    tree.Append(leaf);
  }
  Check(tree.size() == leaves.size());

  uint64_t root_size = Size(input, leaves.size());
  auto root = tree.Root(root_size);
  Check(root.ok() == (root_size <= leaves.size()));
  if (root.ok()) Check(*root == Mth(leaves, 0, root_size));

  // Inclusion.
  uint64_t tree_size = Size(input, leaves.size());
  uint64_t index = Size(input, leaves.size());
  auto path = tree.InclusionProof(index, tree_size);
  Check(path.ok() == (tree_size <= leaves.size() && index < tree_size));
  if (path.ok()) {
    Check(*path == Path(leaves, index, 0, tree_size));
    std::string at_size = *tree.Root(tree_size);
    Check(hartslag::audit::VerifyInclusion(leaves[index], index, tree_size, *path, at_size));
    Proof changed = Changed(input, *path);
    if (changed != *path) {
      Check(!hartslag::audit::VerifyInclusion(leaves[index], index, tree_size, changed, at_size));
    }
    std::string other_leaf = LeafHash(input.ConsumeBytesAsString(2));
    if (other_leaf != leaves[index]) {
      Check(!hartslag::audit::VerifyInclusion(other_leaf, index, tree_size, *path, at_size));
    }
  }

  // Consistency.
  uint64_t old_size = Size(input, leaves.size());
  uint64_t new_size = Size(input, leaves.size());
  auto consistency = tree.ConsistencyProof(old_size, new_size);
  Check(consistency.ok() == (new_size <= leaves.size() && old_size <= new_size));
  if (consistency.ok()) {
    if (old_size > 0 && old_size < new_size) {
      Check(*consistency == Subproof(leaves, old_size, 0, new_size, true));
    } else {
      Check(consistency->empty());
    }
    std::string old_root = *tree.Root(old_size);
    std::string new_root = *tree.Root(new_size);
    Check(hartslag::audit::VerifyConsistency(old_size, new_size, old_root, new_root, *consistency));
    Proof changed = Changed(input, *consistency);
    if (changed != *consistency) {
      Check(!hartslag::audit::VerifyConsistency(old_size, new_size, old_root, new_root, changed));
    }
  }

  // Proofs as an auditor might be handed them: any sizes, any bytes.
  uint64_t size_a = input.ConsumeIntegral<uint64_t>();
  uint64_t size_b = input.ConsumeIntegral<uint64_t>();
  std::string hash_a = input.ConsumeBytesAsString(32);
  std::string hash_b = input.ConsumeBytesAsString(32);
  Proof proof;
  while (input.remaining_bytes() > 0 && proof.size() < 80) {
    proof.push_back(input.ConsumeBytesAsString(input.ConsumeIntegralInRange<size_t>(0, 40)));
  }
  bool included = hartslag::audit::VerifyInclusion(hash_a, size_a, size_b, proof, hash_b);
  if (included) Check(size_a < size_b);
  bool consistent = hartslag::audit::VerifyConsistency(size_a, size_b, hash_a, hash_b, proof);
  if (consistent) Check(size_a <= size_b);
  return 0;
}
