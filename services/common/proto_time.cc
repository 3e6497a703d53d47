#include "services/common/proto_time.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"

namespace hartslag {

using google::protobuf::util::TimeUtil;

absl::StatusOr<absl::Time> TimeFromProto(const google::protobuf::Timestamp& timestamp,
                                         absl::string_view field) {
  if (timestamp.seconds() < TimeUtil::kTimestampMinSeconds ||
      timestamp.seconds() > TimeUtil::kTimestampMaxSeconds || timestamp.nanos() < 0 ||
      timestamp.nanos() > 999999999) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": is not a valid time"));
  }
  return absl::FromUnixSeconds(timestamp.seconds()) + absl::Nanoseconds(timestamp.nanos());
}

google::protobuf::Timestamp TimeToProto(absl::Time time) {
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(time));
}

}  // namespace hartslag
