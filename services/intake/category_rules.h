// The rules of a category definition and of the answers a signal gives to
// its questions. Pure functions: no database (ids the tenant already has, and
// parents, are checked by the category store) and no gRPC.
#ifndef HARTSLAG_SERVICES_INTAKE_CATEGORY_RULES_H_
#define HARTSLAG_SERVICES_INTAKE_CATEGORY_RULES_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "hartslag/intake/v1/intake.pb.h"
#include "services/common/validation.h"

namespace hartslag::intake {

inline constexpr int kMaxQuestions = 30;
inline constexpr int kMaxOptions = 30;
inline constexpr int kMaxDeadlineDays = 365;
inline constexpr size_t kMaxAnswerTextLength = 1000;

// Checks a definition as an administrator sends it and normalises it in
// place (trimmed text; calendar days where the day count is unset; the
// output-only fields cleared). INVALID_ARGUMENT naming every bad field under
// "category.", e.g. "category.questions[2].options: at least two options".
absl::Status CheckCategoryDefinition(v1::Category& category);

// Checks `answers` against the questions of the category they answer, each
// answer normalised in place. Adds one violation per question to `errors`,
// named "answers.<question_id>" (or "answers[i]" for an answer to no
// question of the category).
void CheckAnswers(const v1::Category& category, google::protobuf::RepeatedPtrField<v1::Answer>& answers,
                  FieldErrors& errors);

// Gives each answer the label of its question, as asked now: a signal shows
// its questions as they were when it was submitted.
void LabelAnswers(const v1::Category& category, google::protobuf::RepeatedPtrField<v1::Answer>& answers);

// Repeated messages as a JSON array of their proto3 JSON (the jsonb columns
// intake keeps them in), and back. Reading skips what is not one.
template <typename Message>
std::string ToJsonArray(const google::protobuf::RepeatedPtrField<Message>& messages);
template <typename Message>
std::vector<Message> FromJsonArray(absl::string_view json);

}  // namespace hartslag::intake

#endif  // HARTSLAG_SERVICES_INTAKE_CATEGORY_RULES_H_
