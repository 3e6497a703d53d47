// The error details of a refusal as a specification: which fields a message
// names, the Dutch sentence a user sees, and what travels in the trailer.
#include "services/common/status_details.h"

#include <gtest/gtest.h>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "services/common/validation.h"

namespace hartslag {
namespace {

using Violations = std::vector<std::pair<std::string, std::string>>;

TEST(StatusDetailsTest, AMessageNamesItsFieldsFirst) {
  EXPECT_EQ(FieldViolationsOf("address.postcode: must look like 1234 AB"),
            (Violations{{"address.postcode", "must look like 1234 AB"}}));
  EXPECT_EQ(FieldViolationsOf("persons[2].name: is required; description: must be at least 10 characters"),
            (Violations{{"persons[2].name", "is required"}, {"description", "must be at least 10 characters"}}));
  EXPECT_EQ(FieldViolationsOf("x-hartslag-purpose: state why"), (Violations{{"x-hartslag-purpose", "state why"}}));
  EXPECT_TRUE(FieldViolationsOf("case not found").empty());
  EXPECT_TRUE(FieldViolationsOf("the service is busy: try again").empty()) << "prose is not a field";
}

TEST(StatusDetailsTest, FieldErrorsReportEveryBadFieldAndKeepOtherErrorsAsTheyAre) {
  FieldErrors errors;
  errors.Add(absl::OkStatus());
  EXPECT_TRUE(errors.status().ok());
  errors.Add(Invalid("text", "is required"));
  errors.Add(Invalid("due_date", "lies in the past"));
  EXPECT_EQ(errors.status(), absl::InvalidArgumentError("text: is required; due_date: lies in the past"));
  errors.Add(absl::NotFoundError("case not found"));
  EXPECT_EQ(errors.status(), absl::NotFoundError("case not found"));
}

TEST(StatusDetailsTest, TheUserReadsDutchWithTheFieldByItsLabel) {
  EXPECT_EQ(DutchMessage(absl::StatusCode::kInvalidArgument, "location.address.postcode: must look like 1234 AB"),
            "Postcode moet eruitzien als 1234 AB.");
  EXPECT_EQ(DutchMessage(absl::StatusCode::kInvalidArgument, "text: is required; persons[1].name: is required"),
            "Tekst is verplicht. Naam 2 is verplicht.");
  EXPECT_EQ(DutchMessage(absl::StatusCode::kInvalidArgument, "description: must be at most 4000 characters"),
            "Omschrijving mag hoogstens 4000 tekens lang zijn.");
  EXPECT_EQ(DutchMessage(absl::StatusCode::kInvalidArgument, "weeks: must be 1 to 52"),
            "Aantal weken moet tussen 1 en 52 liggen.");
  EXPECT_EQ(DutchMessage(absl::StatusCode::kInvalidArgument,
                         "answers.soort-afval: must be one of the question's options; answers.aantal: must be a number"),
            "Het antwoord op vraag soort-afval moet een van de keuzes zijn. "
            "Het antwoord op vraag aantal moet een getal zijn.")
      << "an answer is named by its question";
  EXPECT_EQ(DutchMessage(absl::StatusCode::kInvalidArgument, "data: is not a JPEG, PNG or PDF file"),
            "Bestand is geen foto (JPEG of PNG) of PDF.");
  EXPECT_EQ(DutchMessage(absl::StatusCode::kInvalidArgument,
                         "data: the attachment is larger than 10485760 bytes, the most allowed"),
            "Bestand is groter dan 10485760 bytes, het maximum.");
  EXPECT_EQ(DutchMessage(absl::StatusCode::kInvalidArgument, "frobnicator: wrong"), "Frobnicator is niet juist ingevuld.")
      << "an unknown field and reason still make a sentence";
  EXPECT_EQ(DutchMessage(absl::StatusCode::kAlreadyExists, "request_id: already used for a request with other content"),
            "Dit verzoek-id is al gebruikt voor een ander verzoek. Verstuur het als nieuw verzoek.");
  EXPECT_EQ(DutchMessage(absl::StatusCode::kFailedPrecondition,
                         "case_id: the case holds 1000 signals, the most a case holds; open a new case"),
            "Deze casus heeft al het hoogste aantal signalen. Open een nieuwe casus.");
  EXPECT_EQ(DutchMessage(absl::StatusCode::kInternal, "internal error (request id 3f2a9c)"),
            "Er ging iets mis aan onze kant. Probeer het later opnieuw; lukt het dan niet, geef dan kenmerk 3f2a9c door "
            "aan de beheerder.");
  for (int code = 1; code <= 16; ++code) {
    std::string dutch = DutchMessage(static_cast<absl::StatusCode>(code), "something: went wrong");
    EXPECT_FALSE(dutch.empty()) << code;
    EXPECT_EQ(dutch.back(), '.') << code << ": " << dutch;
    EXPECT_EQ(dutch.find("went wrong"), std::string::npos) << "no English reaches the user: " << dutch;
  }
}

TEST(StatusDetailsTest, TheTrailerCarriesTheViolationsAndTheDutchSentence) {
  grpc::Status status = WithDetails(absl::InvalidArgumentError("title: is required; area_id: must be a UUID"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "title: is required; area_id: must be a UUID") << "the English text stays";
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(status.error_details()));
  ASSERT_EQ(details.details_size(), 2);
  google::rpc::BadRequest bad;
  ASSERT_TRUE(details.details(0).UnpackTo(&bad));
  ASSERT_EQ(bad.field_violations_size(), 2);
  EXPECT_EQ(bad.field_violations(1).field(), "area_id");
  EXPECT_EQ(bad.field_violations(1).description(), "must be a UUID");
  EXPECT_EQ(LocalizedMessageOf(status), "Titel is verplicht. Gebied is geen geldige id.");

  grpc::Status refused = WithDetails(absl::PermissionDeniedError("the caller lacks the role"));
  ASSERT_TRUE(details.ParseFromString(refused.error_details()));
  EXPECT_EQ(details.details_size(), 1) << "no field, no BadRequest";
  EXPECT_EQ(LocalizedMessageOf(refused), "U heeft hiervoor geen toestemming.");
  EXPECT_TRUE(WithDetails(absl::OkStatus()).ok());
}

}  // namespace
}  // namespace hartslag
