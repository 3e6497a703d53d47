#include "services/common/validation.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "re2/re2.h"
#include "services/common/status_macros.h"
#include "services/common/text.h"

namespace hartslag {

std::optional<std::string> NormalisePostcode(absl::string_view postcode) {
  // Four digits not starting with 0, then two letters; SA, SD and SS are
  // never issued.
  static const re2::RE2 kPostcode("([1-9][0-9]{3}) ?([A-Z]{2})");
  std::string upper = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(postcode));
  std::string digits, letters;
  if (!re2::RE2::FullMatch(upper, kPostcode, &digits, &letters)) return std::nullopt;
  if (letters == "SA" || letters == "SD" || letters == "SS") return std::nullopt;
  return absl::StrCat(digits, " ", letters);
}

void FieldErrors::Add(const absl::Status& status) {
  if (status.ok()) return;
  if (status.code() != absl::StatusCode::kInvalidArgument) {
    if (other_.ok()) other_ = status;
    return;
  }
  absl::StrAppend(&invalid_, invalid_.empty() ? "" : "; ", status.message());
}

absl::Status FieldErrors::status() const {
  if (!other_.ok()) return other_;
  return invalid_.empty() ? absl::OkStatus() : absl::InvalidArgumentError(invalid_);
}

absl::Status Invalid(absl::string_view field, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", reason));
}

absl::Status CheckText(absl::string_view field, std::string& value, size_t min, size_t max,
                       bool multi_line) {
  value = std::string(absl::StripAsciiWhitespace(value));
  std::optional<size_t> length = Utf8Length(value);
  if (!length) return Invalid(field, "is not valid UTF-8");
  if (HasControlCharacters(value, multi_line)) return Invalid(field, "contains control characters");
  if (*length < min) {
    return Invalid(field, min == 1 ? "is required" : absl::StrCat("must be at least ", min, " characters"));
  }
  if (*length > max) return Invalid(field, absl::StrCat("must be at most ", max, " characters"));
  return absl::OkStatus();
}

absl::Status CheckId(absl::string_view field, const std::string& value) {
  if (value.empty()) return Invalid(field, "is required");
  if (!IsId(value)) return Invalid(field, "must be an id of lower-case letters, digits and dashes");
  return absl::OkStatus();
}

absl::Status CheckAddress(absl::string_view prefix, common::v1::Address& address) {
  RETURN_IF_ERROR(CheckText(absl::StrCat(prefix, ".street"), *address.mutable_street(), 1, 80));
  if (address.house_number() < 1 || address.house_number() > 99999) {
    return Invalid(absl::StrCat(prefix, ".house_number"), "must be between 1 and 99999");
  }
  static const re2::RE2 kAddition("[A-Z0-9]{1,6}");
  std::string addition = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(address.house_number_addition()));
  if (!addition.empty() && !re2::RE2::FullMatch(addition, kAddition)) {
    return Invalid(absl::StrCat(prefix, ".house_number_addition"), "must be up to 6 letters or digits");
  }
  address.set_house_number_addition(addition);
  std::optional<std::string> postcode = NormalisePostcode(address.postcode());
  if (address.postcode().empty()) return Invalid(absl::StrCat(prefix, ".postcode"), "is required");
  if (!postcode) return Invalid(absl::StrCat(prefix, ".postcode"), "must look like 1234 AB");
  address.set_postcode(*postcode);
  RETURN_IF_ERROR(CheckText(absl::StrCat(prefix, ".city"), *address.mutable_city(), 1, 80));
  static const re2::RE2 kBagId("[0-9]{16}");
  if (!address.bag_id().empty() && !re2::RE2::FullMatch(address.bag_id(), kBagId)) {
    return Invalid(absl::StrCat(prefix, ".bag_id"), "must be 16 digits");
  }
  return absl::OkStatus();
}

absl::Status CheckPersonFields(absl::string_view prefix, std::string& name, int birth_year,
                               std::string& role, absl::Time now) {
  RETURN_IF_ERROR(CheckText(absl::StrCat(prefix, ".name"), name, 1, 200));
  int this_year = static_cast<int>(absl::ToCivilYear(now, absl::UTCTimeZone()).year());
  if (birth_year != 0 && (birth_year < 1900 || birth_year > this_year)) {
    return Invalid(absl::StrCat(prefix, ".birth_year"),
                   absl::StrCat("must be between 1900 and ", this_year, ", or 0 if unknown"));
  }
  return CheckText(absl::StrCat(prefix, ".role"), role, 0, 100);
}

}  // namespace hartslag
