#include "services/directory/password.h"

#include <gtest/gtest.h>

namespace hartslag::directory {
namespace {

TEST(PasswordTest, RightPasswordMatchesItsHash) {
  auto hash = HashPassword("correct horse battery");
  ASSERT_TRUE(hash.ok());
  EXPECT_TRUE(VerifyPassword("correct horse battery", *hash));
  EXPECT_EQ(hash->rfind("scrypt$15$8$1$", 0), 0u) << "cost is stored with the hash";
}

TEST(PasswordTest, WrongPasswordDoesNotMatch) {
  auto hash = HashPassword("correct horse battery");
  EXPECT_FALSE(VerifyPassword("correct horse batterY", *hash));
  EXPECT_FALSE(VerifyPassword("", *hash));
}

TEST(PasswordTest, SamePasswordGetsADifferentSaltEachTime) {
  EXPECT_NE(*HashPassword("correct horse battery"), *HashPassword("correct horse battery"));
}

TEST(PasswordTest, MalformedStoredHashMatchesNothing) {
  for (const char* stored : {"", "plain", "scrypt$15$8$1$salt", "scrypt$40$8$1$c2FsdA$aGFzaA",
                             "md5$15$8$1$c2FsdA$aGFzaA"}) {
    EXPECT_FALSE(VerifyPassword("anything", stored)) << stored;
  }
}

TEST(PasswordTest, DecoyMatchesNoPassword) {
  EXPECT_FALSE(VerifyPassword("", DecoyPasswordHash()));
  EXPECT_FALSE(VerifyPassword("admin", DecoyPasswordHash()));
}

}  // namespace
}  // namespace hartslag::directory
