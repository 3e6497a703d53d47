// Categories as a municipality's back office manages them, against a real
// PostgreSQL: main categories with subcategories in their order, questions
// the reporter answers (checked per question), versions that signals keep,
// standard feedback per outcome, and retiring.
#include <gtest/gtest.h>

#include "google/protobuf/util/message_differencer.h"

#include "absl/strings/match.h"
#include "services/common/crypto.h"
#include "services/common/migrations.h"
#include "services/common/proto_time.h"
#include "services/intake/category_admin.h"
#include "services/intake/signal_intake.h"
#include "services/intake/signal_store.h"
#include "tests/support/heerlen.h"
#include "tests/support/sample_signal.h"
#include "tests/support/test_database.h"

namespace hartslag::intake {
namespace {

RequestContext Caller(std::string user, std::set<Role> roles, std::vector<std::string> areas = {}) {
  RequestContext c;
  c.tenant = "heerlen";
  c.user = std::move(user);
  c.organisation = "gemeente";
  c.organisation_kind = common::v1::ORGANISATION_KIND_MUNICIPALITY;
  c.roles = std::move(roles);
  c.areas = std::move(areas);
  c.deadline = absl::Now() + absl::Seconds(30);
  return c;
}

v1::Question Question(std::string id, v1::QuestionType type, bool required, std::vector<std::string> options = {}) {
  v1::Question q;
  q.set_question_id(id);
  q.set_label("Vraag " + id);
  q.set_type(type);
  q.set_required(required);
  for (auto& o : options) q.add_options(o);
  return q;
}

// "Afval in de wijk" with a subcategory "Grofvuil" that asks four questions.
v1::Category Grofvuil() {
  v1::Category c;
  c.set_category_id("grofvuil");
  c.set_parent_category_id("afval-dumping");
  c.set_label("Grofvuil");
  c.set_default_meeting(v1::MEETING_KIND_LEEFBAARHEID);
  c.set_handling_deadline_days(5);
  c.set_handling_deadline_day_count(v1::DAY_COUNT_WORKING);
  *c.add_questions() = Question("soort", v1::QUESTION_TYPE_ONE_OF, true, {"Matras", "Bank", "Koelkast"});
  *c.add_questions() = Question("aantal", v1::QUESTION_TYPE_NUMBER, false);
  *c.add_questions() = Question("gevaarlijk", v1::QUESTION_TYPE_YES_NO, true);
  *c.add_questions() = Question("wat-nog", v1::QUESTION_TYPE_SEVERAL_OF, false, {"Glas", "Chemisch", "Hout"});
  v1::FeedbackText* feedback = c.add_feedback_texts();
  feedback->set_outcome(v1::SIGNAL_STATUS_ACCEPTED);
  feedback->set_text("Het grofvuil wordt binnen een week opgehaald.");
  return c;
}

v1::Answer Choice(std::string question, std::string choice) {
  v1::Answer a;
  a.set_question_id(question);
  a.set_choice(choice);
  return a;
}

v1::Answer YesNo(std::string question, bool value) {
  v1::Answer a;
  a.set_question_id(question);
  a.set_yes_no(value);
  return a;
}

class CategoryTest : public ::testing::Test {
 protected:
  CategoryTest()
      : pool_(*db::Pool::Open(db_.conninfo(), 8)),
        store_(pool_.get()),
        categories_(pool_.get()),
        intake_(&store_, &categories_),
        admin_(&categories_) {
    auto applied = db::ApplyMigrations(*pool_, kSchema, IntakeMigrations());
    EXPECT_TRUE(applied.ok()) << applied.status();
    EXPECT_TRUE(testing::SeedHeerlen(store_).ok());
  }

  absl::StatusOr<v1::Category> Create(v1::Category c) {
    v1::CreateCategoryRequest request;
    *request.mutable_category() = std::move(c);
    return admin_.Create(admin_caller_, request, audit_);
  }

  absl::StatusOr<v1::SubmitSignalResponse> Submit(std::vector<v1::Answer> answers,
                                                  std::string category = "grofvuil") {
    v1::SubmitSignalRequest request = testing::SampleSignal("vrieheide", category);
    for (auto& a : answers) *request.add_answers() = std::move(a);
    return intake_.Submit(coach_, request, audit_);
  }

  std::vector<std::string> Ids(const std::vector<v1::Category>& list) {
    std::vector<std::string> ids;
    for (const auto& c : list) ids.push_back(c.category_id());
    return ids;
  }

  std::vector<v1::Category> Listed(const RequestContext& caller) {
    auto listed = intake_.Categories(caller, audit_);
    EXPECT_TRUE(listed.ok()) << listed.status();
    return {listed->categories().begin(), listed->categories().end()};
  }

  testing::TestDatabase db_;
  std::unique_ptr<db::Pool> pool_;
  SignalStore store_;
  CategoryStore categories_;
  SignalIntake intake_;
  CategoryAdmin admin_;
  AuditRecord audit_;
  const RequestContext admin_caller_ = Caller("admin-1", {Role::kAdmin});
  const RequestContext coach_ = Caller("coach-1", {Role::kReporter});
};

TEST_F(CategoryTest, SubcategoriesFollowTheirMainCategoryInTheGivenOrder) {
  ASSERT_TRUE(Create(Grofvuil()).ok());
  v1::Category bijplaatsing = Grofvuil();
  bijplaatsing.set_category_id("bijplaatsing");
  bijplaatsing.set_label("Bijplaatsing");
  bijplaatsing.clear_questions();
  ASSERT_TRUE(Create(bijplaatsing).ok());

  std::vector<std::string> ids = Ids(Listed(coach_));
  auto main = std::find(ids.begin(), ids.end(), "afval-dumping");
  ASSERT_NE(main, ids.end());
  ASSERT_LT(main + 2, ids.end());
  EXPECT_EQ(*(main + 1), "grofvuil");  // created first, so first among its siblings
  EXPECT_EQ(*(main + 2), "bijplaatsing");

  v1::ReorderCategoriesRequest reorder;
  reorder.set_parent_category_id("afval-dumping");
  reorder.add_category_ids("bijplaatsing");
  reorder.add_category_ids("grofvuil");
  ASSERT_TRUE(admin_.Reorder(admin_caller_, reorder, audit_).ok());
  ids = Ids(Listed(coach_));
  main = std::find(ids.begin(), ids.end(), "afval-dumping");
  EXPECT_EQ(*(main + 1), "bijplaatsing");
  EXPECT_EQ(*(main + 2), "grofvuil");

  // An order that leaves one out, or names one twice, is refused.
  reorder.set_category_ids(1, "bijplaatsing");
  auto refused = admin_.Reorder(admin_caller_, reorder, audit_);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(refused.status().message(), "category_ids: ")) << refused.status();
}

TEST_F(CategoryTest, ASignalGoesToASubcategoryNotToItsMainCategory) {
  ASSERT_TRUE(Create(Grofvuil()).ok());
  auto main = Submit({}, "afval-dumping");
  EXPECT_EQ(main.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(main.status().message(), "category_id: is a main category")) << main.status();
  // A main category without subcategories takes signals as before.
  EXPECT_TRUE(Submit({}, "verloedering").ok());
}

TEST_F(CategoryTest, AnswersAreCheckedPerQuestionAndEveryBadOneIsNamed) {
  ASSERT_TRUE(Create(Grofvuil()).ok());
  v1::Answer number;
  number.set_question_id("aantal");
  number.set_text("drie");  // a text where a number is asked
  v1::Answer several;
  several.set_question_id("wat-nog");
  several.mutable_choices()->add_options("Glas");
  several.mutable_choices()->add_options("Plastic");  // not an option
  v1::Answer unknown = YesNo("bestaat-niet", true);
  auto refused = Submit({Choice("soort", "Piano"), number, several, unknown});
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(refused.status().message());
  EXPECT_TRUE(absl::StrContains(message, "answers.soort: must be one of the question's options")) << message;
  EXPECT_TRUE(absl::StrContains(message, "answers.aantal: must be a number")) << message;
  EXPECT_TRUE(absl::StrContains(message, "answers.wat-nog: must be one or more")) << message;
  EXPECT_TRUE(absl::StrContains(message, "answers.gevaarlijk: is required")) << message;
  EXPECT_TRUE(absl::StrContains(message, "answers[3]: is not a question of this category")) << message;

  auto stored = Submit({Choice("soort", "Matras"), YesNo("gevaarlijk", false)});
  ASSERT_TRUE(stored.ok()) << stored.status();
  const v1::Signal& signal = stored->signal();
  EXPECT_EQ(signal.category_version(), 1);
  ASSERT_EQ(signal.answers_size(), 2);
  EXPECT_EQ(signal.answers(0).choice(), "Matras");
  EXPECT_EQ(signal.answers(0).question_label(), "Vraag soort");
  EXPECT_FALSE(signal.answers(1).yes_no());
}

TEST_F(CategoryTest, AChangedCategoryIsANewVersionAndOldSignalsKeepTheirs) {
  auto created = Create(Grofvuil());
  ASSERT_TRUE(created.ok()) << created.status();
  auto first = Submit({Choice("soort", "Bank"), YesNo("gevaarlijk", true)});
  ASSERT_TRUE(first.ok()) << first.status();

  v1::Category changed = *created;
  changed.mutable_questions(0)->set_label("Wat voor grofvuil?");
  changed.mutable_questions(0)->add_options("Piano");
  changed.set_handling_deadline_days(20);
  changed.set_handling_deadline_day_count(v1::DAY_COUNT_CALENDAR);
  v1::UpdateCategoryRequest update;
  *update.mutable_category() = changed;
  auto updated = admin_.Update(admin_caller_, update, audit_);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->version(), 2);

  // A second change on the old version is refused: someone changed it since.
  auto stale = admin_.Update(admin_caller_, update, audit_);
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kAborted) << stale.status();

  auto second = Submit({Choice("soort", "Piano"), YesNo("gevaarlijk", false)});
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->signal().category_version(), 2);
  EXPECT_EQ(second->signal().answers(0).question_label(), "Wat voor grofvuil?");
  EXPECT_EQ(absl::FromUnixSeconds(second->signal().due_at().seconds()) -
                absl::FromUnixSeconds(second->signal().reported_at().seconds()),
            absl::Hours(24 * 20));

  // The first signal kept its version, its question as asked, and its deadline.
  v1::GetSignalRequest get;
  get.set_signal_id(first->signal().signal_id());
  auto again = intake_.Get(coach_, get, audit_);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->category_version(), 1);
  EXPECT_EQ(again->answers(0).question_label(), "Vraag soort");
  EXPECT_EQ(again->due_at().seconds(), first->signal().due_at().seconds());
}

TEST_F(CategoryTest, TheTriageFeedCarriesTheStandardFeedbackOfTheSignalsVersion) {
  auto created = Create(Grofvuil());
  ASSERT_TRUE(created.ok());
  auto signal = Submit({Choice("soort", "Koelkast"), YesNo("gevaarlijk", true)});
  ASSERT_TRUE(signal.ok()) << signal.status();
  v1::UpdateCategoryRequest update;
  *update.mutable_category() = *created;
  update.mutable_category()->mutable_feedback_texts(0)->set_text("Nieuwe tekst voor nieuwe meldingen.");
  ASSERT_TRUE(admin_.Update(admin_caller_, update, audit_).ok());

  v1::ListUntriagedSignalsRequest feed;
  feed.set_tenant_id("heerlen");
  feed.add_area_ids("vrieheide");
  auto untriaged = intake_.Untriaged(feed, absl::Now() + absl::Seconds(10));
  ASSERT_TRUE(untriaged.ok()) << untriaged.status();
  ASSERT_EQ(untriaged->signals_size(), 1);
  const v1::Signal& queued = untriaged->signals(0);
  ASSERT_EQ(queued.standard_feedback_size(), 1);
  EXPECT_EQ(queued.standard_feedback(0).outcome(), v1::SIGNAL_STATUS_ACCEPTED);
  EXPECT_EQ(queued.standard_feedback(0).text(), "Het grofvuil wordt binnen een week opgehaald.")
      << "the text of the version it was submitted under";
}

// The group commit answers with the signal it built instead of reading it
// back: it must be exactly what a read gives, to the last digit.
TEST_F(CategoryTest, TheAnswerToASubmissionIsTheSignalAsStored) {
  ASSERT_TRUE(Create(Grofvuil()).ok());
  v1::SubmitSignalRequest request = testing::SampleSignal("vrieheide", "grofvuil");
  *request.add_answers() = Choice("soort", "Koelkast");
  *request.add_answers() = YesNo("gevaarlijk", true);
  v1::Answer several;
  several.set_question_id("wat-nog");
  several.mutable_choices()->add_options("Glas");
  several.mutable_choices()->add_options("Hout");
  *request.add_answers() = several;
  auto* address = request.mutable_location()->mutable_address();
  address->set_house_number_addition("b");
  address->set_bag_id("0917010000012345");
  request.mutable_location()->mutable_point()->set_latitude(50.912345678901);
  request.mutable_location()->mutable_point()->set_longitude(5.976543210987);
  *request.mutable_observed_at() = TimeToProto(absl::Now() - absl::Hours(3) - absl::Nanoseconds(123456789));
  v1::Person* person = request.add_persons();
  person->set_name("J. de Vries");
  person->set_birth_year(1987);
  person->set_role("bewoner");
  request.set_urgency(v1::URGENCY_HIGH);

  auto answer = intake_.Submit(coach_, request, audit_);
  ASSERT_TRUE(answer.ok()) << answer.status();
  auto stored = store_.FindById("heerlen", answer->signal().signal_id(), absl::Now() + absl::Seconds(10));
  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_TRUE(stored->has_value());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(answer->signal(), **stored))
      << "answered:\n" << answer->signal().DebugString() << "stored:\n" << (*stored)->DebugString();
  EXPECT_EQ(answer->signal().location().point().latitude(), 50.912345678901) << "every digit kept";
}

TEST_F(CategoryTest, ARetiredCategoryTakesNoNewSignalsButKeepsItsOld) {
  ASSERT_TRUE(Create(Grofvuil()).ok());
  v1::SubmitSignalRequest first = testing::SampleSignal("vrieheide", "grofvuil");
  *first.add_answers() = Choice("soort", "Matras");
  *first.add_answers() = YesNo("gevaarlijk", false);
  auto old = intake_.Submit(coach_, first, audit_);
  ASSERT_TRUE(old.ok());
  // A main category retires only after its subcategories.
  v1::RetireCategoryRequest retire_main;
  retire_main.set_category_id("afval-dumping");
  retire_main.set_retired(true);
  EXPECT_EQ(admin_.Retire(admin_caller_, retire_main, audit_).status().code(),
            absl::StatusCode::kFailedPrecondition);

  v1::RetireCategoryRequest retire;
  retire.set_category_id("grofvuil");
  retire.set_retired(true);
  auto retired = admin_.Retire(admin_caller_, retire, audit_);
  ASSERT_TRUE(retired.ok()) << retired.status();
  EXPECT_FALSE(retired->active());
  auto refused = Submit({Choice("soort", "Matras"), YesNo("gevaarlijk", false)});
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(refused.status().message(), "category_id")) << refused.status();
  std::vector<std::string> listed = Ids(Listed(coach_));
  EXPECT_EQ(std::count(listed.begin(), listed.end(), "grofvuil"), 0);
  // The administrator still sees it, retired.
  auto all = admin_.List(admin_caller_, audit_);
  ASSERT_TRUE(all.ok());
  bool seen = false;
  for (const auto& c : all->categories()) seen |= c.category_id() == "grofvuil" && !c.active();
  EXPECT_TRUE(seen);
  v1::GetSignalRequest get;
  get.set_signal_id(old->signal().signal_id());
  EXPECT_TRUE(intake_.Get(coach_, get, audit_).ok());
  // A retry of the first submission, its answer lost, still gets its signal.
  auto retried = intake_.Submit(coach_, first, audit_);
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_TRUE(retried->replayed());
  EXPECT_EQ(retried->signal().signal_id(), old->signal().signal_id());
}

TEST_F(CategoryTest, ABadDefinitionIsRefusedNamingEveryField) {
  v1::Category bad = Grofvuil();
  bad.set_category_id("Grof Vuil");
  bad.set_label("");
  bad.set_handling_deadline_days(0);
  bad.mutable_questions(0)->clear_options();
  bad.mutable_questions(1)->add_options("een");  // a NUMBER question has no options
  *bad.add_questions() = bad.questions(2);       // the same id twice
  bad.mutable_feedback_texts(0)->set_outcome(v1::SIGNAL_STATUS_NEW);
  auto refused = Create(bad);
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(refused.status().message());
  for (const char* field :
       {"category.category_id: ", "category.label: ", "category.handling_deadline_days: ",
        "category.questions[0].options: at least two options", "category.questions[1].options: ",
        "category.questions[4].question_id: is given twice", "category.feedback_texts[0].outcome: "}) {
    EXPECT_TRUE(absl::StrContains(message, field)) << field << " in " << message;
  }
  v1::Category orphan = Grofvuil();
  orphan.set_parent_category_id("bestaat-niet");
  EXPECT_EQ(Create(orphan).status().code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(Create(Grofvuil()).ok());
  EXPECT_EQ(Create(Grofvuil()).status().code(), absl::StatusCode::kAlreadyExists);
}

}  // namespace
}  // namespace hartslag::intake
