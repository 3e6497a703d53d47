// What a deployment runs besides serving: the `migrate` command of each
// service, a service that may not change its schema (--migrations=require),
// and `hartslag health`, the readiness probe.
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tests/support/cli_run.h"
#include "tests/support/service_process.h"
#include "tests/support/test_database.h"

namespace hartslag::testing {
namespace {

// The shell words that start hartslag-intake on `db` with the test keys.
std::vector<std::string> IntakeArgs(const std::string& db, const std::string& migrations) {
  const std::string certs = CertsDir();
  return {"--db", db, "--migrations", migrations, "--tls-cert", certs + "/server.pem", "--tls-key",
          certs + "/server.key", "--jwt-public-keys", certs + "/jwt.pub", "--pseudonym-key", certs + "/pseudonym.key"};
}

std::string Quoted(const std::vector<std::string>& words) {
  std::vector<std::string> quoted;
  for (const std::string& w : words) quoted.push_back(absl::StrCat("'", w, "'"));
  return absl::StrJoin(quoted, " ");
}

TEST(ServiceCommandsTest, AServiceThatMayNotMigrateRefusesAnOutdatedSchemaAndServesOnceMigrateRan) {
  TestDatabase db;
  const std::string conninfo = db.ServiceConninfo("intake");
  const std::string intake = HARTSLAG_INTAKE_BINARY;

  CliRun refused = RunShell(absl::StrCat(intake, " ", Quoted(IntakeArgs(conninfo, "require")), " --listen 127.0.0.1:0 2>&1"));
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("schema intake lacks migration 1_"), std::string::npos) << refused.output;
  EXPECT_NE(refused.output.find("migrate"), std::string::npos) << refused.output;

  CliRun migrated = RunShell(absl::StrCat(intake, " migrate --db '", conninfo, "' 2>&1"));
  ASSERT_EQ(migrated.exit_code, 0) << migrated.output;
  EXPECT_NE(migrated.output.find("migrations applied"), std::string::npos) << migrated.output;
  CliRun again = RunShell(absl::StrCat(intake, " migrate --db '", conninfo, "' 2>&1"));
  EXPECT_EQ(again.exit_code, 0) << again.output;

  ServiceProcess serving(intake, IntakeArgs(conninfo, "require"));
  CliRun health = Cli(absl::StrCat("health --server ", serving.address(), " --ca ", CertsDir(), "/ca.pem"));
  EXPECT_EQ(health.exit_code, 0) << health.output;
  EXPECT_EQ(health.output, "SERVING\n");
}

TEST(ServiceCommandsTest, MigrationsMustBeApplyOrRequire) {
  TestDatabase db;
  CliRun run = RunShell(absl::StrCat(HARTSLAG_INTAKE_BINARY, " ",
                                     Quoted(IntakeArgs(db.ServiceConninfo("intake"), "sometimes")), " 2>&1"));
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.output.find("--migrations: must be apply or require"), std::string::npos) << run.output;
}

TEST(ServiceCommandsTest, HealthFailsWhenNothingAnswers) {
  CliRun health = Cli(absl::StrCat("health --server localhost:", FreePort(), " --ca ", CertsDir(),
                                   "/ca.pem --timeout 1s"));
  EXPECT_EQ(health.exit_code, 1) << health.output;
  EXPECT_EQ(health.output.find("SERVING"), std::string::npos) << health.output;
}

}  // namespace
}  // namespace hartslag::testing
