// What an uploaded attachment really is, and a photo without what the phone
// wrote about where and with what it was taken.
//
// The fixtures in testdata/ are real images: the JPEGs were encoded by
// libjpeg (32x16, colour bands; baseline with restart markers, and
// progressive), with the metadata of a phone spliced in after JFIF: Exif with
// Make, Model, Orientation and GPS position (photo_gps.jpg big-endian with
// orientation 1, photo_rotated.jpg little-endian with orientation 6), XMP with
// the position, IPTC with a city and a comment naming the coach. The PNG
// (8x4) carries tEXt, zTXt, iTXt (XMP), eXIf and tIME beside gAMA and pHYs,
// its image data in two IDAT chunks. libjpeg and libpng decode every one of
// them, and so do the cleaned copies.
#include "services/intake/attachment_content.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <fstream>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace hartslag::intake {
namespace {

constexpr absl::string_view kField = "attachment.content";

std::string Fixture(const std::string& name) {
  std::ifstream file(std::string(HARTSLAG_INTAKE_TESTDATA) + "/" + name, std::ios::binary);
  EXPECT_TRUE(file) << name;
  std::ostringstream bytes;
  bytes << file.rdbuf();
  return bytes.str();
}

uint32_t Be32(absl::string_view b, size_t at) {
  return static_cast<uint32_t>(static_cast<uint8_t>(b[at])) << 24 | static_cast<uint8_t>(b[at + 1]) << 16 |
         static_cast<uint8_t>(b[at + 2]) << 8 | static_cast<uint8_t>(b[at + 3]);
}

// A JPEG segment before the first scan: its marker code and all its bytes.
struct JpegSegment {
  uint8_t marker;
  std::string bytes;
};

// The segments from SOI to the first SOS (included), of a well-formed JPEG.
std::vector<JpegSegment> HeaderSegments(absl::string_view jpeg) {
  std::vector<JpegSegment> segments;
  size_t pos = 2;
  while (pos + 4 <= jpeg.size()) {
    const uint8_t marker = static_cast<uint8_t>(jpeg[pos + 1]);
    const size_t length = static_cast<uint8_t>(jpeg[pos + 2]) << 8 | static_cast<uint8_t>(jpeg[pos + 3]);
    segments.push_back({marker, std::string(jpeg.substr(pos, 2 + length))});
    if (marker == 0xDA) break;
    pos += 2 + length;
  }
  return segments;
}

std::vector<std::string> SegmentsWithMarker(absl::string_view jpeg, uint8_t marker) {
  std::vector<std::string> found;
  for (const JpegSegment& s : HeaderSegments(jpeg)) {
    if (s.marker == marker) found.push_back(s.bytes);
  }
  return found;
}

// Everything from the first scan's SOS to the end.
absl::string_view FromFirstScan(absl::string_view jpeg) {
  size_t pos = 0;
  for (const JpegSegment& s : HeaderSegments(jpeg)) {
    if (s.marker == 0xDA) return jpeg.substr(pos + 2);
    pos += s.bytes.size();
  }
  return {};
}

std::string Segment(uint8_t marker, absl::string_view payload) {
  std::string s = {'\xFF', static_cast<char>(marker), static_cast<char>((payload.size() + 2) >> 8),
                   static_cast<char>((payload.size() + 2) & 0xFF)};
  return absl::StrCat(s, payload);
}

// `jpeg` with `segments` after its first segment (JFIF).
std::string WithSegmentsAfterJfif(absl::string_view jpeg, absl::string_view segments) {
  const size_t jfif_end = 4 + (static_cast<uint8_t>(jpeg[4]) << 8 | static_cast<uint8_t>(jpeg[5]));
  return absl::StrCat(jpeg.substr(0, jfif_end), segments, jpeg.substr(jfif_end));
}

struct PngChunk {
  std::string type;
  std::string bytes;  // length, type, data and CRC
};

std::vector<PngChunk> Chunks(absl::string_view png) {
  std::vector<PngChunk> chunks;
  for (size_t pos = 8; pos + 12 <= png.size();) {
    const size_t length = Be32(png, pos);
    chunks.push_back({std::string(png.substr(pos + 4, 4)), std::string(png.substr(pos, 12 + length))});
    pos += 12 + length;
  }
  return chunks;
}

bool CrcIsRight(absl::string_view chunk) {
  const absl::string_view covered = chunk.substr(4, chunk.size() - 8);
  const uLong crc =
      crc32(0, reinterpret_cast<const Bytef*>(covered.data()), static_cast<uInt>(covered.size()));
  return crc == Be32(chunk, chunk.size() - 4);
}

std::string WithChunkBeforeIend(absl::string_view png, absl::string_view type, absl::string_view data) {
  std::string chunk = {static_cast<char>(data.size() >> 24), static_cast<char>(data.size() >> 16),
                       static_cast<char>(data.size() >> 8), static_cast<char>(data.size())};
  absl::StrAppend(&chunk, type, data);
  const uLong crc =
      crc32(0, reinterpret_cast<const Bytef*>(chunk.data() + 4), static_cast<uInt>(4 + data.size()));
  chunk += {static_cast<char>(crc >> 24), static_cast<char>(crc >> 16), static_cast<char>(crc >> 8),
            static_cast<char>(crc)};
  return absl::StrCat(png.substr(0, png.size() - 12), chunk, png.substr(png.size() - 12));
}

TEST(AttachmentContentTest, MediaTypeOfEachType) {
  EXPECT_EQ(MediaType(AttachmentType::kJpeg), "image/jpeg");
  EXPECT_EQ(MediaType(AttachmentType::kPng), "image/png");
  EXPECT_EQ(MediaType(AttachmentType::kPdf), "application/pdf");
}

TEST(AttachmentContentTest, PhotoLosesGpsExifXmpIptcAndComment) {
  const std::string photo = Fixture("photo_gps.jpg");
  absl::StatusOr<CleanAttachment> clean = CleanAttachmentContent(kField, photo);
  ASSERT_TRUE(clean.ok()) << clean.status();
  EXPECT_EQ(clean->type, AttachmentType::kJpeg);
  for (absl::string_view metadata : {"Exif", "CoachPhone", "Hartslag", "http://ns.adobe.com/xap",
                                     "GPSLatitude", "Photoshop 3.0", "Heerlen", "Taken by coach"}) {
    EXPECT_FALSE(absl::StrContains(clean->bytes, metadata)) << metadata;
  }
  std::vector<uint8_t> markers;
  for (const JpegSegment& s : HeaderSegments(clean->bytes)) markers.push_back(s.marker);
  // JFIF, two quantisation tables, the frame, four Huffman tables, the restart interval, the scan.
  EXPECT_EQ(markers, (std::vector<uint8_t>{0xE0, 0xDB, 0xDB, 0xC0, 0xC4, 0xC4, 0xC4, 0xC4, 0xDD, 0xDA}));
  EXPECT_EQ(SegmentsWithMarker(clean->bytes, 0xDB), SegmentsWithMarker(photo, 0xDB));
  EXPECT_EQ(SegmentsWithMarker(clean->bytes, 0xC4), SegmentsWithMarker(photo, 0xC4));
  EXPECT_EQ(SegmentsWithMarker(clean->bytes, 0xC0), SegmentsWithMarker(photo, 0xC0));
  // The scan, its entropy-coded data with restart markers, and EOI.
  EXPECT_EQ(FromFirstScan(clean->bytes), FromFirstScan(photo));
  EXPECT_NE(FromFirstScan(photo).find("\xFF\xD0"), absl::string_view::npos);
}

TEST(AttachmentContentTest, RotatedPhotoKeepsOnlyItsOrientationInAMinimalExif) {
  absl::StatusOr<CleanAttachment> clean = CleanAttachmentContent(kField, Fixture("photo_rotated.jpg"));
  ASSERT_TRUE(clean.ok()) << clean.status();
  const std::string expected_exif = Segment(0xE1, absl::string_view("Exif\0\0"
                                                                    "MM\0\x2A\0\0\0\x08"
                                                                    "\0\x01"
                                                                    "\x01\x12\0\x03\0\0\0\x01\0\x06\0\0"
                                                                    "\0\0\0\0",
                                                                    32));
  EXPECT_EQ(SegmentsWithMarker(clean->bytes, 0xE1), std::vector<std::string>{expected_exif});
  EXPECT_EQ(HeaderSegments(clean->bytes)[1].bytes, expected_exif);  // right after JFIF
  EXPECT_EQ(clean->bytes.find("CoachPhone"), std::string::npos);
}

TEST(AttachmentContentTest, JfifLosesItsThumbnail) {
  // JFIF 1.02 with a 1x1 thumbnail: a thumbnail can show what was cropped away.
  const std::string jfif_with_thumbnail =
      Segment(0xE0, absl::string_view("JFIF\0\x01\x02\x01\0\x48\0\x48\x01\x01\xFF\x00\x00", 17));
  std::string photo = Fixture("photo_gps.jpg");
  photo.replace(2, 18, jfif_with_thumbnail);
  absl::StatusOr<CleanAttachment> clean = CleanAttachmentContent(kField, photo);
  ASSERT_TRUE(clean.ok()) << clean.status();
  EXPECT_EQ(
      SegmentsWithMarker(clean->bytes, 0xE0),
      std::vector<std::string>{Segment(0xE0, absl::string_view("JFIF\0\x01\x02\x01\0\x48\0\x48\0\0", 14))});
}

TEST(AttachmentContentTest, ColourProfileAndAdobeTransformAreKeptOtherAppSegmentsDropped) {
  const std::string icc = Segment(0xE2, absl::string_view("ICC_PROFILE\0\x01\x01profile-bytes", 27));
  const std::string adobe = Segment(0xEE, absl::string_view("Adobe\0\x64\0\0\0\0\x01", 12));
  const std::string multi_picture = Segment(0xE2, absl::string_view("MPF\0second-image", 16));
  const std::string maker_app = Segment(0xE5, "device serial 12345");
  const std::string photo =
      WithSegmentsAfterJfif(Fixture("photo_gps.jpg"), absl::StrCat(icc, multi_picture, adobe, maker_app));
  absl::StatusOr<CleanAttachment> clean = CleanAttachmentContent(kField, photo);
  ASSERT_TRUE(clean.ok()) << clean.status();
  EXPECT_EQ(SegmentsWithMarker(clean->bytes, 0xE2), std::vector<std::string>{icc});
  EXPECT_EQ(SegmentsWithMarker(clean->bytes, 0xEE), std::vector<std::string>{adobe});
  EXPECT_TRUE(SegmentsWithMarker(clean->bytes, 0xE5).empty());
}

TEST(AttachmentContentTest, ProgressivePhotoKeepsEveryScanAndLosesTheCommentBetweenThem) {
  const std::string photo = Fixture("progressive.jpg");
  absl::StatusOr<CleanAttachment> clean = CleanAttachmentContent(kField, photo);
  ASSERT_TRUE(clean.ok()) << clean.status();
  const std::string comment = Segment(0xFE, "Taken by coach J. de Vries");
  ASSERT_NE(photo.find(comment), std::string::npos);
  EXPECT_EQ(clean->bytes, absl::StrReplaceAll(photo, {{comment, ""}}));
}

TEST(AttachmentContentTest, WhatFollowsTheEndOfTheImageIsDropped) {
  const std::string photo = Fixture("photo_gps.jpg");
  absl::StatusOr<CleanAttachment> plain = CleanAttachmentContent(kField, photo);
  absl::StatusOr<CleanAttachment> appended =
      CleanAttachmentContent(kField, photo + "PK\x03\x04 hidden archive");
  ASSERT_TRUE(plain.ok() && appended.ok());
  EXPECT_EQ(appended->bytes, plain->bytes);
}

TEST(AttachmentContentTest, PngLosesTextExifAndTimeKeepingValidChunksAndImageData) {
  const std::string png = Fixture("screenshot_text.png");
  absl::StatusOr<CleanAttachment> clean = CleanAttachmentContent(kField, png);
  ASSERT_TRUE(clean.ok()) << clean.status();
  EXPECT_EQ(clean->type, AttachmentType::kPng);
  EXPECT_EQ(clean->bytes.substr(0, 8), "\x89PNG\r\n\x1a\n");
  std::vector<std::string> types;
  for (const PngChunk& chunk : Chunks(clean->bytes)) {
    types.push_back(chunk.type);
    EXPECT_TRUE(CrcIsRight(chunk.bytes)) << chunk.type;
  }
  EXPECT_EQ(types, (std::vector<std::string>{"IHDR", "gAMA", "pHYs", "IDAT", "IDAT", "IEND"}));
  std::vector<std::string> data_in, data_out;
  for (const PngChunk& chunk : Chunks(png)) {
    if (chunk.type == "IDAT") data_in.push_back(chunk.bytes);
  }
  for (const PngChunk& chunk : Chunks(clean->bytes)) {
    if (chunk.type == "IDAT") data_out.push_back(chunk.bytes);
  }
  EXPECT_EQ(data_out, data_in);
  for (absl::string_view metadata : {"Coach", "CoachPhone", "xmpmeta", "Comment"}) {
    EXPECT_FALSE(absl::StrContains(clean->bytes, metadata)) << metadata;
  }
}

TEST(AttachmentContentTest, PdfIsKeptAsItIs) {
  const std::string pdf = Fixture("letter.pdf");
  absl::StatusOr<CleanAttachment> clean = CleanAttachmentContent(kField, pdf);
  ASSERT_TRUE(clean.ok()) << clean.status();
  EXPECT_EQ(clean->type, AttachmentType::kPdf);
  EXPECT_EQ(clean->bytes, pdf);
}

// `letter.pdf` with `entry` added to its catalog.
std::string LetterWith(absl::string_view entry) {
  return absl::StrReplaceAll(Fixture("letter.pdf"),
                             {{"/Type /Catalog", absl::StrCat("/Type /Catalog ", entry)}});
}

TEST(AttachmentContentTest, PdfWithActiveContentIsRefused) {
  const std::string reason =
      "attachment.content: is a PDF with active content (JavaScript, launch actions or embedded files)";
  EXPECT_EQ(CleanAttachmentContent(kField, Fixture("letter_javascript.pdf")).status().message(), reason);
  for (absl::string_view entry :
       {"/AA << /O << /S /JavaScript /JS (x) >> >>", "/AA<</O<</S/Launch/F(cmd.exe)>>>>", "/OpenAction 6 0 R",
        "/Names << /EmbeddedFiles 7 0 R >>", "/X << /Type /EmbeddedFile >>",
        "/AA << /O << /S /J#61vaScript >> >>", "/AA << /O << /J#53 (x) >> >>",
        // Attached files: a file specification's embedded stream, an annotation.
        "/X << /Type /Filespec /F (a.exe) /EF << /F 8 0 R >> >>", "/X << /Type /Annot /Subtype /FileAttachment >>",
        // A scripted XFA form, rich media, an action opening an embedded document.
        "/AcroForm << /Fields [] /XFA 9 0 R >>", "/X << /Subtype /RichMedia >>",
        "/OpenAction << /S /GoToE /T << /R /C /N (a) >> >>", "/AA << /O << /S /GoTo#45 >> >>"}) {
    absl::Status status = CleanAttachmentContent(kField, LetterWith(entry)).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << entry;
    EXPECT_EQ(status.message(), reason) << entry;
  }
}

TEST(AttachmentContentTest, EncryptedPdfIsRefusedAsItCannotBeChecked) {
  // Its strings and streams cannot be read, so no script can be ruled out.
  std::string encrypted = absl::StrReplaceAll(
      Fixture("letter.pdf"), {{"trailer\n<<", "trailer\n<< /Encrypt << /Filter /Standard /V 2 /R 3 >>"}});
  ASSERT_NE(encrypted, Fixture("letter.pdf")) << "the fixture has a trailer";
  EXPECT_EQ(CleanAttachmentContent(kField, encrypted).status().message(),
            "attachment.content: is a PDF with active content (JavaScript, launch actions or embedded files)");
  EXPECT_FALSE(CleanAttachmentContent(kField, LetterWith("/X /Encr#79pt")).ok()) << "escaped";
}

TEST(AttachmentContentTest, PdfWithObjectStreamsIsAccepted) {
  // Most PDFs written today keep their objects in compressed object
  // streams; names inside them are not seen (attachment_content.h).
  EXPECT_TRUE(CleanAttachmentContent(kField, LetterWith("/X << /Type /ObjStm /N 0 /First 0 >>")).ok());
}

TEST(AttachmentContentTest, PdfNamesThatOnlyBeginLikeActiveContentAreAccepted) {
  for (absl::string_view entry : {"/JSON true", "/Launched (yes)", "/JavaScripts [/JSX]", "/OpenActions 1",
                                  "/EFX 1", "/XFAB 1", "/Encrypted false", "/GoTo 1", "/RichMediaX 1",
                                  "/FileAttachments 1", "/FileAttachment2 1"}) {
    EXPECT_TRUE(CleanAttachmentContent(kField, LetterWith(entry)).ok()) << entry;
  }
}

struct Refused {
  const char* name;
  std::string bytes;
  const char* reason;
};

// Failure messages name the case, not its bytes.
void PrintTo(const Refused& refused, std::ostream* os) { *os << refused.name; }

class AttachmentContentRefusedTest : public ::testing::TestWithParam<Refused> {};

TEST_P(AttachmentContentRefusedTest, IsRefusedNamingTheField) {
  absl::StatusOr<CleanAttachment> clean = CleanAttachmentContent(kField, GetParam().bytes);
  EXPECT_EQ(clean.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(clean.status().message(), absl::StrCat("attachment.content: ", GetParam().reason));
}

constexpr char kNotAttachment[] = "is not a JPEG, PNG or PDF file";
constexpr char kDamagedJpeg[] = "is a damaged JPEG file";
constexpr char kDamagedPng[] = "is a damaged PNG file";
constexpr char kDamagedPdf[] = "is a damaged PDF file";

std::vector<Refused> RefusedUploads() {
  const std::string jpeg = Fixture("photo_gps.jpg");
  const std::string png = Fixture("screenshot_text.png");
  const std::string pdf = Fixture("letter.pdf");
  const size_t sos = jpeg.size() - FromFirstScan(jpeg).size();
  const std::string sof = SegmentsWithMarker(jpeg, 0xC0)[0];
  std::string png_bad_crc = png;
  png_bad_crc[png.find("IDAT") + 6] ^= 0x01;  // a bit of the image data, CRC unchanged
  std::string png_text_first = png;
  png_text_first.replace(8, 25, Chunks(png)[3].bytes);  // tEXt where IHDR was
  std::string jpeg_long_segment = jpeg;
  jpeg_long_segment[4] = '\x7F';  // JFIF's length past the end
  return {
      {"Empty", "", kNotAttachment},
      {"Text", "Melding: matrassen naast de container\n", kNotAttachment},
      {"Gif", std::string("GIF89a\x01\0\x01\0\0\0\0;", 14), kNotAttachment},
      {"Html", "<html><script>alert(1)</script></html>", kNotAttachment},
      {"TruncatedJpeg", jpeg.substr(0, jpeg.size() / 2), kDamagedJpeg},
      {"JpegWithoutEnd", jpeg.substr(0, jpeg.size() - 2), kDamagedJpeg},
      {"JpegSegmentPastTheEnd", jpeg_long_segment, kDamagedJpeg},
      {"JpegWithoutFrame", absl::StrReplaceAll(jpeg, {{sof, ""}}), kDamagedJpeg},
      {"JpegWithoutScan", absl::StrCat(jpeg.substr(0, sos), "\xFF\xD9"), kDamagedJpeg},
      {"JpegOnlyStart", "\xFF\xD8\xFF", kDamagedJpeg},
      {"PngWithBadCrc", png_bad_crc, kDamagedPng},
      {"TruncatedPng", png.substr(0, png.size() - 20), kDamagedPng},
      {"PngWithoutEnd", png.substr(0, png.size() - 12), kDamagedPng},
      {"PngWithoutHeaderFirst", png_text_first, kDamagedPng},
      {"PngWithUnknownCriticalChunk", WithChunkBeforeIend(png, "ABCD", "data"), kDamagedPng},
      {"PngWithoutImageData", absl::StrCat(png.substr(0, 33), png.substr(png.size() - 12)), kDamagedPng},
      {"PngSignatureOnly", png.substr(0, 8), kDamagedPng},
      {"PdfWithoutEnd", pdf.substr(0, pdf.size() - 7), kDamagedPdf},
      {"PdfOfUnknownVersion", absl::StrCat("%PDF-9.0", pdf.substr(8)), kDamagedPdf},
  };
}

INSTANTIATE_TEST_SUITE_P(Uploads, AttachmentContentRefusedTest, ::testing::ValuesIn(RefusedUploads()),
                         [](const ::testing::TestParamInfo<Refused>& info) { return info.param.name; });

}  // namespace
}  // namespace hartslag::intake
