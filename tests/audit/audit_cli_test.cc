// The privacy officer's command line against a running deployment: export
// the log with a tree head, verify it offline, prove one entry; an edited
// export fails verification naming the entry.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "hartslag/intake/v1/intake.grpc.pb.h"
#include "services/common/crypto.h"
#include "tests/support/cli_run.h"
#include "tests/support/deployment.h"
#include "tests/support/test_keys.h"

namespace hartslag::audit {
namespace {

using testing::Cli;
using testing::CliRun;

class AuditCliTest : public ::testing::Test {
 protected:
  AuditCliTest() : dir_("/tmp/hartslag-cli-" + HexEncode(RandomBytes(4))) {
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ + "/officer.token") << deployment_.PrivacyOfficerToken();
    // Some audited work to export.
    auto signals = intake::v1::SignalService::NewStub(deployment_.Channel(deployment_.intake()));
    std::string coach = deployment_.Token(
        testing::ClaimsFor("sanne.coach", "gemeente", "MUNICIPALITY", {"REPORTER"}, {"heerlen-noord"}));
    for (int i = 0; i < 5; ++i) {
      intake::v1::ListCategoriesResponse categories;
      EXPECT_TRUE(signals->ListCategories(deployment_.Call(coach).get(), {}, &categories).ok());
    }
    absl::Time give_up = absl::Now() + absl::Seconds(20);
    while (*deployment_.audit_store().Size("heerlen") < 5 && absl::Now() < give_up) {
      absl::SleepFor(absl::Milliseconds(50));
    }
  }
  ~AuditCliTest() override { std::filesystem::remove_all(dir_); }

  std::string Connection() {
    return absl::StrCat("--server ", deployment_.audit().address(), " --ca ", testing::CertsDir(),
                        "/ca.pem --token-file ", dir_, "/officer.token");
  }
  std::string PublicKey() const { return testing::CertsDir() + "/audit-tree.pub"; }

  testing::Deployment deployment_;
  std::string dir_;
};

TEST_F(AuditCliTest, ExportedLogVerifiesOfflineAndAnEditIsNamed) {
  CliRun exported = Cli(absl::StrCat("audit export ", Connection(), " --out ", dir_, "/log.jsonl --tree-head-out ",
                                  dir_, "/head.json"));
  ASSERT_EQ(exported.exit_code, 0) << exported.output;

  CliRun verified = Cli(absl::StrCat("audit verify --log ", dir_, "/log.jsonl --tree-head ", dir_,
                                  "/head.json --public-key ", PublicKey()));
  ASSERT_EQ(verified.exit_code, 0) << verified.output;
  std::smatch line;
  ASSERT_TRUE(std::regex_search(verified.output, line,
                                std::regex("(^|\\n)tree_size=([0-9]+) root=([0-9a-f]{64})\\n")))
      << verified.output;
  EXPECT_GE(std::stoi(line[2]), 5);

  CliRun proof = Cli(absl::StrCat("audit proof ", Connection(), " --index 2 --tree-head ", dir_,
                               "/head.json --public-key ", PublicKey()));
  EXPECT_EQ(proof.exit_code, 0) << proof.output;
  EXPECT_NE(proof.output.find("vermelding 2 staat in het log"), std::string::npos) << proof.output;

  // Swap entries 1 and 2 of the export: verification fails at entry 1.
  std::ifstream in(dir_ + "/log.jsonl");
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  ASSERT_GE(lines.size(), 3u);
  std::string leaf1 = std::regex_replace(lines[1], std::regex(".*\"leaf\":\"([^\"]*)\".*"), "$1");
  std::string leaf2 = std::regex_replace(lines[2], std::regex(".*\"leaf\":\"([^\"]*)\".*"), "$1");
  lines[1] = std::regex_replace(lines[1], std::regex("\"leaf\":\"[^\"]*\""), "\"leaf\":\"" + leaf2 + "\"");
  lines[2] = std::regex_replace(lines[2], std::regex("\"leaf\":\"[^\"]*\""), "\"leaf\":\"" + leaf1 + "\"");
  std::ofstream out(dir_ + "/edited.jsonl");
  for (const std::string& l : lines) out << l << "\n";
  out.close();
  CliRun refused = Cli(absl::StrCat("audit verify --log ", dir_, "/edited.jsonl --tree-head ", dir_,
                                 "/head.json --public-key ", PublicKey()));
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.output.find("entry 1:"), std::string::npos) << refused.output;
}

TEST_F(AuditCliTest, QueryNeedsAPrivacyOfficer) {
  std::ofstream(dir_ + "/coach.token") << deployment_.Token(
      testing::ClaimsFor("sanne.coach", "gemeente", "MUNICIPALITY", {"REPORTER"}, {"heerlen-noord"}));
  CliRun refused = Cli(absl::StrCat("audit query --server ", deployment_.audit().address(), " --ca ",
                                 testing::CertsDir(), "/ca.pem --token-file ", dir_, "/coach.token"));
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.output.find("PERMISSION_DENIED"), std::string::npos) << refused.output;

  CliRun query = Cli(absl::StrCat("audit query ", Connection(), " --object-type category --json"));
  EXPECT_EQ(query.exit_code, 0) << query.output;
  EXPECT_NE(query.output.find("sanne.coach"), std::string::npos) << query.output;
}

// `audit restrict` tells its request id before it sends; sent again with it,
// it gets the restriction the first call made and adds no second.
TEST_F(AuditCliTest, ARestrictionRetriedWithItsRequestIdIsAddedOnce) {
  std::string restrict = absl::StrCat("audit restrict ", Connection(),
                                      " --postcode \"6415 EG\" --house-number 41 --reason \"lopend onderzoek\""
                                      " --review-date 2099-06-01");
  CliRun first = Cli(restrict);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  std::smatch said;
  ASSERT_TRUE(std::regex_search(first.output, said, std::regex("^verzoek-id ([0-9a-f-]{36}) "))) << first.output;
  CliRun retried = Cli(absl::StrCat(restrict, " --request-id ", said[1].str()));
  ASSERT_EQ(retried.exit_code, 0) << retried.output;
  EXPECT_EQ(retried.output, first.output) << "the same restriction, the same id";
  auto all = deployment_.audit_store().Restrictions("heerlen", std::nullopt, 100);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->size(), 1u);
}

}  // namespace
}  // namespace hartslag::audit
