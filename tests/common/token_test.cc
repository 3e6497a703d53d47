// Token verification: only a well-formed, correctly signed, current token of
// our issuer and a served tenant is accepted; everything else is
// UNAUTHENTICATED.
#include "services/common/token.h"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <functional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "services/common/auth.h"
#include "services/common/crypto.h"
#include "tests/support/test_keys.h"

namespace hartslag {
namespace {

using testing::ClaimsFor;
using testing::NewEd25519KeyPair;

class TokenTest : public ::testing::Test {
 protected:
  TokenTest() : keys_(NewEd25519KeyPair()) {}

  TokenSigner Signer() { return *TokenSigner::FromPem(keys_.private_pem); }
  TokenVerifier Verifier(TokenVerifierOptions options = {}) {
    return *TokenVerifier::FromPem({keys_.public_pem}, options);
  }
  TokenClaims Coach() {
    return ClaimsFor("coach-1", "straatcoaches", "MUNICIPALITY", {"REPORTER"}, {"vrieheide"});
  }
  // Re-assembles a token from its three parts after `edit` changed them.
  static std::string Edit(const std::string& token,
                          const std::function<void(std::vector<std::string>&)>& edit) {
    std::vector<std::string> parts = absl::StrSplit(token, '.');
    edit(parts);
    return absl::StrJoin(parts, ".");
  }

  testing::KeyPair keys_;
};

void ExpectUnauthenticated(const absl::StatusOr<TokenClaims>& result, absl::string_view reason) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(result.status().message().find(reason), absl::string_view::npos)
      << result.status().message();
}

// The Authenticator checks a token's signature once and keeps what it says,
// but never past the token's expiry.
TEST_F(TokenTest, AnAuthenticatorKeepsAVerifiedTokenUntilItExpiresAndNotLonger) {
  TokenVerifierOptions strict;
  strict.clock_skew = absl::ZeroDuration();
  Authenticator authenticator(Verifier(strict));
  TokenClaims claims = Coach();
  claims.expires_at = absl::Now() + absl::Seconds(1);
  const std::string token = *Signer().Sign(claims);
  auto first = authenticator.FromToken(token);
  ASSERT_TRUE(first.ok()) << first.status();
  auto again = authenticator.FromToken(token);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->user, "coach-1");
  EXPECT_EQ(again->roles, first->roles);
  // Another token is checked on its own, however alike.
  const std::string forged = Edit(token, [](std::vector<std::string>& parts) { parts[2][3] ^= 1; });
  EXPECT_EQ(authenticator.FromToken(forged).status().code(), absl::StatusCode::kUnauthenticated);

  absl::SleepFor(absl::Seconds(1.2));
  auto expired = authenticator.FromToken(token);
  EXPECT_EQ(expired.status().code(), absl::StatusCode::kUnauthenticated) << "kept past its expiry";
}

TEST_F(TokenTest, GoodTokenYieldsItsClaims) {
  std::string token = *Signer().Sign(Coach());
  auto claims = Verifier().Verify(token, absl::Now());
  ASSERT_TRUE(claims.ok()) << claims.status();
  EXPECT_EQ(claims->subject, "coach-1");
  EXPECT_EQ(claims->tenant, "heerlen");
  EXPECT_EQ(claims->organisation, "straatcoaches");
  EXPECT_EQ(claims->organisation_kind, "MUNICIPALITY");
  EXPECT_EQ(claims->roles, std::vector<std::string>{"REPORTER"});
  EXPECT_EQ(claims->areas, std::vector<std::string>{"vrieheide"});
}

TEST_F(TokenTest, ExpiredTokenIsRefused) {
  TokenClaims claims = Coach();
  claims.expires_at = absl::Now() - absl::Minutes(5);
  ExpectUnauthenticated(Verifier().Verify(*Signer().Sign(claims), absl::Now()), "expired");
}

TEST_F(TokenTest, ExpiryWithinClockSkewIsAccepted) {
  TokenClaims claims = Coach();
  claims.expires_at = absl::Now() - absl::Seconds(10);
  EXPECT_TRUE(Verifier().Verify(*Signer().Sign(claims), absl::Now()).ok());
}

TEST_F(TokenTest, NotYetValidTokenIsRefused) {
  TokenClaims claims = Coach();
  claims.not_before = absl::Now() + absl::Minutes(10);
  ExpectUnauthenticated(Verifier().Verify(*Signer().Sign(claims), absl::Now()), "not yet valid");
}

TEST_F(TokenTest, SignatureOfAnotherKeyIsRefused) {
  testing::KeyPair other = NewEd25519KeyPair();
  // Same key id as ours, signature by the other key: forge the header.
  std::string ours = *Signer().Sign(Coach());
  std::string theirs = *TokenSigner::FromPem(other.private_pem)->Sign(Coach());
  std::string forged = Edit(ours, [&](auto& parts) {
    std::vector<std::string> t = absl::StrSplit(theirs, '.');
    parts[2] = t[2];
  });
  ExpectUnauthenticated(Verifier().Verify(forged, absl::Now()), "bad signature");
}

TEST_F(TokenTest, TamperedPayloadIsRefused) {
  std::string token = *Signer().Sign(Coach());
  TokenClaims admin = Coach();
  admin.roles = {"ADMIN"};
  std::string admin_token = *Signer().Sign(admin);
  std::string tampered = Edit(token, [&](auto& parts) {
    std::vector<std::string> a = absl::StrSplit(admin_token, '.');
    parts[1] = a[1];  // the admin payload under the coach's signature
  });
  ExpectUnauthenticated(Verifier().Verify(tampered, absl::Now()), "bad signature");
}

TEST_F(TokenTest, AlgorithmNoneIsRefused) {
  std::string token = *Signer().Sign(Coach());
  std::string unsigned_token = Edit(token, [](auto& parts) {
    parts[0] = Base64UrlEncode(R"({"alg":"none","typ":"JWT"})");
    parts[2] = "";
  });
  ExpectUnauthenticated(Verifier().Verify(unsigned_token, absl::Now()), "not a signed JWT");
  std::string none_with_signature = Edit(token, [](auto& parts) {
    parts[0] = Base64UrlEncode(R"({"alg":"none","typ":"JWT"})");
  });
  ExpectUnauthenticated(Verifier().Verify(none_with_signature, absl::Now()), "algorithm");
}

TEST_F(TokenTest, OtherAlgorithmsAreRefused) {
  std::string token = *Signer().Sign(Coach());
  for (const char* alg : {"HS256", "RS256", "ES256", "eddsa"}) {
    std::string kid = Signer().key_id();
    std::string changed = Edit(token, [&](auto& parts) {
      parts[0] = Base64UrlEncode(absl::StrCat(R"({"alg":")", alg, R"(","kid":")", kid, R"("})"));
    });
    ExpectUnauthenticated(Verifier().Verify(changed, absl::Now()), "algorithm");
  }
}

TEST_F(TokenTest, UnknownKeyIdIsRefused) {
  testing::KeyPair other = NewEd25519KeyPair();
  std::string token = *TokenSigner::FromPem(other.private_pem)->Sign(Coach());
  ExpectUnauthenticated(Verifier().Verify(token, absl::Now()), "unknown key id");
}

TEST_F(TokenTest, VerifierWithSeveralKeysAcceptsEach) {
  testing::KeyPair next = NewEd25519KeyPair();
  TokenVerifier verifier = *TokenVerifier::FromPem({keys_.public_pem, next.public_pem}, {});
  EXPECT_TRUE(verifier.Verify(*Signer().Sign(Coach()), absl::Now()).ok());
  EXPECT_TRUE(verifier.Verify(*TokenSigner::FromPem(next.private_pem)->Sign(Coach()), absl::Now()).ok());
}

TEST_F(TokenTest, WrongIssuerIsRefused) {
  TokenClaims claims = Coach();
  claims.issuer = "someone-else";
  ExpectUnauthenticated(Verifier().Verify(*Signer().Sign(claims), absl::Now()), "wrong issuer");
}

TEST_F(TokenTest, TenantNotServedHereIsRefused) {
  TokenVerifierOptions options;
  options.tenants = {"heerlen"};
  TokenClaims claims = Coach();
  claims.tenant = "maastricht";
  ExpectUnauthenticated(Verifier(options).Verify(*Signer().Sign(claims), absl::Now()),
                        "tenant not served here");
  EXPECT_TRUE(Verifier(options).Verify(*Signer().Sign(Coach()), absl::Now()).ok());
}

TEST_F(TokenTest, MissingClaimsAreRefused) {
  TokenClaims claims = Coach();
  claims.tenant = "";
  ExpectUnauthenticated(Verifier().Verify(*Signer().Sign(claims), absl::Now()), "claim tenant");
}

TEST_F(TokenTest, GarbageIsRefused) {
  for (const char* garbage : {"", "abc", "a.b.c", "a.b", "....", "ey.ey.ey"}) {
    auto result = Verifier().Verify(garbage, absl::Now());
    ASSERT_FALSE(result.ok()) << garbage;
    EXPECT_EQ(result.status().code(), absl::StatusCode::kUnauthenticated) << garbage;
  }
}

TEST(TokenKeyTest, NonEd25519KeysAreRefused) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> ec(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"),
                                                         EVP_PKEY_free);
  ASSERT_NE(ec, nullptr);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PUBKEY(bio.get(), ec.get());
  char* data = nullptr;
  long length = BIO_get_mem_data(bio.get(), &data);
  auto verifier = TokenVerifier::FromPem({std::string(data, length)}, {});
  ASSERT_FALSE(verifier.ok());
  EXPECT_NE(verifier.status().message().find("Ed25519"), absl::string_view::npos);
  EXPECT_FALSE(TokenVerifier::FromPem({"not a pem"}, {}).ok());
  EXPECT_FALSE(TokenVerifier::FromPem({}, {}).ok());
}

}  // namespace
}  // namespace hartslag

namespace hartslag {
namespace {

TEST_F(TokenTest, ActingClientRoundTrips) {
  TokenClaims claims = Coach();
  claims.acting_client = "politie-bvh";
  auto verified = Verifier().Verify(*Signer().Sign(claims), absl::Now());
  ASSERT_TRUE(verified.ok());
  EXPECT_EQ(verified->acting_client, "politie-bvh");
  EXPECT_TRUE(Verifier().Verify(*Signer().Sign(Coach()), absl::Now())->acting_client.empty());
}

}  // namespace
}  // namespace hartslag
