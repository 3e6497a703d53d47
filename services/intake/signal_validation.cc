#include "services/intake/signal_validation.h"

#include <cmath>
#include <regex>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"
#include "services/common/text.h"

namespace hartslag::intake {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", reason));
}

// Checks a text field: valid UTF-8, no control characters, and a length in
// code points within [min, max]. Trims surrounding whitespace first.
absl::Status CheckText(absl::string_view field, std::string& value, size_t min, size_t max,
                       bool multi_line = false) {
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

absl::Status CheckAddress(common::v1::Address& address) {
  RETURN_IF_ERROR(CheckText("location.address.street", *address.mutable_street(), 1, 80));
  if (address.house_number() < 1 || address.house_number() > 99999) {
    return Invalid("location.address.house_number", "must be between 1 and 99999");
  }
  static const std::regex kAddition("^[A-Z0-9]{1,6}$");
  std::string addition = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(address.house_number_addition()));
  if (!addition.empty() && !std::regex_match(addition, kAddition)) {
    return Invalid("location.address.house_number_addition", "must be up to 6 letters or digits");
  }
  address.set_house_number_addition(addition);
  std::optional<std::string> postcode = NormalisePostcode(address.postcode());
  if (address.postcode().empty()) return Invalid("location.address.postcode", "is required");
  if (!postcode) return Invalid("location.address.postcode", "must look like 1234 AB");
  address.set_postcode(*postcode);
  RETURN_IF_ERROR(CheckText("location.address.city", *address.mutable_city(), 1, 80));
  static const std::regex kBagId("^[0-9]{16}$");
  if (!address.bag_id().empty() && !std::regex_match(address.bag_id(), kBagId)) {
    return Invalid("location.address.bag_id", "must be 16 digits");
  }
  return absl::OkStatus();
}

absl::Status CheckPoint(const common::v1::GeoPoint& point) {
  if (!std::isfinite(point.latitude()) || point.latitude() < -90 || point.latitude() > 90) {
    return Invalid("location.point.latitude", "must be between -90 and 90");
  }
  if (!std::isfinite(point.longitude()) || point.longitude() < -180 || point.longitude() > 180) {
    return Invalid("location.point.longitude", "must be between -180 and 180");
  }
  return absl::OkStatus();
}

absl::Status CheckPerson(int index, v1::Person& person, absl::Time now) {
  std::string prefix = absl::StrCat("persons[", index, "]");
  RETURN_IF_ERROR(CheckText(prefix + ".name", *person.mutable_name(), 1, 200));
  int this_year = absl::ToCivilYear(now, absl::UTCTimeZone()).year();
  if (person.birth_year() != 0 && (person.birth_year() < 1900 || person.birth_year() > this_year)) {
    return Invalid(prefix + ".birth_year", absl::StrCat("must be between 1900 and ", this_year, ", or 0 if unknown"));
  }
  return CheckText(prefix + ".role", *person.mutable_role(), 0, 100);
}

}  // namespace

std::optional<std::string> NormalisePostcode(absl::string_view postcode) {
  // Four digits not starting with 0, then two letters; SA, SD and SS are
  // never issued.
  static const std::regex kPostcode("^([1-9][0-9]{3}) ?([A-Z]{2})$");
  std::string upper = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(postcode));
  std::smatch match;
  if (!std::regex_match(upper, match, kPostcode)) return std::nullopt;
  std::string letters = match[2].str();
  if (letters == "SA" || letters == "SD" || letters == "SS") return std::nullopt;
  return absl::StrCat(match[1].str(), " ", letters);
}

absl::Status ValidateAndNormalise(v1::SubmitSignalRequest& request, absl::Time now) {
  if (request.request_id().empty()) return Invalid("request_id", "is required");
  if (!IsUuid(request.request_id())) return Invalid("request_id", "must be a UUID");
  request.set_request_id(absl::AsciiStrToLower(request.request_id()));

  RETURN_IF_ERROR(CheckId("area_id", request.area_id()));
  if (!request.has_location() || !request.location().has_address()) {
    return Invalid("location.address", "is required");
  }
  RETURN_IF_ERROR(CheckAddress(*request.mutable_location()->mutable_address()));
  if (request.location().has_point()) RETURN_IF_ERROR(CheckPoint(request.location().point()));
  RETURN_IF_ERROR(CheckId("category_id", request.category_id()));
  RETURN_IF_ERROR(CheckText("description", *request.mutable_description(), kMinDescriptionLength,
                            kMaxDescriptionLength, /*multi_line=*/true));

  if (request.has_observed_at()) {
    ASSIGN_OR_RETURN(absl::Time observed, TimeFromProto(request.observed_at(), "observed_at"));
    if (observed > now + kClockSkew) return Invalid("observed_at", "lies in the future");
    if (observed < now - kMaxObservationAge) {
      return Invalid("observed_at", "lies more than a year in the past");
    }
  }
  if (request.source() == v1::SOURCE_UNSPECIFIED) return Invalid("source", "is required");
  if (!v1::Source_IsValid(request.source())) return Invalid("source", "is not a known source");
  if (!v1::Urgency_IsValid(request.urgency())) return Invalid("urgency", "is not a known urgency");
  if (request.urgency() == v1::URGENCY_UNSPECIFIED) request.set_urgency(v1::URGENCY_NORMAL);

  if (request.persons_size() > kMaxPersons) {
    return Invalid("persons", absl::StrCat("at most ", kMaxPersons, " persons"));
  }
  for (int i = 0; i < request.persons_size(); ++i) {
    RETURN_IF_ERROR(CheckPerson(i, *request.mutable_persons(i), now));
  }
  return absl::OkStatus();
}

}  // namespace hartslag::intake
