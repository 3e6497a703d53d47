// The Dutch words for the services' enum values and how dates are written.

export const signalStatus: Record<string, string> = {
  SIGNAL_STATUS_NEW: "Ontvangen",
  SIGNAL_STATUS_ACCEPTED: "Opgepakt",
  SIGNAL_STATUS_REFERRED: "Doorverwezen",
  SIGNAL_STATUS_NO_ACTION: "Geen actie",
};

export const urgency: [string, string][] = [
  ["URGENCY_LOW", "Laag: kan in het gewone weekritme"],
  ["URGENCY_NORMAL", "Normaal: voor het overleg van deze week"],
  ["URGENCY_HIGH", "Hoog: graag vóór de wekelijkse afsluiting bekijken"],
  ["URGENCY_ACUTE", "Acuut: hulpdiensten zijn ook gealarmeerd"],
];

export const source: [string, string][] = [
  ["SOURCE_STREET_COACH", "Straatcoach"],
  ["SOURCE_BOA", "BOA (handhaving)"],
  ["SOURCE_POLICE", "Politie"],
  ["SOURCE_HOUSING", "Woningcorporatie"],
  ["SOURCE_CARE", "Zorgpartner"],
  ["SOURCE_RESIDENT", "Bewoner (doorgegeven)"],
  ["SOURCE_CAMERA", "Cameratoezicht"],
  ["SOURCE_OTHER", "Anders"],
];

// Who usually picks up a signal, by the reporter's kind of organisation.
export const sourceOfOrganisation: Record<string, string> = {
  ORGANISATION_KIND_MUNICIPALITY: "SOURCE_STREET_COACH",
  ORGANISATION_KIND_ENFORCEMENT: "SOURCE_BOA",
  ORGANISATION_KIND_POLICE: "SOURCE_POLICE",
  ORGANISATION_KIND_HOUSING: "SOURCE_HOUSING",
  ORGANISATION_KIND_CARE: "SOURCE_CARE",
};

export const actionStatus: Record<string, string> = {
  ACTION_STATUS_OPEN: "Open",
  ACTION_STATUS_IN_PROGRESS: "Bezig",
  ACTION_STATUS_DONE: "Afgerond",
  ACTION_STATUS_CANCELLED: "Vervallen",
};

export const caseStatus: Record<string, string> = {
  CASE_STATUS_REGISTERED: "Geregistreerd",
  CASE_STATUS_TRIAGE: "In weging",
  CASE_STATUS_SCHEDULED: "Geagendeerd",
  CASE_STATUS_IN_PROGRESS: "In behandeling",
  CASE_STATUS_MONITORING: "Monitoring",
  CASE_STATUS_CLOSED: "Afgesloten",
  CASE_STATUS_REOPENED: "Heropend",
};

export const caseKind: Record<string, string> = {
  CASE_KIND_LEEFBAARHEID: "Leefbaarheidsoverleg",
  CASE_KIND_CASUISTIEK: "Casuïstiekoverleg",
};

export const noteVisibility: Record<string, string> = {
  NOTE_VISIBILITY_PARTICIPANTS: "Alle deelnemers",
  NOTE_VISIBILITY_COORDINATION: "Alleen coördinatie",
  NOTE_VISIBILITY_CARE: "Alleen zorg",
  NOTE_VISIBILITY_POLICE: "Alleen politie",
};

// The visibilities a partner may write: all participants, or its own kind.
export const ownNoteVisibility: Record<string, string> = {
  ORGANISATION_KIND_CARE: "NOTE_VISIBILITY_CARE",
  ORGANISATION_KIND_POLICE: "NOTE_VISIBILITY_POLICE",
};

export const role: Record<string, string> = {
  REPORTER: "melder",
  COORDINATOR: "coördinator",
  PARTNER: "partner",
  PRIVACY_OFFICER: "privacy officer",
  ADMIN: "beheerder",
};

const dateTime = new Intl.DateTimeFormat("nl-NL", { dateStyle: "long", timeStyle: "short", timeZone: "Europe/Amsterdam" });
const dateOnly = new Intl.DateTimeFormat("nl-NL", { dateStyle: "full", timeZone: "UTC" });

// "3 december 2026 om 14:05"
export function formatTime(iso: string | undefined): string {
  return iso ? dateTime.format(new Date(iso)) : "";
}

// "donderdag 10 december 2026", from "2026-12-10"
export function formatDate(day: string | undefined): string {
  return day ? dateOnly.format(new Date(`${day}T00:00:00Z`)) : "";
}

export interface Address {
  street?: string;
  houseNumber?: number;
  houseNumberAddition?: string;
  postcode?: string;
  city?: string;
}

// "Vrieheidelaan 12A, 6416 AB Heerlen"
export function formatAddress(a: Address | undefined): string {
  if (!a) return "";
  const street = [a.street, `${a.houseNumber ?? ""}${a.houseNumberAddition ?? ""}`].filter(Boolean).join(" ");
  const place = [a.postcode, a.city].filter(Boolean).join(" ");
  return [street, place].filter(Boolean).join(", ");
}

// "1,2 MB", "640 kB"
export function formatSize(bytes: number): string {
  if (bytes >= 1_000_000) return `${(bytes / 1_000_000).toLocaleString("nl-NL", { maximumFractionDigits: 1 })} MB`;
  return `${Math.max(1, Math.round(bytes / 1000))} kB`;
}

// Why the service refused a photo or document, in Dutch, from its
// refusal's message (the FieldViolation's reason, which names the limit);
// `fallback`: the service's own Dutch sentence.
export function attachmentRefusal(detail: string, fallback: string): string {
  const larger = /larger than (\d+) bytes/.exec(detail);
  if (larger) return `Het bestand is groter dan ${formatSize(Number(larger[1]))}, het meeste dat de gemeente aanneemt.`;
  const count = /the signal has (\d+) attachments/.exec(detail);
  if (count) return `Bij een melding kunnen hoogstens ${count[1]} bestanden.`;
  if (/not a JPEG, PNG or PDF/.test(detail)) return "Dit is geen foto (JPEG of PNG) en geen PDF.";
  if (/damaged/.test(detail)) return "Het bestand is beschadigd.";
  if (/active content/.test(detail)) return "Deze PDF bevat onderdelen die iets kunnen uitvoeren, zoals JavaScript; zo'n PDF wordt niet aangenomen.";
  return fallback;
}

export const yesNo = { yes: "Ja", no: "Nee" };

// An answer as the reporter gave it: "Ja", "3", "donderdag 10 december
// 2026", "Matras, Bankstel".
export function formatAnswer(a: { text?: string; number?: number; date?: string; yesNo?: boolean; choice?: string; choices?: { options?: string[] } }): string {
  if (a.text !== undefined) return a.text;
  if (a.number !== undefined) return a.number.toLocaleString("nl-NL");
  if (a.date !== undefined) return formatDate(a.date);
  if (a.yesNo !== undefined) return a.yesNo ? yesNo.yes : yesNo.no;
  if (a.choice !== undefined) return a.choice;
  return (a.choices?.options ?? []).join(", ");
}
