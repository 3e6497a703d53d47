// Hostile input, end to end: every RPC of every Hartslag service, found in
// the descriptors the generated code registers, is sent raw bytes over TLS
// (grpc::GenericStub) by every role, by a caller without a token, by a
// partner system and by the other services. The bytes are random, an empty
// message, a truncated one, one over the 4 MiB message limit, one with text
// that is not UTF-8, and a filled request with one field changed: every text
// field (three levels deep) empty, at its declared max_bytes, one byte over
// and at 1 MB; every number at its extremes; every enum at a value it does
// not name; every repeated field one item over its max_items and at 10,000.
//
// The specification:
//  - every answer is a clear status: never INTERNAL, UNKNOWN, UNAVAILABLE or
//    UNIMPLEMENTED, and DEADLINE_EXCEEDED only where a stream stays open;
//  - a message over 4 MiB is RESOURCE_EXHAUSTED;
//  - a field beyond its declared bound, or an enum value its enum does not
//    name, sent by a caller the RPC admits, is INVALID_ARGUMENT naming the
//    field ("persons[0].name: must be at most 800 bytes");
//  - afterwards every process serves, the audit trail flows, and only calls
//    answered OK stored anything.
//
// One deployment serves the suite; the hostile calls run once per process,
// when a test first needs them.
#include <gtest/gtest.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/unknown_field_set.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <future>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "hartslag/audit/v1/audit.grpc.pb.h"
#include "hartslag/cases/v1/cases.grpc.pb.h"
#include "hartslag/cases/v1/figures.grpc.pb.h"
#include "hartslag/common/v1/bounds.pb.h"
#include "hartslag/directory/v1/directory.grpc.pb.h"
#include "hartslag/intake/v1/figures.grpc.pb.h"
#include "hartslag/intake/v1/intake.grpc.pb.h"
#include "services/audit/audit_service.h"
#include "services/cases/cases_service.h"
#include "services/common/crypto.h"
#include "services/common/operations_service.h"
#include "services/directory/directory_service.h"
#include "services/directory/password.h"
#include "services/intake/intake_service.h"
#include "tests/support/deployment.h"
#include "tests/support/sample_case.h"
#include "tests/support/sample_signal.h"
#include "tests/support/test_keys.h"

namespace hartslag {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::MethodDescriptor;
using google::protobuf::Reflection;
using google::protobuf::UnknownFieldSet;
using testing::ClaimsFor;

constexpr size_t kMaxMessageBytes = 4 << 20;  // what every service accepts (ServerOptions)
constexpr size_t kOneMegabyte = 1000 * 1000;
constexpr size_t kFiveMegabytes = 5 * kOneMegabyte;
constexpr int kManyItems = 10000;
constexpr int kDeepestField = 3;  // location.address.street
constexpr int kParallelCalls = 8;
// A caller the RPC does not admit is refused before its fields are read:
// every such caller sends the whole-message payloads and one in this many
// of the per-field ones (a different share each).
constexpr int kSampleEvery = 8;
constexpr absl::Duration kUnaryDeadline = absl::Seconds(30);
constexpr absl::Duration kStreamDeadline = absl::Seconds(2);
constexpr char kPassword[] = "lang-genoeg-wachtwoord";
constexpr char kPurpose[] = "CASE_MANAGEMENT";
// A reporter whom no hostile call names: the witness of the checks afterwards.
constexpr char kWitness[] = "ilse.controle";

// ---------------------------------------------------------------------------
// The API under test: every RPC each process serves, and whom it admits.

enum class Process { kAudit, kCases, kDirectory, kIntake };
constexpr Process kEveryProcess[] = {Process::kAudit, Process::kCases, Process::kDirectory,
                                     Process::kIntake};

const char* ProcessName(Process process) {
  switch (process) {
    case Process::kAudit: return "audit";
    case Process::kCases: return "cases";
    case Process::kDirectory: return "directory";
    case Process::kIntake: return "intake";
  }
  return "?";
}

// The services of one API file, the processes that serve them and the
// access policy they answer to.
struct ApiFile {
  const char* file;
  std::vector<Process> served_by;
  const AccessPolicy* policy;
};

const std::vector<ApiFile>& Api() {
  static const auto* api = new std::vector<ApiFile>{
      {"hartslag/intake/v1/intake.proto", {Process::kIntake}, &intake::kIntakePolicy},
      {"hartslag/directory/v1/directory.proto", {Process::kDirectory}, &directory::kDirectoryPolicy},
      {"hartslag/cases/v1/cases.proto", {Process::kCases}, &cases::kCasesPolicy},
      // Named by a message of theirs, which links them in.
      {intake::v1::GetSignalFiguresRequest::descriptor()->file()->name().c_str(), {Process::kIntake},
       &intake::kIntakePolicy},
      {cases::v1::GetCaseFiguresRequest::descriptor()->file()->name().c_str(), {Process::kCases},
       &cases::kCasesPolicy},
      {"hartslag/audit/v1/audit.proto", {Process::kAudit}, &audit::kAuditPolicy},
      {"hartslag/operations/v1/operations.proto",
       {Process::kAudit, Process::kCases, Process::kDirectory, Process::kIntake},
       &kOperationsPolicy},
  };
  return *api;
}

// One RPC as one process serves it.
struct Rpc {
  const MethodDescriptor* method;
  Process process;
  const AccessPolicy* policy;

  std::string Name() const { return method->name(); }
  std::string Label() const {
    return absl::StrCat(method->service()->name(), "/", Name(), "@", ProcessName(process));
  }
  std::string Path() const { return absl::StrCat("/", method->service()->full_name(), "/", Name()); }
  bool Streams() const { return method->server_streaming(); }
  const AccessRule& Rule() const { return policy->Rule(Name()); }
};

// Every RPC of every API file, once per process that serves it.
std::vector<Rpc> EveryRpc() {
  std::vector<Rpc> rpcs;
  for (const ApiFile& api : Api()) {
    const auto* file = google::protobuf::DescriptorPool::generated_pool()->FindFileByName(api.file);
    EXPECT_NE(file, nullptr) << api.file << " is not linked in";
    if (file == nullptr) continue;
    for (int s = 0; s < file->service_count(); ++s) {
      for (int m = 0; m < file->service(s)->method_count(); ++m) {
        for (Process process : api.served_by) rpcs.push_back({file->service(s)->method(m), process, api.policy});
      }
    }
  }
  return rpcs;
}

// Someone calling: a user of one role (a bearer token), a system proving
// itself with a client certificate of the test CA, or nobody in particular.
struct Caller {
  std::string name;
  std::optional<Role> role;
  std::string token;
  std::string certificate;

  bool Admitted(const AccessRule& rule) const {
    return rule.open || (role && rule.roles.contains(*role)) || rule.services.contains(certificate);
  }
};

// ---------------------------------------------------------------------------
// Requests: filled with plausible values, then one thing made hostile.

// Values that carry a request past the first checks into deeper code, by
// field name: the seeded tenant, areas, organisations, reporter, signal and
// case; a valid address; a fresh UUID where one is asked for; a date to come.
class PlausibleValues {
 public:
  PlausibleValues(const std::string& signal_id, const std::string& reference, const std::string& case_id)
      : text_({
            {"tenant_id", "heerlen"},
            {"area_id", "vrieheide"}, {"area_ids", "vrieheide"}, {"areas", "vrieheide"},
            {"parent_area_id", "heerlen-noord"},
            {"organisation_id", "gemeente"}, {"organisation_ids", "gemeente"},
            {"participating_organisations", "politie"},
            {"user_id", "bart.boa"}, {"password", kPassword}, {"roles", "REPORTER"},
            {"certificate_uri", "spiffe://hartslag/heerlen/client/hostile"},
            {"street", "Heerenweg"}, {"house_number_addition", "A"}, {"postcode", "6414 AB"},
            {"city", "Heerlen"}, {"bag_id", "0917200000123456"},
            {"category_id", "afval-dumping"}, {"name", "Jan Jansen"}, {"title", "Overlast"},
            {"description", "Matrassen naast de container."}, {"reason", "besproken in het overleg"},
            {"signal_id", signal_id}, {"signal_ids", signal_id}, {"reference", reference},
            {"case_id", case_id},
            {"page_token", ""}, {"cursor", ""},
        }) {}

  std::string Text(const FieldDescriptor* field) const {
    if (field->type() == FieldDescriptor::TYPE_BYTES) return std::string("\x01\x02\x03", 3);
    if (kFreshUuids.contains(field->name())) return RandomUuid();
    if (absl::EndsWith(field->name(), "_date")) return "2099-06-01";
    auto known = text_.find(field->name());
    return known == text_.end() ? "hostile" : known->second;
  }

  int64_t Number(const FieldDescriptor* field) const {
    if (field->name() == "birth_year") return 1970;
    if (field->name() == "house_number") return 12;
    if (field->name() == "page_size") return 10;
    return 1;
  }

 private:
  // UUIDs: of something new, or of nothing seeded.
  inline static const std::set<std::string> kFreshUuids = {"request_id", "event_id", "meeting_id", "action_id",
                                                           "restriction_id", "item_id", "note_id"};
  const std::map<std::string, std::string> text_;
};


int NamedEnumValue(const FieldDescriptor* field) {
  const auto* type = field->enum_type();
  return type->value(type->value_count() > 1 ? 1 : 0)->number();
}

int UnnamedEnumValue(const FieldDescriptor* field) {
  int highest = 0;
  for (int i = 0; i < field->enum_type()->value_count(); ++i) {
    highest = std::max(highest, field->enum_type()->value(i)->number());
  }
  return highest + 1;
}

// Stores `value`, converted to the field's type: sets a singular field, adds
// an item to a repeated one.
template <typename T>
void PutNumber(Message& holder, const FieldDescriptor* field, T value) {
  const Reflection* r = holder.GetReflection();
  const bool add = field->is_repeated();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      add ? r->AddInt32(&holder, field, static_cast<int32_t>(value))
          : r->SetInt32(&holder, field, static_cast<int32_t>(value));
      return;
    case FieldDescriptor::CPPTYPE_INT64:
      add ? r->AddInt64(&holder, field, static_cast<int64_t>(value))
          : r->SetInt64(&holder, field, static_cast<int64_t>(value));
      return;
    case FieldDescriptor::CPPTYPE_UINT32:
      add ? r->AddUInt32(&holder, field, static_cast<uint32_t>(value))
          : r->SetUInt32(&holder, field, static_cast<uint32_t>(value));
      return;
    case FieldDescriptor::CPPTYPE_UINT64:
      add ? r->AddUInt64(&holder, field, static_cast<uint64_t>(value))
          : r->SetUInt64(&holder, field, static_cast<uint64_t>(value));
      return;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      add ? r->AddDouble(&holder, field, static_cast<double>(value))
          : r->SetDouble(&holder, field, static_cast<double>(value));
      return;
    case FieldDescriptor::CPPTYPE_FLOAT:
      add ? r->AddFloat(&holder, field, static_cast<float>(value))
          : r->SetFloat(&holder, field, static_cast<float>(value));
      return;
    case FieldDescriptor::CPPTYPE_BOOL:
      add ? r->AddBool(&holder, field, value != 0) : r->SetBool(&holder, field, value != 0);
      return;
    case FieldDescriptor::CPPTYPE_ENUM:
      add ? r->AddEnumValue(&holder, field, static_cast<int>(value))
          : r->SetEnumValue(&holder, field, static_cast<int>(value));
      return;
    default:
      ADD_FAILURE() << field->full_name() << " is not a number";
  }
}

// The same for text.
void PutText(Message& holder, const FieldDescriptor* field, const std::string& value) {
  const Reflection* r = holder.GetReflection();
  field->is_repeated() ? r->AddString(&holder, field, value) : r->SetString(&holder, field, value);
}

// Sets a field to `value`; a repeated one to this one item.
template <typename T>
void SetNumber(Message& holder, const FieldDescriptor* field, T value) {
  if (field->is_repeated()) holder.GetReflection()->ClearField(&holder, field);
  PutNumber(holder, field, value);
}

void SetText(Message& holder, const FieldDescriptor* field, const std::string& value) {
  if (field->is_repeated()) holder.GetReflection()->ClearField(&holder, field);
  PutText(holder, field, value);
}

void Fill(Message& message, const PlausibleValues& plausible, int depth = 1);

// Gives a field a plausible value; a repeated field gets one more item, a
// message field is filled in turn.
void PutPlausible(Message& holder, const FieldDescriptor* field, const PlausibleValues& plausible, int depth) {
  const Reflection* r = holder.GetReflection();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return PutText(holder, field, plausible.Text(field));
    case FieldDescriptor::CPPTYPE_ENUM:
      return PutNumber(holder, field, NamedEnumValue(field));
    case FieldDescriptor::CPPTYPE_MESSAGE:
      if (depth > kDeepestField) return;
      return Fill(field->is_repeated() ? *r->AddMessage(&holder, field) : *r->MutableMessage(&holder, field),
                  plausible, depth + 1);
    default:
      return PutNumber(holder, field, plausible.Number(field));
  }
}

// Adds item `i` to a repeated field: a plausible value, an empty message, a
// map entry with key `i`.
void AddItem(Message& holder, const FieldDescriptor* field, int i, const PlausibleValues& plausible) {
  if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) return PutPlausible(holder, field, plausible, 1);
  Message* item = holder.GetReflection()->AddMessage(&holder, field);
  if (!field->is_map()) return;
  const FieldDescriptor* key = field->message_type()->map_key();
  if (key->cpp_type() == FieldDescriptor::CPPTYPE_STRING) SetText(*item, key, absl::StrCat(i));
  else SetNumber(*item, key, i);
}

// Gives every field a plausible value (a repeated field one item, a oneof
// its first member), down to kDeepestField levels of messages; a timestamp
// is an hour ago.
void Fill(Message& message, const PlausibleValues& plausible, int depth) {
  const Descriptor* type = message.GetDescriptor();
  if (type == google::protobuf::Timestamp::descriptor()) {
    SetNumber(message, type->FindFieldByName("seconds"), absl::ToUnixSeconds(absl::Now() - absl::Hours(1)));
    return;
  }
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    if (field->real_containing_oneof() != nullptr && field->index_in_oneof() > 0) continue;
    PutPlausible(message, field, plausible, depth);
  }
}

std::unique_ptr<Message> Filled(const Descriptor* type, const PlausibleValues& plausible) {
  std::unique_ptr<Message> request(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->New());
  Fill(*request, plausible);
  return request;
}

// A field of a request, reached through the message fields before it (item
// 0 of a repeated one).
struct FieldSlot {
  std::vector<const FieldDescriptor*> route;  // the last is the field itself
  std::string path;                           // as the services name it: "persons[0].name"

  const FieldDescriptor* field() const { return route.back(); }
};

// Every field of `type` and of its message fields, kDeepestField levels deep.
void CollectSlots(const Descriptor* type, const FieldSlot& via, int depth, std::vector<FieldSlot>& out) {
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    FieldSlot slot = via;
    slot.route.push_back(field);
    slot.path += field->name();
    out.push_back(slot);
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && !field->is_map() && depth < kDeepestField) {
      slot.path += field->is_repeated() ? "[0]." : ".";
      CollectSlots(field->message_type(), slot, depth + 1, out);
    }
  }
}

std::vector<FieldSlot> FieldSlots(const Descriptor* type) {
  std::vector<FieldSlot> slots;
  CollectSlots(type, {}, 1, slots);
  return slots;
}

// The message that holds the slot's field, made present on the way.
Message& Holder(Message& request, const FieldSlot& slot) {
  Message* message = &request;
  for (size_t i = 0; i + 1 < slot.route.size(); ++i) {
    const FieldDescriptor* field = slot.route[i];
    const Reflection* r = message->GetReflection();
    if (!field->is_repeated()) message = r->MutableMessage(message, field);
    else if (r->FieldSize(*message, field) > 0) message = r->MutableRepeatedMessage(message, field, 0);
    else message = r->AddMessage(message, field);
  }
  return *message;
}

// Stores an extreme value in a number field.
using NumberSetter = std::function<void(Message& holder, const FieldDescriptor* field)>;

template <typename T>
std::vector<std::pair<std::string, NumberSetter>> ExtremesOf() {
  auto set = [](T value) -> NumberSetter {
    return [value](Message& holder, const FieldDescriptor* field) { SetNumber(holder, field, value); };
  };
  const T lowest = std::numeric_limits<T>::lowest(), highest = std::numeric_limits<T>::max();
  std::vector<std::pair<std::string, NumberSetter>> extremes = {
      {absl::StrCat("its minimum ", lowest), set(lowest)},
      {absl::StrCat("its maximum ", highest), set(highest)},
  };
  if constexpr (std::numeric_limits<T>::has_quiet_NaN) {
    extremes.push_back({"NaN", set(std::numeric_limits<T>::quiet_NaN())});
  }
  return extremes;
}

std::vector<std::pair<std::string, NumberSetter>> Extremes(const FieldDescriptor* field) {
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32: return ExtremesOf<int32_t>();
    case FieldDescriptor::CPPTYPE_INT64: return ExtremesOf<int64_t>();
    case FieldDescriptor::CPPTYPE_UINT32: return ExtremesOf<uint32_t>();
    case FieldDescriptor::CPPTYPE_UINT64: return ExtremesOf<uint64_t>();
    case FieldDescriptor::CPPTYPE_DOUBLE: return ExtremesOf<double>();
    case FieldDescriptor::CPPTYPE_FLOAT: return ExtremesOf<float>();
    default: return {};
  }
}

// One hostile change to one field of a filled request.
struct FieldEdit {
  std::string family;  // "text beyond its bound", ...
  std::string kind;    // "persons[0].name at 801 bytes"
  // Set when the change takes the field beyond its declared bound or out of
  // its enum: the path the refusal must name.
  std::optional<std::string> refused_field;
  std::function<void(Message& holder)> apply;
};

std::optional<std::string> RefusedIf(bool beyond, const std::string& path) {
  return beyond ? std::optional<std::string>(path) : std::nullopt;
}

// The value an edit changes: the field itself, item 0 of a repeated field,
// or the value of a map's only entry (held to the bound of the map).
const FieldDescriptor* ValueOf(const FieldDescriptor* field) {
  return field->is_map() ? field->message_type()->map_value() : field;
}

std::string ValuePath(const FieldSlot& slot) {
  return slot.field()->is_repeated() ? slot.path + "[0]" : slot.path;
}

using ValueChange = std::function<void(Message& holder, const FieldDescriptor* value)>;

std::function<void(Message& holder)> AtValue(const FieldDescriptor* field, ValueChange change) {
  return [field, change](Message& holder) {
    if (!field->is_map()) return change(holder, field);
    holder.GetReflection()->ClearField(&holder, field);
    change(*holder.GetReflection()->AddMessage(&holder, field), ValueOf(field));
  };
}

// A repeated field one item over its bound and with 10,000 items.
std::vector<FieldEdit> ItemCountEdits(const FieldSlot& slot, const PlausibleValues& plausible) {
  const FieldDescriptor* field = slot.field();
  const int max = MaxItems(field);
  std::vector<FieldEdit> edits;
  for (int items : std::set<int>{max + 1, kManyItems}) {
    edits.push_back({items > max ? "too many items" : "items within bound",
                     absl::StrCat(slot.path, " with ", items, " items"), RefusedIf(items > max, slot.path),
                     [field, items, &plausible](Message& holder) {
                       holder.GetReflection()->ClearField(&holder, field);
                       for (int i = 0; i < items; ++i) AddItem(holder, field, i, plausible);
                     }});
  }
  return edits;
}

std::string Size(size_t bytes) {
  return bytes == kOneMegabyte ? "1 MB" : absl::StrCat(bytes, " bytes");
}

// Text empty, at its declared bound, one byte over and at 1 MB.
std::vector<FieldEdit> TextEdits(const FieldSlot& slot) {
  const size_t max = static_cast<size_t>(MaxBytes(slot.field()));
  std::vector<FieldEdit> edits;
  for (size_t bytes : std::set<size_t>{0, max, max + 1, kOneMegabyte}) {
    const std::string text(bytes, 'x');
    edits.push_back({bytes > max ? "text beyond its bound" : "text within its bound",
                     absl::StrCat(ValuePath(slot), " at ", Size(bytes)), RefusedIf(bytes > max, ValuePath(slot)),
                     AtValue(slot.field(), [text](Message& holder, const FieldDescriptor* value) {
                       SetText(holder, value, text);
                     })});
  }
  return edits;
}

// An enum at a number its enum does not name.
std::vector<FieldEdit> EnumEdits(const FieldSlot& slot) {
  const FieldDescriptor* value = ValueOf(slot.field());
  const int unnamed = UnnamedEnumValue(value);
  return {{"enum out of range", absl::StrCat(ValuePath(slot), " at ", unnamed, ", no ", value->enum_type()->name()),
           ValuePath(slot), AtValue(slot.field(), [unnamed](Message& holder, const FieldDescriptor* value) {
             SetNumber(holder, value, unnamed);
           })}};
}

// A number at its type's extremes.
std::vector<FieldEdit> NumberEdits(const FieldSlot& slot) {
  std::vector<FieldEdit> edits;
  for (auto& [name, extreme] : Extremes(ValueOf(slot.field()))) {
    edits.push_back({"number at an extreme", absl::StrCat(ValuePath(slot), " at ", name), std::nullopt,
                     AtValue(slot.field(), extreme)});
  }
  return edits;
}

// Every hostile change to one field (a message field's own fields are slots
// of their own; a bool has nothing hostile about it).
std::vector<FieldEdit> EditsOf(const FieldSlot& slot, const PlausibleValues& plausible) {
  std::vector<FieldEdit> edits;
  if (slot.field()->is_repeated()) edits = ItemCountEdits(slot, plausible);
  std::vector<FieldEdit> value_edits;
  switch (ValueOf(slot.field())->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: value_edits = TextEdits(slot); break;
    case FieldDescriptor::CPPTYPE_ENUM: value_edits = EnumEdits(slot); break;
    case FieldDescriptor::CPPTYPE_MESSAGE: case FieldDescriptor::CPPTYPE_BOOL: break;
    default: value_edits = NumberEdits(slot);
  }
  for (FieldEdit& edit : value_edits) edits.push_back(std::move(edit));
  return edits;
}

// One hostile request body.
struct Payload {
  std::string family;  // "random bytes", "text beyond its bound", ...
  std::string kind;    // "random bytes (seed 2)", "persons[0].name at 801 bytes"
  std::string bytes;
  // For a field beyond its bound or out of its enum: the path the refusal
  // must name for a caller the RPC admits.
  std::optional<std::string> refused_field;
  bool per_field = false;
};

Payload WholeMessage(std::string family, std::string bytes, const std::string& detail = "") {
  std::string kind = detail.empty() ? family : absl::StrCat(family, " ", detail);
  return {std::move(family), std::move(kind), std::move(bytes), std::nullopt, false};
}

std::string RandomBytes(uint32_t seed) {
  std::mt19937 random(seed);
  std::string bytes(size_t{16} << (3 * seed), '\0');  // 128 B, 1 KiB, 8 KiB
  for (char& byte : bytes) byte = static_cast<char>(random());
  return bytes;
}

// An unknown length-delimited field of `bytes` bytes, appended to a message.
std::string Padding(size_t bytes) {
  UnknownFieldSet padding;
  padding.AddLengthDelimited(9999, std::string(bytes, 'p'));
  std::string out;
  padding.SerializeToString(&out);
  return out;
}

// The filled request with the text at `slot` replaced by bytes that are not
// UTF-8: protobuf will not serialize them, so a marker of the same length
// is serialized and then swapped.
std::string WithInvalidUtf8(const Descriptor* type, const FieldSlot& slot, const PlausibleValues& plausible) {
  const std::string marker = "<<not-utf-8>>";
  const std::string not_utf8 = "\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc\xff\xfe";
  std::unique_ptr<Message> request = Filled(type, plausible);
  SetText(Holder(*request, slot), slot.field(), marker);
  return absl::StrReplaceAll(request->SerializeAsString(), {{marker, not_utf8}});
}

// What breaks a message as a whole: random bytes, nothing, a cut-off
// request, one over the message limit, text that is not UTF-8.
std::vector<Payload> WholeMessagePayloads(const Descriptor* type, const PlausibleValues& plausible) {
  std::vector<Payload> payloads;
  for (uint32_t seed : {1u, 2u, 3u}) {
    payloads.push_back(WholeMessage("random bytes", RandomBytes(seed), absl::StrCat("(seed ", seed, ")")));
  }
  payloads.push_back(WholeMessage("empty message", ""));
  const std::string filled = Filled(type, plausible)->SerializeAsString();
  payloads.push_back(WholeMessage("truncated message", filled.substr(0, filled.size() / 2)));
  payloads.push_back(WholeMessage("5 MB message", filled + Padding(kFiveMegabytes)));
  for (const FieldSlot& slot : FieldSlots(type)) {
    if (slot.field()->type() != FieldDescriptor::TYPE_STRING) continue;
    payloads.push_back(WholeMessage("invalid UTF-8", WithInvalidUtf8(type, slot, plausible), "in " + slot.path));
    break;
  }
  return payloads;
}

// Every hostile request for `type`: the whole-message ones, then a filled
// request with one field edited, for every edit of every field.
std::vector<Payload> HostilePayloads(const Descriptor* type, const PlausibleValues& plausible) {
  std::vector<Payload> payloads = WholeMessagePayloads(type, plausible);
  for (const FieldSlot& slot : FieldSlots(type)) {
    for (const FieldEdit& edit : EditsOf(slot, plausible)) {
      std::unique_ptr<Message> request = Filled(type, plausible);
      edit.apply(Holder(*request, slot));
      payloads.push_back({edit.family, edit.kind, request->SerializeAsString(), edit.refused_field, true});
    }
  }
  return payloads;
}

// ---------------------------------------------------------------------------
// Calls: raw bytes through a generic stub.

std::string Flatten(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (!buffer.Dump(&slices).ok()) return bytes;
  for (const grpc::Slice& slice : slices) bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  return bytes;
}

// The answer to a raw call: its status and every message the server sent.
struct Exchange {
  grpc::Status status;
  std::vector<std::string> answers;
};

// How a call is made: as whom, for how long.
struct CallSetup {
  std::string token;
  absl::Duration deadline = kUnaryDeadline;
};

// One call of any kind: writes the request, half-closes and reads answers
// until the server ends the call (a stream may run until the deadline).
// Owns itself until gRPC is done with it.
class RawCall final : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  static Exchange Run(grpc::GenericStub& stub, const std::string& method, const std::string& bytes,
                      const CallSetup& setup) {
    auto* call = new RawCall(bytes);
    if (!setup.token.empty()) call->context_.AddMetadata("authorization", "Bearer " + setup.token);
    call->context_.AddMetadata("x-hartslag-purpose", kPurpose);
    call->context_.set_deadline(absl::ToChronoTime(absl::Now() + setup.deadline));
    std::future<Exchange> done = call->done_.get_future();
    stub.PrepareBidiStreamingCall(&call->context_, method, grpc::StubOptions(), call);
    call->StartWriteLast(&call->request_, grpc::WriteOptions());
    call->StartRead(&call->answer_);
    call->StartCall();
    return done.get();
  }

 private:
  explicit RawCall(const std::string& bytes) : slice_(bytes), request_(&slice_, 1) {}

  void OnReadDone(bool ok) override {
    if (!ok) return;
    answers_.push_back(Flatten(answer_));
    StartRead(&answer_);
  }
  void OnDone(const grpc::Status& status) override {
    done_.set_value({status, std::move(answers_)});
    delete this;
  }

  grpc::ClientContext context_;
  grpc::Slice slice_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer answer_;
  std::vector<std::string> answers_;
  std::promise<Exchange> done_;
};

// Runs work(0) .. work(n - 1) on `threads` threads.
void RunInParallel(size_t n, int threads, const std::function<void(size_t)>& work) {
  std::atomic<size_t> next{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (size_t i = next++; i < n; i = next++) work(i);
    });
  }
  for (std::thread& worker : workers) worker.join();
}

// The values of field `number` in `bytes`, read without a schema.
std::vector<std::string> LengthDelimited(const std::string& bytes, int number) {
  UnknownFieldSet fields;
  std::vector<std::string> values;
  if (!fields.ParseFromString(bytes)) return values;
  for (int i = 0; i < fields.field_count(); ++i) {
    const auto& field = fields.field(i);
    if (field.number() == number && field.type() == google::protobuf::UnknownField::TYPE_LENGTH_DELIMITED) {
      values.push_back(field.length_delimited());
    }
  }
  return values;
}

// ---------------------------------------------------------------------------
// The specification of one answer.

bool IsClearStatus(grpc::StatusCode code, bool stream) {
  switch (code) {
    case grpc::StatusCode::OK:
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::OUT_OF_RANGE:
      return true;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return stream;  // a stream that was opened stays open until the deadline
    default:
      return false;
  }
}

std::string CodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

// Whether the answer must be INVALID_ARGUMENT naming a field: one beyond its
// bound or out of its enum, in a message within the limit, from a caller the
// RPC admits (others are refused before the fields are read).
bool MustNameField(const Rpc& rpc, const Caller& caller, const Payload& payload) {
  return payload.refused_field && payload.bytes.size() <= kMaxMessageBytes && caller.Admitted(rpc.Rule());
}

// What the answer should have been, when it was not; nothing when it holds.
std::optional<std::string> Breach(const Rpc& rpc, const Caller& caller, const Payload& payload,
                                  const grpc::Status& status) {
  const grpc::StatusCode code = status.error_code();
  if (payload.bytes.size() > kMaxMessageBytes) {
    if (code == grpc::StatusCode::RESOURCE_EXHAUSTED) return std::nullopt;
    return "RESOURCE_EXHAUSTED (over the 4 MiB message limit)";
  }
  if (!IsClearStatus(code, rpc.Streams())) return "a clear status";
  if (MustNameField(rpc, caller, payload)) {
    if (code != grpc::StatusCode::INVALID_ARGUMENT ||
        !absl::StartsWith(status.error_message(), *payload.refused_field + ":")) {
      return absl::StrCat("INVALID_ARGUMENT \"", *payload.refused_field, ": ...\"");
    }
  }
  return std::nullopt;
}

// Calls of one RPC with one payload that broke the specification the same way.
struct Finding {
  std::string rpc;
  std::string family;
  std::string payload;
  std::string expected;
  grpc::StatusCode code;
  std::string message;  // of the first such call
  std::vector<std::string> callers;
};

// What the hostile calls did.
struct BarrageReport {
  int rpcs = 0;
  int64_t payloads = 0;
  int64_t calls = 0;
  int64_t naming_a_field = 0;  // calls whose answer had to (MustNameField)
  std::map<grpc::StatusCode, int64_t> by_code;
  absl::Duration took;
  std::vector<Finding> findings;
  std::map<std::string, int64_t> answered_ok;  // by RPC name
  std::map<std::string, int64_t> rows_before, rows_after;  // by table
};

// What an RPC answered OK creates: one row of `table` per call.
struct Creation {
  const char* rpc;
  const char* table;
};
constexpr Creation kCreations[] = {
    {"SubmitSignal", "intake.signals"},
    {"CreateArea", "directory.areas"},
    {"CreateOrganisation", "directory.organisations"},
    {"CreateUser", "directory.users"},
    {"CreateIntegratedClient", "directory.integrated_clients"},
    {"AddRestriction", "audit.restrictions"},
    // Triage could open a case too, but the hostile calls never read the
    // triage queue (for TRIAGE), which a decision needs first.
    {"OpenCase", "cases.cases"},
};

// ---------------------------------------------------------------------------
// The suite: one deployment with Heerlen seeded, and the hostile calls.

class HostileInputTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    deployment_ = new testing::Deployment();
    SeedDirectory();
    callers_ = new std::vector<Caller>(Callers());
    for (Process process : kEveryProcess) {
      for (const Caller& caller : *callers_) {
        auto& stub = stubs_[{process, caller.certificate}];
        if (!stub) stub = std::make_unique<grpc::GenericStub>(deployment_->Channel(Serving(process), caller.certificate));
      }
    }
    const auto [signal_id, reference] = SeedSignal();
    plausible_ = new PlausibleValues(signal_id, reference, SeedCase());
  }

  static void TearDownTestSuite() {
    delete report_;
    delete plausible_;
    delete callers_;
    stubs_.clear();
    delete deployment_;
  }

  static testing::ServiceProcess& Serving(Process process) {
    switch (process) {
      case Process::kAudit: return deployment_->audit();
      case Process::kCases: return deployment_->cases();
      case Process::kDirectory: return deployment_->directory();
      case Process::kIntake: return deployment_->intake();
    }
    throw std::logic_error("no such process");
  }

  static std::string Token(const std::string& user, const std::string& organisation, const std::string& kind,
                           const std::string& role) {
    return deployment_->Token(ClaimsFor(user, organisation, kind, {role}, {"heerlen-noord"}));
  }

  // Every role (a user of Heerlen with a token), nobody, a partner system
  // and every service some RPC admits (by client certificate, no token).
  static std::vector<Caller> Callers() {
    auto user = [](const std::string& role, const std::string& user, const std::string& organisation,
                   const std::string& kind) {
      return Caller{role, ParseRole(role), Token(user, organisation, kind, role), ""};
    };
    std::vector<Caller> callers = {
        {"no token", std::nullopt, "", ""},
        user("REPORTER", "bart.boa", "handhaving", "ENFORCEMENT"),
        user("COORDINATOR", "carla.coordinator", "gemeente", "MUNICIPALITY"),
        user("PARTNER", "peter.politie", "politie", "POLICE"),
        user("PRIVACY_OFFICER", "privacy.officer", "gemeente", "MUNICIPALITY"),
        user("ADMIN", "anna.admin", "gemeente", "MUNICIPALITY"),
        {"partner system politie-bvh", std::nullopt, "", "politie-bvh"},
    };
    std::set<std::string> services;
    for (const Rpc& rpc : EveryRpc()) services.insert(rpc.Rule().services.begin(), rpc.Rule().services.end());
    for (const std::string& service : services) callers.push_back({"service " + service, std::nullopt, "", service});
    return callers;
  }

  // Heerlen in the directory, as an admin sets it up: organisations, areas,
  // users, the police's integrated client.
  static void SeedDirectory() {
    namespace dv1 = directory::v1;
    directory::DirectoryStore& store = deployment_->directory_store();
    ASSERT_TRUE(store.CreateTenant("heerlen", "Gemeente Heerlen").ok());
    for (auto [id, kind] : {std::pair{"gemeente", common::v1::ORGANISATION_KIND_MUNICIPALITY},
                            std::pair{"handhaving", common::v1::ORGANISATION_KIND_ENFORCEMENT},
                            std::pair{"politie", common::v1::ORGANISATION_KIND_POLICE},
                            std::pair{"woonpunt", common::v1::ORGANISATION_KIND_HOUSING},
                            std::pair{"buurtteam", common::v1::ORGANISATION_KIND_CARE}}) {
      dv1::Organisation organisation;
      organisation.set_organisation_id(id);
      organisation.set_name(id);
      organisation.set_kind(kind);
      ASSERT_TRUE(store.CreateOrganisation("heerlen", organisation, testing::Unaudited()).ok());
    }
    for (auto [id, parent] : {std::pair{"heerlen-noord", ""}, std::pair{"vrieheide", "heerlen-noord"}}) {
      dv1::Area area;
      area.set_area_id(id);
      area.set_parent_area_id(parent);
      area.set_name(id);
      ASSERT_TRUE(store.CreateArea("heerlen", area, testing::Unaudited()).ok());
    }
    const std::string hash = *directory::HashPassword(kPassword);
    for (auto [id, organisation, role] : {std::tuple{"bart.boa", "handhaving", "REPORTER"},
                                          std::tuple{kWitness, "handhaving", "REPORTER"},
                                          std::tuple{"carla.coordinator", "gemeente", "COORDINATOR"},
                                          std::tuple{"peter.politie", "politie", "PARTNER"}}) {
      dv1::User user;
      user.set_user_id(id);
      user.set_organisation_id(organisation);
      user.set_display_name(id);
      user.add_roles(role);
      user.add_areas("heerlen-noord");
      ASSERT_TRUE(store.CreateUser("heerlen", user, hash, testing::Unaudited()).ok());
    }
    dv1::IntegratedClient client;
    client.set_client_id("politie-bvh");
    client.set_organisation_id("politie");
    client.set_certificate_uri("spiffe://hartslag/heerlen/client/politie-bvh");
    ASSERT_TRUE(store.CreateClient("heerlen", client, testing::Unaudited()).ok());
  }

  // A signal the reporter submitted, for the hostile requests to name: its
  // id and reference.
  static std::pair<std::string, std::string> SeedSignal() {
    auto signals = intake::v1::SignalService::NewStub(deployment_->Channel(deployment_->intake()));
    intake::v1::SubmitSignalResponse submitted;
    grpc::Status status = signals->SubmitSignal(
        deployment_->Call(Token("bart.boa", "handhaving", "ENFORCEMENT", "REPORTER")).get(),
        testing::SampleSignal(), &submitted);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {submitted.signal().signal_id(), submitted.signal().reference()};
  }

  // A case the coordinator opened, for the hostile requests to name.
  static std::string SeedCase() {
    auto cases = cases::v1::CaseService::NewStub(deployment_->Channel(deployment_->cases()));
    cases::v1::OpenCaseRequest request = testing::SampleHousehold();
    request.set_area_id("vrieheide");
    cases::v1::Case opened;
    auto call = deployment_->Call(Token("carla.coordinator", "gemeente", "MUNICIPALITY", "COORDINATOR"));
    call->AddMetadata("x-hartslag-purpose", kPurpose);
    grpc::Status status = cases->OpenCase(call.get(), request, &opened);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return opened.case_id();
  }

  static int64_t Rows(const std::string& table) {
    auto rows = deployment_->pool().Query(absl::StrCat("SELECT count(*) AS n FROM ", table));
    EXPECT_TRUE(rows.ok()) << table << ": " << rows.status();
    return rows.ok() ? rows->Int(0, "n") : -1;
  }

  static Exchange Send(const Rpc& rpc, const Caller& caller, const std::string& bytes) {
    grpc::GenericStub& stub = *stubs_.at({rpc.process, caller.certificate});
    return RawCall::Run(stub, rpc.Path(), bytes,
                        {caller.token, rpc.Streams() ? kStreamDeadline : kUnaryDeadline});
  }

  // Whether `caller` sends payload `index`: every payload when the RPC admits
  // the caller; otherwise the whole-message ones and a share of the rest.
  static bool Sends(const Rpc& rpc, size_t caller, const Payload& payload, size_t index) {
    if (!payload.per_field || (*callers_)[caller].Admitted(rpc.Rule())) return true;
    return (index + caller) % kSampleEvery == 0;
  }

  // Sends every hostile payload of every RPC as every caller, once per
  // process run, and keeps what came back.
  static const BarrageReport& Barrage() {
    if (report_ != nullptr) return *report_;
    report_ = new BarrageReport;
    BarrageReport& report = *report_;
    for (const Creation& creation : kCreations) report.rows_before[creation.table] = Rows(creation.table);
    std::mutex mutex;
    std::map<std::tuple<std::string, std::string, std::string, grpc::StatusCode>, Finding> findings;
    const absl::Time start = absl::Now();
    for (const Rpc& rpc : EveryRpc()) {
      const std::vector<Payload> payloads = HostilePayloads(rpc.method->input_type(), *plausible_);
      std::vector<std::pair<size_t, size_t>> calls;  // caller, payload
      for (size_t c = 0; c < callers_->size(); ++c) {
        for (size_t p = 0; p < payloads.size(); ++p) {
          if (Sends(rpc, c, payloads[p], p)) calls.emplace_back(c, p);
        }
      }
      RunInParallel(calls.size(), kParallelCalls, [&](size_t i) {
        const Caller& caller = (*callers_)[calls[i].first];
        const Payload& payload = payloads[calls[i].second];
        const grpc::Status status = Send(rpc, caller, payload.bytes).status;
        const std::optional<std::string> breach = Breach(rpc, caller, payload, status);
        std::lock_guard<std::mutex> lock(mutex);
        ++report.calls;
        ++report.by_code[status.error_code()];
        if (status.ok()) ++report.answered_ok[rpc.Name()];
        if (MustNameField(rpc, caller, payload)) ++report.naming_a_field;
        if (!breach) return;
        Finding& finding = findings[{rpc.Label(), payload.kind, *breach, status.error_code()}];
        if (finding.callers.empty()) {
          finding = {rpc.Label(), payload.family, payload.kind, *breach,
                     status.error_code(), status.error_message(), {}};
        }
        finding.callers.push_back(caller.name);
      });
      ++report.rpcs;
      report.payloads += static_cast<int64_t>(payloads.size());
    }
    report.took = absl::Now() - start;
    for (auto& [key, finding] : findings) report.findings.push_back(std::move(finding));
    for (const Creation& creation : kCreations) report.rows_after[creation.table] = Rows(creation.table);
    PrintFigures(report);
    return report;
  }

  static void PrintFigures(const BarrageReport& report) {
    std::printf("hostile input: %d RPCs, %lld payloads, %lld calls in %.1f s (%.0f calls/s)\n", report.rpcs,
                static_cast<long long>(report.payloads), static_cast<long long>(report.calls),
                absl::ToDoubleSeconds(report.took), report.calls / absl::ToDoubleSeconds(report.took));
    for (const auto& [code, count] : report.by_code) {
      std::printf("  %-20s %lld\n", CodeName(code).c_str(), static_cast<long long>(count));
    }
    std::printf("  of which had to name a field: %lld\n", static_cast<long long>(report.naming_a_field));
    // The answers against the specification by status and payload family,
    // with how many RPCs gave them.
    std::map<std::pair<std::string, std::string>, std::pair<int64_t, std::set<std::string>>> breaches;
    for (const Finding& finding : report.findings) {
      auto& [calls, rpcs] = breaches[{CodeName(finding.code), finding.family}];
      calls += static_cast<int64_t>(finding.callers.size());
      rpcs.insert(finding.rpc);
    }
    std::printf("answers against the specification: %zu findings\n", report.findings.size());
    for (const auto& [what, count] : breaches) {
      std::printf("  %-20s %-24s %6lld calls, %3zu RPCs\n", what.first.c_str(), what.second.c_str(),
                  static_cast<long long>(count.first), count.second.size());
    }
    std::fflush(stdout);
  }

  // The grpc.health.v1 status of a process ("SERVING"), or why there is none.
  static std::string Health(Process process) {
    Exchange health = RawCall::Run(*stubs_.at({process, ""}), "/grpc.health.v1.Health/Check", "", {});
    if (!health.status.ok()) return CodeName(health.status.error_code()) + " " + health.status.error_message();
    // HealthCheckResponse{status: SERVING} is field 1 = 1.
    return health.answers == std::vector<std::string>{std::string("\x08\x01", 2)} ? "SERVING" : "NOT_SERVING";
  }

  // The hartslag services a process lists through gRPC server reflection.
  static std::set<std::string> ReflectedServices(Process process) {
    // ServerReflectionRequest{list_services: ""}: field 7.
    UnknownFieldSet request;
    request.AddLengthDelimited(7, "");
    std::string bytes;
    request.SerializeToString(&bytes);
    Exchange listed = RawCall::Run(*stubs_.at({process, ""}),
                                   "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", bytes, {});
    EXPECT_TRUE(listed.status.ok()) << listed.status.error_message();
    std::set<std::string> names;
    // ServerReflectionResponse.list_services_response (6) .service (1) .name (1).
    for (const std::string& answer : listed.answers) {
      for (const std::string& list : LengthDelimited(answer, 6)) {
        for (const std::string& service : LengthDelimited(list, 1)) {
          for (const std::string& name : LengthDelimited(service, 1)) {
            if (absl::StartsWith(name, "hartslag.")) names.insert(name);
          }
        }
      }
    }
    return names;
  }

  // The x-request-ids among the witness's audit records, as the privacy
  // officer finds them, once all of `traces` are there or 30 s have passed.
  static std::set<std::string> AwaitWitnessRecords(const std::set<std::string>& traces) {
    auto audit = audit::v1::AuditService::NewStub(deployment_->Channel(deployment_->audit()));
    audit::v1::QueryEventsRequest query;
    query.set_actor_user_id(kWitness);
    query.set_page_size(100);
    std::set<std::string> found;
    for (absl::Time give_up = absl::Now() + absl::Seconds(30); absl::Now() < give_up;) {
      audit::v1::QueryEventsResponse page;
      grpc::Status status = audit->QueryEvents(deployment_->Call(deployment_->PrivacyOfficerToken()).get(),
                                               query, &page);
      EXPECT_TRUE(status.ok()) << status.error_message();
      for (const auto& record : page.events()) found.insert(record.event().trace_id());
      if (std::includes(found.begin(), found.end(), traces.begin(), traces.end())) break;
      absl::SleepFor(absl::Milliseconds(200));
    }
    return found;
  }

  static testing::Deployment* deployment_;
  static std::map<std::pair<Process, std::string>, std::unique_ptr<grpc::GenericStub>> stubs_;
  static std::vector<Caller>* callers_;
  static PlausibleValues* plausible_;
  static BarrageReport* report_;
};

testing::Deployment* HostileInputTest::deployment_ = nullptr;
std::map<std::pair<Process, std::string>, std::unique_ptr<grpc::GenericStub>> HostileInputTest::stubs_;
std::vector<Caller>* HostileInputTest::callers_ = nullptr;
PlausibleValues* HostileInputTest::plausible_ = nullptr;
BarrageReport* HostileInputTest::report_ = nullptr;

// ---------------------------------------------------------------------------
// The properties.

TEST_F(HostileInputTest, TheRpcsUnderTestAreEveryServiceEachProcessServes) {
  for (const Rpc& rpc : EveryRpc()) {
    bool reached = false;
    for (const Caller& caller : *callers_) reached = reached || caller.Admitted(rpc.Rule());
    EXPECT_TRUE(reached) << rpc.Label() << " admits none of the callers: its fields are never read";
  }
  for (Process process : kEveryProcess) {
    std::set<std::string> discovered;
    for (const Rpc& rpc : EveryRpc()) {
      if (rpc.process == process) discovered.insert(rpc.method->service()->full_name());
    }
    EXPECT_EQ(ReflectedServices(process), discovered) << ProcessName(process);
  }
}

TEST_F(HostileInputTest, EveryRpcAnswersEveryHostileInputWithAClearStatus) {
  const BarrageReport& report = Barrage();
  for (const Finding& finding : report.findings) {
    ADD_FAILURE() << finding.rpc << " | " << finding.payload << " | " << absl::StrJoin(finding.callers, ", ")
                  << ": " << CodeName(finding.code) << " \"" << finding.message << "\", expected "
                  << finding.expected;
  }
}

TEST_F(HostileInputTest, ServicesStayAliveAndTheAuditTrailFlowsAfterwards) {
  Barrage();
  for (Process process : kEveryProcess) EXPECT_EQ(Health(process), "SERVING") << ProcessName(process);

  auto auth = directory::v1::AuthService::NewStub(deployment_->Channel(deployment_->directory()));
  directory::v1::LoginRequest login;
  login.set_tenant_id("heerlen");
  login.set_user_id(kWitness);
  login.set_password(kPassword);
  directory::v1::TokenResponse tokens;
  auto login_call = deployment_->Call();
  login_call->AddMetadata("x-request-id", "hostile-after-login");
  grpc::Status logged_in = auth->Login(login_call.get(), login, &tokens);
  EXPECT_TRUE(logged_in.ok()) << logged_in.error_message();

  auto signals = intake::v1::SignalService::NewStub(deployment_->Channel(deployment_->intake()));
  intake::v1::ListCategoriesResponse categories;
  auto list_call = deployment_->Call(Token(kWitness, "handhaving", "ENFORCEMENT", "REPORTER"));
  list_call->AddMetadata("x-request-id", "hostile-after-categories");
  grpc::Status listed = signals->ListCategories(list_call.get(), {}, &categories);
  EXPECT_TRUE(listed.ok()) << listed.error_message();

  const std::set<std::string> traces = {"hostile-after-login", "hostile-after-categories"};
  const absl::Time asked = absl::Now();
  const std::set<std::string> found = AwaitWitnessRecords(traces);
  for (const std::string& trace : traces) EXPECT_TRUE(found.contains(trace)) << trace << " has no audit record";
  std::printf("audit records of the calls afterwards found in %.1f s\n",
              absl::ToDoubleSeconds(absl::Now() - asked));
}

TEST_F(HostileInputTest, RefusedCallsStoreNothing) {
  const BarrageReport& report = Barrage();
  for (const Creation& creation : kCreations) {
    const int64_t created = report.rows_after.at(creation.table) - report.rows_before.at(creation.table);
    const auto ok = report.answered_ok.find(creation.rpc);
    EXPECT_EQ(created, ok == report.answered_ok.end() ? 0 : ok->second)
        << creation.table << ": rows made during the hostile calls vs " << creation.rpc << " calls answered OK";
  }
}

}  // namespace
}  // namespace hartslag
