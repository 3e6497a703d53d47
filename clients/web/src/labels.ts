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

// A coordinator's choices at triage, in the order the screen offers them.
export const triageChoice: [string, string][] = [
  ["TRIAGE_CHOICE_HANDLE_DIRECTLY", "Direct afhandelen"],
  ["TRIAGE_CHOICE_LEEFBAARHEID", "Leefbaarheidsoverleg"],
  ["TRIAGE_CHOICE_CASUISTIEK", "Casuïstiekoverleg"],
  ["TRIAGE_CHOICE_REFER", "Doorverwijzen"],
  ["TRIAGE_CHOICE_NO_ACTION", "Geen actie"],
];

export const urgencyShort: Record<string, string> = {
  URGENCY_LOW: "Laag",
  URGENCY_NORMAL: "Normaal",
  URGENCY_HIGH: "Hoog",
  URGENCY_ACUTE: "Acuut",
};

const weekdayTime = new Intl.DateTimeFormat("nl-NL", { weekday: "long", hour: "2-digit", minute: "2-digit", timeZone: "Europe/Amsterdam" });

// "maandag 12:00"
export function formatWeekdayTime(iso: string | undefined): string {
  return iso ? weekdayTime.format(new Date(iso)).replace(" om ", " ") : "";
}

export const riskTier: Record<string, string> = {
  RISK_TIER_HIGH: "Hoog (herbeoordeling elke 2 weken)",
  RISK_TIER_MEDIUM: "Middel (herbeoordeling elke 4 weken)",
  RISK_TIER_LOW: "Laag (herbeoordeling elke 8 weken)",
};

// The tier alone, for lists, badges and sentences: "Hoog".
export const riskTierShort: Record<string, string> = {
  RISK_TIER_HIGH: "Hoog",
  RISK_TIER_MEDIUM: "Middel",
  RISK_TIER_LOW: "Laag",
};

export const escalation: Record<string, string> = {
  ESCALATION_UNSPECIFIED: "Niet opgeschaald",
  ESCALATION_ZORG_EN_VEILIGHEIDSHUIS: "Zorg- en Veiligheidshuis",
  ESCALATION_BESTUURLIJK: "Bestuurlijk",
};

export const caseResult: Record<string, string> = {
  CASE_RESULT_RESOLVED: "Opgelost",
  CASE_RESULT_IMPROVED: "Verbeterd; de rest gaat via de reguliere weg",
  CASE_RESULT_REFERRED: "Overgedragen",
  CASE_RESULT_NO_FURTHER_ACTION: "Geen verdere actie mogelijk of nodig",
};

export const confidentiality: Record<string, string> = {
  CONFIDENTIALITY_OPENBAAR: "Openbaar",
  CONFIDENTIALITY_BEPERKT_OPENBAAR: "Beperkt openbaar",
  CONFIDENTIALITY_INTERN: "Intern",
  CONFIDENTIALITY_ZAAKVERTROUWELIJK: "Zaakvertrouwelijk",
  CONFIDENTIALITY_VERTROUWELIJK: "Vertrouwelijk",
  CONFIDENTIALITY_CONFIDENTIEEL: "Confidentieel",
  CONFIDENTIALITY_GEHEIM: "Geheim",
  CONFIDENTIALITY_ZEER_GEHEIM: "Zeer geheim",
};

// What the button for a move of a case says, by target status.
export const caseTransition: Record<string, string> = {
  CASE_STATUS_TRIAGE: "Naar weging",
  CASE_STATUS_SCHEDULED: "Agenderen",
  CASE_STATUS_IN_PROGRESS: "In behandeling nemen",
  CASE_STATUS_MONITORING: "Naar monitoring",
  CASE_STATUS_CLOSED: "Afsluiten",
  CASE_STATUS_REOPENED: "Heropenen",
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

export const organisationKind: Record<string, string> = {
  ORGANISATION_KIND_MUNICIPALITY: "Gemeente",
  ORGANISATION_KIND_ENFORCEMENT: "Handhaving",
  ORGANISATION_KIND_POLICE: "Politie",
  ORGANISATION_KIND_CARE: "Zorg",
  ORGANISATION_KIND_HOUSING: "Woningcorporatie",
  ORGANISATION_KIND_OTHER: "Overig",
};

export const role: Record<string, string> = {
  REPORTER: "melder",
  COORDINATOR: "coördinator",
  PARTNER: "partner",
  PRIVACY_OFFICER: "privacy officer",
  ADMIN: "beheerder",
};

// The audit log's actions and outcomes (hartslag.audit.v1).
export const auditAction: Record<string, string> = {
  ACTION_READ: "Ingezien",
  ACTION_LIST: "Lijst of zoekopdracht",
  ACTION_CREATE: "Aangemaakt",
  ACTION_UPDATE: "Gewijzigd",
  ACTION_EXPORT: "Geëxporteerd",
  ACTION_LOGIN: "Ingelogd",
  ACTION_DELETE: "Verwijderd (bewaartermijn)",
  ACTION_SET_ASIDE: "Apart gezet",
};

export const auditOutcome: Record<string, string> = {
  OUTCOME_SUCCESS: "Gelukt",
  OUTCOME_DENIED: "Geweigerd",
  OUTCOME_REJECTED: "Afgewezen",
  OUTCOME_ERROR: "Fout",
};

// The purposes the screens and services declare (x-hartslag-purpose); any
// other is shown as given.
export const purpose: Record<string, string> = {
  TRIAGE: "Weging van meldingen",
  MEETING_PREPARATION: "Voorbereiding overleg",
  CASE_MANAGEMENT: "Casusregie",
  ACTION_EXECUTION: "Uitvoeren van acties",
  MEETING: "Overleg",
  SUBJECT_ACCESS_REQUEST: "Verzoek om inzage",
  RETENTION: "Bewaartermijn verstreken",
};

const dateTime = new Intl.DateTimeFormat("nl-NL", { dateStyle: "long", timeStyle: "short", timeZone: "Europe/Amsterdam" });
const dateOnly = new Intl.DateTimeFormat("nl-NL", { dateStyle: "full", timeZone: "UTC" });

// "3 december 2026 om 14:05"
export function formatTime(iso: string | undefined): string {
  return iso ? dateTime.format(new Date(iso)) : "";
}

const fullTime = new Intl.DateTimeFormat("nl-NL", { dateStyle: "full", timeStyle: "short", timeZone: "Europe/Amsterdam" });

// "maandag 30 november 2026 om 12:00": a moment with its weekday, in the
// municipality's time.
export function formatWeekdayDateTime(iso: string | undefined): string {
  return iso ? fullTime.format(new Date(iso)) : "";
}

const meetingTime = new Intl.DateTimeFormat("nl-NL", { weekday: "long", day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "Europe/Amsterdam" });

// "woensdag 9 december 2026, 14:00": when a meeting starts, in the
// municipality's time.
export function formatMeetingTime(iso: string | undefined): string {
  if (!iso) return "";
  const parts = meetingTime.formatToParts(new Date(iso));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("weekday")} ${part("day")} ${part("month")} ${part("year")}, ${part("hour")}:${part("minute")}`;
}

export const agendaReason: Record<string, string> = {
  AGENDA_REASON_NEWLY_TRIAGED: "nieuw gewogen",
  AGENDA_REASON_OVERDUE_ACTIONS: "acties over tijd",
  AGENDA_REASON_REVIEW_DUE: "herbeoordeling",
  AGENDA_REASON_PROPOSED_CLOSURE: "voorstel tot afsluiten",
  AGENDA_REASON_ADDED: "toegevoegd",
};

export const meetingStatus: Record<string, string> = {
  MEETING_STATUS_SCHEDULED: "Gepland",
  MEETING_STATUS_CLOSED: "Gesloten",
};

// "donderdag 10 december 2026", from "2026-12-10"
export function formatDate(day: string | undefined): string {
  return day ? dateOnly.format(new Date(`${day}T00:00:00Z`)) : "";
}
// A moment (a Timestamp) as the day it falls on in Amsterdam, written as
// formatDate writes a day: for what is due on a day, not at an hour.
const dayInAmsterdam = new Intl.DateTimeFormat("nl-NL", { dateStyle: "full", timeZone: "Europe/Amsterdam" });
export function formatDayOf(iso: string | undefined): string {
  return iso ? dayInAmsterdam.format(new Date(iso)) : "";
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
