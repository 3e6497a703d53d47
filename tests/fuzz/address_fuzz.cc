// Fuzzes NormalisePostcode and CheckAddress (services/common/validation.h),
// which every service runs on the addresses callers send.
//
// The input is "street|house number|addition|postcode|city|bag id": fields
// split on '|', missing ones empty, the house number in decimal (anything
// else is 0). Both functions normalise, so each must accept its own output
// and leave it as it is.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "hartslag/common/v1/common.pb.h"
#include "services/common/validation.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> fields = absl::StrSplit(text, '|');
  fields.resize(6);

  if (auto postcode = hartslag::NormalisePostcode(fields[3])) {
    auto again = hartslag::NormalisePostcode(*postcode);
    if (!again || *again != *postcode) std::abort();
  }

  hartslag::common::v1::Address address;
  address.set_street(fields[0]);
  int32_t house_number = 0;
  if (absl::SimpleAtoi(fields[1], &house_number)) address.set_house_number(house_number);
  address.set_house_number_addition(fields[2]);
  address.set_postcode(fields[3]);
  address.set_city(fields[4]);
  address.set_bag_id(fields[5]);
  if (!hartslag::CheckAddress("address", address).ok()) return 0;
  hartslag::common::v1::Address normalised = address;
  if (!hartslag::CheckAddress("address", normalised).ok()) std::abort();
  if (normalised.SerializeAsString() != address.SerializeAsString()) std::abort();
  return 0;
}
