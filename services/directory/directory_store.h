// DirectoryStore: the only place with the directory's SQL. Scoped to one
// tenant per call except where a credential names the tenant (refresh tokens,
// client certificates). Thread-safe.
#ifndef HARTSLAG_SERVICES_DIRECTORY_DIRECTORY_STORE_H_
#define HARTSLAG_SERVICES_DIRECTORY_DIRECTORY_STORE_H_

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "hartslag/directory/v1/directory.pb.h"
#include "services/common/audit_trail.h"
#include "services/common/db.h"
#include "services/common/tenant_settings.h"
#include "services/common/migrations.h"

namespace hartslag {
// directory's schema, compiled in from migrations/.
std::vector<db::Migration> DirectoryMigrations();
}  // namespace hartslag

namespace hartslag::directory {

inline constexpr char kSchema[] = "directory";

// A user as needed to issue a token.
struct Account {
  std::string tenant;
  v1::User user;
  common::v1::OrganisationKind organisation_kind = common::v1::ORGANISATION_KIND_UNSPECIFIED;
  std::string organisation_name;
  std::string password_hash;
  int failed_logins = 0;
  std::optional<absl::Time> locked_until;
  // Raised by each password reset and deactivation (see StoreRefreshToken).
  int64_t session_epoch = 0;
};

// Whose refresh token it was, and the epoch its session began in.
struct RefreshTokenOwner {
  std::string tenant;
  std::string user_id;
  int64_t session_epoch = 0;
};

// An area with its depth in the tree (0 for a focus area): areas are listed
// by depth, then id, so that parents come before their children.
struct TreeArea {
  v1::Area area;
  int depth = 0;
};

struct ClientRecord {
  std::string tenant;
  v1::IntegratedClient client;
};

// Every method that changes data on its own writes the call's audit record
// in the same transaction (InAuditedTransaction). The Insert methods work in
// a transaction the caller holds, so that the domain can compose a create
// with what else belongs in that transaction (ExactlyOnce, the audit
// record).
//
// The List methods read one page: at most `limit` rows, in their list's
// order, after the position `after` where the previous page ended (nullopt
// for the first page).
class DirectoryStore {
 public:
  explicit DirectoryStore(db::Pool* pool) : pool_(pool) {}

  absl::Status CreateTenant(const std::string& tenant, const std::string& name);
  // By id, each with its settings (defaults filled in).
  absl::StatusOr<std::vector<v1::Tenant>> ListTenants(const std::optional<std::string>& after, int limit);
  absl::StatusOr<v1::Tenant> GetTenant(const std::string& tenant);
  // Applies `change` to the stored settings (defaults filled in) and stores
  // the result, with the audit record, in one transaction; `change` refuses
  // by returning an error, and then nothing is stored.
  absl::StatusOr<v1::Tenant> UpdateTenantSettings(const std::string& tenant,
                                                  const std::function<absl::Status(TenantSettings&)>& change,
                                                  AuditRecord& audit);
  // INVALID_ARGUMENT for an unknown parent; ALREADY_EXISTS for a taken id.
  absl::StatusOr<v1::Area> InsertArea(db::Transaction& tx, const std::string& tenant, const v1::Area& area);
  absl::StatusOr<v1::Area> CreateArea(const std::string& tenant, const v1::Area& area,
      AuditRecord& audit);
  // Renames and/or moves an area; empty values keep what is stored.
  // INVALID_ARGUMENT for a parent that is unknown or lies below the area.
  absl::StatusOr<v1::Area> UpdateArea(const std::string& tenant, const std::string& area_id,
                                      const std::string& name, const std::string& parent_area_id,
      AuditRecord& audit);
  // By depth, then id; `after` is (depth, area id).
  absl::StatusOr<std::vector<TreeArea>> ListAreas(const std::string& tenant,
                                                  const std::optional<std::pair<int, std::string>>& after,
                                                  int limit);
  // ALREADY_EXISTS for a taken id.
  absl::StatusOr<v1::Organisation> InsertOrganisation(db::Transaction& tx, const std::string& tenant,
                                                      const v1::Organisation& organisation);
  absl::StatusOr<v1::Organisation> CreateOrganisation(const std::string& tenant,
                                                      const v1::Organisation& organisation,
      AuditRecord& audit);
  absl::StatusOr<v1::Organisation> RenameOrganisation(const std::string& tenant,
                                                      const std::string& organisation_id,
                                                      const std::string& name,
      AuditRecord& audit);
  // By id.
  absl::StatusOr<std::vector<v1::Organisation>> ListOrganisations(const std::string& tenant,
                                                                  const std::optional<std::string>& after,
                                                                  int limit);
  // The new user, active. INVALID_ARGUMENT for an unknown organisation or
  // area; ALREADY_EXISTS for a taken id.
  absl::StatusOr<v1::User> InsertUser(db::Transaction& tx, const std::string& tenant, const v1::User& user,
                                      const std::string& password_hash);
  absl::StatusOr<v1::User> CreateUser(const std::string& tenant, const v1::User& user,
                                      const std::string& password_hash,
      AuditRecord& audit);
  // Replaces roles, areas, the active flag and the password hash where
  // given. A new password hash also lifts a lock-out. A new password hash
  // and a deactivation end the user's sessions in the same transaction:
  // their unused refresh tokens are revoked and a new session epoch begins.
  // (Access tokens already handed out live on until they expire.)
  // NOT_FOUND for an unknown user.
  absl::StatusOr<v1::User> UpdateUser(const std::string& tenant, const std::string& user_id,
                                      const std::optional<std::vector<std::string>>& roles,
                                      const std::optional<std::vector<std::string>>& areas,
                                      std::optional<bool> active,
      AuditRecord& audit, const std::optional<std::string>& password_hash = std::nullopt);
  // By id; all organisations' users when `organisation` is empty.
  absl::StatusOr<std::vector<v1::User>> ListUsers(const std::string& tenant,
                                                  const std::string& organisation,
                                                  const std::optional<std::string>& after, int limit);
  absl::StatusOr<std::optional<Account>> FindAccount(const std::string& tenant,
                                                     const std::string& user_id);
  // Counts a failed login; locks the account for `lock_for` once
  // `lock_after` failures in a row are reached.
  absl::Status RecordLoginFailure(const std::string& tenant, const std::string& user_id,
                                  int lock_after, absl::Duration lock_for);
  absl::Status RecordLoginSuccess(const std::string& tenant, const std::string& user_id);

  // Stores the token of a session that began in `session_epoch` (the
  // account's epoch read with the password that was checked, or the epoch of
  // the refresh token it replaces). False, and nothing stored, when the user
  // is no longer active or a password reset or deactivation has since begun
  // a new epoch: that session has ended.
  absl::StatusOr<bool> StoreRefreshToken(const std::string& token_hash, const std::string& tenant,
                                         const std::string& user_id, int64_t session_epoch,
                                         absl::Time expires_at);
  // Marks the token used and returns its owner if it was unused and current;
  // nullopt otherwise.
  absl::StatusOr<std::optional<RefreshTokenOwner>> ConsumeRefreshToken(const std::string& token_hash);

  // The new client, active. INVALID_ARGUMENT for an unknown organisation;
  // ALREADY_EXISTS for a taken id or certificate URI.
  absl::StatusOr<v1::IntegratedClient> InsertClient(db::Transaction& tx, const std::string& tenant,
                                                    const v1::IntegratedClient& client);
  absl::StatusOr<v1::IntegratedClient> CreateClient(const std::string& tenant,
                                                    const v1::IntegratedClient& client,
      AuditRecord& audit);
  absl::StatusOr<v1::IntegratedClient> SetClientActive(const std::string& tenant,
                                                       const std::string& client_id, bool active,
      AuditRecord& audit);
  // By id; all organisations' clients when `organisation` is empty.
  absl::StatusOr<std::vector<v1::IntegratedClient>> ListClients(const std::string& tenant,
                                                                const std::string& organisation,
                                                                const std::optional<std::string>& after,
                                                                int limit);
  absl::StatusOr<std::optional<ClientRecord>> FindClientByCertificate(const std::string& uri);

 private:
  db::Pool* pool_;
};

}  // namespace hartslag::directory

#endif  // HARTSLAG_SERVICES_DIRECTORY_DIRECTORY_STORE_H_
