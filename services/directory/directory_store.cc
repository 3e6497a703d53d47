#include "services/directory/directory_store.h"

#include "google/protobuf/util/json_util.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/auth.h"
#include "services/common/status_macros.h"

namespace hartslag::directory {
namespace {

constexpr char kInsertTenant[] = R"sql(
  INSERT INTO directory.tenants (tenant_id, name) VALUES ($1, $2)
  ON CONFLICT (tenant_id) DO UPDATE SET name = EXCLUDED.name
)sql";

// The lists read a page after the previous page's last row ($n IS NULL on
// the first page), one row more than the page holds.
constexpr char kSelectTenants[] = R"sql(
  SELECT tenant_id, name, settings::text AS settings FROM directory.tenants
  WHERE ($1::text IS NULL OR tenant_id > $1)
  ORDER BY tenant_id LIMIT $2
)sql";

constexpr char kSelectTenant[] = R"sql(
  SELECT tenant_id, name, settings::text AS settings FROM directory.tenants WHERE tenant_id = $1
)sql";

constexpr char kLockTenant[] = R"sql(
  SELECT tenant_id, name, settings::text AS settings FROM directory.tenants WHERE tenant_id = $1 FOR UPDATE
)sql";

constexpr char kUpdateTenantSettings[] = R"sql(
  UPDATE directory.tenants SET settings = $2::jsonb WHERE tenant_id = $1
)sql";

constexpr char kInsertArea[] = R"sql(
  INSERT INTO directory.areas (tenant_id, area_id, parent_area_id, name)
  VALUES ($1, $2, NULLIF($3, ''), $4)
)sql";

constexpr char kAreaExists[] = R"sql(
  SELECT 1 FROM directory.areas WHERE tenant_id = $1 AND area_id = $2
)sql";

constexpr char kUnknownAreas[] = R"sql(
  SELECT a AS area_id FROM unnest($2::text[]) AS a
  WHERE NOT EXISTS (SELECT 1 FROM directory.areas WHERE tenant_id = $1 AND area_id = a)
  ORDER BY 1
)sql";

// The area and everything below it: a parent among these would make a cycle.
constexpr char kAreaAndBelow[] = R"sql(
  WITH RECURSIVE below AS (
    SELECT area_id FROM directory.areas WHERE tenant_id = $1 AND area_id = $2
    UNION
    SELECT a.area_id FROM directory.areas a JOIN below ON a.parent_area_id = below.area_id
    WHERE a.tenant_id = $1
  )
  SELECT area_id FROM below
)sql";

constexpr char kUpdateArea[] = R"sql(
  UPDATE directory.areas
  SET name = coalesce(NULLIF($3, ''), name),
      parent_area_id = coalesce(NULLIF($4, ''), parent_area_id)
  WHERE tenant_id = $1 AND area_id = $2
  RETURNING area_id, coalesce(parent_area_id, '') AS parent_area_id, name
)sql";

constexpr char kRenameOrganisation[] = R"sql(
  UPDATE directory.organisations SET name = $3 WHERE tenant_id = $1 AND organisation_id = $2
  RETURNING organisation_id, name, kind
)sql";

constexpr char kSelectAreas[] = R"sql(
  WITH RECURSIVE tree AS (
    SELECT area_id, parent_area_id, name, 0 AS depth FROM directory.areas
    WHERE tenant_id = $1 AND parent_area_id IS NULL
    UNION ALL
    SELECT a.area_id, a.parent_area_id, a.name, tree.depth + 1 FROM directory.areas a
    JOIN tree ON a.parent_area_id = tree.area_id WHERE a.tenant_id = $1
  )
  SELECT area_id, coalesce(parent_area_id, '') AS parent_area_id, name, depth FROM tree
  WHERE ($2::int IS NULL OR (depth, area_id) > ($2::int, $3::text))
  ORDER BY depth, area_id LIMIT $4
)sql";

constexpr char kInsertOrganisation[] = R"sql(
  INSERT INTO directory.organisations (tenant_id, organisation_id, name, kind)
  VALUES ($1, $2, $3, $4)
)sql";

constexpr char kSelectOrganisations[] = R"sql(
  SELECT organisation_id, name, kind FROM directory.organisations
  WHERE tenant_id = $1 AND ($2::text IS NULL OR organisation_id > $2)
  ORDER BY organisation_id LIMIT $3
)sql";

constexpr char kOrganisationExists[] = R"sql(
  SELECT 1 FROM directory.organisations WHERE tenant_id = $1 AND organisation_id = $2
)sql";

constexpr char kUserColumns[] = R"sql(
  SELECT u.tenant_id, u.user_id, u.organisation_id, u.display_name,
         array_to_string(u.roles, ',') AS roles, array_to_string(u.areas, ',') AS areas,
         u.active, u.password_hash, u.failed_logins, u.session_epoch,
         (extract(epoch FROM u.locked_until) * 1000000)::bigint AS locked_until_us, o.kind,
         o.name AS organisation_name
  FROM directory.users u
  JOIN directory.organisations o
    ON o.tenant_id = u.tenant_id AND o.organisation_id = u.organisation_id
)sql";

constexpr char kInsertUser[] = R"sql(
  INSERT INTO directory.users
    (tenant_id, user_id, organisation_id, display_name, roles, areas, password_hash)
  VALUES ($1, $2, $3, $4, $5::text[], $6::text[], $7)
)sql";

// A new password ($6) also clears the lock-out: the failures counted were
// guesses at the old one. A new password and a deactivation begin a new
// session epoch ($7): no refresh token of an earlier epoch is stored or
// refreshed from then on.
constexpr char kUpdateUser[] = R"sql(
  UPDATE directory.users
  SET roles = coalesce($3::text[], roles), areas = coalesce($4::text[], areas),
      active = coalesce($5::boolean, active),
      password_hash = coalesce($6::text, password_hash),
      failed_logins = CASE WHEN $6::text IS NULL THEN failed_logins ELSE 0 END,
      locked_until = CASE WHEN $6::text IS NULL THEN locked_until END,
      session_epoch = session_epoch + CASE WHEN $7::boolean THEN 1 ELSE 0 END
  WHERE tenant_id = $1 AND user_id = $2
  RETURNING user_id
)sql";

// Ends every session of the user: whoever held a refresh token from before
// a password reset (perhaps the one who took the account over) gets no new
// access token. (The new epoch alone would refuse them; this also keeps
// the table saying what is still usable.)
constexpr char kRevokeRefreshTokens[] = R"sql(
  UPDATE directory.refresh_tokens SET used = true
  WHERE tenant_id = $1 AND user_id = $2 AND NOT used
)sql";

constexpr char kLoginFailure[] = R"sql(
  UPDATE directory.users
  SET failed_logins = failed_logins + 1,
      locked_until = CASE WHEN failed_logins + 1 >= $3
                          THEN now() + make_interval(secs => $4) ELSE locked_until END
  WHERE tenant_id = $1 AND user_id = $2
)sql";

constexpr char kLoginSuccess[] = R"sql(
  UPDATE directory.users SET failed_logins = 0, locked_until = NULL
  WHERE tenant_id = $1 AND user_id = $2
)sql";

// Stores the token only while the user is active and still in the session's
// epoch. FOR SHARE waits for a reset or deactivation that has the user's row
// locked and then judges by its outcome; and a reset that comes after holds
// off until this token is committed, so that its revocation sees the token.
constexpr char kInsertRefreshToken[] = R"sql(
  INSERT INTO directory.refresh_tokens (token_hash, tenant_id, user_id, expires_at, session_epoch)
  SELECT $1, tenant_id, user_id, $4, session_epoch FROM directory.users
  WHERE tenant_id = $2 AND user_id = $3 AND active AND session_epoch = $5
  FOR SHARE
  RETURNING token_hash
)sql";

constexpr char kConsumeRefreshToken[] = R"sql(
  UPDATE directory.refresh_tokens SET used = true
  WHERE token_hash = $1 AND NOT used AND expires_at > now()
  RETURNING tenant_id, user_id, session_epoch
)sql";

constexpr char kInsertClient[] = R"sql(
  INSERT INTO directory.integrated_clients (tenant_id, client_id, organisation_id, certificate_uri)
  VALUES ($1, $2, $3, $4)
)sql";

constexpr char kUpdateClient[] = R"sql(
  UPDATE directory.integrated_clients SET active = $3 WHERE tenant_id = $1 AND client_id = $2
  RETURNING client_id, organisation_id, certificate_uri, active
)sql";

constexpr char kSelectClients[] = R"sql(
  SELECT client_id, organisation_id, certificate_uri, active FROM directory.integrated_clients
  WHERE tenant_id = $1 AND ($2 = '' OR organisation_id = $2) AND ($3::text IS NULL OR client_id > $3)
  ORDER BY client_id LIMIT $4
)sql";

constexpr char kSelectClientByUri[] = R"sql(
  SELECT tenant_id, client_id, organisation_id, certificate_uri, active
  FROM directory.integrated_clients WHERE certificate_uri = $1
)sql";

std::vector<std::string> SplitList(const std::string& text) {
  return absl::StrSplit(text, ',', absl::SkipEmpty());
}

Account AccountFromRow(const db::Rows& rows, int i) {
  Account a;
  a.tenant = rows.Text(i, "tenant_id");
  a.user.set_user_id(rows.Text(i, "user_id"));
  a.user.set_organisation_id(rows.Text(i, "organisation_id"));
  a.user.set_display_name(rows.Text(i, "display_name"));
  for (auto& r : SplitList(rows.Text(i, "roles"))) a.user.add_roles(r);
  for (auto& r : SplitList(rows.Text(i, "areas"))) a.user.add_areas(r);
  a.user.set_active(rows.Bool(i, "active"));
  a.organisation_kind = ParseOrganisationKind(rows.Text(i, "kind"))
                            .value_or(common::v1::ORGANISATION_KIND_UNSPECIFIED);
  a.organisation_name = rows.Text(i, "organisation_name");
  a.password_hash = rows.Text(i, "password_hash");
  a.failed_logins = static_cast<int>(rows.Int(i, "failed_logins"));
  a.session_epoch = rows.Int(i, "session_epoch");
  if (!rows.IsNull(i, "locked_until_us")) {
    a.locked_until = absl::FromUnixMicros(rows.Int(i, "locked_until_us"));
  }
  return a;
}

v1::IntegratedClient ClientFromRow(const db::Rows& rows, int i) {
  v1::IntegratedClient c;
  c.set_client_id(rows.Text(i, "client_id"));
  c.set_organisation_id(rows.Text(i, "organisation_id"));
  c.set_certificate_uri(rows.Text(i, "certificate_uri"));
  c.set_active(rows.Bool(i, "active"));
  return c;
}

// INVALID_ARGUMENT naming the first of `areas` the tenant does not have.
absl::Status CheckAreasKnown(db::Transaction& tx, const std::string& tenant,
                             const std::vector<std::string>& areas, absl::string_view field) {
  if (areas.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(db::Rows unknown, tx.Query(kUnknownAreas, {tenant, db::TextArray(areas)}));
  if (!unknown.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", unknown.Text(0, "area_id"), " is not a known area"));
  }
  return absl::OkStatus();
}

// ALREADY_EXISTS from the database names only a constraint; say which object.
absl::Status Named(absl::Status status, absl::string_view what) {
  if (absl::IsAlreadyExists(status)) return absl::AlreadyExistsError(absl::StrCat(what, " already exists"));
  return status;
}

// A tenant as stored, its settings with the defaults filled in.
v1::Tenant TenantFromRow(const db::Rows& rows, int i) {
  v1::Tenant t;
  t.set_tenant_id(rows.Text(i, "tenant_id"));
  t.set_name(rows.Text(i, "name"));
  TenantSettings settings;
  google::protobuf::util::JsonParseOptions lenient;
  lenient.ignore_unknown_fields = true;  // a field a later version dropped
  (void)google::protobuf::util::JsonStringToMessage(rows.Text(i, "settings"), &settings, lenient);
  *t.mutable_settings() = WithDefaults(std::move(settings));
  return t;
}

}  // namespace

absl::Status DirectoryStore::CreateTenant(const std::string& tenant, const std::string& name) {
  return pool_->Query(kInsertTenant, {tenant, name}).status();
}

absl::StatusOr<std::vector<v1::Tenant>> DirectoryStore::ListTenants(const std::optional<std::string>& after,
                                                                    int limit) {
  ASSIGN_OR_RETURN(db::Rows rows, pool_->Query(kSelectTenants, {after, absl::StrCat(limit)}));
  std::vector<v1::Tenant> tenants;
  for (int i = 0; i < rows.size(); ++i) tenants.push_back(TenantFromRow(rows, i));
  return tenants;
}

absl::StatusOr<v1::Tenant> DirectoryStore::GetTenant(const std::string& tenant) {
  ASSIGN_OR_RETURN(db::Rows rows, pool_->Query(kSelectTenant, {tenant}));
  if (rows.empty()) return absl::NotFoundError("tenant not found");
  return TenantFromRow(rows, 0);
}

absl::StatusOr<v1::Tenant> DirectoryStore::UpdateTenantSettings(
    const std::string& tenant, const std::function<absl::Status(TenantSettings&)>& change, AuditRecord& audit) {
  v1::Tenant updated;
  RETURN_IF_ERROR(InAuditedTransaction(*pool_, audit, [&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kLockTenant, {tenant}));
    if (rows.empty()) return absl::NotFoundError("tenant not found");
    updated = TenantFromRow(rows, 0);
    RETURN_IF_ERROR(change(*updated.mutable_settings()));
    std::string json;
    if (!google::protobuf::util::MessageToJsonString(updated.settings(), &json).ok()) {
      return absl::InternalError("tenant settings: cannot be written as JSON");
    }
    return tx.Exec(kUpdateTenantSettings, {tenant, json});
  }));
  return updated;
}

absl::StatusOr<v1::Area> DirectoryStore::InsertArea(db::Transaction& tx, const std::string& tenant,
                                                    const v1::Area& area) {
  if (!area.parent_area_id().empty()) {
    ASSIGN_OR_RETURN(db::Rows parent, tx.Query(kAreaExists, {tenant, area.parent_area_id()}));
    if (parent.empty()) return absl::InvalidArgumentError("area.parent_area_id: not a known area");
  }
  RETURN_IF_ERROR(
      Named(tx.Exec(kInsertArea, {tenant, area.area_id(), area.parent_area_id(), area.name()}), "area"));
  return area;
}

absl::StatusOr<v1::Area> DirectoryStore::CreateArea(const std::string& tenant, const v1::Area& area,
                                                    AuditRecord& audit) {
  v1::Area created;
  RETURN_IF_ERROR(InAuditedTransaction(*pool_, audit, [&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(created, InsertArea(tx, tenant, area));
    return absl::OkStatus();
  }));
  return created;
}

absl::StatusOr<v1::Area> DirectoryStore::UpdateArea(const std::string& tenant,
                                                    const std::string& area_id,
                                                    const std::string& name,
                                                    const std::string& parent_area_id, AuditRecord& audit) {
  v1::Area updated;
  RETURN_IF_ERROR(InAuditedTransaction(*pool_, audit, [&](db::Transaction& tx) -> absl::Status {
    if (!parent_area_id.empty()) {
      ASSIGN_OR_RETURN(db::Rows parent, tx.Query(kAreaExists, {tenant, parent_area_id}));
      if (parent.empty()) return absl::InvalidArgumentError("parent_area_id: not a known area");
      ASSIGN_OR_RETURN(db::Rows below, tx.Query(kAreaAndBelow, {tenant, area_id}));
      for (int i = 0; i < below.size(); ++i) {
        if (below.Text(i, "area_id") == parent_area_id) {
          return absl::InvalidArgumentError(
              "parent_area_id: lies within the area itself; an area cannot hold its parent");
        }
      }
    }
    ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kUpdateArea, {tenant, area_id, name, parent_area_id}));
    if (rows.empty()) return absl::NotFoundError("area not found");
    updated.set_area_id(rows.Text(0, "area_id"));
    updated.set_parent_area_id(rows.Text(0, "parent_area_id"));
    updated.set_name(rows.Text(0, "name"));
    return absl::OkStatus();
  }));
  return updated;
}

absl::StatusOr<v1::Organisation> DirectoryStore::RenameOrganisation(
    const std::string& tenant, const std::string& organisation_id, const std::string& name, AuditRecord& audit) {
  db::Rows rows;
  RETURN_IF_ERROR(InAuditedTransaction(*pool_, audit, [&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(rows, tx.Query(kRenameOrganisation, {tenant, organisation_id, name}));
    if (rows.empty()) return absl::NotFoundError("organisation not found");
    return absl::OkStatus();
  }));
  v1::Organisation o;
  o.set_organisation_id(rows.Text(0, "organisation_id"));
  o.set_name(rows.Text(0, "name"));
  o.set_kind(ParseOrganisationKind(rows.Text(0, "kind")).value_or(common::v1::ORGANISATION_KIND_UNSPECIFIED));
  return o;
}

absl::StatusOr<std::vector<TreeArea>> DirectoryStore::ListAreas(
    const std::string& tenant, const std::optional<std::pair<int, std::string>>& after, int limit) {
  ASSIGN_OR_RETURN(db::Rows rows,
                   pool_->Query(kSelectAreas, {tenant, after ? db::Param(absl::StrCat(after->first)) : std::nullopt,
                                               after ? db::Param(after->second) : std::nullopt,
                                               absl::StrCat(limit)}));
  std::vector<TreeArea> areas;
  for (int i = 0; i < rows.size(); ++i) {
    TreeArea a;
    a.area.set_area_id(rows.Text(i, "area_id"));
    a.area.set_parent_area_id(rows.Text(i, "parent_area_id"));
    a.area.set_name(rows.Text(i, "name"));
    a.depth = static_cast<int>(rows.Int(i, "depth"));
    areas.push_back(std::move(a));
  }
  return areas;
}

absl::StatusOr<v1::Organisation> DirectoryStore::InsertOrganisation(db::Transaction& tx, const std::string& tenant,
                                                                    const v1::Organisation& organisation) {
  RETURN_IF_ERROR(Named(tx.Exec(kInsertOrganisation, {tenant, organisation.organisation_id(), organisation.name(),
                                                      std::string(OrganisationKindName(organisation.kind()))}),
                        "organisation"));
  return organisation;
}

absl::StatusOr<v1::Organisation> DirectoryStore::CreateOrganisation(
    const std::string& tenant, const v1::Organisation& organisation, AuditRecord& audit) {
  v1::Organisation created;
  RETURN_IF_ERROR(InAuditedTransaction(*pool_, audit, [&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(created, InsertOrganisation(tx, tenant, organisation));
    return absl::OkStatus();
  }));
  return created;
}

absl::StatusOr<std::vector<v1::Organisation>> DirectoryStore::ListOrganisations(
    const std::string& tenant, const std::optional<std::string>& after, int limit) {
  ASSIGN_OR_RETURN(db::Rows rows, pool_->Query(kSelectOrganisations, {tenant, after, absl::StrCat(limit)}));
  std::vector<v1::Organisation> organisations;
  for (int i = 0; i < rows.size(); ++i) {
    v1::Organisation o;
    o.set_organisation_id(rows.Text(i, "organisation_id"));
    o.set_name(rows.Text(i, "name"));
    o.set_kind(ParseOrganisationKind(rows.Text(i, "kind"))
                   .value_or(common::v1::ORGANISATION_KIND_UNSPECIFIED));
    organisations.push_back(std::move(o));
  }
  return organisations;
}

absl::StatusOr<v1::User> DirectoryStore::InsertUser(db::Transaction& tx, const std::string& tenant,
                                                    const v1::User& user, const std::string& password_hash) {
  ASSIGN_OR_RETURN(db::Rows org, tx.Query(kOrganisationExists, {tenant, user.organisation_id()}));
  if (org.empty()) {
    return absl::InvalidArgumentError("user.organisation_id: not a known organisation");
  }
  std::vector<std::string> roles(user.roles().begin(), user.roles().end());
  std::vector<std::string> areas(user.areas().begin(), user.areas().end());
  RETURN_IF_ERROR(CheckAreasKnown(tx, tenant, areas, "user.areas"));
  RETURN_IF_ERROR(Named(tx.Exec(kInsertUser, {tenant, user.user_id(), user.organisation_id(), user.display_name(),
                                              db::TextArray(roles), db::TextArray(areas), password_hash}),
                        "user"));
  v1::User created = user;
  created.set_active(true);
  return created;
}

absl::StatusOr<v1::User> DirectoryStore::CreateUser(const std::string& tenant, const v1::User& user,
                                                    const std::string& password_hash, AuditRecord& audit) {
  v1::User created;
  RETURN_IF_ERROR(InAuditedTransaction(*pool_, audit, [&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(created, InsertUser(tx, tenant, user, password_hash));
    return absl::OkStatus();
  }));
  return created;
}

absl::StatusOr<v1::User> DirectoryStore::UpdateUser(
    const std::string& tenant, const std::string& user_id,
    const std::optional<std::vector<std::string>>& roles,
    const std::optional<std::vector<std::string>>& areas, std::optional<bool> active, AuditRecord& audit,
    const std::optional<std::string>& password_hash) {
  bool ends_sessions = password_hash.has_value() || active == false;
  RETURN_IF_ERROR(InAuditedTransaction(*pool_, audit, [&](db::Transaction& tx) -> absl::Status {
    if (areas) RETURN_IF_ERROR(CheckAreasKnown(tx, tenant, *areas, "areas"));
    ASSIGN_OR_RETURN(
        db::Rows rows,
        tx.Query(kUpdateUser, {tenant, user_id, roles ? db::Param(db::TextArray(*roles)) : std::nullopt,
                               areas ? db::Param(db::TextArray(*areas)) : std::nullopt,
                               active ? db::Param(*active ? "true" : "false") : std::nullopt,
                               password_hash ? db::Param(*password_hash) : std::nullopt,
                               ends_sessions ? "true" : "false"}));
    if (rows.empty()) return absl::NotFoundError("user not found");
    // After the user's row is locked by the update: a token stored by a
    // login or refresh that got in first is committed by now and seen here.
    if (ends_sessions) RETURN_IF_ERROR(tx.Exec(kRevokeRefreshTokens, {tenant, user_id}));
    return absl::OkStatus();
  }));
  ASSIGN_OR_RETURN(std::optional<Account> account, FindAccount(tenant, user_id));
  if (!account) return absl::NotFoundError("user not found");
  return account->user;
}

absl::StatusOr<std::vector<v1::User>> DirectoryStore::ListUsers(const std::string& tenant,
                                                                const std::string& organisation,
                                                                const std::optional<std::string>& after,
                                                                int limit) {
  ASSIGN_OR_RETURN(
      db::Rows rows,
      pool_->Query(absl::StrCat(kUserColumns,
                                " WHERE u.tenant_id = $1 AND ($2 = '' OR u.organisation_id = $2)"
                                " AND ($3::text IS NULL OR u.user_id > $3)"
                                " ORDER BY u.user_id LIMIT $4"),
                   {tenant, organisation, after, absl::StrCat(limit)}));
  std::vector<v1::User> users;
  for (int i = 0; i < rows.size(); ++i) users.push_back(AccountFromRow(rows, i).user);
  return users;
}

absl::StatusOr<std::optional<Account>> DirectoryStore::FindAccount(const std::string& tenant,
                                                                   const std::string& user_id) {
  ASSIGN_OR_RETURN(db::Rows rows,
                   pool_->Query(absl::StrCat(kUserColumns,
                                             " WHERE u.tenant_id = $1 AND u.user_id = $2"),
                                {tenant, user_id}));
  if (rows.empty()) return std::nullopt;
  return AccountFromRow(rows, 0);
}

absl::Status DirectoryStore::RecordLoginFailure(const std::string& tenant,
                                                const std::string& user_id, int lock_after,
                                                absl::Duration lock_for) {
  return pool_->Query(kLoginFailure, {tenant, user_id, absl::StrCat(lock_after),
                                      absl::StrCat(absl::ToInt64Seconds(lock_for))})
      .status();
}

absl::Status DirectoryStore::RecordLoginSuccess(const std::string& tenant,
                                                const std::string& user_id) {
  return pool_->Query(kLoginSuccess, {tenant, user_id}).status();
}

absl::StatusOr<bool> DirectoryStore::StoreRefreshToken(const std::string& token_hash,
                                                       const std::string& tenant,
                                                       const std::string& user_id, int64_t session_epoch,
                                                       absl::Time expires_at) {
  ASSIGN_OR_RETURN(db::Rows rows,
                   pool_->Query(kInsertRefreshToken, {token_hash, tenant, user_id, db::TimestampParam(expires_at),
                                                      absl::StrCat(session_epoch)}));
  return !rows.empty();
}

absl::StatusOr<std::optional<RefreshTokenOwner>> DirectoryStore::ConsumeRefreshToken(
    const std::string& token_hash) {
  ASSIGN_OR_RETURN(db::Rows rows, pool_->Query(kConsumeRefreshToken, {token_hash}));
  if (rows.empty()) return std::nullopt;
  return RefreshTokenOwner{rows.Text(0, "tenant_id"), rows.Text(0, "user_id"), rows.Int(0, "session_epoch")};
}

absl::StatusOr<v1::IntegratedClient> DirectoryStore::InsertClient(db::Transaction& tx, const std::string& tenant,
                                                                  const v1::IntegratedClient& client) {
  ASSIGN_OR_RETURN(db::Rows org, tx.Query(kOrganisationExists, {tenant, client.organisation_id()}));
  if (org.empty()) {
    return absl::InvalidArgumentError("client.organisation_id: not a known organisation");
  }
  RETURN_IF_ERROR(
      Named(tx.Exec(kInsertClient, {tenant, client.client_id(), client.organisation_id(), client.certificate_uri()}),
            "integrated client (id or certificate URI)"));
  v1::IntegratedClient created = client;
  created.set_active(true);
  return created;
}

absl::StatusOr<v1::IntegratedClient> DirectoryStore::CreateClient(
    const std::string& tenant, const v1::IntegratedClient& client, AuditRecord& audit) {
  v1::IntegratedClient created;
  RETURN_IF_ERROR(InAuditedTransaction(*pool_, audit, [&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(created, InsertClient(tx, tenant, client));
    return absl::OkStatus();
  }));
  return created;
}

absl::StatusOr<v1::IntegratedClient> DirectoryStore::SetClientActive(const std::string& tenant,
                                                                     const std::string& client_id,
                                                                     bool active, AuditRecord& audit) {
  db::Rows rows;
  RETURN_IF_ERROR(InAuditedTransaction(*pool_, audit, [&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(rows, tx.Query(kUpdateClient, {tenant, client_id, active ? "true" : "false"}));
    if (rows.empty()) return absl::NotFoundError("integrated client not found");
    return absl::OkStatus();
  }));
  return ClientFromRow(rows, 0);
}

absl::StatusOr<std::vector<v1::IntegratedClient>> DirectoryStore::ListClients(
    const std::string& tenant, const std::string& organisation, const std::optional<std::string>& after, int limit) {
  ASSIGN_OR_RETURN(db::Rows rows, pool_->Query(kSelectClients, {tenant, organisation, after, absl::StrCat(limit)}));
  std::vector<v1::IntegratedClient> clients;
  for (int i = 0; i < rows.size(); ++i) clients.push_back(ClientFromRow(rows, i));
  return clients;
}

absl::StatusOr<std::optional<ClientRecord>> DirectoryStore::FindClientByCertificate(
    const std::string& uri) {
  ASSIGN_OR_RETURN(db::Rows rows, pool_->Query(kSelectClientByUri, {uri}));
  if (rows.empty()) return std::nullopt;
  return ClientRecord{rows.Text(0, "tenant_id"), ClientFromRow(rows, 0)};
}

}  // namespace hartslag::directory
