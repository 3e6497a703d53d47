// What an uploaded attachment of a signal really is, and the photo without
// what the phone wrote about where, when and with what it was taken. A street
// coach's photo carries the coach's GPS position and device in its metadata;
// none of that may be stored.
//
//   ASSIGN_OR_RETURN(CleanAttachment clean, CleanAttachmentContent("attachment.content", upload));
//   store(MediaType(clean.type), clean.bytes);
//
// The type comes from the bytes alone, never from a file name or a media type
// a client sends. Pure functions over untrusted input: every read is bounds
// checked, time is linear in the input's size and nothing is allocated beyond
// the cleaned copy, so it is safe on any bytes. The caller enforces the
// tenant's size limit before calling. Thread-safe.
#ifndef HARTSLAG_SERVICES_INTAKE_ATTACHMENT_CONTENT_H_
#define HARTSLAG_SERVICES_INTAKE_ATTACHMENT_CONTENT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace hartslag::intake {

// The only kinds of attachment intake accepts.
enum class AttachmentType { kJpeg, kPng, kPdf };

// "image/jpeg", "image/png" or "application/pdf".
absl::string_view MediaType(AttachmentType type);

struct CleanAttachment {
  AttachmentType type;
  std::string bytes;  // what may be stored and shown
};

// Determines the type of `bytes` and returns what may be stored:
// - JPEG: the image's own segments (frame, scans, quantisation and Huffman
//   tables, restart intervals, JFIF without its thumbnail, Adobe colour
//   transform, ICC colour profile) with the entropy-coded data byte for
//   byte; every other segment (Exif with GPS, XMP, IPTC, comments, other
//   APPn) and anything after the end of the image is dropped. An Exif
//   orientation other than 1 comes back as a new Exif segment holding that
//   one tag, so that the photo is not shown sideways.
// - PNG: the critical chunks and the ancillary chunks that say how to show
//   the image (tRNS, gAMA, cHRM, sRGB, iCCP, sBIT, pHYs, bKGD), unchanged;
//   every other chunk (text, eXIf, tIME, ...) and anything after IEND is
//   dropped.
// - PDF: the bytes as they are, if the file has no name tokens for active
//   content: JavaScript (/JavaScript, /JS), launch and embedded-go-to
//   actions (/Launch, /GoToE), /OpenAction, attached files (/EmbeddedFile,
//   /EmbeddedFiles, /EF, /FileAttachment), XFA forms (/XFA), rich media
//   (/RichMedia); an encrypted PDF (/Encrypt) is refused the same way, as
//   its contents cannot be checked. Limitation: the check reads the file as
//   written, so a name inside a compressed stream (an object stream,
//   /ObjStm) is not seen; object streams themselves are allowed, as most
//   PDFs written today use them.
// On failure INVALID_ARGUMENT "<field>: <reason>", the reason one of
//   "is not a JPEG, PNG or PDF file"
//   "is a damaged JPEG file", "is a damaged PNG file", "is a damaged PDF file"
//   "is a PDF with active content (JavaScript, launch actions or embedded files)"
//     (also for the other names above and for an encrypted PDF)
absl::StatusOr<CleanAttachment> CleanAttachmentContent(absl::string_view field, absl::string_view bytes);

}  // namespace hartslag::intake

#endif  // HARTSLAG_SERVICES_INTAKE_ATTACHMENT_CONTENT_H_
