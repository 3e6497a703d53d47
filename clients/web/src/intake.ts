// The messages of proto/hartslag/intake/v1/intake.proto the screens use, as
// proto3 JSON names them (lowerCamelCase fields, enums by name, int64 as a
// string, bytes in base64); only the fields the screens read or send.

export const kSignalService = "hartslag.intake.v1.SignalService";

export interface Question {
  questionId: string;
  label: string;
  helpText?: string;
  type: "QUESTION_TYPE_TEXT" | "QUESTION_TYPE_NUMBER" | "QUESTION_TYPE_DATE" | "QUESTION_TYPE_YES_NO" | "QUESTION_TYPE_ONE_OF" | "QUESTION_TYPE_SEVERAL_OF";
  required?: boolean;
  options?: string[];
}

export interface Category {
  categoryId: string;
  label: string;
  defaultMeeting?: string;
  meldcode?: boolean;
  parentCategoryId?: string;
  description?: string;
  questions?: Question[];
}

// One answer: exactly one of the values, of the question's type.
export interface Answer {
  questionId: string;
  text?: string;
  number?: number;
  date?: string;
  yesNo?: boolean;
  choice?: string;
  choices?: { options?: string[] };
  // The question as it was asked (output only).
  questionLabel?: string;
}

export interface Attachment {
  attachmentId: string;
  signalId: string;
  mediaType: string;
  sizeBytes?: string;
  fileName?: string;
  createdAt?: string;
}

export interface UploadAttachmentResponse {
  receivedBytes?: string;
  attachment?: Attachment;
}

// Where the browser gets an attachment's bytes (hartslag-web reads them
// from intake with the user's session).
export function attachmentUrl(a: Attachment): string {
  return `/api/v1/signals/${encodeURIComponent(a.signalId)}/attachments/${encodeURIComponent(a.attachmentId)}`;
}
