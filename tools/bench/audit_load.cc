#include "tools/bench/audit_load.h"

#include "absl/time/clock.h"
#include "services/common/crypto.h"
#include "services/common/proto_time.h"

namespace hartslag::bench {

audit::v1::AuditEvent BenchAuditEvent(const std::string& tenant, uint64_t n) {
  audit::v1::AuditEvent e;
  e.set_event_id(TimeOrderedUuid());
  e.set_tenant_id(tenant);
  *e.mutable_occurred_at() = TimeToProto(absl::Now());
  e.set_action(audit::v1::ACTION_READ);
  e.set_outcome(audit::v1::OUTCOME_SUCCESS);
  e.set_status_code("OK");
  e.mutable_object()->set_type("signal");
  e.mutable_object()->set_id(RandomUuid());
  e.mutable_origin()->set_rpc("GetSignal");
  e.mutable_origin()->set_peer_address("ipv4:127.0.0.1:50000");
  e.mutable_actor()->set_user_id("carla.coordinator");
  e.mutable_actor()->set_organisation_id("gemeente-heerlen");
  e.mutable_actor()->set_organisation_kind(common::v1::ORGANISATION_KIND_MUNICIPALITY);
  e.mutable_actor()->add_roles("COORDINATOR");
  e.add_subjects("person:" + HexEncode(Sha256(std::to_string(n))));
  e.add_subjects("address:" + HexEncode(Sha256("a" + std::to_string(n % 1000))));
  e.set_purpose("TRIAGE");
  e.set_trace_id(HexEncode(RandomBytes(8)));
  return e;
}

}  // namespace hartslag::bench
