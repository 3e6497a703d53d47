// Checks on request fields shared by every service's validation. Each
// failure is INVALID_ARGUMENT naming the field and the reason, e.g.
// "address.postcode: must look like 1234 AB"; each check normalises the
// value in place where that is part of accepting it.
#ifndef HARTSLAG_SERVICES_COMMON_VALIDATION_H_
#define HARTSLAG_SERVICES_COMMON_VALIDATION_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "hartslag/common/v1/common.pb.h"

namespace hartslag {

absl::Status Invalid(absl::string_view field, absl::string_view reason);

// Collects the checks of one request so that a form learns every bad field
// at once: one INVALID_ARGUMENT naming each ("a: r1; b: r2", from which
// status_details.h makes one FieldViolation per field). An error of another
// code is kept instead, as it is.
//
//   FieldErrors errors;
//   errors.Add(CheckText("description", ...));
//   errors.Add(CheckAddress("location.address", ...));
//   return errors.status();
class FieldErrors {
 public:
  void Add(const absl::Status& status);
  absl::Status status() const;

 private:
  std::string invalid_;  // the INVALID_ARGUMENT messages so far, "; "-joined
  absl::Status other_;   // the first error of another code
};

// Valid UTF-8, no control characters (newlines allowed with `multi_line`),
// and a length in code points within [min, max]; trims surrounding
// whitespace first.
absl::Status CheckText(absl::string_view field, std::string& value, size_t min, size_t max,
                       bool multi_line = false);

// A required id (IsId, text.h).
absl::Status CheckId(absl::string_view field, const std::string& value);

// A Dutch address under `prefix` (e.g. "location.address"): street, house
// number 1..99999, addition up to 6 letters or digits (upper-cased),
// postcode (normalised to "1234 AB"), city, optional 16-digit BAG id.
absl::Status CheckAddress(absl::string_view prefix, common::v1::Address& address);

// "1234ab", "1234 AB" -> "1234 AB"; nullopt if not a Dutch postcode.
std::optional<std::string> NormalisePostcode(absl::string_view postcode);

// A person's name (1 to 200 characters), year of birth (1900 to this year,
// or 0 if unknown) and role (up to 100 characters), under `prefix`.
absl::Status CheckPersonFields(absl::string_view prefix, std::string& name, int birth_year,
                               std::string& role, absl::Time now);

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_VALIDATION_H_
