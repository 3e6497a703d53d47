// The command line behaves as people expect of one: help on stdout with exit
// 0, a usage error (unknown command, flag or value) named on stderr with
// exit 2, --version, one output switch (-o table|json|csv) for lists, and CSV
// that a spreadsheet opens safely.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "clients/cli/flag_values.h"
#include "clients/cli/output.h"
#include "tests/support/cli_run.h"
#include "tests/support/deployment.h"
#include "tests/support/test_keys.h"

namespace hartslag::cli {
namespace {

using testing::CliApart;
using testing::CliRun;

const char* const kGroups[] = {"admin", "signal", "triage", "case", "meeting", "action", "audit", "pki", "dev"};

TEST(CliConventionsTest, EveryGroupsHelpGoesToStdoutWithExitZero) {
  for (const char* group : kGroups) {
    for (const char* help : {"--help", "help", "-h"}) {
      CliRun run = CliApart(absl::StrCat(group, " ", help));
      EXPECT_EQ(run.exit_code, 0) << group << " " << help << ": " << run.errors;
      EXPECT_EQ(run.output.rfind(absl::StrCat("gebruik: hartslag ", group, " "), 0), 0u)
          << group << " " << help << ": " << run.output;
      EXPECT_EQ(run.errors, "") << group;
    }
  }
  for (const char* help : {"--help", "-h"}) {
    CliRun sub = CliApart(absl::StrCat("case list ", help));
    EXPECT_EQ(sub.exit_code, 0) << sub.errors;
    EXPECT_EQ(sub.output.rfind("hartslag case list: ", 0), 0u) << sub.output;
    EXPECT_NE(sub.output.find("-o, --output"), std::string::npos) << sub.output;
  }
  CliRun nested = CliApart("admin area --help");
  EXPECT_EQ(nested.exit_code, 0) << nested.errors;
  EXPECT_NE(nested.output.find("  create "), std::string::npos) << nested.output;
}

TEST(CliConventionsTest, TopLevelHelpNamesEveryCommand) {
  CliRun run = CliApart("--help");
  ASSERT_EQ(run.exit_code, 0) << run.errors;
  for (const char* group : kGroups) {
    EXPECT_NE(run.output.find(absl::StrCat("\n  ", group, " ")), std::string::npos) << group << ": " << run.output;
  }
  for (const char* command :
       {"login", "refresh", "client-token", "categories", "signal submit|get|list", "meeting schedule, list,",
        "correct", "action create|mine|list|update|watch", "area create|update|list", "outbox",
        "dead-letters audit|cases|directory|intake", "break-glass-reviews", "restrictions", "pseudonym-key"}) {
    EXPECT_NE(run.output.find(command), std::string::npos) << command << ": " << run.output;
  }
}

TEST(CliConventionsTest, VersionPrintsTheProjectVersion) {
  CliRun run = CliApart("--version");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.output, absl::StrCat("hartslag ", HARTSLAG_VERSION, "\n"));
}

TEST(CliConventionsTest, UsageErrorsExitTwoNamingTheMistake) {
  struct Case {
    const char* args;
    const char* named;
  } cases[] = {
      {"", "hartslag: commando ontbreekt"},
      {"bogus", "hartslag: onbekend commando bogus"},
      {"case", "hartslag case: commando ontbreekt"},
      {"case bogus", "hartslag case: onbekend commando bogus"},
      {"admin area bogus", "hartslag admin area: onbekend commando bogus"},
      {"case list --bogus", "hartslag case list: onbekende optie --bogus"},
      {"signal list --ca /dev/null --page-size many", "hartslag signal list: --page-size: moet een geheel getal zijn"},
      {"case list --ca /dev/null --kind bogus", "hartslag case list: --kind: onbekende waarde bogus"},
      {"case move --ca /dev/null --to closed", "hartslag case move: --id ontbreekt"},
      {"audit verify", "hartslag audit verify: --log ontbreekt"},
      {"case list -o bogus", "hartslag case list: -o: onbekend formaat bogus"},
      {"admin org list --output=xml", "hartslag admin org list: -o: onbekend formaat xml"},
      {"case get -o csv", "hartslag case get: -o csv: alleen voor lijsten"},
  };
  for (const Case& c : cases) {
    CliRun run = CliApart(c.args);
    EXPECT_EQ(run.exit_code, 2) << c.args << ": " << run.errors;
    EXPECT_EQ(run.errors.rfind(c.named, 0), 0u) << c.args << ": " << run.errors;
    EXPECT_NE(run.errors.find("--help"), std::string::npos) << c.args << ": " << run.errors;
    EXPECT_EQ(run.output, "") << c.args;
  }
}

TEST(CliTimeZoneTest, TimesAreReadAndShownInTheMunicipalitysZone) {
  google::protobuf::Timestamp noon_utc;
  noon_utc.set_seconds(1796126400);  // 2026-12-01 12:00 UTC
  unsetenv("HARTSLAG_TIME_ZONE");
  EXPECT_EQ(LocalTime(noon_utc), "2026-12-01 13:00") << "Europe/Amsterdam unless told otherwise";
  setenv("HARTSLAG_TIME_ZONE", "America/Kralendijk", 1);
  EXPECT_EQ(LocalTime(noon_utc), "2026-12-01 08:00");
  auto parsed = ParseTimeFlag("at", "2026-12-01 08:00");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(absl::ToUnixSeconds(*parsed), noon_utc.seconds());
  setenv("HARTSLAG_TIME_ZONE", "Mars/Olympus_Mons", 1);
  EXPECT_EQ(LocalTime(noon_utc), "2026-12-01 13:00") << "an unknown zone is reported and Amsterdam used";
  unsetenv("HARTSLAG_TIME_ZONE");
}

TEST(CsvTest, QuotesPerRfc4180) {
  EXPECT_EQ(CsvField("gewoon"), "gewoon");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("zei \"hoi\""), "\"zei \"\"hoi\"\"\"");
  EXPECT_EQ(CsvField("twee\nregels"), "\"twee\nregels\"");
  EXPECT_EQ(CsvField("cr\rhier"), "\"cr\rhier\"");
  EXPECT_EQ(CsvField(""), "");
  EXPECT_EQ(Csv({"A", "B"}, {{"1", "x,y"}, {"", "Casuïstiekoverleg"}}), "A,B\r\n1,\"x,y\"\r\n,Casuïstiekoverleg\r\n");
}

TEST(CsvTest, DefusesWhatASpreadsheetWouldTakeForAFormula) {
  EXPECT_EQ(CsvField("=1+1"), "'=1+1");
  EXPECT_EQ(CsvField("+31 45 123"), "'+31 45 123");
  EXPECT_EQ(CsvField("-2"), "'-2");
  EXPECT_EQ(CsvField("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(CsvField("\t=1"), "'\t=1");
  EXPECT_EQ(CsvField("=HYPERLINK(\"http://x\",\"klik\")"), "\"'=HYPERLINK(\"\"http://x\"\",\"\"klik\"\")\"");
  EXPECT_EQ(CsvField("a=b"), "a=b") << "only a first character starts a formula";
}

// -o on real lists, against a running deployment.
class CliOutputTest : public ::testing::Test {
 protected:
  CliOutputTest() {
    EXPECT_TRUE(deployment_.directory_store().CreateTenant("heerlen", "Gemeente Heerlen").ok());
    for (auto [id, name, kind] :
         {std::tuple{"a-formule", "=HYPERLINK(\"http://x\",\"klik\"), met komma", common::v1::ORGANISATION_KIND_CARE},
          std::tuple{"politie-limburg", "Politie Limburg", common::v1::ORGANISATION_KIND_POLICE}}) {
      directory::v1::Organisation org;
      org.set_organisation_id(id);
      org.set_name(name);
      org.set_kind(kind);
      EXPECT_TRUE(deployment_.directory_store().CreateOrganisation("heerlen", org, testing::Unaudited()).ok());
    }
  }

  std::string OrgList(const std::string& output) {
    return absl::StrCat("admin org list --server ", deployment_.directory().address(), " --ca ", testing::CertsDir(),
                        "/ca.pem --token ",
                        deployment_.Token(testing::ClaimsFor("admin", "gemeente-heerlen", "MUNICIPALITY", {"ADMIN"}, {})),
                        " ", output);
  }

  testing::Deployment deployment_;
};

TEST_F(CliOutputTest, AListPrintsAsTableJsonOrCsv) {
  CliRun table = CliApart(OrgList(""));
  ASSERT_EQ(table.exit_code, 0) << table.errors;
  EXPECT_EQ(table.output.rfind("ORGANISATIE", 0), 0u) << table.output;
  EXPECT_NE(table.output.find("politie-limburg"), std::string::npos) << table.output;

  CliRun json = CliApart(OrgList("-o json"));
  ASSERT_EQ(json.exit_code, 0) << json.errors;
  EXPECT_EQ(json.output.rfind("{\"organisations\":[", 0), 0u) << "the proto's keys: " << json.output;
  EXPECT_EQ(CliApart(OrgList("--json")).output, json.output) << "--json is -o json";

  CliRun csv = CliApart(OrgList("--output csv"));
  ASSERT_EQ(csv.exit_code, 0) << csv.errors;
  EXPECT_EQ(csv.output.rfind("ORGANISATIE,SOORT,NAAM\r\n", 0), 0u) << csv.output;
  EXPECT_NE(csv.output.find("\r\na-formule,CARE,\"'=HYPERLINK(\"\"http://x\"\",\"\"klik\"\"), met komma\"\r\n"),
            std::string::npos)
      << csv.output;
  EXPECT_NE(csv.output.find("\r\npolitie-limburg,POLICE,Politie Limburg\r\n"), std::string::npos) << csv.output;

  CliRun bogus = CliApart(OrgList("-o bogus"));
  EXPECT_EQ(bogus.exit_code, 2) << bogus.errors;
  EXPECT_EQ(bogus.output, "");
}

TEST_F(CliOutputTest, ARefusalExitsOne) {
  CliRun refused = CliApart(absl::StrCat("admin org list --server ", deployment_.directory().address(), " --ca ",
                                         testing::CertsDir(), "/ca.pem --token not-a-token -o csv"));
  EXPECT_EQ(refused.exit_code, 1) << refused.errors;
  EXPECT_NE(refused.errors.find("UNAUTHENTICATED"), std::string::npos) << refused.errors;
  EXPECT_EQ(refused.output, "");
}

}  // namespace
}  // namespace hartslag::cli
