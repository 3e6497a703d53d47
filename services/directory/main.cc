// hartslag-directory: who is who, and the tokens that prove it. Flags and
// wiring only.
//
//   hartslag-directory [flags]             serve
//   hartslag-directory bootstrap [flags]   create a tenant with its first admin
#include <cstdio>

#include "absl/strings/ascii.h"
#include "services/common/config.h"
#include "services/common/db.h"
#include "services/common/files.h"
#include "services/common/log.h"
#include "services/common/migrations.h"
#include "services/common/operations_service.h"
#include "services/common/server.h"
#include "services/common/service_audit.h"
#include "services/common/status_macros.h"
#include "services/directory/directory_service.h"
#include "services/directory/directory_store.h"
#include "services/directory/password.h"
#include "services/directory/token_issuer.h"

namespace {

using namespace hartslag;

// Creates the tenant, the admin's organisation and the first admin; keeps
// what exists, so it can run on every start-up of a development cluster.
absl::Status Bootstrap(int argc, char** argv) {
  Flags flags("hartslag-directory bootstrap", "create a tenant with its first admin");
  flags.Add("db", "HARTSLAG_DIRECTORY_DB", "", "libpq connection string");
  flags.Add("db-pool-size", "", "2", "database connections");
  flags.Add("tenant", "", "", "tenant id, e.g. heerlen");
  flags.Add("tenant-name", "", "", "e.g. Gemeente Heerlen");
  flags.Add("organisation", "", "", "the admin's organisation id (a MUNICIPALITY)");
  flags.Add("organisation-name", "", "", "its name");
  flags.Add("admin", "", "admin", "the admin's user id");
  flags.Add("admin-password-file", "", "", "file holding the admin's initial password");
  RETURN_IF_ERROR(flags.Parse(argc, argv, 2));
  for (const char* required : {"tenant", "tenant-name", "organisation", "organisation-name",
                               "admin-password-file"}) {
    if (flags.Get(required).empty()) {
      return absl::InvalidArgumentError(absl::StrCat("--", required, " is required"));
    }
  }
  ASSIGN_OR_RETURN(std::string password, ReadFile(flags.Get("admin-password-file"), "--admin-password-file"));
  password = std::string(absl::StripTrailingAsciiWhitespace(password));
  if (password.size() < directory::kMinPasswordLength) {
    return absl::InvalidArgumentError("--admin-password-file: the password must be at least 12 characters");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<db::Pool> pool, OpenServiceDatabase(flags, directory::kSchema, DirectoryMigrations()));
  directory::DirectoryStore store(pool.get());
  RETURN_IF_ERROR(store.CreateTenant(flags.Get("tenant"), flags.Get("tenant-name")));
  // Bootstrapping runs before any audit log exists for the tenant: it is in
  // the operator's shell history and the service log, not in the audit log.
  AuditRecord unaudited;
  directory::v1::Organisation organisation;
  organisation.set_organisation_id(flags.Get("organisation"));
  organisation.set_name(flags.Get("organisation-name"));
  organisation.set_kind(common::v1::ORGANISATION_KIND_MUNICIPALITY);
  if (auto created = store.CreateOrganisation(flags.Get("tenant"), organisation, unaudited);
      !created.ok() && !absl::IsAlreadyExists(created.status())) {
    return created.status();
  }
  ASSIGN_OR_RETURN(auto existing, store.FindAccount(flags.Get("tenant"), flags.Get("admin")));
  if (!existing) {
    directory::v1::User admin;
    admin.set_user_id(flags.Get("admin"));
    admin.set_organisation_id(flags.Get("organisation"));
    admin.set_display_name("Beheerder");
    admin.add_roles("ADMIN");
    ASSIGN_OR_RETURN(std::string hash, directory::HashPassword(password));
    RETURN_IF_ERROR(store.CreateUser(flags.Get("tenant"), admin, hash, unaudited).status());
  }
  Log(LogLevel::kInfo, "tenant bootstrapped", {{"tenant", flags.Get("tenant")}});
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
  WorkerPool worker_pool(workers);
  RpcRunner runner(&authenticator, &directory::kDirectoryPolicy, &worker_pool, audit->trail());
  directory::AuthServiceImpl auth(&runner, &issuer);
  directory::DirectoryServiceImpl admin(&runner, &store);
  directory::LookupServiceImpl lookup(&runner, &store);
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
  bool bootstrap = argc > 1 && std::string(argv[1]) == "bootstrap";
  return ExitCode(bootstrap ? Bootstrap(argc, argv) : Serve(argc, argv));
}
