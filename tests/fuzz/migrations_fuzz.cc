// Fuzzes OrderMigrations (services/common/migrations.h), which parses the
// names of the migration files a service carries and orders them.
//
// (There is no SQL splitter to fuzz: ApplyMigrations sends each file whole
// through Transaction::ExecScript, PostgreSQL's simple query protocol.)
//
// The input is one file per line, "<file name>:<sql>". Checked: an accepted
// set is numbered 1..n in order, each migration keeps its file's name, SQL and
// the SQL's SHA-256, and the order the files came in does not matter.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "services/common/crypto.h"
#include "services/common/migrations.h"

namespace {

using hartslag::db::Migration;
using hartslag::db::NumberedMigration;

void Check(bool condition) {
  if (!condition) std::abort();
}

bool Same(const NumberedMigration& a, const NumberedMigration& b) {
  return a.version == b.version && a.name == b.name && a.sql == b.sql && a.checksum == b.checksum;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<Migration> files;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    std::pair<std::string, std::string> parts = absl::StrSplit(line, absl::MaxSplits(':', 1));
    files.push_back({parts.first, parts.second});
  }
  auto ordered = hartslag::db::OrderMigrations(files);
  std::vector<Migration> reversed(files.rbegin(), files.rend());
  auto reordered = hartslag::db::OrderMigrations(reversed);
  Check(ordered.ok() == reordered.ok());
  if (!ordered.ok()) return 0;

  Check(ordered->size() == files.size());
  for (size_t i = 0; i < ordered->size(); ++i) {
    const NumberedMigration& m = (*ordered)[i];
    Check(m.version == static_cast<int>(i) + 1);
    Check(Same(m, (*reordered)[i]));
    Check(m.checksum == hartslag::HexEncode(hartslag::Sha256(m.sql)));
    std::string filename = absl::StrCat(absl::Dec(m.version, absl::kZeroPad4), "_", m.name, ".sql");
    auto file = std::find_if(files.begin(), files.end(),
                             [&](const Migration& f) { return f.filename == filename; });
    Check(file != files.end() && file->sql == m.sql);
  }
  return 0;
}
