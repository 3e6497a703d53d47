#include "services/intake/attachment_content.h"

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/status_macros.h"
#include "services/common/validation.h"

namespace hartslag::intake {
namespace {

// The reasons the gateway translates; the header lists them for callers.
constexpr absl::string_view kNotAnAttachment = "is not a JPEG, PNG or PDF file";
constexpr absl::string_view kDamagedJpeg = "is a damaged JPEG file";
constexpr absl::string_view kDamagedPng = "is a damaged PNG file";
constexpr absl::string_view kDamagedPdf = "is a damaged PDF file";
constexpr absl::string_view kActivePdf =
    "is a PDF with active content (JavaScript, launch actions or embedded files)";

uint8_t Byte(absl::string_view b, size_t at) { return static_cast<uint8_t>(b[at]); }
// Big-endian reads; the caller has checked that the bytes are there.
uint16_t Be16(absl::string_view b, size_t at) {
  return static_cast<uint16_t>(Byte(b, at) << 8 | Byte(b, at + 1));
}
uint32_t Be32(absl::string_view b, size_t at) {
  return static_cast<uint32_t>(Be16(b, at)) << 16 | Be16(b, at + 2);
}

// ---------------------------------------------------------------- JPEG
// Marker codes of ITU T.81, table B.1.
constexpr uint8_t kEoi = 0xD9, kSos = 0xDA, kDqt = 0xDB, kDnl = 0xDC, kDri = 0xDD;
constexpr uint8_t kDht = 0xC4, kJpgReserved = 0xC8, kDac = 0xCC;
constexpr uint8_t kApp0 = 0xE0, kApp1 = 0xE1, kApp2 = 0xE2, kApp14 = 0xEE, kApp15 = 0xEF, kCom = 0xFE;

bool IsFrameMarker(uint8_t m) {
  return m >= 0xC0 && m <= 0xCF && m != kDht && m != kJpgReserved && m != kDac;
}
bool IsRestartMarker(uint8_t m) { return m >= 0xD0 && m <= 0xD7; }

// The Orientation tag (0x0112) of IFD0 in the TIFF block of an Exif segment;
// 1 (as taken) when absent or out of range. Only IFD0 is read: no offsets
// are followed further, so no loops and no recursion.
int ExifOrientation(absl::string_view tiff) {
  if (tiff.size() < 8) return 1;
  bool big_endian;
  if (tiff.substr(0, 4) == absl::string_view("MM\0*", 4)) {
    big_endian = true;
  } else if (tiff.substr(0, 4) == absl::string_view("II*\0", 4)) {
    big_endian = false;
  } else {
    return 1;
  }
  auto u16 = [&](size_t at) -> uint16_t {
    return big_endian ? Be16(tiff, at) : static_cast<uint16_t>(Byte(tiff, at) | Byte(tiff, at + 1) << 8);
  };
  auto u32 = [&](size_t at) -> uint32_t {
    return big_endian ? Be32(tiff, at)
                      : static_cast<uint32_t>(u16(at)) | static_cast<uint32_t>(u16(at + 2)) << 16;
  };
  const uint32_t ifd = u32(4);
  if (ifd >= tiff.size() || tiff.size() - ifd < 2) return 1;
  const size_t entries = u16(ifd);
  for (size_t i = 0; i < entries; ++i) {
    const size_t entry = ifd + 2 + 12 * i;  // small: a segment is at most 64 KiB
    if (entry + 12 > tiff.size()) return 1;
    constexpr uint16_t kOrientation = 0x0112, kShort = 3;
    if (u16(entry) == kOrientation && u16(entry + 2) == kShort && u32(entry + 4) == 1) {
      const int orientation = u16(entry + 8);
      return orientation >= 1 && orientation <= 8 ? orientation : 1;
    }
  }
  return 1;
}

std::string Segment(uint8_t marker, absl::string_view payload) {
  std::string s = {'\xFF', static_cast<char>(marker), static_cast<char>((payload.size() + 2) >> 8),
                   static_cast<char>((payload.size() + 2) & 0xFF)};
  absl::StrAppend(&s, payload);
  return s;
}

// An Exif segment holding nothing but the orientation: a big-endian TIFF
// header and IFD0 with one SHORT entry, no next IFD.
std::string OrientationSegment(int orientation) {
  std::string payload(
      "Exif\0\0"
      "MM\0\x2A\0\0\0\x08"                // TIFF header, IFD0 at 8
      "\0\x01"                            // one entry:
      "\x01\x12\0\x03\0\0\0\x01\0\0\0\0"  // Orientation, SHORT, count 1, the value
      "\0\0\0\0",                         // no next IFD
      32);
  payload[25] = static_cast<char>(orientation);
  return Segment(kApp1, payload);
}

// Walks the segments from SOI to EOI. Before the first scan the kept
// segments are collected after SOI, a fresh JFIF (without its thumbnail,
// which can show what was cropped away) and the orientation; from the first
// scan on everything kept is appended in order, entropy-coded data as is.
absl::StatusOr<std::string> CleanJpeg(absl::string_view field, absl::string_view in) {
  auto damaged = [field] { return Invalid(field, kDamagedJpeg); };
  std::string out;
  out.reserve(in.size() + 64);
  std::string jfif;
  int orientation = 1;
  bool seen_exif = false, seen_frame = false, seen_scan = false;
  size_t pos = 2;  // after SOI, which the caller has seen
  while (true) {
    // A marker: 0xFF, optional 0xFF fill bytes, the code.
    if (pos >= in.size() || Byte(in, pos) != 0xFF) return damaged();
    while (pos < in.size() && Byte(in, pos) == 0xFF) ++pos;
    if (pos >= in.size()) return damaged();
    const uint8_t marker = Byte(in, pos++);
    if (marker == kEoi) {
      if (!seen_scan) return damaged();
      absl::StrAppend(&out, "\xFF\xD9");
      return out;  // anything after the image is dropped
    }
    if (in.size() - pos < 2) return damaged();
    const size_t length = Be16(in, pos);
    if (length < 2 || length > in.size() - pos) return damaged();
    const absl::string_view segment = in.substr(pos - 2, length + 2);  // 0xFF, code, length, payload
    const absl::string_view payload = in.substr(pos + 2, length - 2);
    pos += length;

    if (marker == kApp0) {
      // JFIF: identifier, version (2), units, x and y density (2 each), thumbnail size (2).
      if (!seen_scan && jfif.empty() && payload.size() >= 14 &&
          payload.substr(0, 5) == absl::string_view("JFIF\0", 5)) {
        jfif = Segment(kApp0, absl::StrCat(payload.substr(0, 12), absl::string_view("\0\0", 2)));
      }
    } else if (marker == kApp1) {
      if (!seen_scan && !seen_exif && absl::StartsWith(payload, absl::string_view("Exif\0\0", 6))) {
        seen_exif = true;
        orientation = ExifOrientation(payload.substr(6));
      }
    } else if (marker == kApp2) {
      if (absl::StartsWith(payload, absl::string_view("ICC_PROFILE\0", 12))) absl::StrAppend(&out, segment);
    } else if (marker == kApp14) {
      // Adobe: identifier, version, two flag words, colour transform.
      if (payload.size() >= 12 && absl::StartsWith(payload, "Adobe")) {
        absl::StrAppend(&out, Segment(kApp14, payload.substr(0, 12)));
      }
    } else if ((marker >= kApp0 && marker <= kApp15) || marker == kCom) {
      // other application data and comments: dropped
    } else if (marker == kDqt || marker == kDht || marker == kDri || marker == kDac || marker == kDnl) {
      absl::StrAppend(&out, segment);
    } else if (IsFrameMarker(marker)) {
      // One frame: precision, height, width, component count, 3 bytes a component.
      if (seen_frame || payload.size() < 6 || payload.size() != 6 + 3 * size_t{Byte(payload, 5)} ||
          Byte(payload, 5) == 0 || Be16(payload, 3) == 0) {
        return damaged();
      }
      seen_frame = true;
      absl::StrAppend(&out, segment);
    } else if (marker == kSos) {
      // Component count 1..4, 2 bytes a component, 3 bytes of spectral selection.
      const size_t components = payload.empty() ? 0 : Byte(payload, 0);
      if (!seen_frame || components < 1 || components > 4 || payload.size() != 4 + 2 * components) {
        return damaged();
      }
      if (!seen_scan) {
        seen_scan = true;
        std::string head = "\xFF\xD8" + jfif;
        if (orientation != 1) head += OrientationSegment(orientation);
        out.insert(0, head);
      }
      absl::StrAppend(&out, segment);
      // Entropy-coded data runs to the first 0xFF that is neither a stuffed
      // 0xFF00 nor a restart marker.
      const size_t start = pos;
      while (true) {
        pos = in.find('\xFF', pos);
        if (pos == absl::string_view::npos || pos + 1 >= in.size()) return damaged();
        const uint8_t next = Byte(in, pos + 1);
        if (next != 0x00 && !IsRestartMarker(next)) break;
        pos += 2;
      }
      absl::StrAppend(&out, in.substr(start, pos - start));
    } else {
      return damaged();  // SOI again, a stray restart marker, TEM, reserved or hierarchical codes
    }
  }
}

// ---------------------------------------------------------------- PNG
constexpr absl::string_view kPngSignature("\x89PNG\r\n\x1a\n", 8);

// Ancillary chunks kept: they say how to show the image and say nothing
// about who made it, where or when.
bool IsKeptAncillaryChunk(absl::string_view type) {
  for (absl::string_view kept : {"tRNS", "gAMA", "cHRM", "sRGB", "iCCP", "sBIT", "pHYs", "bKGD"}) {
    if (type == kept) return true;
  }
  return false;
}

bool IsAsciiLetter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

// Walks the chunks (length, type, data, CRC) from IHDR to IEND, copying the
// kept ones as they are.
absl::StatusOr<std::string> CleanPng(absl::string_view field, absl::string_view in) {
  auto damaged = [field] { return Invalid(field, kDamagedPng); };
  std::string out(kPngSignature);
  out.reserve(in.size());
  bool seen_header = false, seen_data = false, data_ended = false;
  size_t pos = kPngSignature.size();
  while (true) {
    if (in.size() - pos < 12) return damaged();
    const uint32_t length = Be32(in, pos);
    if (length > 0x7FFFFFFF || length > in.size() - pos - 12) return damaged();
    const absl::string_view chunk = in.substr(pos, 12 + size_t{length});
    const absl::string_view type = chunk.substr(4, 4);
    const absl::string_view data = chunk.substr(8, length);
    pos += chunk.size();
    for (char c : type) {
      if (!IsAsciiLetter(c)) return damaged();
    }
    uLong crc = crc32(0, reinterpret_cast<const Bytef*>(type.data()), 4);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(data.data()), length);
    if (crc != Be32(chunk, 8 + size_t{length})) return damaged();

    if (!seen_header) {
      // IHDR first: width, height (non-zero), bit depth, colour type, methods.
      if (type != "IHDR" || length != 13 || Be32(data, 0) == 0 || Be32(data, 4) == 0) return damaged();
      seen_header = true;
      absl::StrAppend(&out, chunk);
    } else if (type == "IDAT") {
      if (data_ended) return damaged();  // the image data is one run of IDAT chunks
      seen_data = true;
      absl::StrAppend(&out, chunk);
    } else {
      data_ended = seen_data;
      if (type == "IEND") {
        if (!seen_data) return damaged();
        absl::StrAppend(&out, chunk);
        return out;  // anything after IEND is dropped
      }
      if (type == "PLTE" || IsKeptAncillaryChunk(type)) {
        absl::StrAppend(&out, chunk);
      } else if (type[0] >= 'A' && type[0] <= 'Z') {
        return damaged();  // a second IHDR, or a critical chunk we cannot show
      }
    }
  }
}

// ---------------------------------------------------------------- PDF
bool IsPdfDelimiterOrSpace(char c) {
  return absl::string_view("()<>[]{}/%\0\t\n\f\r ", 17).find(c) != absl::string_view::npos;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Whether a name token names active content, or makes the file one we
// cannot check. A name runs from '/' to the next delimiter or white space,
// with #hh escapes decoded ("/J#53" is "/JS"), so "/JSON" is not "/JS".
// Refused: scripts (/JavaScript, /JS), actions that start programs or open
// embedded documents (/Launch, /GoToE) or run on opening (/OpenAction),
// attached files (/EmbeddedFile, /EmbeddedFiles, the name tree, as the
// /Type /EmbeddedFile of the streams it lists is optional; /EF, a file
// specification's embedded file; /FileAttachment annotations), scripted XFA
// forms (/XFA), Flash and other rich media (/RichMedia), and encryption
// (/Encrypt: strings and streams we cannot read, so nothing above can be
// ruled out).
bool HasActiveContent(absl::string_view pdf) {
  constexpr size_t kLongestActiveName = 14;  // "FileAttachment"
  size_t pos = 0;
  while ((pos = pdf.find('/', pos)) != absl::string_view::npos) {
    ++pos;
    std::string name;
    bool too_long = false;
    while (pos < pdf.size() && !IsPdfDelimiterOrSpace(pdf[pos])) {
      char c = pdf[pos++];
      if (c == '#' && pos + 1 < pdf.size() && HexValue(pdf[pos]) >= 0 && HexValue(pdf[pos + 1]) >= 0) {
        c = static_cast<char>(HexValue(pdf[pos]) << 4 | HexValue(pdf[pos + 1]));
        pos += 2;
      }
      if (name.size() == kLongestActiveName) too_long = true;
      if (!too_long) name.push_back(c);
    }
    if (too_long) continue;
    for (absl::string_view active :
         {"JavaScript", "JS", "Launch", "GoToE", "OpenAction", "EmbeddedFile", "EmbeddedFiles", "EF",
          "FileAttachment", "XFA", "RichMedia", "Encrypt"}) {
      if (name == active) return true;
    }
  }
  return false;
}

absl::Status CheckPdf(absl::string_view field, absl::string_view in) {
  constexpr size_t kEndWindow = 1024;  // where readers look for %%EOF
  if (!absl::StartsWith(in, "%PDF-1.") && !absl::StartsWith(in, "%PDF-2.")) {
    return Invalid(field, kDamagedPdf);
  }
  if (in.substr(in.size() - std::min(in.size(), kEndWindow)).find("%%EOF") == absl::string_view::npos) {
    return Invalid(field, kDamagedPdf);
  }
  if (HasActiveContent(in)) return Invalid(field, kActivePdf);
  return absl::OkStatus();
}

}  // namespace

absl::string_view MediaType(AttachmentType type) {
  switch (type) {
    case AttachmentType::kJpeg:
      return "image/jpeg";
    case AttachmentType::kPng:
      return "image/png";
    case AttachmentType::kPdf:
      return "application/pdf";
  }
  return "application/octet-stream";  // not reached: the switch covers every type
}

absl::StatusOr<CleanAttachment> CleanAttachmentContent(absl::string_view field, absl::string_view bytes) {
  if (absl::StartsWith(bytes, "\xFF\xD8\xFF")) {
    ASSIGN_OR_RETURN(std::string clean, CleanJpeg(field, bytes));
    return CleanAttachment{AttachmentType::kJpeg, std::move(clean)};
  }
  if (absl::StartsWith(bytes, kPngSignature)) {
    ASSIGN_OR_RETURN(std::string clean, CleanPng(field, bytes));
    return CleanAttachment{AttachmentType::kPng, std::move(clean)};
  }
  if (absl::StartsWith(bytes, "%PDF-")) {
    RETURN_IF_ERROR(CheckPdf(field, bytes));
    return CleanAttachment{AttachmentType::kPdf, std::string(bytes)};
  }
  return Invalid(field, kNotAnAttachment);
}

}  // namespace hartslag::intake
