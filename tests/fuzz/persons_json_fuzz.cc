// Fuzzes the reading of a signal's persons from the JSON that intake keeps
// in intake.signals.persons (PersonsFromJson, services/intake/signal_store.h),
// and CheckPersonFields (services/common/validation.h) on what it reads. The
// whole input is the column's text. The corpus keeps the inputs that crashed
// the reading before it checked each value's type and range.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "services/common/validation.h"
#include "services/intake/signal_store.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<hartslag::intake::v1::Person> persons =
      hartslag::intake::PersonsFromJson(absl::string_view(reinterpret_cast<const char*>(data), size));
  const absl::Time now = absl::FromUnixSeconds(1772323200);  // 2026-03-01
  for (hartslag::intake::v1::Person& person : persons) {
    hartslag::CheckPersonFields("persons[0]", *person.mutable_name(), person.birth_year(),
                                *person.mutable_role(), now)
        .IgnoreError();
  }
  return 0;
}
