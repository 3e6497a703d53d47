// CategoryAdmin: the back office's management of its categories
// (CategoryService). Checks each request (category_rules.h) and hands it to
// the category store; no gRPC and no SQL here. Thread-safe.
#ifndef HARTSLAG_SERVICES_INTAKE_CATEGORY_ADMIN_H_
#define HARTSLAG_SERVICES_INTAKE_CATEGORY_ADMIN_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "hartslag/intake/v1/intake.pb.h"
#include "services/common/audit_trail.h"
#include "services/common/auth.h"
#include "services/intake/category_store.h"

namespace hartslag::intake {

class CategoryAdmin {
 public:
  // `on_change` hears of each tenant whose categories changed (SignalIntake's
  // ReferenceDataChanged).
  explicit CategoryAdmin(CategoryStore* store, std::function<void(const std::string& tenant)> on_change = {})
      : store_(store), on_change_(std::move(on_change)) {}

  absl::StatusOr<v1::ListCategoryDefinitionsResponse> List(const RequestContext& caller, AuditRecord& audit);
  absl::StatusOr<v1::Category> Create(const RequestContext& caller, v1::CreateCategoryRequest request,
                                      AuditRecord& audit);
  absl::StatusOr<v1::Category> Update(const RequestContext& caller, v1::UpdateCategoryRequest request,
                                      AuditRecord& audit);
  absl::StatusOr<v1::Category> Retire(const RequestContext& caller, const v1::RetireCategoryRequest& request,
                                      AuditRecord& audit);
  absl::StatusOr<v1::ListCategoryDefinitionsResponse> Reorder(const RequestContext& caller,
                                                              const v1::ReorderCategoriesRequest& request,
                                                              AuditRecord& audit);

 private:
  absl::StatusOr<v1::Category> Changed(const std::string& tenant, absl::StatusOr<v1::Category> changed) const;

  CategoryStore* store_;
  std::function<void(const std::string& tenant)> on_change_;
};

}  // namespace hartslag::intake

#endif  // HARTSLAG_SERVICES_INTAKE_CATEGORY_ADMIN_H_
