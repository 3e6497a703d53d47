#include "services/common/migrations.h"

#include <algorithm>
#include <map>
#include "absl/strings/str_cat.h"
#include "re2/re2.h"
#include "services/common/crypto.h"
#include "services/common/status_macros.h"

namespace hartslag::db {

absl::StatusOr<std::vector<NumberedMigration>> OrderMigrations(std::vector<Migration> files) {
  static const re2::RE2 kName(R"(([0-9]{4})_([a-z0-9_]+)\.sql)");
  std::vector<NumberedMigration> out;
  for (Migration& file : files) {
    int version = 0;
    std::string name;
    if (!re2::RE2::FullMatch(file.filename, kName, &version, &name)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "migration file ", file.filename, ": name must look like 0001_description.sql"));
    }
    NumberedMigration m;
    m.version = version;
    m.name = std::move(name);
    m.checksum = HexEncode(Sha256(file.sql));
    m.sql = std::move(file.sql);
    out.push_back(std::move(m));
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.version < b.version; });
  for (size_t i = 0; i < out.size(); ++i) {
    int expected = static_cast<int>(i) + 1;
    if (out[i].version != expected) {
      return absl::InvalidArgumentError(
          i > 0 && out[i].version == out[i - 1].version
              ? absl::StrCat("migration number ", out[i].version, " is used twice")
              : absl::StrCat("migration number ", expected, " is missing"));
    }
  }
  return out;
}

namespace {

// The schema name is a constant of the calling service, never input; it is
// still checked because it is the one identifier spliced into SQL here.
absl::Status CheckSchemaName(const std::string& schema) {
  static const re2::RE2 kIdentifier("[a-z][a-z0-9_]*");
  if (!re2::RE2::FullMatch(schema, kIdentifier)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid schema name ", schema));
  }
  return absl::OkStatus();
}

// Version -> checksum of what `schema` records as applied.
absl::StatusOr<std::map<int, std::string>> Recorded(Transaction& tx, const std::string& schema) {
  ASSIGN_OR_RETURN(Rows rows, tx.Query(absl::StrCat("SELECT version, checksum FROM ", schema,
                                                    ".schema_migrations ORDER BY version")));
  std::map<int, std::string> recorded;
  for (int i = 0; i < rows.size(); ++i) recorded[static_cast<int>(rows.Int(i, "version"))] = rows.Text(i, "checksum");
  return recorded;
}

// The migrations not yet applied, in order; an error when the schema is
// newer than this binary or an applied migration was changed since.
absl::StatusOr<std::vector<const NumberedMigration*>> Unapplied(const std::string& schema,
                                                                const std::map<int, std::string>& recorded,
                                                                const std::vector<NumberedMigration>& migrations) {
  if (!recorded.empty() && recorded.rbegin()->first > static_cast<int>(migrations.size())) {
    return absl::FailedPreconditionError(absl::StrCat("schema ", schema, " is at version ", recorded.rbegin()->first,
                                                      ", newer than this binary (", migrations.size(), ")"));
  }
  std::vector<const NumberedMigration*> unapplied;
  for (const NumberedMigration& m : migrations) {
    auto it = recorded.find(m.version);
    if (it == recorded.end()) {
      unapplied.push_back(&m);
    } else if (it->second != m.checksum) {
      return absl::FailedPreconditionError(absl::StrCat("migration ", m.version, "_", m.name,
                                                        " was changed after it was applied; add a new migration instead"));
    }
  }
  return unapplied;
}

}  // namespace

absl::StatusOr<int> ApplyMigrations(Pool& pool, const std::string& schema,
                                    std::vector<Migration> files) {
  RETURN_IF_ERROR(CheckSchemaName(schema));
  ASSIGN_OR_RETURN(std::vector<NumberedMigration> migrations, OrderMigrations(std::move(files)));
  int applied = 0;
  RETURN_IF_ERROR(pool.InTransaction([&](Transaction& tx) -> absl::Status {
    applied = 0;
    RETURN_IF_ERROR(tx.Exec("SELECT pg_advisory_xact_lock(hashtext('hartslag.migrations.' || $1))",
                            {schema}));
    RETURN_IF_ERROR(tx.Exec(absl::StrCat("CREATE SCHEMA IF NOT EXISTS ", schema)));
    RETURN_IF_ERROR(tx.Exec(absl::StrCat("CREATE TABLE IF NOT EXISTS ", schema,
                                         ".schema_migrations ("
                                         " version integer PRIMARY KEY,"
                                         " name text NOT NULL,"
                                         " checksum text NOT NULL,"
                                         " applied_at timestamptz NOT NULL DEFAULT now())")));
    ASSIGN_OR_RETURN(auto recorded, Recorded(tx, schema));
    ASSIGN_OR_RETURN(std::vector<const NumberedMigration*> unapplied, Unapplied(schema, recorded, migrations));
    for (const NumberedMigration* m : unapplied) {
      RETURN_IF_ERROR(tx.ExecScript(m->sql));
      RETURN_IF_ERROR(tx.Exec(absl::StrCat("INSERT INTO ", schema,
                                           ".schema_migrations (version, name, checksum) "
                                           "VALUES ($1, $2, $3)"),
                              {absl::StrCat(m->version), m->name, m->checksum}));
      ++applied;
    }
    return absl::OkStatus();
  }));
  return applied;
}

absl::Status CheckMigrations(Pool& pool, const std::string& schema, std::vector<Migration> files) {
  RETURN_IF_ERROR(CheckSchemaName(schema));
  ASSIGN_OR_RETURN(std::vector<NumberedMigration> migrations, OrderMigrations(std::move(files)));
  return pool.InTransaction([&](Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(Rows table, tx.Query("SELECT to_regclass($1) IS NOT NULL AS present",
                                          {absl::StrCat(schema, ".schema_migrations")}));
    std::map<int, std::string> recorded;
    if (table.Bool(0, "present")) {
      ASSIGN_OR_RETURN(recorded, Recorded(tx, schema));
    }
    ASSIGN_OR_RETURN(std::vector<const NumberedMigration*> unapplied, Unapplied(schema, recorded, migrations));
    if (unapplied.empty()) return absl::OkStatus();
    return absl::FailedPreconditionError(
        absl::StrCat("schema ", schema, " lacks migration ", unapplied.front()->version, "_", unapplied.front()->name,
                     unapplied.size() > 1 ? absl::StrCat(" and ", unapplied.size() - 1, " after it") : "",
                     "; run the service's `migrate` command first"));
  });
}

}  // namespace hartslag::db
