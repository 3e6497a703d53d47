#include "services/cases/meeting_names.h"

#include "services/common/roles.h"
#include "services/common/status_macros.h"

namespace hartslag::cases {
namespace {

constexpr char kUpsertOrganisation[] = R"sql(
  INSERT INTO cases.organisations (tenant_id, organisation_id, name, kind) VALUES ($1, $2, $3, $4)
  ON CONFLICT (tenant_id, organisation_id) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind
)sql";

constexpr char kUpsertUser[] = R"sql(
  INSERT INTO cases.user_names (tenant_id, user_id, display_name, organisation_id) VALUES ($1, $2, $3, $4)
  ON CONFLICT (tenant_id, user_id)
  DO UPDATE SET display_name = EXCLUDED.display_name, organisation_id = EXCLUDED.organisation_id
)sql";

constexpr char kFindOrganisation[] = R"sql(
  SELECT organisation_id, name, kind FROM cases.organisations WHERE tenant_id = $1 AND organisation_id = $2
)sql";

constexpr char kOrganisations[] = R"sql(
  SELECT organisation_id, name FROM cases.organisations WHERE tenant_id = $1
)sql";

constexpr char kUsers[] = R"sql(
  SELECT user_id, display_name FROM cases.user_names WHERE tenant_id = $1 AND user_id = ANY($2::text[])
)sql";

}  // namespace

const std::string& NameBook::Organisation(const std::string& id) const {
  auto it = organisations.find(id);
  return it == organisations.end() || it->second.empty() ? id : it->second;
}

const std::string& NameBook::User(const std::string& id) const {
  auto it = users.find(id);
  return it == users.end() || it->second.empty() ? id : it->second;
}

absl::Status MeetingNames::Store(db::Transaction& tx, const std::string& tenant,
                                 const std::vector<directory::v1::Organisation>& organisations,
                                 const std::vector<directory::v1::UserName>& users) const {
  for (const auto& o : organisations) {
    RETURN_IF_ERROR(tx.Exec(kUpsertOrganisation, {tenant, o.organisation_id(), o.name(),
                                                  std::string(OrganisationKindName(o.kind()))}));
  }
  for (const auto& u : users) {
    RETURN_IF_ERROR(tx.Exec(kUpsertUser, {tenant, u.user_id(), u.display_name(), u.organisation_id()}));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<directory::v1::Organisation>> MeetingNames::FindOrganisation(
    db::Transaction& tx, const std::string& tenant, const std::string& id) const {
  ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kFindOrganisation, {tenant, id}));
  if (rows.empty()) return std::nullopt;
  directory::v1::Organisation o;
  o.set_organisation_id(rows.Text(0, "organisation_id"));
  o.set_name(rows.Text(0, "name"));
  o.set_kind(ParseOrganisationKind(rows.Text(0, "kind")).value_or(common::v1::ORGANISATION_KIND_UNSPECIFIED));
  return o;
}

absl::StatusOr<NameBook> MeetingNames::Book(db::Transaction& tx, const std::string& tenant,
                                            const std::vector<std::string>& user_ids) const {
  NameBook book;
  ASSIGN_OR_RETURN(db::Rows organisations, tx.Query(kOrganisations, {tenant}));
  for (int i = 0; i < organisations.size(); ++i) {
    book.organisations[organisations.Text(i, "organisation_id")] = organisations.Text(i, "name");
  }
  if (user_ids.empty()) return book;
  ASSIGN_OR_RETURN(db::Rows users, tx.Query(kUsers, {tenant, db::TextArray(user_ids)}));
  for (int i = 0; i < users.size(); ++i) book.users[users.Text(i, "user_id")] = users.Text(i, "display_name");
  return book;
}

}  // namespace hartslag::cases
