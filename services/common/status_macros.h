// RETURN_IF_ERROR and ASSIGN_OR_RETURN: early return on a failed absl::Status
// or absl::StatusOr. Our Abseil (20220623) ships neither, so they live here,
// once, for every service.
//
//   RETURN_IF_ERROR(tx.Commit());
//   ASSIGN_OR_RETURN(Rows rows, tx.Query(kSelectSignal, {id}));
#ifndef HARTSLAG_SERVICES_COMMON_STATUS_MACROS_H_
#define HARTSLAG_SERVICES_COMMON_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define HARTSLAG_CONCAT_INNER_(a, b) a##b
#define HARTSLAG_CONCAT_(a, b) HARTSLAG_CONCAT_INNER_(a, b)

#define RETURN_IF_ERROR(expr)                 \
  do {                                        \
    ::absl::Status _hartslag_status = (expr); \
    if (!_hartslag_status.ok()) return _hartslag_status; \
  } while (0)

#define ASSIGN_OR_RETURN(lhs, expr) \
  HARTSLAG_ASSIGN_OR_RETURN_IMPL_(HARTSLAG_CONCAT_(_hartslag_statusor_, __LINE__), lhs, expr)

#define HARTSLAG_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                                    \
  if (!statusor.ok()) return std::move(statusor).status();   \
  lhs = std::move(statusor).value()

#endif  // HARTSLAG_SERVICES_COMMON_STATUS_MACROS_H_
