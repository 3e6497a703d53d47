// One chunk of a file to its signal (UploadAttachment): at most 1 MiB from
// the offset the service last confirmed. The service answers the bytes it
// holds, and the next chunk starts there; a chunk sent again after a lost
// answer is taken once, so a try that broke off resumes at the last
// confirmed offset. The last chunk completes the attachment, once per
// upload id.
import { ApiError, Code, call } from "./api";
import { type Attachment, type UploadAttachmentResponse, kSignalService } from "./intake";

const kChunkBytes = 1024 * 1024;
const kInvalidArgument = 3;

// What a chunk needs of a waiting file.
export interface Upload {
  uploadId: string;
  signalId: string;
  fileName: string;
  size: number;
  blob: Blob;
  // The bytes the service confirmed so far.
  offset?: number;
}

// What a chunk achieved: the stored attachment after the last one, else
// the offset of the next.
export interface Sent {
  attachment?: Attachment;
  offset: number;
}

// The bytes of `blob` in base64, as proto3 JSON carries bytes.
function base64(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ""));
    reader.onerror = () => reject(new ApiError(0, Code.unavailable, "Het bestand kon niet worden gelezen.", {}));
    reader.readAsDataURL(blob);
  });
}

// Sends the chunk at `file.offset`. Throws the service's refusal (an
// ApiError; retryable when it decided nothing).
export async function sendChunk(file: Upload): Promise<Sent> {
  const offset = file.offset ?? 0;
  const chunk = file.blob.slice(offset, offset + kChunkBytes);
  const last = offset + chunk.size >= file.size;
  let answer: UploadAttachmentResponse;
  try {
    answer = await call<UploadAttachmentResponse>(`${kSignalService}/UploadAttachment`, {
      signalId: file.signalId,
      uploadId: file.uploadId,
      fileName: file.fileName,
      offset,
      data: await base64(chunk),
      last,
    });
  } catch (error) {
    // The service no longer has the upload (unfinished for a day) or holds
    // other bytes than this device thinks: from the start, which it answers
    // with the bytes it really holds.
    if (error instanceof ApiError && error.code === kInvalidArgument && "offset" in error.fields && offset > 0) return { offset: 0 };
    throw error;
  }
  if (answer.attachment) return { attachment: answer.attachment, offset: file.size };
  const received = Number(answer.receivedBytes ?? 0);
  // Cannot happen with a service that keeps its contract: tried again later.
  if (last || received <= offset) throw new ApiError(0, Code.internal, "Het versturen van het bestand liep vast.", {});
  return { offset: received };
}
