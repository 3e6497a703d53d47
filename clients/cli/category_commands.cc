// hartslag admin category ...: the back office's categories in intake
// (CategoryService). Definitions travel as proto3 JSON files, so that a
// municipality keeps its categories under version control:
//   hartslag admin category show grofvuil -o json > grofvuil.json
//   (edit)  hartslag admin category update --file grofvuil.json
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/cli/commands.h"
#include "clients/cli/connection.h"
#include "clients/cli/output.h"
#include "google/protobuf/util/json_util.h"
#include "hartslag/intake/v1/intake.grpc.pb.h"
#include "services/common/files.h"
#include "services/common/grpc_status.h"
#include "services/common/status_macros.h"

namespace hartslag::cli {
namespace {

namespace v1 = hartslag::intake::v1;
using S = v1::CategoryService::Stub;

constexpr char kServerEnv[] = "HARTSLAG_INTAKE_ADDR";
constexpr char kDefaultServer[] = "localhost:7402";

std::string Deadline(const v1::Category& c) {
  return absl::StrCat(c.handling_deadline_days(),
                      c.handling_deadline_day_count() == v1::DAY_COUNT_WORKING ? " werkdagen" : " dagen");
}

std::string Meeting(v1::MeetingKind kind) {
  return kind == v1::MEETING_KIND_LEEFBAARHEID ? "Leefbaarheidsoverleg" : "Casuïstiekoverleg";
}

absl::StatusOr<v1::Category> ReadDefinition(const Flags& flags) {
  if (flags.Get("file").empty()) return UsageError("--file is verplicht: de categorie als JSON");
  ASSIGN_OR_RETURN(std::string json, ReadFile(flags.Get("file"), "--file"));
  v1::Category category;
  auto parsed = google::protobuf::util::JsonStringToMessage(json, &category);
  if (!parsed.ok()) {
    return UsageError(absl::StrCat("--file: geen categorie in JSON (", parsed.message().as_string(), ")"));
  }
  return category;
}

void PrintCategory(const v1::Category& c) {
  std::printf("%s (%s), versie %d%s\n", c.label().c_str(), c.category_id().c_str(), c.version(),
              c.active() ? "" : ", ingetrokken");
  if (!c.parent_category_id().empty()) std::printf("  onder %s\n", c.parent_category_id().c_str());
  std::printf("  %s, termijn %s%s\n", Meeting(c.default_meeting()).c_str(), Deadline(c).c_str(),
              c.meldcode() ? ", Meldcode" : "");
  for (const v1::Question& q : c.questions()) {
    std::printf("  vraag %s: %s%s%s%s\n", q.question_id().c_str(), q.label().c_str(), q.required() ? " (verplicht)" : "",
                q.options().empty() ? "" : ": ", absl::StrJoin(q.options(), " / ").c_str());
  }
  for (const v1::FeedbackText& f : c.feedback_texts()) {
    std::printf("  terugkoppeling bij %s: %s\n",
                v1::SignalStatus_Name(f.outcome()).substr(sizeof("SIGNAL_STATUS_") - 1).c_str(), f.text().c_str());
  }
}

// One call of the category service: `fill` builds the request from the
// flags, `print` shows the answer (as JSON with -o json).
template <typename Request, typename Response, typename Call>
absl::Status CategoryCall(Flags& flags, const Args& args, Shape shape,
                          const std::function<absl::Status(Request&)>& fill, Call call,
                          const std::function<void(const Response&)>& print) {
  ASSIGN_OR_RETURN(Connection connection, Connection::Parse(flags, args, kServerEnv, kDefaultServer, shape));
  Request request;
  RETURN_IF_ERROR(fill(request));
  Response response;
  auto stub = v1::CategoryService::NewStub(connection.channel());
  RETURN_IF_ERROR(FromGrpcStatus(((*stub).*call)(connection.NewCall().get(), request, &response)));
  PrintObject(flags, response, print);
  return absl::OkStatus();
}

void PrintList(const v1::ListCategoryDefinitionsResponse& r) {
  std::printf("%-28s %-30s %-22s %-14s %-6s %-6s %s\n", "ID", "CATEGORIE", "OVERLEG", "TERMIJN", "VRAGEN", "VERSIE",
              "ACTIEF");
  for (const v1::Category& c : r.categories()) {
    const std::string label = c.parent_category_id().empty() ? c.label() : "  " + c.label();
    std::printf("%-28s %-30s %-22s %-14s %-6d %-6d %s\n", c.category_id().c_str(), label.c_str(),
                Meeting(c.default_meeting()).c_str(), Deadline(c).c_str(), c.questions_size(), c.version(),
                c.active() ? "ja" : "nee");
  }
}

absl::Status List(const Args& args) {
  Flags flags("hartslag admin category list", "every category, retired ones included");
  return CategoryCall<v1::ListCategoryDefinitionsRequest, v1::ListCategoryDefinitionsResponse>(
      flags, args, Shape::kList, [](auto&) { return absl::OkStatus(); }, &S::ListCategoryDefinitions, PrintList);
}

absl::Status Show(const Args& args) {
  Flags flags("hartslag admin category show", "one category's definition: ID");
  ASSIGN_OR_RETURN(Connection connection, Connection::Parse(flags, args, kServerEnv, kDefaultServer, Shape::kObject));
  if (flags.positionals().size() != 1) return UsageError("geef één categorie-id");
  v1::ListCategoryDefinitionsResponse all;
  RETURN_IF_ERROR(FromGrpcStatus(
      v1::CategoryService::NewStub(connection.channel())->ListCategoryDefinitions(connection.NewCall().get(), {}, &all)));
  for (const v1::Category& c : all.categories()) {
    if (c.category_id() != flags.positionals()[0]) continue;
    PrintObject(flags, c, PrintCategory);
    return absl::OkStatus();
  }
  return absl::NotFoundError(absl::StrCat("category_id: geen categorie ", flags.positionals()[0]));
}

absl::Status Create(const Args& args) {
  Flags flags("hartslag admin category create", "a new category from a JSON definition");
  flags.Add("file", "", "", "the category as proto3 JSON (hartslag.intake.v1.Category)");
  return CategoryCall<v1::CreateCategoryRequest, v1::Category>(
      flags, args, Shape::kObject,
      [&](v1::CreateCategoryRequest& r) -> absl::Status {
        ASSIGN_OR_RETURN(*r.mutable_category(), ReadDefinition(flags));
        return absl::OkStatus();
      },
      &S::CreateCategory, PrintCategory);
}

absl::Status Update(const Args& args) {
  Flags flags("hartslag admin category update", "a category's new definition (a new version)");
  flags.Add("file", "", "", "the category as proto3 JSON, with the version it changes");
  return CategoryCall<v1::UpdateCategoryRequest, v1::Category>(
      flags, args, Shape::kObject,
      [&](v1::UpdateCategoryRequest& r) -> absl::Status {
        ASSIGN_OR_RETURN(*r.mutable_category(), ReadDefinition(flags));
        return absl::OkStatus();
      },
      &S::UpdateCategory, PrintCategory);
}

std::function<absl::Status(const Args&)> SetRetired(bool retired) {
  return [retired](const Args& args) {
    Flags flags(retired ? "hartslag admin category retire" : "hartslag admin category restore",
                retired ? "retire a category: ID" : "bring a retired category back: ID");
    return CategoryCall<v1::RetireCategoryRequest, v1::Category>(
        flags, args, Shape::kObject,
        [&](v1::RetireCategoryRequest& r) -> absl::Status {
          if (flags.positionals().size() != 1) return UsageError("geef één categorie-id");
          r.set_category_id(flags.positionals()[0]);
          r.set_retired(retired);
          return absl::OkStatus();
        },
        &S::RetireCategory, PrintCategory);
  };
}

absl::Status Reorder(const Args& args) {
  Flags flags("hartslag admin category reorder", "put categories in order: ID ID ...");
  flags.Add("parent", "", "", "the main category whose subcategories to order (empty: the main categories)");
  return CategoryCall<v1::ReorderCategoriesRequest, v1::ListCategoryDefinitionsResponse>(
      flags, args, Shape::kList,
      [&](v1::ReorderCategoriesRequest& r) -> absl::Status {
        if (flags.positionals().empty()) return UsageError("geef de categorie-id's in de nieuwe volgorde");
        r.set_parent_category_id(flags.Get("parent"));
        for (const std::string& id : flags.positionals()) r.add_category_ids(id);
        return absl::OkStatus();
      },
      &S::ReorderCategories, PrintList);
}

}  // namespace

std::vector<Command> CategoryAdminCommands() {
  return {{"list", "alle categorieën, ook ingetrokken", List},
          {"show", "één categorie (met -o json als bestand om te bewerken)", Show},
          {"create", "een categorie aanmaken uit JSON (--file)", Create},
          {"update", "een categorie wijzigen: een nieuwe versie (--file)", Update},
          {"retire", "een categorie intrekken", SetRetired(true)},
          {"restore", "een ingetrokken categorie terugzetten", SetRetired(false)},
          {"reorder", "de volgorde van (sub)categorieën", Reorder}};
}

}  // namespace hartslag::cli
