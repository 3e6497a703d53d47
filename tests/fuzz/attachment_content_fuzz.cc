// Fuzzes CleanAttachmentContent (services/intake/attachment_content.h), which
// reads every photo and document a street coach uploads. The whole input is
// the upload.
// Checked: what comes back is accepted again and comes back unchanged (the
// cleaning is complete in one pass), of the same type, and at most a small
// fixed amount larger than the input (the minimal JFIF and Exif segments).
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/intake/attachment_content.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using hartslag::intake::CleanAttachment;
  using hartslag::intake::CleanAttachmentContent;
  const absl::string_view upload(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<CleanAttachment> clean = CleanAttachmentContent("attachment", upload);
  if (!clean.ok()) return 0;
  if (clean->bytes.size() > size + 64) std::abort();
  absl::StatusOr<CleanAttachment> again = CleanAttachmentContent("attachment", clean->bytes);
  if (!again.ok() || again->type != clean->type || again->bytes != clean->bytes) std::abort();
  return 0;
}
