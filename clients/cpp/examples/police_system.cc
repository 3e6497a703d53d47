// hartslag-example-police: a police system as an integrated client of
// Hartslag. It presents its client certificate (mutual TLS), gets a token for
// one of its organisation's users from the directory, follows the
// organisation's actions from a cursor file and completes each open action it
// receives with a note. A real system would hand the action to its own case
// system first; the shape around that step is what this example shows.
//
//   hartslag-example-police --ca ca.pem --cert politie-bvh.pem --key politie-bvh.key
//       --user peter.politie --cursor-file politie-bvh.cursor [--from-beginning] [--count N] [--for 60s]
//
// It prints one line per event with ids, change and status only: action texts
// may hold personal data and do not belong in a log. Stops on SIGINT/SIGTERM,
// after --count events or after --for.
#include <signal.h>

#include <cstdio>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "clients/cpp/action_follower.h"
#include "clients/cpp/channel.h"
#include "clients/cpp/session.h"
#include "clients/cpp/token_source.h"
#include "hartslag/cases/v1/cases.grpc.pb.h"
#include "services/common/config.h"
#include "services/common/status_macros.h"

namespace hartslag::example {
namespace {

namespace v1 = cases::v1;

std::string Label(const std::string& name, const std::string& prefix) {
  return name.rfind(prefix, 0) == 0 ? absl::AsciiStrToLower(name.substr(prefix.size())) : name;
}

// Completes an open action with the note; an action that is no longer open
// (done by a colleague, or completed by this system just before a crash that
// kept the cursor behind) is left as it is.
absl::Status Complete(const client::Session& session, v1::ActionService::Stub& actions, const v1::Action& action,
                      const std::string& note) {
  v1::UpdateActionRequest request;
  request.set_action_id(action.action_id());
  request.set_status(v1::ACTION_STATUS_DONE);
  request.set_result(note);
  v1::Action done;
  absl::Status updated = session.Call(client::Retry::kNever, [&](grpc::ClientContext& call) {
    return actions.UpdateAction(&call, request, &done);
  });
  if (updated.code() == absl::StatusCode::kFailedPrecondition) {
    std::printf("  action %s is no longer open; left as it is\n", action.action_id().c_str());
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(updated);
  std::printf("  action %s completed (status %s)\n", action.action_id().c_str(),
              Label(v1::ActionStatus_Name(done.status()), "ACTION_STATUS_").c_str());
  return absl::OkStatus();
}

absl::Status Run(int argc, char** argv) {
  Flags flags("hartslag-example-police",
              "a police system that follows its organisation's actions and completes each");
  flags.Add("directory", "HARTSLAG_DIRECTORY_ADDR", "localhost:7401", "hartslag-directory (host:port)");
  flags.Add("cases", "HARTSLAG_CASES_ADDR", "localhost:7403", "hartslag-cases (host:port)");
  flags.Add("ca", "HARTSLAG_CA", "", "PEM file of the CA that signed the services' certificates");
  flags.Add("cert", "HARTSLAG_CLIENT_CERT", "", "the system's PEM client certificate");
  flags.Add("key", "HARTSLAG_CLIENT_KEY", "", "its private key");
  flags.Add("user", "", "", "the user of the organisation the system acts for");
  flags.Add("cursor-file", "", "", "where the last handled event's cursor is kept");
  flags.AddBool("from-beginning", "", false, "without a saved cursor: start at the organisation's first action");
  flags.Add("note", "", "Afgehandeld door het politiesysteem.", "the result recorded with each completed action");
  flags.Add("count", "", "0", "stop after this many events (0: keep following)");
  flags.Add("for", "", "", "stop after this long, e.g. 60s (default: keep following)");
  RETURN_IF_ERROR(flags.Parse(argc, argv));
  for (const char* required : {"ca", "cert", "key", "user", "cursor-file"}) {
    if (flags.Get(required).empty()) return absl::InvalidArgumentError(absl::StrCat("--", required, " is required"));
  }
  ASSIGN_OR_RETURN(int count, flags.GetInt("count"));
  if (count < 0) return absl::InvalidArgumentError("--count: must be 0 or more");

  client::ChannelOptions directory_options{flags.Get("directory"), flags.Get("ca"), flags.Get("cert"), flags.Get("key")};
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::Channel> directory, client::OpenChannel(directory_options));
  client::ChannelOptions cases_options = directory_options;
  cases_options.address = flags.Get("cases");
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::Channel> cases_channel, client::OpenChannel(cases_options));
  client::TokenSourcePtr tokens = client::IntegratedClientToken(directory, flags.Get("user"));
  client::CallOptions call_options;
  call_options.purpose = "ACTION_EXECUTION";
  client::Session session(tokens, call_options);
  auto actions = v1::ActionService::NewStub(cases_channel);

  client::ActionFollowerOptions options;
  options.cursor_file = flags.Get("cursor-file");
  options.from_beginning = flags.GetBool("from-beginning");
  client::ActionFollower follower(cases_channel, tokens, options);

  // SIGINT and SIGTERM end the follower between events; so does --for.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::thread([&follower, stop_signals] {
    int received = 0;
    sigwait(&stop_signals, &received);
    follower.Stop();
  }).detach();
  absl::Notification done;
  std::thread timer;
  if (!flags.Get("for").empty()) {
    ASSIGN_OR_RETURN(absl::Duration limit, flags.GetDuration("for"));
    timer = std::thread([&follower, &done, limit] {
      if (!done.WaitForNotificationWithTimeout(limit)) follower.Stop();
    });
  }

  int seen = 0;
  absl::Status ended = follower.Run([&](const v1::ActionEvent& event) -> absl::Status {
    const v1::Action& action = event.action();
    std::printf("%s: action %s on case %s %s, %s, due %s\n", event.cursor().c_str(), action.action_id().c_str(),
                action.case_reference().c_str(), Label(v1::ActionEvent::Change_Name(event.change()), "CHANGE_").c_str(),
                Label(v1::ActionStatus_Name(action.status()), "ACTION_STATUS_").c_str(), action.due_date().c_str());
    if (action.status() == v1::ACTION_STATUS_OPEN || action.status() == v1::ACTION_STATUS_IN_PROGRESS) {
      RETURN_IF_ERROR(Complete(session, *actions, action, flags.Get("note")));
    }
    std::fflush(stdout);
    if (count > 0 && ++seen >= count) follower.Stop();
    return absl::OkStatus();
  });
  done.Notify();
  if (timer.joinable()) timer.join();
  return ended;
}

}  // namespace
}  // namespace hartslag::example

int main(int argc, char** argv) {
  absl::Status status = hartslag::example::Run(argc, argv);
  if (status.ok() || hartslag::IsHelpRequested(status)) return 0;
  std::fprintf(stderr, "hartslag-example-police: %s\n", status.ToString().c_str());
  return 1;
}
