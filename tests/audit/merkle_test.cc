// The audit log's Merkle tree against RFC 6962: the certificate-transparency
// reference vectors, and every tree size up to 70 against a plain recursive
// implementation of the RFC's definitions.
#include "libs/audit_verify/merkle.h"

#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "services/common/crypto.h"

namespace hartslag::audit {
namespace {

constexpr uint64_t kMaxSize = 70;

// RFC 6962 section 2.1, written as the RFC writes it: recursion over ranges.
uint64_t Split(uint64_t n) {
  uint64_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

std::string ReferenceRoot(const std::vector<std::string>& d, uint64_t begin, uint64_t end) {
  uint64_t n = end - begin;
  if (n == 0) return Sha256("");
  if (n == 1) return Sha256(std::string(1, '\0') + d[begin]);
  uint64_t k = Split(n);
  return Sha256(std::string(1, '\1') + ReferenceRoot(d, begin, begin + k) +
                ReferenceRoot(d, begin + k, end));
}

std::vector<std::string> ReferencePath(uint64_t m, const std::vector<std::string>& d,
                                       uint64_t begin, uint64_t end) {
  uint64_t n = end - begin;
  if (n == 1) return {};
  uint64_t k = Split(n);
  std::vector<std::string> path;
  if (m < k) {
    path = ReferencePath(m, d, begin, begin + k);
    path.push_back(ReferenceRoot(d, begin + k, end));
  } else {
    path = ReferencePath(m - k, d, begin + k, end);
    path.push_back(ReferenceRoot(d, begin, begin + k));
  }
  return path;
}

std::vector<std::string> ReferenceSubproof(uint64_t m, const std::vector<std::string>& d,
                                           uint64_t begin, uint64_t end, bool b) {
  uint64_t n = end - begin;
  if (m == n) return b ? std::vector<std::string>{} : std::vector<std::string>{ReferenceRoot(d, begin, end)};
  uint64_t k = Split(n);
  std::vector<std::string> proof;
  if (m <= k) {
    proof = ReferenceSubproof(m, d, begin, begin + k, b);
    proof.push_back(ReferenceRoot(d, begin + k, end));
  } else {
    proof = ReferenceSubproof(m - k, d, begin + k, end, false);
    proof.push_back(ReferenceRoot(d, begin, begin + k));
  }
  return proof;
}

std::vector<std::string> Entries(uint64_t n) {
  std::vector<std::string> entries;
  for (uint64_t i = 0; i < n; ++i) entries.push_back("audit event " + std::to_string(i * 7919));
  return entries;
}

MerkleTree TreeOf(const std::vector<std::string>& entries) {
  MerkleTree tree;
  for (const auto& e : entries) tree.Append(LeafHash(e));
  return tree;
}

std::string Hex(const std::string& bytes) { return HexEncode(bytes); }

TEST(MerkleTest, MatchesTheCertificateTransparencyReferenceRoots) {
  std::vector<std::string> data;
  for (const char* hex : {"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                          "606162636465666768696a6b6c6d6e6f"}) {
    data.push_back(absl::HexStringToBytes(hex));
  }
  const char* roots[] = {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                         "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
                         "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
                         "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                         "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
                         "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
                         "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
                         "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
  MerkleTree tree = TreeOf(data);
  EXPECT_EQ(Hex(*tree.Root(0)), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  for (uint64_t size = 1; size <= 8; ++size) EXPECT_EQ(Hex(*tree.Root(size)), roots[size - 1]) << size;
  std::vector<std::string> proof = *tree.InclusionProof(0, 8);
  ASSERT_EQ(proof.size(), 3u);
  EXPECT_EQ(Hex(proof[0]), "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7");
  EXPECT_EQ(Hex(proof[1]), "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e");
  EXPECT_EQ(Hex(proof[2]), "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4");
}

TEST(MerkleTest, RootOfEverySizeMatchesTheRecursiveDefinition) {
  std::vector<std::string> entries = Entries(kMaxSize);
  MerkleTree tree = TreeOf(entries);
  for (uint64_t size = 0; size <= kMaxSize; ++size) {
    EXPECT_EQ(*tree.Root(size), ReferenceRoot(entries, 0, size)) << size;
  }
  EXPECT_EQ(tree.Root(kMaxSize + 1).status().code(), absl::StatusCode::kOutOfRange);
}

TEST(MerkleTest, EveryInclusionProofIsTheRfcPathAndVerifies) {
  std::vector<std::string> entries = Entries(kMaxSize);
  MerkleTree tree = TreeOf(entries);
  for (uint64_t size = 1; size <= kMaxSize; ++size) {
    std::string root = *tree.Root(size);
    for (uint64_t index = 0; index < size; ++index) {
      std::vector<std::string> proof = *tree.InclusionProof(index, size);
      ASSERT_EQ(proof, ReferencePath(index, entries, 0, size)) << index << " of " << size;
      EXPECT_TRUE(VerifyInclusion(LeafHash(entries[index]), index, size, proof, root))
          << index << " of " << size;
    }
  }
}

// The tree size itself is bound by the signed tree head that pairs it with
// the root; a proof binds the leaf, its index and the root.
TEST(MerkleTest, InclusionProofFailsForTheWrongLeafIndexOrRoot) {
  std::vector<std::string> entries = Entries(kMaxSize);
  MerkleTree tree = TreeOf(entries);
  for (uint64_t size = 2; size <= kMaxSize; ++size) {
    std::string root = *tree.Root(size);
    for (uint64_t index = 0; index < size; ++index) {
      std::vector<std::string> proof = *tree.InclusionProof(index, size);
      std::string leaf = LeafHash(entries[index]);
      std::string trace = std::to_string(index) + " of " + std::to_string(size);
      EXPECT_FALSE(VerifyInclusion(LeafHash(entries[(index + 1) % size]), index, size, proof, root)) << trace;
      EXPECT_FALSE(VerifyInclusion(leaf, (index + 1) % size, size, proof, root)) << trace;
      EXPECT_FALSE(VerifyInclusion(leaf, index, size, proof, *tree.Root(size - 1))) << trace;
      EXPECT_FALSE(VerifyInclusion(leaf, size, size, proof, root)) << trace;
      std::vector<std::string> tampered = proof;
      tampered[0][0] ^= 1;
      EXPECT_FALSE(VerifyInclusion(leaf, index, size, tampered, root)) << trace;
      std::vector<std::string> longer = proof;
      longer.push_back(leaf);
      EXPECT_FALSE(VerifyInclusion(leaf, index, size, longer, root)) << trace;
      std::vector<std::string> shorter(proof.begin(), proof.end() - 1);
      EXPECT_FALSE(VerifyInclusion(leaf, index, size, shorter, root)) << trace;
    }
  }
}

TEST(MerkleTest, EveryConsistencyProofIsTheRfcProofAndVerifies) {
  std::vector<std::string> entries = Entries(kMaxSize);
  MerkleTree tree = TreeOf(entries);
  for (uint64_t new_size = 0; new_size <= kMaxSize; ++new_size) {
    for (uint64_t old_size = 0; old_size <= new_size; ++old_size) {
      std::vector<std::string> proof = *tree.ConsistencyProof(old_size, new_size);
      if (old_size > 0 && old_size < new_size) {
        ASSERT_EQ(proof, ReferenceSubproof(old_size, entries, 0, new_size, true))
            << old_size << " -> " << new_size;
      }
      EXPECT_TRUE(VerifyConsistency(old_size, new_size, *tree.Root(old_size), *tree.Root(new_size), proof))
          << old_size << " -> " << new_size;
    }
  }
}

TEST(MerkleTest, ConsistencyProofFailsForWrongRootsSizesOrProof) {
  std::vector<std::string> entries = Entries(kMaxSize);
  MerkleTree tree = TreeOf(entries);
  for (uint64_t new_size = 2; new_size <= kMaxSize; ++new_size) {
    for (uint64_t old_size = 1; old_size < new_size; ++old_size) {
      std::vector<std::string> proof = *tree.ConsistencyProof(old_size, new_size);
      std::string old_root = *tree.Root(old_size);
      std::string new_root = *tree.Root(new_size);
      std::string trace = std::to_string(old_size) + " -> " + std::to_string(new_size);
      EXPECT_FALSE(VerifyConsistency(old_size, new_size, *tree.Root(old_size - 1), new_root, proof)) << trace;
      EXPECT_FALSE(VerifyConsistency(old_size, new_size, old_root, *tree.Root(new_size - 1), proof)) << trace;
      EXPECT_FALSE(VerifyConsistency(new_size, old_size, new_root, old_root, proof)) << trace;
      std::vector<std::string> tampered = proof;
      tampered.back()[5] ^= 0x40;
      EXPECT_FALSE(VerifyConsistency(old_size, new_size, old_root, new_root, tampered)) << trace;
      EXPECT_FALSE(VerifyConsistency(old_size, new_size, old_root, new_root, {})) << trace;
    }
  }
}

TEST(MerkleTest, AnEditedEntryChangesEveryRootThatCoversIt) {
  std::vector<std::string> entries = Entries(20);
  MerkleTree original = TreeOf(entries);
  entries[7] = "audit event edited";
  MerkleTree edited = TreeOf(entries);
  for (uint64_t size = 0; size <= 7; ++size) EXPECT_EQ(*edited.Root(size), *original.Root(size)) << size;
  for (uint64_t size = 8; size <= 20; ++size) EXPECT_NE(*edited.Root(size), *original.Root(size)) << size;
}

}  // namespace
}  // namespace hartslag::audit
