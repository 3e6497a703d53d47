// CategoryAdmin: the back office's management of its categories
// (CategoryService). Checks each request (category_rules.h) and hands it to
// the category store; no gRPC and no SQL here. Thread-safe.
#ifndef HARTSLAG_SERVICES_INTAKE_CATEGORY_ADMIN_H_
#define HARTSLAG_SERVICES_INTAKE_CATEGORY_ADMIN_H_

#include "absl/status/statusor.h"
#include "hartslag/intake/v1/intake.pb.h"
#include "services/common/audit_trail.h"
#include "services/common/auth.h"
#include "services/intake/category_store.h"

namespace hartslag::intake {

class CategoryAdmin {
 public:
  explicit CategoryAdmin(CategoryStore* store) : store_(store) {}

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
  CategoryStore* store_;
};

}  // namespace hartslag::intake

#endif  // HARTSLAG_SERVICES_INTAKE_CATEGORY_ADMIN_H_
