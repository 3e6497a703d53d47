#include "services/intake/category_admin.h"

#include "absl/strings/str_cat.h"
#include "services/common/status_macros.h"
#include "services/common/validation.h"
#include "services/intake/category_rules.h"

namespace hartslag::intake {

absl::StatusOr<v1::Category> CategoryAdmin::Changed(const std::string& tenant,
                                                   absl::StatusOr<v1::Category> changed) const {
  if (changed.ok() && on_change_) on_change_(tenant);
  return changed;
}

absl::StatusOr<v1::ListCategoryDefinitionsResponse> CategoryAdmin::List(const RequestContext& caller,
                                                                        AuditRecord& audit) {
  ASSIGN_OR_RETURN(std::vector<v1::Category> categories,
                   store_->List(caller.tenant, /*active_only=*/false, caller.deadline));
  v1::ListCategoryDefinitionsResponse response;
  for (v1::Category& c : categories) *response.add_categories() = std::move(c);
  audit.SetResultCount(response.categories_size());
  return response;
}

absl::StatusOr<v1::Category> CategoryAdmin::Create(const RequestContext& caller, v1::CreateCategoryRequest request,
                                                   AuditRecord& audit) {
  if (!request.has_category()) return Invalid("category", "is required");
  RETURN_IF_ERROR(CheckCategoryDefinition(*request.mutable_category()));
  return Changed(caller.tenant, store_->Create(caller.tenant, request.category(), audit, caller.deadline));
}

absl::StatusOr<v1::Category> CategoryAdmin::Update(const RequestContext& caller, v1::UpdateCategoryRequest request,
                                                   AuditRecord& audit) {
  if (!request.has_category()) return Invalid("category", "is required");
  const int version = request.category().version();
  if (version < 1) return Invalid("category.version", "is required: the version you changed");
  RETURN_IF_ERROR(CheckCategoryDefinition(*request.mutable_category()));
  request.mutable_category()->set_version(version);
  return Changed(caller.tenant, store_->Update(caller.tenant, request.category(), audit, caller.deadline));
}

absl::StatusOr<v1::Category> CategoryAdmin::Retire(const RequestContext& caller,
                                                   const v1::RetireCategoryRequest& request, AuditRecord& audit) {
  RETURN_IF_ERROR(CheckId("category_id", request.category_id()));
  return Changed(caller.tenant, store_->SetRetired(caller.tenant, request.category_id(), request.retired(), audit, caller.deadline));
}

absl::StatusOr<v1::ListCategoryDefinitionsResponse> CategoryAdmin::Reorder(
    const RequestContext& caller, const v1::ReorderCategoriesRequest& request, AuditRecord& audit) {
  FieldErrors errors;
  if (!request.parent_category_id().empty()) errors.Add(CheckId("parent_category_id", request.parent_category_id()));
  if (request.category_ids().empty()) errors.Add(Invalid("category_ids", "is required"));
  for (int i = 0; i < request.category_ids_size(); ++i) {
    errors.Add(CheckId(absl::StrCat("category_ids[", i, "]"), request.category_ids(i)));
  }
  RETURN_IF_ERROR(errors.status());
  std::vector<std::string> order(request.category_ids().begin(), request.category_ids().end());
  RETURN_IF_ERROR(store_->Reorder(caller.tenant, request.parent_category_id(), order, audit, caller.deadline));
  ASSIGN_OR_RETURN(std::vector<v1::Category> categories,
                   store_->List(caller.tenant, /*active_only=*/false, caller.deadline));
  v1::ListCategoryDefinitionsResponse response;
  for (v1::Category& c : categories) *response.add_categories() = std::move(c);
  return response;
}

}  // namespace hartslag::intake
