#include "services/common/config.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "absl/strings/cord.h"

namespace hartslag {

Flags::Flags(std::string program, std::string summary)
    : program_(std::move(program)), summary_(std::move(summary)) {
  AddBool("help", "", false, "show this help and exit");
  AddShort("-h", "help");
}

void Flags::Add(std::string name, std::string env, std::string default_value, std::string help) {
  order_.push_back(name);
  flags_[name] = Flag{std::move(env), std::move(default_value), std::move(help), false, {}, false};
}

void Flags::AddBool(std::string name, std::string env, bool default_value, std::string help) {
  order_.push_back(name);
  flags_[name] =
      Flag{std::move(env), default_value ? "true" : "false", std::move(help), true, {}, false};
}

void Flags::AddShort(std::string short_name, std::string name) { shorts_[std::move(short_name)] = std::move(name); }

absl::Status Flags::Parse(int argc, char** argv, int first) {
  std::vector<std::string> args;
  for (int i = first; i < argc; ++i) args.emplace_back(argv[i]);
  return Parse(args);
}

absl::Status Flags::Parse(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    auto short_name = shorts_.find(args[i]);
    const std::string arg = short_name == shorts_.end() ? args[i] : "--" + short_name->second;
    if (!absl::StartsWith(arg, "--") || arg == "--") {
      positionals_.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    std::string value;
    bool has_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    auto it = flags_.find(name);
    if (it == flags_.end()) {
      return UsageError(absl::StrCat("onbekende optie --", name), program_);
    }
    Flag& flag = it->second;
    if (!has_value) {
      if (flag.is_bool) {
        value = "true";
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return UsageError(absl::StrCat("--", name, " heeft een waarde nodig"), program_);
      }
    }
    if (flag.is_bool && value != "true" && value != "false") {
      return UsageError(absl::StrCat("--", name, ": true of false"), program_);
    }
    flag.value = value;
    flag.set = true;
  }
  for (auto& [name, flag] : flags_) {
    if (flag.set || flag.env.empty()) continue;
    if (const char* env = std::getenv(flag.env.c_str()); env != nullptr && *env != '\0') {
      flag.value = env;
      flag.set = true;
    }
  }
  if (GetBool("help")) {
    std::fputs(Usage().c_str(), stdout);
    return HelpRequested();
  }
  return absl::OkStatus();
}

std::string Flags::Get(const std::string& name) const {
  auto it = flags_.find(name);
  if (it == flags_.end()) std::abort();  // a programming error: the flag was never declared
  return it->second.set ? it->second.value : it->second.default_value;
}

absl::StatusOr<int> Flags::GetInt(const std::string& name) const {
  int value = 0;
  if (!absl::SimpleAtoi(Get(name), &value)) {
    return UsageError(absl::StrCat("--", name, ": moet een geheel getal zijn"), program_);
  }
  return value;
}

absl::StatusOr<absl::Duration> Flags::GetDuration(const std::string& name) const {
  absl::Duration value;
  if (!absl::ParseDuration(Get(name), &value) || value <= absl::ZeroDuration()) {
    return UsageError(absl::StrCat("--", name, ": moet een positieve duur zijn, zoals 10s"), program_);
  }
  return value;
}

bool Flags::GetBool(const std::string& name) const { return Get(name) == "true"; }

bool Flags::IsSet(const std::string& name) const {
  auto it = flags_.find(name);
  return it != flags_.end() && it->second.set;
}

std::string Flags::Usage() const {
  std::string out = absl::StrCat(program_, ": ", summary_, "\n\nFlags:\n");
  for (const std::string& name : order_) {
    const Flag& flag = flags_.at(name);
    std::string short_name;
    for (const auto& [short_flag, long_name] : shorts_) {
      if (long_name == name) short_name = short_flag + ", ";
    }
    absl::StrAppend(&out, "  ", short_name, "--", name, flag.is_bool ? "" : "=VALUE", "\n      ", flag.help);
    if (!flag.default_value.empty() && name != "help") {
      absl::StrAppend(&out, " (default: ", flag.default_value, ")");
    }
    if (!flag.env.empty()) absl::StrAppend(&out, " [env ", flag.env, "]");
    absl::StrAppend(&out, "\n");
  }
  return out;
}

bool IsHelpRequested(const absl::Status& status) {
  return absl::IsCancelled(status) && status.message() == "help requested";
}

absl::Status HelpRequested() { return absl::CancelledError("help requested"); }

// Marks a usage error; its value is the command to point at.
constexpr char kUsagePayload[] = "type.hartslag.nl/usage-error";

absl::Status UsageError(absl::string_view message, absl::string_view command) {
  absl::Status status = absl::InvalidArgumentError(message);
  status.SetPayload(kUsagePayload, absl::Cord(command));
  return status;
}

bool IsUsageError(const absl::Status& status) { return status.GetPayload(kUsagePayload).has_value(); }

std::string UsageErrorCommand(const absl::Status& status) {
  auto command = status.GetPayload(kUsagePayload);
  return command ? std::string(*command) : "";
}

}  // namespace hartslag
