// Fuzzes LooksLikeReference (services/common/reference.h), which intake runs
// on the reference a caller searches for.
//
// The whole input is the text. Then, from the same bytes, a prefix, year and
// number within what FormatReference is used for (1 to 8 capitals, years 0
// to 9999, numbers below 10^18): what FormatReference writes must look like
// a reference.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <fuzzer/FuzzedDataProvider.h>

#include "absl/strings/string_view.h"
#include "services/common/reference.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hartslag::LooksLikeReference(absl::string_view(reinterpret_cast<const char*>(data), size));

  FuzzedDataProvider input(data, size);
  std::string prefix(input.ConsumeIntegralInRange<size_t>(1, 8), 'A');
  for (char& c : prefix) c = static_cast<char>('A' + input.ConsumeIntegralInRange<int>(0, 25));
  int year = input.ConsumeIntegralInRange<int>(0, 9999);
  int64_t number = input.ConsumeIntegralInRange<int64_t>(0, 999'999'999'999'999'999);
  if (!hartslag::LooksLikeReference(hartslag::FormatReference(prefix, year, number))) std::abort();
  return 0;
}
