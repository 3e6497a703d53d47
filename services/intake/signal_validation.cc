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
  if (request.request_id().empty()) return Invalid("request_id", "is required");
  if (!IsUuid(request.request_id())) return Invalid("request_id", "must be a UUID");
  request.set_request_id(absl::AsciiStrToLower(request.request_id()));

  RETURN_IF_ERROR(CheckId("area_id", request.area_id()));
  if (!request.has_location() || !request.location().has_address()) {
    return Invalid("location.address", "is required");
  }
  RETURN_IF_ERROR(CheckAddress("location.address", *request.mutable_location()->mutable_address()));
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
