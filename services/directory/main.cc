// hartslag-directory: who is who, and the tokens that prove it. Flags and
// wiring only.
//
//   hartslag-directory [flags]             serve
//   hartslag-directory bootstrap [flags]   create a tenant with its first admin
#include <cstdio>

#include "absl/strings/ascii.h"
#include "services/common/config.h"
#include "services/common/exactly_once.h"
#include "services/common/db.h"
#include "services/common/files.h"
#include "services/common/log.h"
#include "services/common/migrations.h"
#include "services/common/operations_service.h"
#include "services/common/periodic_task.h"
#include "services/common/server.h"
#include "services/common/service_audit.h"
#include "services/common/status_macros.h"
#include "services/directory/directory_admin.h"
#include "services/directory/directory_service.h"
#include "services/directory/directory_store.h"
#include "services/directory/tenant_bootstrap.h"
#include "services/directory/token_issuer.h"

namespace {

using namespace hartslag;

// Creates the tenant, the admin's organisation and the first admin.
absl::Status Bootstrap(int argc, char** argv) {
  Flags flags("hartslag-directory bootstrap", "create a tenant with its first admin");
  AddDatabaseFlags(flags, "HARTSLAG_DIRECTORY");
  flags.Add("tenant", "", "", "tenant id, e.g. heerlen");
  flags.Add("tenant-name", "", "", "e.g. Gemeente Heerlen");
  flags.Add("organisation", "", "", "the admin's organisation id (a MUNICIPALITY)");
  flags.Add("organisation-name", "", "", "its name");
  flags.Add("admin", "", "admin", "the admin's user id");
  flags.Add("admin-password-file", "", "", "file holding the admin's initial password");
  RETURN_IF_ERROR(flags.Parse(argc, argv, 2));
  if (flags.Get("admin-password-file").empty()) {
    return absl::InvalidArgumentError("--admin-password-file is required");
  }
  ASSIGN_OR_RETURN(std::string password, ReadFile(flags.Get("admin-password-file"), "--admin-password-file"));
  directory::NewTenant tenant{flags.Get("tenant"),
                              flags.Get("tenant-name"),
                              flags.Get("organisation"),
                              flags.Get("organisation-name"),
                              flags.Get("admin"),
                              std::string(absl::StripTrailingAsciiWhitespace(password))};
  ASSIGN_OR_RETURN(std::unique_ptr<db::Pool> pool, OpenServiceDatabase(flags, directory::kSchema, DirectoryMigrations()));
  directory::DirectoryStore store(pool.get());
  RETURN_IF_ERROR(directory::BootstrapTenant(store, tenant));
  Log(LogLevel::kInfo, "tenant bootstrapped", {{"tenant", tenant.tenant_id}});
  return absl::OkStatus();
}

absl::Status Serve(int argc, char** argv) {
  Flags flags("hartslag-directory", "who is who, and the tokens that prove it");
  AddServerFlags(flags, "HARTSLAG_DIRECTORY", 7401);
  AddAuditClientFlags(flags);
  flags.Add("jwt-signing-key", "HARTSLAG_JWT_SIGNING_KEY", "", "PEM file with the Ed25519 signing key");
  flags.Add("access-token-ttl", "HARTSLAG_ACCESS_TOKEN_TTL", "15m", "how long access tokens live");
  RETURN_IF_ERROR(flags.Parse(argc, argv));
  ASSIGN_OR_RETURN(int workers, flags.GetInt("workers"));
  ASSIGN_OR_RETURN(std::unique_ptr<db::Pool> pool, OpenServiceDatabase(flags, directory::kSchema, DirectoryMigrations()));
  ASSIGN_OR_RETURN(Authenticator authenticator, AuthenticatorFromFlags(flags));
  if (flags.Get("jwt-signing-key").empty()) return absl::InvalidArgumentError("--jwt-signing-key is required");
  ASSIGN_OR_RETURN(TokenSigner signer, TokenSigner::FromPemFile(flags.Get("jwt-signing-key")));
  directory::IssuerOptions options;
  options.issuer = flags.Get("jwt-issuer");
  if (!absl::ParseDuration(flags.Get("access-token-ttl"), &options.access_ttl) ||
      options.access_ttl <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--access-token-ttl: must be a duration such as 15m");
  }

  ASSIGN_OR_RETURN(std::unique_ptr<ServiceAudit> audit,
                   ServiceAudit::Start(flags, pool.get(), directory::kSchema));
  directory::DirectoryStore store(pool.get());
  directory::TokenIssuer issuer(&store, std::move(signer), options);
  directory::DirectoryAdmin directory_admin(pool.get(), &store, options.access_ttl);
  std::unique_ptr<PeriodicTask> forgetting = ForgetOldAnswers(pool.get(), directory::kSchema);
  WorkerPool worker_pool(workers);
  RpcRunner runner(&authenticator, &directory::kDirectoryPolicy, &worker_pool, audit->trail());
  directory::AuthServiceImpl auth(&runner, &issuer);
  directory::DirectoryServiceImpl admin(&runner, &directory_admin);
  directory::LookupServiceImpl lookup(&runner, &directory_admin);
  OperationsServiceImpl operations(&authenticator, &worker_pool, audit.get(), pool.get());
  ASSIGN_OR_RETURN(std::unique_ptr<MetricsEndpoint> metrics,
                   ServeMetrics(flags, pool.get(), audit.get(), operations.targets()));
  ServerOptions server = ServerOptionsFromFlags(flags);
  server.database = pool.get();
  server.runner = &runner;
  return RunServer(server, {&auth, &admin, &lookup, &operations});
}

}  // namespace

int main(int argc, char** argv) {
  SetLogService("directory");
  if (IsMigrateCommand(argc, argv)) {
    return ExitCode(Migrate(argc, argv, "hartslag-directory", "HARTSLAG_DIRECTORY", directory::kSchema,
                            DirectoryMigrations()));
  }
  bool bootstrap = argc > 1 && std::string(argv[1]) == "bootstrap";
  return ExitCode(bootstrap ? Bootstrap(argc, argv) : Serve(argc, argv));
}
