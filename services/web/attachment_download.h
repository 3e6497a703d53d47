// A signal's photo or document as the browser downloads it
// (GET /api/v1/signals/<signal_id>/attachments/<attachment_id>): read from
// intake with ReadAttachment, at most 1 MiB per call, with the user's own
// token, so the service decides who may see it and audits every read. The
// first chunk is read before the answer begins, so a refusal is still an
// ordinary JSON refusal with its HTTP status; the rest is read as the
// browser takes it.
//
//   auto started = AttachmentDownload::Start(transcoder, metadata, signal_id, attachment_id, timeout);
//   if (auto* refused = std::get_if<JsonAnswer>(&started)) ... answer the refusal
//   auto download = std::get<std::shared_ptr<AttachmentDownload>>(started);
//   ... Content-Type download->media_type(), Content-Disposition download->Disposition(),
//   ... then download->Write(offset, length, write) until size() bytes went out
//
// Not thread-safe: one download serves one response.
#ifndef HARTSLAG_SERVICES_WEB_ATTACHMENT_DOWNLOAD_H_
#define HARTSLAG_SERVICES_WEB_ATTACHMENT_DOWNLOAD_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <variant>

#include "absl/time/time.h"
#include "hartslag/intake/v1/intake.pb.h"
#include "services/web/transcoder.h"

namespace hartslag::web {

class AttachmentDownload {
 public:
  // Reads the attachment's first chunk: the download, or the refusal to
  // answer (NOT_FOUND when the method is not on the allow-list).
  static std::variant<std::shared_ptr<AttachmentDownload>, JsonAnswer> Start(
      const Transcoder& transcoder, CallMetadata metadata, std::string signal_id, std::string attachment_id,
      absl::Duration timeout);

  // The stored attachment's size in bytes.
  int64_t size() const { return attachment_.size_bytes(); }
  // The type intake read from the bytes (JPEG, PNG or PDF); anything else,
  // which intake does not store, as application/octet-stream.
  std::string media_type() const;
  // "inline" for a photo, which the browser shows; "attachment" for
  // anything else (a PDF is saved, not run in the browser's viewer); with
  // the reporter's file name, quoted safely for the header.
  std::string Disposition() const;

  // Hands the bytes from `offset` on, at most `length` of them, to `write`
  // (which returns false when the browser is gone), reading the next chunk
  // from intake when needed. False when a read or a write failed, or intake
  // ended before the size it gave.
  bool Write(int64_t offset, int64_t length, const std::function<bool(const char*, size_t)>& write);

 private:
  AttachmentDownload(const Transcoder& transcoder, const google::protobuf::MethodDescriptor& method,
                     CallMetadata metadata, absl::Duration timeout)
      : transcoder_(transcoder), method_(method), metadata_(std::move(metadata)), timeout_(timeout) {}

  grpc::Status Read(int64_t offset);

  const Transcoder& transcoder_;
  const google::protobuf::MethodDescriptor& method_;
  const CallMetadata metadata_;
  const absl::Duration timeout_;
  intake::v1::Attachment attachment_;  // as stored
  std::string chunk_;                  // the last chunk read ...
  int64_t chunk_offset_ = 0;           // ... and where it starts
  bool chunk_ends_ = false;            // ... and whether the attachment ends with it
};

}  // namespace hartslag::web

#endif  // HARTSLAG_SERVICES_WEB_ATTACHMENT_DOWNLOAD_H_
