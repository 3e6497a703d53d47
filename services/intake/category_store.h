// CategoryStore: a tenant's categories and their versions in PostgreSQL.
// Every change runs in one transaction with the call's audit record, and
// every change of a definition adds a version that signals can refer to.
// Thread-safe (the pool is).
#ifndef HARTSLAG_SERVICES_INTAKE_CATEGORY_STORE_H_
#define HARTSLAG_SERVICES_INTAKE_CATEGORY_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "hartslag/intake/v1/intake.pb.h"
#include "services/common/audit_trail.h"
#include "services/common/db.h"

namespace hartslag::intake {

class CategoryStore {
 public:
  explicit CategoryStore(db::Pool* pool) : pool_(pool) {}

  // The tenant's categories, current versions: main categories by position,
  // each followed by its subcategories by position. Only active ones, and
  // only subcategories of active main categories, with `active_only`.
  absl::StatusOr<std::vector<v1::Category>> List(const std::string& tenant, bool active_only,
                                                 absl::Time deadline);

  // Creates `category` as version 1, last among its siblings. ALREADY_EXISTS
  // for a taken id; INVALID_ARGUMENT naming category.parent_category_id for
  // a parent that is not a main category of the tenant.
  absl::StatusOr<v1::Category> Create(const std::string& tenant, const v1::Category& category, AuditRecord& audit,
                                      absl::Time deadline);
  // Replaces the definition of version `category.version()` with a new
  // version. NOT_FOUND for an unknown id; ABORTED when the current version is
  // another.
  absl::StatusOr<v1::Category> Update(const std::string& tenant, const v1::Category& category, AuditRecord& audit,
                                      absl::Time deadline);
  absl::StatusOr<v1::Category> SetRetired(const std::string& tenant, const std::string& category_id, bool retired,
                                          AuditRecord& audit, absl::Time deadline);
  // Orders the children of `parent` (empty: the main categories) as `order`,
  // which names each of them once (INVALID_ARGUMENT naming category_ids).
  absl::Status Reorder(const std::string& tenant, const std::string& parent, const std::vector<std::string>& order,
                       AuditRecord& audit, absl::Time deadline);

 private:
  db::Pool* pool_;
};

// Copies the starting category set into a new tenant, as version 1 each.
// Idempotent.
absl::Status CopyStartingCategories(db::Transaction& tx, const std::string& tenant);

}  // namespace hartslag::intake

#endif  // HARTSLAG_SERVICES_INTAKE_CATEGORY_STORE_H_
