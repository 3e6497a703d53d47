#include "tests/support/test_database.h"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/common/crypto.h"
#include "services/common/db.h"

namespace hartslag::testing {

TestDatabase::TestDatabase() {
  const char* state = std::getenv("HARTSLAG_TEST_STATE");
  if (state == nullptr) throw std::runtime_error("HARTSLAG_TEST_STATE is not set; run through ctest");
  std::string file = std::string(state) + "/conninfo";
  std::ifstream in(file);
  std::getline(in, admin_);
  admin_ = std::string(absl::StripAsciiWhitespace(admin_));
  if (admin_.empty()) throw std::runtime_error(absl::StrCat("no conninfo in ", file));
  name_ = absl::StrCat("t_", HexEncode(RandomBytes(8)));
  absl::Status status = db::ExecuteOnce(admin_, absl::StrCat("CREATE DATABASE ", name_));
  if (!status.ok()) throw std::runtime_error(status.ToString());
  std::string base = admin_.substr(0, admin_.find("dbname="));
  conninfo_ = absl::StrCat(base, "dbname=", name_);
}

TestDatabase::~TestDatabase() {
  (void)db::ExecuteOnce(admin_, absl::StrCat("DROP DATABASE IF EXISTS ", name_, " WITH (FORCE)"));
}

}  // namespace hartslag::testing
