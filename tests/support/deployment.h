// A small Hartslag deployment for end-to-end tests: hartslag-audit,
// hartslag-directory, hartslag-intake and hartslag-cases as real processes
// over TLS on one fresh database, with the test run's certificates, plus in-process stores to
// seed and inspect data. Each service can be stopped, killed and started
// again on the same address.
#ifndef HARTSLAG_TESTS_SUPPORT_DEPLOYMENT_H_
#define HARTSLAG_TESTS_SUPPORT_DEPLOYMENT_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "services/audit/audit_store.h"
#include "services/cases/case_domain.h"
#include "services/common/audit_trail.h"
#include "services/common/db.h"
#include "services/common/outbox.h"
#include "services/common/token.h"
#include "services/directory/directory_store.h"
#include "services/intake/signal_store.h"
#include "tests/support/service_process.h"
#include "tests/support/test_database.h"

namespace hartslag::testing {

class Deployment {
 public:
  Deployment();

  // A TLS channel to a service; with `client` ("politie-bvh", "unregistered")
  // it presents that client certificate of the test CA; `foreign` uses
  // certificates of another CA.
  std::shared_ptr<grpc::Channel> Channel(const ServiceProcess& service, const std::string& client = "",
                                         bool foreign = false) const;
  // The same by address, for a thread that must not touch a service that
  // another thread may be restarting.
  std::shared_ptr<grpc::Channel> Channel(const std::string& address, const std::string& client = "",
                                         bool foreign = false) const;
  std::unique_ptr<grpc::ClientContext> Call(const std::string& token = "") const;
  std::string Token(const TokenClaims& claims) const { return *signer_.Sign(claims); }

  ServiceProcess& audit() { return *audit_; }
  // Stops the audit service (SIGTERM, or SIGKILL for a crash); StartAudit
  // starts it again where the other services expect it.
  void StopAudit(int signal = SIGTERM) { audit_->Stop(signal); }
  void StartAudit();
  ServiceProcess& directory() { return *directory_; }
  // Where the directory serves its metrics (HttpGet(port, "/metrics")).
  // Each service's Prometheus endpoint (plain HTTP on 127.0.0.1).
  int directory_metrics_port() const { return directory_metrics_port_; }
  int audit_metrics_port() const { return audit_metrics_port_; }
  int cases_metrics_port() const { return cases_metrics_port_; }
  // The same for the directory.
  void StopDirectory(int signal = SIGTERM) { directory_->Stop(signal); }
  void StartDirectory();
  ServiceProcess& intake() { return *intake_; }
  // The same for intake.
  void StopIntake(int signal = SIGTERM) { intake_->Stop(signal); }
  void StartIntake();
  // One more instance of intake or cases, on a port of its own, on the
  // same database and with the same settings as the first: two behind one
  // address, as a deployment scales them (see Channel).
  std::unique_ptr<ServiceProcess> StartAnotherIntake() const;
  // Its metrics endpoint on `metrics_port`, or a free port when 0.
  std::unique_ptr<ServiceProcess> StartAnotherCases(int metrics_port = 0) const;
  ServiceProcess& cases() { return *cases_; }
  // The same for cases.
  void StopCases(int signal = SIGTERM) { cases_->Stop(signal); }
  void StartCases();
  directory::DirectoryStore& directory_store() { return *directory_store_; }
  intake::SignalStore& intake_store() { return *intake_store_; }
  audit::AuditStore& audit_store() { return *audit_store_; }
  // The cases service's data, to seed and inspect it through its stores as
  // an operator's bootstrap would, outside any call.
  cases::CasesData& cases_data() { return *cases_data_; }
  absl::StatusOr<cases::v1::Case> SeedCase(const RequestContext& as, cases::v1::Case c);
  // Edits a stored case (no status step, no audit record).
  absl::Status SeedCaseChange(const RequestContext& as, const std::string& case_id,
                              const std::function<void(cases::v1::Case&)>& edit);
  // Stores an action as given (also one due in the past), without checks.
  absl::Status SeedAction(const RequestContext& as, cases::v1::Action action);
  absl::Status SeedMeeting(const std::string& tenant, cases::v1::Meeting meeting);
  absl::Status SeedBreakGlass(const RequestContext& as, const std::string& case_id, const std::string& reason);
  absl::StatusOr<std::optional<cases::v1::Case>> FindCase(const std::string& tenant, const std::string& case_id);
  absl::StatusOr<std::optional<cases::v1::Meeting>> FindMeeting(const std::string& tenant,
                                                                const std::string& meeting_id);
  db::Pool& pool() { return *pool_; }
  // The database as its owner (a superuser on the test cluster).
  const std::string& conninfo() const { return db_.conninfo(); }
  // A privacy officer's token for the Heerlen tenant.
  std::string PrivacyOfficerToken() const;

 private:
  TestDatabase db_;
  TokenSigner signer_;
  std::vector<std::string> audit_args_;
  int audit_port_ = 0;
  std::unique_ptr<ServiceProcess> audit_;
  std::vector<std::string> directory_args_;
  int directory_port_ = 0;
  int directory_metrics_port_ = 0;
  int audit_metrics_port_ = 0;
  int cases_metrics_port_ = 0;
  std::unique_ptr<ServiceProcess> directory_;
  std::vector<std::string> intake_args_;
  int intake_port_ = 0;
  std::unique_ptr<ServiceProcess> intake_;
  std::vector<std::string> cases_args_;
  int cases_port_ = 0;
  std::unique_ptr<ServiceProcess> cases_;
  std::unique_ptr<db::Pool> pool_;
  std::unique_ptr<directory::DirectoryStore> directory_store_;
  std::unique_ptr<intake::SignalStore> intake_store_;
  std::unique_ptr<audit::AuditStore> audit_store_;
  std::unique_ptr<cases::CasesData> cases_data_;
};

// An audit record that goes nowhere: for seeding data through a store the
// way an operator's bootstrap does, outside any call.
inline AuditRecord& Unaudited() {
  static thread_local AuditRecord record;
  return record;
}

}  // namespace hartslag::testing

#endif  // HARTSLAG_TESTS_SUPPORT_DEPLOYMENT_H_
