#include "services/intake/category_rules.h"

#include <cmath>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"
#include "services/common/text.h"

namespace hartslag::intake {
namespace {

bool IsOutcome(v1::SignalStatus status) {
  return status == v1::SIGNAL_STATUS_ACCEPTED || status == v1::SIGNAL_STATUS_REFERRED ||
         status == v1::SIGNAL_STATUS_NO_ACTION;
}

bool HasOptions(v1::QuestionType type) {
  return type == v1::QUESTION_TYPE_ONE_OF || type == v1::QUESTION_TYPE_SEVERAL_OF;
}

void CheckQuestion(const std::string& at, v1::Question& q, FieldErrors& errors) {
  errors.Add(CheckId(at + ".question_id", q.question_id()));
  errors.Add(CheckText(at + ".label", *q.mutable_label(), 1, 200));
  errors.Add(CheckText(at + ".help_text", *q.mutable_help_text(), 0, 500, /*multi_line=*/true));
  if (q.type() == v1::QUESTION_TYPE_UNSPECIFIED || !v1::QuestionType_IsValid(q.type())) {
    errors.Add(Invalid(at + ".type", "is required: TEXT, NUMBER, DATE, YES_NO, ONE_OF or SEVERAL_OF"));
    return;
  }
  if (!HasOptions(q.type())) {
    if (q.options_size() > 0) errors.Add(Invalid(at + ".options", "only a ONE_OF or SEVERAL_OF question has options"));
    return;
  }
  if (q.options_size() < 2) {
    errors.Add(Invalid(at + ".options", "at least two options"));
  } else if (q.options_size() > kMaxOptions) {
    errors.Add(Invalid(at + ".options", absl::StrCat("at most ", kMaxOptions, " options")));
  } else {
    std::set<std::string> seen;
    for (int i = 0; i < q.options_size(); ++i) {
      const std::string field = absl::StrCat(at, ".options[", i, "]");
      absl::Status text = CheckText(field, *q.mutable_options(i), 1, 100);
      errors.Add(text);
      if (text.ok() && !seen.insert(q.options(i)).second) errors.Add(Invalid(field, "is given twice"));
    }
  }
}

// YYYY-MM-DD naming a real day.
bool IsDate(absl::string_view text) {
  absl::CivilDay day;
  return text.size() == 10 && absl::ParseCivilTime(text, &day) && absl::FormatCivilTime(day) == text;
}

// The answer's check against its question; empty when it fits.
absl::Status CheckAnswer(const std::string& field, const v1::Question& q, v1::Answer& a) {
  auto wrong = [&](const char* what) { return Invalid(field, absl::StrCat("must be ", what)); };
  const std::set<std::string> options(q.options().begin(), q.options().end());
  switch (q.type()) {
    case v1::QUESTION_TYPE_TEXT:
      if (a.value_case() != v1::Answer::kText) return wrong("a text");
      return CheckText(field, *a.mutable_text(), 1, kMaxAnswerTextLength, /*multi_line=*/true);
    case v1::QUESTION_TYPE_NUMBER:
      if (a.value_case() != v1::Answer::kNumber) return wrong("a number");
      if (!std::isfinite(a.number()) || std::fabs(a.number()) > 1e12) return wrong("a number");
      return absl::OkStatus();
    case v1::QUESTION_TYPE_DATE:
      if (a.value_case() != v1::Answer::kDate || !IsDate(a.date())) return wrong("a date as YYYY-MM-DD");
      return absl::OkStatus();
    case v1::QUESTION_TYPE_YES_NO:
      if (a.value_case() != v1::Answer::kYesNo) return wrong("yes or no");
      return absl::OkStatus();
    case v1::QUESTION_TYPE_ONE_OF:
      if (a.value_case() != v1::Answer::kChoice || !options.contains(a.choice())) {
        return wrong("one of the question's options");
      }
      return absl::OkStatus();
    case v1::QUESTION_TYPE_SEVERAL_OF: {
      if (a.value_case() != v1::Answer::kChoices || a.choices().options().empty()) {
        return wrong("one or more of the question's options");
      }
      std::set<std::string> chosen;
      for (const std::string& option : a.choices().options()) {
        if (!options.contains(option) || !chosen.insert(option).second) {
          return wrong("one or more of the question's options, each once");
        }
      }
      return absl::OkStatus();
    }
    default:
      return Invalid(field, "cannot be answered");
  }
}

}  // namespace

absl::Status CheckCategoryDefinition(v1::Category& c) {
  FieldErrors errors;
  errors.Add(CheckId("category.category_id", c.category_id()));
  if (!c.parent_category_id().empty()) {
    errors.Add(CheckId("category.parent_category_id", c.parent_category_id()));
    if (c.parent_category_id() == c.category_id()) {
      errors.Add(Invalid("category.parent_category_id", "cannot be the category itself"));
    }
  }
  errors.Add(CheckText("category.label", *c.mutable_label(), 1, 100));
  errors.Add(CheckText("category.description", *c.mutable_description(), 0, 1000, /*multi_line=*/true));
  if (c.default_meeting() == v1::MEETING_KIND_UNSPECIFIED || !v1::MeetingKind_IsValid(c.default_meeting())) {
    errors.Add(Invalid("category.default_meeting", "is required: LEEFBAARHEID or CASUISTIEK"));
  }
  if (c.handling_deadline_days() < 1 || c.handling_deadline_days() > kMaxDeadlineDays) {
    errors.Add(Invalid("category.handling_deadline_days", absl::StrCat("must be 1 to ", kMaxDeadlineDays)));
  }
  if (!v1::DayCount_IsValid(c.handling_deadline_day_count())) {
    errors.Add(Invalid("category.handling_deadline_day_count", "is not a known day count"));
  } else if (c.handling_deadline_day_count() == v1::DAY_COUNT_UNSPECIFIED) {
    c.set_handling_deadline_day_count(v1::DAY_COUNT_CALENDAR);
  }
  if (c.questions_size() > kMaxQuestions) {
    errors.Add(Invalid("category.questions", absl::StrCat("at most ", kMaxQuestions, " questions")));
  } else {
    std::set<std::string> ids;
    for (int i = 0; i < c.questions_size(); ++i) {
      const std::string at = absl::StrCat("category.questions[", i, "]");
      CheckQuestion(at, *c.mutable_questions(i), errors);
      if (!ids.insert(c.questions(i).question_id()).second) {
        errors.Add(Invalid(at + ".question_id", "is given twice"));
      }
    }
  }
  std::set<int> outcomes;
  for (int i = 0; i < c.feedback_texts_size(); ++i) {
    const std::string at = absl::StrCat("category.feedback_texts[", i, "]");
    v1::FeedbackText& f = *c.mutable_feedback_texts(i);
    if (!IsOutcome(f.outcome())) {
      errors.Add(Invalid(at + ".outcome", "must be ACCEPTED, REFERRED or NO_ACTION"));
    } else if (!outcomes.insert(f.outcome()).second) {
      errors.Add(Invalid(at + ".outcome", "has a text already"));
    }
    errors.Add(CheckText(at + ".text", *f.mutable_text(), 1, 500, /*multi_line=*/true));
  }
  c.clear_version();
  c.clear_active();
  c.clear_position();
  return errors.status();
}

void CheckAnswers(const v1::Category& category, google::protobuf::RepeatedPtrField<v1::Answer>& answers,
                  FieldErrors& errors) {
  std::map<std::string, const v1::Question*> questions;
  for (const v1::Question& q : category.questions()) questions[q.question_id()] = &q;
  std::set<std::string> answered;
  for (int i = 0; i < answers.size(); ++i) {
    v1::Answer& a = answers[i];
    a.clear_question_label();  // output only: set from the question below
    auto q = questions.find(a.question_id());
    if (q == questions.end()) {
      errors.Add(Invalid(absl::StrCat("answers[", i, "]"), "is not a question of this category"));
      continue;
    }
    const std::string field = absl::StrCat("answers.", a.question_id());
    if (!answered.insert(a.question_id()).second) {
      errors.Add(Invalid(field, "is answered twice"));
      continue;
    }
    errors.Add(CheckAnswer(field, *q->second, a));
  }
  for (const v1::Question& q : category.questions()) {
    if (q.required() && !answered.contains(q.question_id())) {
      errors.Add(Invalid(absl::StrCat("answers.", q.question_id()), "is required"));
    }
  }
}

void LabelAnswers(const v1::Category& category, google::protobuf::RepeatedPtrField<v1::Answer>& answers) {
  for (v1::Answer& a : answers) {
    for (const v1::Question& q : category.questions()) {
      if (q.question_id() == a.question_id()) a.set_question_label(q.label());
    }
  }
}

template <typename Message>
std::string ToJsonArray(const google::protobuf::RepeatedPtrField<Message>& messages) {
  std::vector<std::string> parts;
  for (const Message& m : messages) {
    std::string json;
    if (google::protobuf::util::MessageToJsonString(m, &json).ok()) parts.push_back(std::move(json));
  }
  return absl::StrCat("[", absl::StrJoin(parts, ","), "]");
}

template <typename Message>
std::vector<Message> FromJsonArray(absl::string_view json) {
  std::vector<Message> messages;
  auto parsed = nlohmann::json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_array()) return messages;
  google::protobuf::util::JsonParseOptions lenient;
  lenient.ignore_unknown_fields = true;
  for (const auto& element : parsed) {
    Message m;
    if (element.is_object() && google::protobuf::util::JsonStringToMessage(element.dump(), &m, lenient).ok()) {
      messages.push_back(std::move(m));
    }
  }
  return messages;
}

template std::string ToJsonArray(const google::protobuf::RepeatedPtrField<v1::Question>&);
template std::string ToJsonArray(const google::protobuf::RepeatedPtrField<v1::FeedbackText>&);
template std::string ToJsonArray(const google::protobuf::RepeatedPtrField<v1::Answer>&);
template std::vector<v1::Question> FromJsonArray(absl::string_view);
template std::vector<v1::FeedbackText> FromJsonArray(absl::string_view);
template std::vector<v1::Answer> FromJsonArray(absl::string_view);

}  // namespace hartslag::intake
