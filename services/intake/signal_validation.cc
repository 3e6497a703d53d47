#include "services/intake/signal_validation.h"

#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"
#include "services/common/text.h"
#include "services/common/validation.h"

namespace hartslag::intake {
namespace {

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
  return CheckPersonFields(absl::StrCat("persons[", index, "]"), *person.mutable_name(),
                           person.birth_year(), *person.mutable_role(), now);
}

}  // namespace

absl::Status ValidateAndNormalise(v1::SubmitSignalRequest& request, absl::Time now) {
  // Every bad field at once: the street coach corrects the form in one go.
  FieldErrors errors;
  if (request.request_id().empty()) {
    errors.Add(Invalid("request_id", "is required"));
  } else if (!IsUuid(request.request_id())) {
    errors.Add(Invalid("request_id", "must be a UUID"));
  } else {
    request.set_request_id(absl::AsciiStrToLower(request.request_id()));
  }
  errors.Add(CheckId("area_id", request.area_id()));
  if (!request.has_location() || !request.location().has_address()) {
    errors.Add(Invalid("location.address", "is required"));
  } else {
    errors.Add(CheckAddress("location.address", *request.mutable_location()->mutable_address()));
  }
  if (request.location().has_point()) errors.Add(CheckPoint(request.location().point()));
  errors.Add(CheckId("category_id", request.category_id()));
  errors.Add(CheckText("description", *request.mutable_description(), kMinDescriptionLength, kMaxDescriptionLength,
                       /*multi_line=*/true));
  if (request.has_observed_at()) {
    absl::StatusOr<absl::Time> observed = TimeFromProto(request.observed_at(), "observed_at");
    if (!observed.ok()) {
      errors.Add(observed.status());
    } else if (*observed > now + kClockSkew) {
      errors.Add(Invalid("observed_at", "lies in the future"));
    } else if (*observed < now - kMaxObservationAge) {
      errors.Add(Invalid("observed_at", "lies more than a year in the past"));
    }
  }
  if (request.source() == v1::SOURCE_UNSPECIFIED) {
    errors.Add(Invalid("source", "is required"));
  } else if (!v1::Source_IsValid(request.source())) {
    errors.Add(Invalid("source", "is not a known source"));
  }
  if (!v1::Urgency_IsValid(request.urgency())) {
    errors.Add(Invalid("urgency", "is not a known urgency"));
  } else if (request.urgency() == v1::URGENCY_UNSPECIFIED) {
    request.set_urgency(v1::URGENCY_NORMAL);
  }
  if (request.persons_size() > kMaxPersons) {
    errors.Add(Invalid("persons", absl::StrCat("at most ", kMaxPersons, " persons")));
  } else {
    for (int i = 0; i < request.persons_size(); ++i) errors.Add(CheckPerson(i, *request.mutable_persons(i), now));
  }
  return errors.status();
}

}  // namespace hartslag::intake
