// The audit service's one question to hartslag-directory: which
// organisations a tenant has, asked as the audit service (mutual TLS) when a
// privacy officer restricts an organisation's accesses.
#ifndef HARTSLAG_SERVICES_AUDIT_ORGANISATION_DIRECTORY_H_
#define HARTSLAG_SERVICES_AUDIT_ORGANISATION_DIRECTORY_H_

#include <grpcpp/grpcpp.h>

#include <memory>

#include "services/audit/audit_log.h"

namespace hartslag::audit {

// Asks the directory's LookupService behind `channel`; the directory being
// away is UNAVAILABLE (the caller's retry).
OrganisationsOf OrganisationsAt(std::shared_ptr<grpc::Channel> channel);

}  // namespace hartslag::audit

#endif  // HARTSLAG_SERVICES_AUDIT_ORGANISATION_DIRECTORY_H_
