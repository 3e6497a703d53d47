// Schema migrations: numbered SQL files per service, applied in order under an
// advisory lock and recorded in <schema>.schema_migrations.
//
// Files are named NNNN_description.sql, numbered 1, 2, 3... without gaps. The
// service binary carries them (cmake/embed_migrations.cmake). Applying is
// idempotent and safe when several instances start at once: the first takes
// the lock and applies, the others wait and find nothing left to do. A file
// changed after it was applied is refused rather than silently skipped.
#ifndef HARTSLAG_SERVICES_COMMON_MIGRATIONS_H_
#define HARTSLAG_SERVICES_COMMON_MIGRATIONS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/common/db.h"

namespace hartslag::db {

// A migration file as embedded in a binary.
struct Migration {
  std::string filename;
  std::string sql;
};

// A migration with its number, ready to apply.
struct NumberedMigration {
  int version = 0;
  std::string name;
  std::string sql;
  std::string checksum;  // hex SHA-256 of sql
};

// Parses the file names and returns the migrations sorted by number. Refuses
// malformed names, duplicate numbers and gaps (a missing file).
absl::StatusOr<std::vector<NumberedMigration>> OrderMigrations(std::vector<Migration> files);

// Applies the migrations not yet recorded, in one transaction, under an
// advisory lock keyed by `schema`. Returns the number applied.
absl::StatusOr<int> ApplyMigrations(Pool& pool, const std::string& schema,
                                    std::vector<Migration> files);

// OK when every migration of `files` is recorded in `schema` as it is;
// FAILED_PRECONDITION naming the first one missing otherwise. Changes
// nothing, so a service whose database role may not change the schema can
// start on a schema that its deployment's migration step brought up to date.
absl::Status CheckMigrations(Pool& pool, const std::string& schema, std::vector<Migration> files);

}  // namespace hartslag::db

#endif  // HARTSLAG_SERVICES_COMMON_MIGRATIONS_H_
