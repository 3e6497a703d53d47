// The audit trail of one service, wired from its flags: the outbox in the
// service's schema, the pseudonym key, the AuditTrail that RpcRunner fills,
// and the relay that delivers the records to hartslag-audit over mutual TLS
// as spiffe://hartslag/service/<name>.
#ifndef HARTSLAG_SERVICES_COMMON_SERVICE_AUDIT_H_
#define HARTSLAG_SERVICES_COMMON_SERVICE_AUDIT_H_

#include <grpcpp/grpcpp.h>

#include <memory>

#include "absl/status/statusor.h"
#include "hartslag/audit/v1/audit.pb.h"
#include "services/common/audit_trail.h"
#include "services/common/config.h"
#include "services/common/outbox.h"
#include "services/common/pseudonym.h"

namespace hartslag {

class ServiceAudit {
 public:
  // `deliver` empty: deliver to --audit over gRPC (no relay when that flag is
  // empty: records then wait in the outbox). The audit service passes its own.
  static absl::StatusOr<std::unique_ptr<ServiceAudit>> Start(const Flags& flags, db::Pool* pool,
                                                             absl::string_view schema,
                                                             OutboxRelay::Deliver deliver = {});

  const AuditTrail* trail() const { return &trail_; }
  const Outbox& outbox() const { return outbox_; }
  const Pseudonymizer& pseudonyms() const { return pseudonyms_; }
  // For a relay of this service's outbox: records each event it sets aside.
  OutboxRelay::OnSetAside RecordSetAside() const {
    return [this](db::Transaction& tx, const Outbox::DeadLetter& event, absl::string_view payload) {
      return trail_.RecordSetAside(tx, event, payload);
    };
  }

 private:
  ServiceAudit(db::Pool* pool, absl::string_view schema, Pseudonymizer pseudonyms)
      : outbox_(schema), pseudonyms_(std::move(pseudonyms)), trail_(pool, &outbox_, &pseudonyms_) {}

  Outbox outbox_;
  Pseudonymizer pseudonyms_;
  AuditTrail trail_;
  std::unique_ptr<OutboxRelay> relay_;
};

// Delivers audit records (serialized AuditEvents) with AuditService.Append.
OutboxRelay::Deliver AuditAppendOver(std::shared_ptr<grpc::Channel> channel);


}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_SERVICE_AUDIT_H_
