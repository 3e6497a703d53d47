#include "clients/cpp/token_source.h"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "hartslag/directory/v1/directory.grpc.pb.h"
#include "nlohmann/json.hpp"
#include "services/common/crypto.h"
#include "services/common/files.h"
#include "services/common/grpc_status.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"

namespace hartslag::client {
namespace {

namespace v1 = directory::v1;

struct Issued {
  std::string token;
  absl::Time issued_at;
  absl::Time expires_at;
};

// When to fetch the next token: `before_expiry` ahead, but at most a quarter
// of the token's lifetime ahead.
absl::Time RenewAt(const Issued& issued, const TokenRefreshPolicy& policy) {
  if (issued.expires_at == absl::InfiniteFuture()) return absl::InfiniteFuture();
  return issued.expires_at - std::min(policy.before_expiry, (issued.expires_at - issued.issued_at) / 4);
}

// The `iat` and `exp` claims of a JWT (not verified: see ExpiryOf).
absl::StatusOr<std::pair<absl::Time, absl::Time>> IssuedAndExpiry(absl::string_view token) {
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  auto invalid = [] { return absl::InvalidArgumentError("token: not a JWT with an expiry (exp)"); };
  if (parts.size() != 3) return invalid();
  std::optional<std::string> payload = Base64UrlDecode(parts[1]);
  if (!payload) return invalid();
  auto claims = nlohmann::json::parse(*payload, nullptr, /*allow_exceptions=*/false);
  if (!claims.is_object() || !claims.contains("exp") || !claims["exp"].is_number_integer()) return invalid();
  absl::Time expires_at = absl::FromUnixSeconds(claims["exp"].get<int64_t>());
  absl::Time issued_at = claims.contains("iat") && claims["iat"].is_number_integer()
                             ? absl::FromUnixSeconds(claims["iat"].get<int64_t>())
                             : expires_at;
  return std::make_pair(issued_at, expires_at);
}

// The shared part of every refreshing source: the cached token, when to
// renew it, and one fetch at a time (a refresh token is single-use, so two
// concurrent renewals would make one of them fail).
class CachedTokenSource : public TokenSource {
 public:
  explicit CachedTokenSource(TokenRefreshPolicy policy) : policy_(policy) {}

  absl::StatusOr<std::string> Token() final {
    absl::MutexLock lock(&mu_);
    const absl::Time now = absl::Now();
    if (cached_ && now < renew_at_) return cached_->token;
    absl::StatusOr<Issued> fetched = Fetch();
    if (!fetched.ok()) {
      // The directory may be down for a moment; a token that still works is
      // better than no token.
      if (cached_ && now < cached_->expires_at) return cached_->token;
      return fetched.status();
    }
    renew_at_ = RenewAt(*fetched, policy_);
    cached_ = *std::move(fetched);
    return cached_->token;
  }

  void Refused(absl::string_view token) final {
    absl::MutexLock lock(&mu_);
    if (cached_ && cached_->token == token) {
      cached_.reset();
      Forget();
    }
  }

 protected:
  // A new token. Called with mu_ held, so never twice at once.
  virtual absl::StatusOr<Issued> Fetch() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) = 0;
  // After a refusal: drop what made the refused token (a source that would
  // fetch the same token again starts over).
  virtual void Forget() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {}

  std::unique_ptr<grpc::ClientContext> DirectoryCall() const {
    auto call = std::make_unique<grpc::ClientContext>();
    call->AddMetadata("x-request-id", HexEncode(RandomBytes(8)));
    call->set_deadline(absl::ToChronoTime(absl::Now() + policy_.timeout));
    return call;
  }

  const TokenRefreshPolicy policy_;
  absl::Mutex mu_;

 private:
  std::optional<Issued> cached_ ABSL_GUARDED_BY(mu_);
  absl::Time renew_at_ ABSL_GUARDED_BY(mu_);
};

absl::StatusOr<Issued> IssuedFrom(const v1::TokenResponse& response) {
  if (response.access_token().empty()) return absl::InternalError("the directory answered without a token");
  ASSIGN_OR_RETURN(absl::Time expires_at, TimeFromProto(response.expires_at(), "expires_at"));
  return Issued{response.access_token(), absl::Now(), expires_at};
}

class StaticTokenSource : public TokenSource {
 public:
  explicit StaticTokenSource(std::string token) : token_(std::move(token)) {}
  absl::StatusOr<std::string> Token() override { return token_; }
  void Refused(absl::string_view) override {}

 private:
  const std::string token_;
};

class PasswordLoginSource : public CachedTokenSource {
 public:
  PasswordLoginSource(std::shared_ptr<grpc::Channel> directory, PasswordLoginOptions login,
                      TokenRefreshPolicy policy)
      : CachedTokenSource(policy), auth_(v1::AuthService::NewStub(directory)), login_(std::move(login)) {}

 protected:
  absl::StatusOr<Issued> Fetch() override {
    v1::TokenResponse response;
    grpc::Status status;
    if (!refresh_token_.empty()) {
      v1::RefreshTokenRequest request;
      request.set_refresh_token(refresh_token_);
      status = auth_->RefreshToken(DirectoryCall().get(), request, &response);
      // Used, expired or revoked: log in again below. Other errors (the
      // directory unreachable) keep the refresh token for the next try.
      if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED) refresh_token_.clear();
    }
    if (refresh_token_.empty()) {
      v1::LoginRequest request;
      request.set_tenant_id(login_.tenant);
      request.set_user_id(login_.user);
      request.set_password(login_.password);
      status = auth_->Login(DirectoryCall().get(), request, &response);
    }
    RETURN_IF_ERROR(FromGrpcStatus(status));
    refresh_token_ = response.refresh_token();
    return IssuedFrom(response);
  }

  void Forget() override { refresh_token_.clear(); }

 private:
  std::unique_ptr<v1::AuthService::Stub> auth_;
  const PasswordLoginOptions login_;
  std::string refresh_token_ ABSL_GUARDED_BY(mu_);
};

class SavedTokenFileSource : public CachedTokenSource {
 public:
  SavedTokenFileSource(std::string path, std::shared_ptr<grpc::Channel> directory, TokenRefreshPolicy policy)
      : CachedTokenSource(policy),
        path_(std::move(path)),
        auth_(directory ? v1::AuthService::NewStub(directory) : nullptr) {}

 protected:
  absl::StatusOr<Issued> Fetch() override {
    ASSIGN_OR_RETURN(std::string text, ReadFile(path_, "token file"));
    Issued saved{std::string(absl::StripAsciiWhitespace(text)), absl::Now(), absl::InfiniteFuture()};
    if (saved.token.empty()) return absl::InvalidArgumentError(absl::StrCat("token file: ", path_, " is empty"));
    // A token that is not a JWT may still be one the services accept (another
    // issuer's): without an expiry it is renewed only when refused.
    if (auto times = IssuedAndExpiry(saved.token); times.ok()) std::tie(saved.issued_at, saved.expires_at) = *times;
    const absl::Time now = absl::Now();
    if (!refused_ && RenewAt(saved, policy_) > now) return saved;
    refused_ = false;
    const std::string refresh_path = path_ + ".refresh";
    if (auth_ && std::filesystem::exists(refresh_path)) {
      ASSIGN_OR_RETURN(std::string refresh, ReadFile(refresh_path, "refresh token file"));
      v1::RefreshTokenRequest request;
      request.set_refresh_token(std::string(absl::StripAsciiWhitespace(refresh)));
      v1::TokenResponse response;
      absl::Status renewed = FromGrpcStatus(auth_->RefreshToken(DirectoryCall().get(), request, &response));
      if (renewed.ok()) {
        // The refresh token is spent: the new pair must reach the disk
        // before anyone uses it, or the next run could not renew.
        RETURN_IF_ERROR(WriteFileAtomically(refresh_path, response.refresh_token() + "\n", "refresh token file"));
        RETURN_IF_ERROR(WriteFileAtomically(path_, response.access_token() + "\n", "token file"));
        return IssuedFrom(response);
      }
      if (saved.expires_at > now) return saved;
      return absl::UnauthenticatedError(absl::StrCat("the token in ", path_, " expired and could not be renewed (",
                                                     renewed.message(), "); log in again"));
    }
    if (saved.expires_at > now) return saved;
    return absl::UnauthenticatedError(
        absl::StrCat("the token in ", path_, " expired at ", absl::FormatTime(saved.expires_at),
                     "; log in again (hartslag login --save ", path_, ") or renew it (hartslag refresh)"));
  }

  // A refused token is renewed even if its expiry says it still works.
  void Forget() override { refused_ = true; }

 private:
  const std::string path_;
  std::unique_ptr<v1::AuthService::Stub> auth_;
  bool refused_ ABSL_GUARDED_BY(mu_) = false;
};

class IntegratedClientSource : public CachedTokenSource {
 public:
  IntegratedClientSource(std::shared_ptr<grpc::Channel> directory, std::string user, TokenRefreshPolicy policy)
      : CachedTokenSource(policy), auth_(v1::AuthService::NewStub(directory)), user_(std::move(user)) {}

 protected:
  absl::StatusOr<Issued> Fetch() override {
    v1::IssueClientTokenRequest request;
    request.set_user_id(user_);
    v1::TokenResponse response;
    RETURN_IF_ERROR(FromGrpcStatus(auth_->IssueClientToken(DirectoryCall().get(), request, &response)));
    return IssuedFrom(response);
  }

 private:
  std::unique_ptr<v1::AuthService::Stub> auth_;
  const std::string user_;
};

}  // namespace

TokenSourcePtr StaticToken(std::string token) { return std::make_shared<StaticTokenSource>(std::move(token)); }

absl::StatusOr<TokenSourcePtr> PasswordLogin(std::shared_ptr<grpc::Channel> directory, PasswordLoginOptions login,
                                             TokenRefreshPolicy policy) {
  if (login.tenant.empty()) return absl::InvalidArgumentError("tenant: is required");
  if (login.user.empty()) return absl::InvalidArgumentError("user: is required");
  auto source = std::make_shared<PasswordLoginSource>(std::move(directory), std::move(login), policy);
  RETURN_IF_ERROR(source->Token().status());
  return source;
}

TokenSourcePtr SavedTokenFile(std::string path, std::shared_ptr<grpc::Channel> directory, TokenRefreshPolicy policy) {
  return std::make_shared<SavedTokenFileSource>(std::move(path), std::move(directory), policy);
}

TokenSourcePtr IntegratedClientToken(std::shared_ptr<grpc::Channel> directory, std::string user,
                                     TokenRefreshPolicy policy) {
  return std::make_shared<IntegratedClientSource>(std::move(directory), std::move(user), policy);
}

absl::StatusOr<absl::Time> ExpiryOf(absl::string_view token) {
  ASSIGN_OR_RETURN(auto times, IssuedAndExpiry(token));
  return times.second;
}

}  // namespace hartslag::client
