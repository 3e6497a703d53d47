#include "services/common/token.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"
#include "services/common/crypto.h"
#include "services/common/files.h"
#include "services/common/status_macros.h"

namespace hartslag {
namespace {

constexpr char kAlgorithm[] = "EdDSA";
constexpr size_t kEd25519SignatureSize = 64;

absl::Status Unauthenticated(absl::string_view reason) {
  return absl::UnauthenticatedError(absl::StrCat("invalid token: ", reason));
}

KeyPtr Own(EVP_PKEY* key) { return KeyPtr(key, EVP_PKEY_free); }

}  // namespace

absl::StatusOr<KeyPtr> ParseEd25519Pem(absl::string_view pem, bool is_private) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  EVP_PKEY* key = is_private ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
                             : PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (key == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a PEM ", is_private ? "private" : "public", " key"));
  }
  KeyPtr owned = Own(key);
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_ED25519) {
    return absl::InvalidArgumentError("token keys must be Ed25519");
  }
  return owned;
}

absl::StatusOr<std::string> Ed25519Sign(EVP_PKEY* key, absl::string_view data) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::string signature(kEd25519SignatureSize, '\0');
  size_t length = signature.size();
  if (EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1) {
    return absl::InternalError("Ed25519 signing failed");
  }
  signature.resize(length);
  return signature;
}

bool Ed25519Verify(EVP_PKEY* key, absl::string_view data, absl::string_view signature) {
  if (signature.size() != kEd25519SignatureSize) return false;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  return EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                          data.size()) == 1;
}

namespace {

int64_t ToSeconds(absl::Time t) { return absl::ToUnixSeconds(t); }

}  // namespace

absl::StatusOr<std::string> KeyIdOf(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int length = i2d_PUBKEY(key, &der);
  if (length <= 0) return absl::InternalError("cannot encode public key");
  std::string digest = Sha256(absl::string_view(reinterpret_cast<char*>(der), length));
  OPENSSL_free(der);
  return Base64UrlEncode(digest).substr(0, 16);
}

absl::StatusOr<TokenSigner> TokenSigner::FromPem(absl::string_view private_key_pem) {
  ASSIGN_OR_RETURN(KeyPtr key, ParseEd25519Pem(private_key_pem, /*is_private=*/true));
  ASSIGN_OR_RETURN(std::string kid, KeyIdOf(key.get()));
  return TokenSigner(std::move(key), std::move(kid));
}

absl::StatusOr<TokenSigner> TokenSigner::FromPemFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string pem, ReadFile(path, "token signing key"));
  return FromPem(pem);
}

absl::StatusOr<std::string> TokenSigner::Sign(const TokenClaims& claims) const {
  nlohmann::ordered_json header = {{"alg", kAlgorithm}, {"typ", "JWT"}, {"kid", key_id_}};
  nlohmann::ordered_json payload = {
      {"iss", claims.issuer},
      {"sub", claims.subject},
      {"iat", ToSeconds(claims.issued_at)},
      {"nbf", ToSeconds(claims.not_before)},
      {"exp", ToSeconds(claims.expires_at)},
      {"tenant", claims.tenant},
      {"org", claims.organisation},
      {"org_kind", claims.organisation_kind},
      {"roles", claims.roles},
      {"areas", claims.areas},
  };
  if (!claims.acting_client.empty()) payload["act"] = {{"sub", claims.acting_client}};
  std::string signing_input =
      absl::StrCat(Base64UrlEncode(header.dump()), ".", Base64UrlEncode(payload.dump()));
  ASSIGN_OR_RETURN(std::string signature, Ed25519Sign(key_.get(), signing_input));
  return absl::StrCat(signing_input, ".", Base64UrlEncode(signature));
}

absl::StatusOr<TokenVerifier> TokenVerifier::FromPem(const std::vector<std::string>& pems,
                                                     TokenVerifierOptions options) {
  if (pems.empty()) return absl::InvalidArgumentError("at least one token public key is needed");
  std::map<std::string, KeyPtr> keys;
  for (const std::string& pem : pems) {
    ASSIGN_OR_RETURN(KeyPtr key, ParseEd25519Pem(pem, /*is_private=*/false));
    ASSIGN_OR_RETURN(std::string kid, KeyIdOf(key.get()));
    keys[kid] = std::move(key);
  }
  return TokenVerifier(std::move(keys), std::move(options));
}

absl::StatusOr<TokenVerifier> TokenVerifier::FromPemFiles(const std::vector<std::string>& paths,
                                                          TokenVerifierOptions options) {
  std::vector<std::string> pems;
  for (const std::string& path : paths) {
    ASSIGN_OR_RETURN(std::string pem, ReadFile(path, "token public key"));
    pems.push_back(std::move(pem));
  }
  return FromPem(pems, std::move(options));
}

absl::StatusOr<TokenClaims> TokenVerifier::Verify(absl::string_view token, absl::Time now) const {
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3 || parts[0].empty() || parts[1].empty() || parts[2].empty()) {
    return Unauthenticated("not a signed JWT");
  }
  auto header_json = Base64UrlDecode(parts[0]);
  if (!header_json) return Unauthenticated("header is not base64url");
  auto header = nlohmann::json::parse(*header_json, nullptr, /*allow_exceptions=*/false);
  if (!header.is_object()) return Unauthenticated("header is not a JSON object");
  // Only the one algorithm we issue is accepted: never "none", never an
  // algorithm chosen by the token itself.
  if (!header.contains("alg") || header["alg"] != kAlgorithm) {
    return Unauthenticated("algorithm must be EdDSA");
  }
  if (!header.contains("kid") || !header["kid"].is_string()) {
    return Unauthenticated("no key id");
  }
  auto key = keys_.find(header["kid"].get<std::string>());
  if (key == keys_.end()) return Unauthenticated("unknown key id");

  auto signature = Base64UrlDecode(parts[2]);
  if (!signature || signature->size() != kEd25519SignatureSize) {
    return Unauthenticated("malformed signature");
  }
  absl::string_view signing_input = token.substr(0, parts[0].size() + 1 + parts[1].size());
  if (!Ed25519Verify(key->second.get(), signing_input, *signature)) {
    return Unauthenticated("bad signature");
  }

  auto payload_json = Base64UrlDecode(parts[1]);
  if (!payload_json) return Unauthenticated("payload is not base64url");
  auto payload = nlohmann::json::parse(*payload_json, nullptr, /*allow_exceptions=*/false);
  if (!payload.is_object()) return Unauthenticated("payload is not a JSON object");

  TokenClaims claims;
  auto text = [&](const char* name, std::string* out) -> absl::Status {
    auto it = payload.find(name);
    if (it == payload.end() || !it->is_string() || it->get<std::string>().empty()) {
      return Unauthenticated(absl::StrCat("claim ", name, " missing"));
    }
    *out = it->get<std::string>();
    return absl::OkStatus();
  };
  auto list = [&](const char* name, std::vector<std::string>* out) -> absl::Status {
    auto it = payload.find(name);
    if (it == payload.end() || !it->is_array()) {
      return Unauthenticated(absl::StrCat("claim ", name, " missing"));
    }
    for (const auto& item : *it) {
      if (!item.is_string()) return Unauthenticated(absl::StrCat("claim ", name, " malformed"));
      out->push_back(item.get<std::string>());
    }
    return absl::OkStatus();
  };
  auto time = [&](const char* name, bool required, absl::Time* out) -> absl::Status {
    auto it = payload.find(name);
    if (it == payload.end()) {
      if (required) return Unauthenticated(absl::StrCat("claim ", name, " missing"));
      *out = absl::InfinitePast();
      return absl::OkStatus();
    }
    if (!it->is_number_integer()) return Unauthenticated(absl::StrCat("claim ", name, " malformed"));
    *out = absl::FromUnixSeconds(it->get<int64_t>());
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(text("iss", &claims.issuer));
  RETURN_IF_ERROR(text("sub", &claims.subject));
  RETURN_IF_ERROR(text("tenant", &claims.tenant));
  RETURN_IF_ERROR(text("org", &claims.organisation));
  RETURN_IF_ERROR(text("org_kind", &claims.organisation_kind));
  RETURN_IF_ERROR(list("roles", &claims.roles));
  RETURN_IF_ERROR(list("areas", &claims.areas));
  RETURN_IF_ERROR(time("exp", true, &claims.expires_at));
  RETURN_IF_ERROR(time("nbf", false, &claims.not_before));
  RETURN_IF_ERROR(time("iat", false, &claims.issued_at));
  if (auto act = payload.find("act"); act != payload.end()) {
    if (!act->is_object() || !act->contains("sub") || !(*act)["sub"].is_string()) {
      return Unauthenticated("claim act malformed");
    }
    claims.acting_client = (*act)["sub"].get<std::string>();
  }

  if (claims.issuer != options_.issuer) return Unauthenticated("wrong issuer");
  if (now >= claims.expires_at + options_.clock_skew) return Unauthenticated("expired");
  if (now + options_.clock_skew < claims.not_before) return Unauthenticated("not yet valid");
  if (!options_.tenants.empty() && !options_.tenants.contains(claims.tenant)) {
    return Unauthenticated("tenant not served here");
  }
  return claims;
}

}  // namespace hartslag
