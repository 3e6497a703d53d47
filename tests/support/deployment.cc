#include "tests/support/deployment.h"

#include <stdexcept>

#include "tests/support/heerlen.h"
#include "tests/support/test_keys.h"
#include "services/common/status_macros.h"

namespace hartslag::testing {

Deployment::Deployment() : signer_(*TokenSigner::FromPemFile(CertsDir() + "/jwt.key")) {
  const std::string certs = CertsDir();
  std::vector<std::string> common = {"--tls-cert", certs + "/server.pem",
                                     "--tls-key", certs + "/server.key", "--tls-client-ca",
                                     certs + "/ca.pem", "--jwt-public-keys", certs + "/jwt.pub",
                                     "--pseudonym-key", certs + "/pseudonym.key"};
  // Each service as its own login role, as deployed (never a superuser).
  auto with_db = [&](const std::string& service) {
    std::vector<std::string> args = common;
    args.insert(args.end(), {"--db", db_.ServiceConninfo(service)});
    return args;
  };
  // The audit service and the directory call each other: the directory
  // starts first, delivering to where the audit service will listen.
  audit_port_ = FreePort();
  const std::string audit_address = "localhost:" + std::to_string(audit_port_);
  auto audit_client = [&](const std::string& service) -> std::vector<std::string> {
    return {"--audit", audit_address, "--audit-ca", certs + "/ca.pem", "--service-cert",
            certs + "/" + service + ".pem", "--service-key", certs + "/" + service + ".key"};
  };
  std::vector<std::string>& directory_args = directory_args_;
  directory_args = with_db("directory");
  directory_metrics_port_ = FreePort();
  directory_args.insert(directory_args.end(), {"--jwt-signing-key", certs + "/jwt.key", "--metrics-address",
                                               "127.0.0.1:" + std::to_string(directory_metrics_port_)});
  for (std::string& a : audit_client("directory")) directory_args.push_back(a);
  directory_ = std::make_unique<ServiceProcess>(HARTSLAG_DIRECTORY_BINARY, directory_args);
  directory_port_ = directory_->port();
  audit_args_ = with_db("audit");
  audit_metrics_port_ = FreePort();
  audit_args_.insert(audit_args_.end(), {"--metrics-address", "127.0.0.1:" + std::to_string(audit_metrics_port_)});
  audit_args_.insert(audit_args_.end(), {"--tree-head-key", certs + "/audit-tree.key", "--tree-head-interval", "1s",
                                         "--directory", directory_->address(), "--directory-ca",
                                         certs + "/ca.pem", "--service-cert", certs + "/audit.pem",
                                         "--service-key", certs + "/audit.key"});
  audit_ = std::make_unique<ServiceProcess>(HARTSLAG_AUDIT_BINARY, audit_args_, audit_port_);
  std::vector<std::string>& intake_args = intake_args_;
  intake_args = with_db("intake");
  intake_args.insert(intake_args.end(), {"--directory", directory_->address(), "--directory-ca",
                                         certs + "/ca.pem", "--area-sync-interval", "500ms"});
  for (std::string& a : audit_client("intake")) intake_args.push_back(a);
  std::vector<std::string>& cases_args = cases_args_;
  cases_args = with_db("cases");
  cases_metrics_port_ = FreePort();
  cases_args.insert(cases_args.end(), {"--metrics-address", "127.0.0.1:" + std::to_string(cases_metrics_port_)});
  for (std::string& a : audit_client("cases")) cases_args.push_back(a);
  intake_ = std::make_unique<ServiceProcess>(HARTSLAG_INTAKE_BINARY, intake_args);
  intake_port_ = intake_->port();
  // Retention sweeps often, so tests see a due case cleared within a moment.
  cases_args.insert(cases_args.end(), {"--intake", intake_->address(), "--intake-ca", certs + "/ca.pem",
                                       "--retention-interval", "200ms", "--directory", directory_->address(),
                                       "--directory-ca", certs + "/ca.pem", "--area-sync-interval", "500ms"});
  cases_ = std::make_unique<ServiceProcess>(HARTSLAG_CASES_BINARY, cases_args);
  cases_port_ = cases_->port();
  pool_ = *db::Pool::Open(db_.conninfo(), 4);
  directory_store_ = std::make_unique<directory::DirectoryStore>(pool_.get());
  intake_store_ = std::make_unique<intake::SignalStore>(pool_.get());
  audit_store_ = std::make_unique<audit::AuditStore>(pool_.get());
  cases_data_ = std::make_unique<cases::CasesData>(pool_.get());
  // Heerlen's areas as the sync would bring them, so tests need not wait for it.
  absl::Status cases_seeded = pool_->InTransaction([&](db::Transaction& tx) {
    return cases_data_->areas.Store(tx, "heerlen", "Gemeente Heerlen", HeerlenAreas());
  });
  for (absl::Status seeded : {SeedHeerlen(*intake_store_), cases_seeded}) {
    if (!seeded.ok()) throw std::runtime_error(seeded.ToString());
  }
}

absl::StatusOr<cases::v1::Case> Deployment::SeedCase(const RequestContext& as, cases::v1::Case c) {
  RETURN_IF_ERROR(pool_->InTransaction([&](db::Transaction& tx) { return cases_data_->cases.Insert(tx, as, c); }));
  return c;
}

absl::Status Deployment::SeedCaseChange(const RequestContext& as, const std::string& case_id,
                                        const std::function<void(cases::v1::Case&)>& edit) {
  return pool_->InTransaction([&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(std::optional<cases::v1::Case> c, cases_data_->cases.Lock(tx, as.tenant, case_id));
    if (!c) return absl::NotFoundError("case not found");
    edit(*c);
    return cases_data_->cases.Save(tx, as, *c);
  });
}

absl::Status Deployment::SeedAction(const RequestContext& as, cases::v1::Action action) {
  return pool_->InTransaction([&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(std::optional<cases::v1::Case> c, cases_data_->cases.Lock(tx, as.tenant, action.case_id()));
    if (!c) return absl::NotFoundError("case not found");
    return cases_data_->actions.Insert(tx, as.tenant, *c, action);
  });
}

absl::Status Deployment::SeedMeeting(const std::string& tenant, cases::v1::Meeting meeting) {
  return pool_->InTransaction([&](db::Transaction& tx) { return cases_data_->meetings.Insert(tx, tenant, meeting); });
}

absl::Status Deployment::SeedBreakGlass(const RequestContext& as, const std::string& case_id,
                                        const std::string& reason) {
  return pool_->InTransaction(
      [&](db::Transaction& tx) { return cases_data_->cases.InsertBreakGlass(tx, as, case_id, reason); });
}

absl::StatusOr<std::optional<cases::v1::Case>> Deployment::FindCase(const std::string& tenant,
                                                                    const std::string& case_id) {
  std::optional<cases::v1::Case> found;
  RETURN_IF_ERROR(pool_->InTransaction([&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(found, cases_data_->cases.Find(tx, tenant, case_id, ""));
    return absl::OkStatus();
  }));
  return found;
}

absl::StatusOr<std::optional<cases::v1::Meeting>> Deployment::FindMeeting(const std::string& tenant,
                                                                          const std::string& meeting_id) {
  std::optional<cases::v1::Meeting> found;
  RETURN_IF_ERROR(pool_->InTransaction([&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(found, cases_data_->meetings.Find(tx, tenant, meeting_id));
    return absl::OkStatus();
  }));
  return found;
}

void Deployment::StartAudit() {
  audit_.reset();
  audit_ = std::make_unique<ServiceProcess>(HARTSLAG_AUDIT_BINARY, audit_args_, audit_port_);
}

void Deployment::StartIntake() {
  intake_.reset();
  intake_ = std::make_unique<ServiceProcess>(HARTSLAG_INTAKE_BINARY, intake_args_, intake_port_);
}

std::unique_ptr<ServiceProcess> Deployment::StartAnotherIntake() const {
  return std::make_unique<ServiceProcess>(HARTSLAG_INTAKE_BINARY, intake_args_);
}

std::unique_ptr<ServiceProcess> Deployment::StartAnotherCases(int metrics_port) const {
  std::vector<std::string> args = cases_args_;
  // Its own metrics port: the first instance's is taken.
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--metrics-address") {
      args[i + 1] = "127.0.0.1:" + std::to_string(metrics_port > 0 ? metrics_port : FreePort());
    }
  }
  return std::make_unique<ServiceProcess>(HARTSLAG_CASES_BINARY, args);
}

void Deployment::StartDirectory() {
  directory_.reset();
  directory_ = std::make_unique<ServiceProcess>(HARTSLAG_DIRECTORY_BINARY, directory_args_, directory_port_);
}

void Deployment::StartCases() {
  cases_.reset();
  cases_ = std::make_unique<ServiceProcess>(HARTSLAG_CASES_BINARY, cases_args_, cases_port_);
}

std::string Deployment::PrivacyOfficerToken() const {
  TokenClaims claims = ClaimsFor("privacy.officer", "gemeente", "MUNICIPALITY", {"PRIVACY_OFFICER"}, {});
  return Token(claims);
}

std::shared_ptr<grpc::Channel> Deployment::Channel(const ServiceProcess& service,
                                                   const std::string& client, bool foreign) const {
  return Channel(service.address(), client, foreign);
}

std::shared_ptr<grpc::Channel> Deployment::Channel(const std::string& address,
                                                   const std::string& client, bool foreign) const {
  const std::string certs = CertsDir();
  const std::string dir = foreign ? certs + "/../foreign" : certs;
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = ReadFileOrDie(certs + "/ca.pem");
  if (!client.empty()) {
    tls.pem_cert_chain = ReadFileOrDie(dir + "/" + client + ".pem");
    tls.pem_private_key = ReadFileOrDie(dir + "/" + client + ".key");
  }
  // A fresh channel per call site: a client certificate belongs to a connection.
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  // As the client library does: calls spread over every address the target
  // names ("ipv4:127.0.0.1:7402,127.0.0.1:7412" for two instances), each
  // checked against the certificate's name localhost.
  args.SetLoadBalancingPolicyName("round_robin");
  if (address.rfind("ipv4:", 0) == 0) args.SetSslTargetNameOverride("localhost");
  return grpc::CreateCustomChannel(address, grpc::SslCredentials(tls), args);
}

std::unique_ptr<grpc::ClientContext> Deployment::Call(const std::string& token) const {
  auto call = std::make_unique<grpc::ClientContext>();
  if (!token.empty()) call->AddMetadata("authorization", "Bearer " + token);
  call->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return call;
}

}  // namespace hartslag::testing
