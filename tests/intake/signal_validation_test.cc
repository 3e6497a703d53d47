// What a signal must look like before it is stored. Every rule names the
// field it is about.
#include "services/intake/signal_validation.h"

#include <gtest/gtest.h>

#include <functional>

#include "services/common/proto_time.h"
#include "tests/support/sample_signal.h"

namespace hartslag::intake {
namespace {

const absl::Time kNow = absl::FromCivil(absl::CivilSecond(2026, 11, 28, 22, 0, 0), absl::UTCTimeZone());

v1::SubmitSignalRequest Valid() { return testing::SampleSignal(); }

TEST(SignalValidationTest, ValidSignalPasses) {
  v1::SubmitSignalRequest r = Valid();
  EXPECT_TRUE(ValidateAndNormalise(r, kNow).ok());
}

TEST(SignalValidationTest, NormalisesWhatUsersTypeDifferently) {
  v1::SubmitSignalRequest r = Valid();
  r.set_request_id("0B7C3A5E-6F7D-4C1A-9A8E-2F1D3C4B5A69");  // as some clients send it
  r.mutable_location()->mutable_address()->set_postcode(" 6414ab ");
  r.mutable_location()->mutable_address()->set_house_number_addition("a");
  r.set_description("  Matrassen en huisraad naast de container.\n");
  ASSERT_TRUE(ValidateAndNormalise(r, kNow).ok());
  EXPECT_EQ(r.request_id(), "0b7c3a5e-6f7d-4c1a-9a8e-2f1d3c4b5a69");
  EXPECT_EQ(r.location().address().postcode(), "6414 AB");
  EXPECT_EQ(r.location().address().house_number_addition(), "A");
  EXPECT_EQ(r.description(), "Matrassen en huisraad naast de container.");
  EXPECT_EQ(r.urgency(), v1::URGENCY_NORMAL);
}

struct BadInput {
  const char* name;
  std::function<void(v1::SubmitSignalRequest&)> spoil;
  const char* message;  // the start of the error: field and reason
};

class SignalValidationBadInputTest : public ::testing::TestWithParam<BadInput> {};

TEST_P(SignalValidationBadInputTest, IsRefusedNamingTheField) {
  v1::SubmitSignalRequest r = Valid();
  GetParam().spoil(r);
  absl::Status status = ValidateAndNormalise(r, kNow);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message().substr(0, strlen(GetParam().message)), GetParam().message)
      << status.message();
}

using R = v1::SubmitSignalRequest;
absl::Time Ago(absl::Duration d) { return kNow - d; }

INSTANTIATE_TEST_SUITE_P(
    Rules, SignalValidationBadInputTest,
    ::testing::Values(
        BadInput{"NoRequestId", [](R& r) { r.clear_request_id(); }, "request_id: is required"},
        BadInput{"RequestIdNotUuid", [](R& r) { r.set_request_id("retry-1"); }, "request_id: must be a UUID"},
        BadInput{"NoArea", [](R& r) { r.clear_area_id(); }, "area_id: is required"},
        BadInput{"AreaWithSpaces", [](R& r) { r.set_area_id("Vrie heide"); }, "area_id: must be an id"},
        BadInput{"NoLocation", [](R& r) { r.clear_location(); }, "location.address: is required"},
        BadInput{"NoStreet", [](R& r) { r.mutable_location()->mutable_address()->clear_street(); },
                 "location.address.street: is required"},
        BadInput{"LongStreet", [](R& r) { r.mutable_location()->mutable_address()->set_street(std::string(81, 'x')); },
                 "location.address.street: must be at most 80 characters"},
        BadInput{"StreetNotUtf8", [](R& r) { r.mutable_location()->mutable_address()->set_street("Heeren\xffweg"); },
                 "location.address.street: is not valid UTF-8"},
        BadInput{"StreetOverlongUtf8", [](R& r) { r.mutable_location()->mutable_address()->set_street("\xc0\xafweg"); },
                 "location.address.street: is not valid UTF-8"},
        BadInput{"StreetControlCharacter", [](R& r) { r.mutable_location()->mutable_address()->set_street("Heeren\x01weg"); },
                 "location.address.street: contains control characters"},
        BadInput{"HouseNumberZero", [](R& r) { r.mutable_location()->mutable_address()->set_house_number(0); },
                 "location.address.house_number: must be between 1 and 99999"},
        BadInput{"HouseNumberTooBig", [](R& r) { r.mutable_location()->mutable_address()->set_house_number(100000); },
                 "location.address.house_number: must be between 1 and 99999"},
        BadInput{"AdditionTooLong", [](R& r) { r.mutable_location()->mutable_address()->set_house_number_addition("ABCDEFG"); },
                 "location.address.house_number_addition: must be up to 6"},
        BadInput{"NoPostcode", [](R& r) { r.mutable_location()->mutable_address()->clear_postcode(); },
                 "location.address.postcode: is required"},
        BadInput{"PostcodeLeadingZero", [](R& r) { r.mutable_location()->mutable_address()->set_postcode("0414 AB"); },
                 "location.address.postcode: must look like 1234 AB"},
        BadInput{"PostcodeSS", [](R& r) { r.mutable_location()->mutable_address()->set_postcode("6414 SS"); },
                 "location.address.postcode: must look like 1234 AB"},
        BadInput{"PostcodeBelgian", [](R& r) { r.mutable_location()->mutable_address()->set_postcode("3500"); },
                 "location.address.postcode: must look like 1234 AB"},
        BadInput{"NoCity", [](R& r) { r.mutable_location()->mutable_address()->clear_city(); },
                 "location.address.city: is required"},
        BadInput{"BagIdShort", [](R& r) { r.mutable_location()->mutable_address()->set_bag_id("0917200000"); },
                 "location.address.bag_id: must be 16 digits"},
        BadInput{"LatitudeOutOfRange", [](R& r) { r.mutable_location()->mutable_point()->set_latitude(91); },
                 "location.point.latitude: must be between -90 and 90"},
        BadInput{"LongitudeOutOfRange", [](R& r) {
                   r.mutable_location()->mutable_point()->set_latitude(50.9);
                   r.mutable_location()->mutable_point()->set_longitude(-181);
                 },
                 "location.point.longitude: must be between -180 and 180"},
        BadInput{"NoCategory", [](R& r) { r.clear_category_id(); }, "category_id: is required"},
        BadInput{"NoDescription", [](R& r) { r.clear_description(); }, "description: must be at least 10 characters"},
        BadInput{"DescriptionOnlySpaces", [](R& r) { r.set_description("             "); },
                 "description: must be at least 10 characters"},
        BadInput{"DescriptionTooLong", [](R& r) { r.set_description(std::string(4001, 'x')); },
                 "description: must be at most 4000 characters"},
        BadInput{"ObservedInFuture", [](R& r) { *r.mutable_observed_at() = TimeToProto(kNow + absl::Minutes(6)); },
                 "observed_at: lies in the future"},
        BadInput{"ObservedLongAgo", [](R& r) { *r.mutable_observed_at() = TimeToProto(Ago(absl::Hours(24 * 400))); },
                 "observed_at: lies more than a year in the past"},
        BadInput{"ObservedInvalid", [](R& r) { r.mutable_observed_at()->set_nanos(-1); },
                 "observed_at: is not a valid time"},
        BadInput{"NoSource", [](R& r) { r.set_source(v1::SOURCE_UNSPECIFIED); }, "source: is required"},
        BadInput{"UnknownSource", [](R& r) { r.set_source(static_cast<v1::Source>(99)); }, "source: is not a known source"},
        BadInput{"UnknownUrgency", [](R& r) { r.set_urgency(static_cast<v1::Urgency>(42)); }, "urgency: is not a known urgency"},
        BadInput{"TooManyPersons", [](R& r) { for (int i = 0; i < 11; ++i) r.add_persons()->set_name("Iemand"); },
                 "persons: at most 10 persons"},
        BadInput{"PersonWithoutName", [](R& r) { r.add_persons()->set_role("bewoner"); }, "persons[0].name: is required"},
        BadInput{"PersonBornInFuture", [](R& r) {
                   auto* p = r.add_persons();
                   p->set_name("Iemand");
                   p->set_birth_year(2031);
                 },
                 "persons[0].birth_year: must be between 1900 and 2026"}),
    [](const ::testing::TestParamInfo<BadInput>& info) { return info.param.name; });

TEST(SignalValidationTest, ObservedWithinClockSkewIsAccepted) {
  v1::SubmitSignalRequest r = Valid();
  *r.mutable_observed_at() = TimeToProto(kNow + absl::Minutes(4));
  EXPECT_TRUE(ValidateAndNormalise(r, kNow).ok());
}

TEST(SignalValidationTest, DescriptionLengthCountsCharactersNotBytes) {
  v1::SubmitSignalRequest r = Valid();
  std::string text;
  for (int i = 0; i < 4000; ++i) text += "\xc3\xab";  // ë: 2 bytes, 1 character
  r.set_description(text);
  EXPECT_TRUE(ValidateAndNormalise(r, kNow).ok());
}

TEST(PostcodeTest, NormalisesDutchPostcodes) {
  EXPECT_EQ(NormalisePostcode("6411ab"), "6411 AB");
  EXPECT_EQ(NormalisePostcode("6411 AB"), "6411 AB");
  EXPECT_EQ(NormalisePostcode("6411  AB"), std::nullopt);
  EXPECT_EQ(NormalisePostcode("6411 SA"), std::nullopt);
  EXPECT_EQ(NormalisePostcode("641 AB"), std::nullopt);
  EXPECT_EQ(NormalisePostcode(""), std::nullopt);
}

}  // namespace
}  // namespace hartslag::intake
