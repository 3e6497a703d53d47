#include "services/common/request_bounds.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "hartslag/common/v1/bounds.pb.h"

namespace hartslag {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

namespace {

// For a field the proto forgot to bound: small enough that nothing large gets
// through, so that a forgotten bound shows as a refusal rather than a hole.
constexpr int kUndeclaredMaxBytes = 1024;
constexpr int kUndeclaredMaxItems = 100;

bool IsText(const FieldDescriptor* field) {
  return field->cpp_type() == FieldDescriptor::CPPTYPE_STRING;
}

absl::Status TooLarge(const std::string& path, int max, absl::string_view unit) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": must be at most ", max, " ", unit));
}

// Where a value sits in the request: the field, and the item of a repeated
// field (or -1), under the message it is in (null at the top). Written out
// only for the error that names it, so that a request within its bounds
// costs no allocation per field.
struct FieldPath {
  const FieldPath* parent;
  const FieldDescriptor* field;
  int index;

  std::string Text() const {
    std::string text = parent != nullptr ? parent->Text() + "." : "";
    absl::StrAppend(&text, field->name());
    if (index >= 0) absl::StrAppend(&text, "[", index, "]");
    return text;
  }
};

absl::Status CheckMessage(const Message& message, const FieldPath* parent);

// A map's bounds are declared on the map field: its key and value are held to
// its max_bytes when they are text.
absl::Status CheckMapEntry(const Message& entry, const FieldDescriptor* map, const FieldPath& path) {
  for (const FieldDescriptor* part : {map->message_type()->map_key(), map->message_type()->map_value()}) {
    if (IsText(part)) {
      std::string scratch;
      const std::string& text = entry.GetReflection()->GetStringReference(entry, part, &scratch);
      if (text.size() > static_cast<size_t>(MaxBytes(map))) return TooLarge(path.Text(), MaxBytes(map), "bytes");
    } else if (part->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      return CheckMessage(entry.GetReflection()->GetMessage(entry, part), &path);
    }
  }
  return absl::OkStatus();
}

// The value of `path`'s field in `message` (its item `path.index` of a
// repeated field).
absl::Status CheckValue(const Message& message, const FieldPath& path) {
  const Reflection* reflection = message.GetReflection();
  const FieldDescriptor* field = path.field;
  const int index = path.index;
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      const std::string& value = index < 0
                                     ? reflection->GetStringReference(message, field, &scratch)
                                     : reflection->GetRepeatedStringReference(message, field, index, &scratch);
      if (value.size() > static_cast<size_t>(MaxBytes(field))) return TooLarge(path.Text(), MaxBytes(field), "bytes");
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      int number = index < 0 ? reflection->GetEnumValue(message, field)
                             : reflection->GetRepeatedEnumValue(message, field, index);
      if (field->enum_type()->FindValueByNumber(number) == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat(path.Text(), ": ", number, " is not a value of ",
                                                       field->enum_type()->name()));
      }
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      const Message& value = index < 0 ? reflection->GetMessage(message, field)
                                       : reflection->GetRepeatedMessage(message, field, index);
      if (field->is_map()) return CheckMapEntry(value, field, path);
      return CheckMessage(value, &path);
    }
    default:
      return absl::OkStatus();
  }
}

absl::Status CheckMessage(const Message& message, const FieldPath* parent) {
  const Reflection* reflection = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);  // only the fields that are set
  for (const FieldDescriptor* field : fields) {
    if (!field->is_repeated()) {
      if (absl::Status status = CheckValue(message, {parent, field, -1}); !status.ok()) return status;
      continue;
    }
    int size = reflection->FieldSize(message, field);
    if (size > MaxItems(field)) return TooLarge(FieldPath{parent, field, -1}.Text(), MaxItems(field), "items");
    for (int i = 0; i < size; ++i) {
      if (absl::Status status = CheckValue(message, {parent, field, i}); !status.ok()) return status;
    }
  }
  return absl::OkStatus();
}

void CollectUnbounded(const Descriptor* type, std::set<const Descriptor*>& seen,
                      std::vector<std::string>& out) {
  if (!seen.insert(type).second) return;
  if (type->file()->package().rfind("hartslag.", 0) != 0) return;  // google.protobuf.Timestamp and the like
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    const auto& options = field->options();
    bool map = field->is_map();
    bool needs_items = field->is_repeated() && !options.HasExtension(common::v1::max_items);
    bool text = IsText(field) || (map && IsText(field->message_type()->map_value()));
    bool needs_bytes = text && !options.HasExtension(common::v1::max_bytes);
    if (needs_items || needs_bytes) out.push_back(field->full_name());
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && !map) {
      CollectUnbounded(field->message_type(), seen, out);
    }
  }
}

}  // namespace

int MaxBytes(const FieldDescriptor* field) {
  int max = field->options().GetExtension(common::v1::max_bytes);
  return max > 0 ? max : kUndeclaredMaxBytes;
}

int MaxItems(const FieldDescriptor* field) {
  int max = field->options().GetExtension(common::v1::max_items);
  return max > 0 ? max : kUndeclaredMaxItems;
}

absl::Status CheckRequestBounds(const Message& request) { return CheckMessage(request, nullptr); }

std::vector<std::string> UnboundedFields(const Descriptor* type) {
  std::set<const Descriptor*> seen;
  std::vector<std::string> out;
  CollectUnbounded(type, seen, out);
  return out;
}

}  // namespace hartslag
