#include "services/web/attachment_download.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/common/log.h"

namespace hartslag::web {
namespace {

bool IsPhoto(absl::string_view media_type) { return media_type == "image/jpeg" || media_type == "image/png"; }

// The file name as a quoted-string every browser reads: letters, digits
// and a few safe marks, anything else "_".
std::string AsciiFileName(absl::string_view name) {
  std::string ascii;
  for (char c : name) {
    bool safe = absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' || c == ' ' ||
                c == '(' || c == ')';
    ascii.push_back(safe ? c : '_');
  }
  return ascii.empty() ? "bijlage" : ascii;
}

// The file name in UTF-8 as RFC 8187 (filename*) has it: attr-chars as
// they are, every other byte %XX.
std::string EncodedFileName(absl::string_view name) {
  std::string encoded;
  for (char c : name) {
    auto byte = static_cast<unsigned char>(c);
    if (absl::ascii_isalnum(byte) || absl::string_view("!#$&+-.^_`|~").find(c) != absl::string_view::npos) {
      encoded.push_back(c);
    } else {
      absl::StrAppendFormat(&encoded, "%%%02X", byte);
    }
  }
  return encoded;
}

}  // namespace

std::variant<std::shared_ptr<AttachmentDownload>, JsonAnswer> AttachmentDownload::Start(
    const Transcoder& transcoder, CallMetadata metadata, std::string signal_id, std::string attachment_id,
    absl::Duration timeout) {
  const auto* method = transcoder.Find("hartslag.intake.v1.SignalService", "ReadAttachment");
  if (method == nullptr) {
    return RefusalAnswer(grpc::StatusCode::NOT_FOUND, "path", "not an RPC the browser may call",
                         "Deze functie bestaat niet.");
  }
  std::shared_ptr<AttachmentDownload> download(new AttachmentDownload(transcoder, *method, std::move(metadata), timeout));
  download->attachment_.set_signal_id(std::move(signal_id));
  download->attachment_.set_attachment_id(std::move(attachment_id));
  grpc::Status first = download->Read(0);
  if (!first.ok()) return StatusAnswer(first);
  return download;
}

grpc::Status AttachmentDownload::Read(int64_t offset) {
  intake::v1::ReadAttachmentRequest request;
  request.set_signal_id(attachment_.signal_id());
  request.set_attachment_id(attachment_.attachment_id());
  request.set_offset(offset);
  intake::v1::ReadAttachmentResponse response;
  grpc::Status status = transcoder_.Call(method_, request, metadata_, timeout_, response);
  if (!status.ok()) return status;
  if (offset == 0) attachment_ = response.attachment();
  chunk_ = std::move(*response.mutable_data());
  chunk_offset_ = offset;
  chunk_ends_ = response.end();
  return grpc::Status::OK;
}

std::string AttachmentDownload::media_type() const {
  const std::string& type = attachment_.media_type();
  return IsPhoto(type) || type == "application/pdf" ? type : "application/octet-stream";
}

std::string AttachmentDownload::Disposition() const {
  return absl::StrCat(IsPhoto(attachment_.media_type()) ? "inline" : "attachment", "; filename=\"",
                      AsciiFileName(attachment_.file_name()), "\"; filename*=UTF-8''",
                      EncodedFileName(attachment_.file_name()));
}

bool AttachmentDownload::Write(int64_t offset, int64_t length,
                               const std::function<bool(const char*, size_t)>& write) {
  while (length > 0) {
    const int64_t chunk_end = chunk_offset_ + static_cast<int64_t>(chunk_.size());
    if (offset < chunk_offset_ || offset >= chunk_end) {
      if (offset >= size() || (offset == chunk_end && chunk_ends_)) return false;
      grpc::Status read = Read(offset);
      if (!read.ok() || chunk_.empty()) {
        // The answer has begun: all that is left is to end it short.
        Log(LogLevel::kWarning, "attachment read failed midway",
            {{"code", absl::StrCat(static_cast<int>(read.error_code()))}, {"offset", absl::StrCat(offset)}});
        return false;
      }
      continue;
    }
    const int64_t n = std::min(length, chunk_end - offset);
    if (!write(chunk_.data() + (offset - chunk_offset_), static_cast<size_t>(n))) return false;
    offset += n;
    length -= n;
  }
  return true;
}

}  // namespace hartslag::web
