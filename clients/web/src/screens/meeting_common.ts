// What the meeting screens share: the meeting as the services answer it
// (proto3 JSON), the names of the tenant's organisations, and the Dutch
// wording of a meeting's name.
import { ApiError, call } from "../api";
import { caseKind } from "../labels";
import type { Action } from "./actions";

// The reason for reading case data while the meeting sits (x-hartslag-purpose).
export const kMeetingPurpose = "MEETING";

export interface Attendee {
  name?: string;
  organisationId?: string;
  organisationName?: string;
}

export interface Correction {
  correctionId: string;
  itemId?: string;
  text?: string;
  author?: { userId?: string; organisationId?: string };
  at?: string;
}

export interface AgendaItem {
  itemId: string;
  caseId: string;
  caseReference?: string;
  caseTitle?: string;
  reasons?: string[];
  decision?: string;
  rationale?: string;
  actions?: Action[];
}

export interface Meeting {
  meetingId: string;
  kind?: string;
  area?: { areaId?: string; name?: string };
  startsAt?: string;
  chair?: string;
  participatingOrganisations?: string[];
  status?: string;
  items?: AgendaItem[];
  closedAt?: string;
  corrections?: Correction[];
  attendees?: Attendee[];
  minutesApprovedAt?: string;
  minutesApprovedIn?: string;
}

export const meetingMethod = (name: string) => `hartslag.cases.v1.MeetingService/${name}`;

// "Casuïstiekoverleg Heerlen-Noord"
export function meetingName(m: Meeting): string {
  return [caseKind[m.kind ?? ""] ?? "Overleg", m.area?.name ?? m.area?.areaId ?? ""].filter(Boolean).join(" ");
}

export function isClosed(m: Meeting): boolean {
  return m.status === "MEETING_STATUS_CLOSED";
}

let organisations: Promise<Map<string, string>> | null = null;

// The tenant's organisations by id, read once per page load (names of
// organisations are no personal data; every role may list them).
export function organisationNames(): Promise<Map<string, string>> {
  organisations ??= (async () => {
    const names = new Map<string, string>();
    let pageToken = "";
    do {
      const page = await call<{ organisations?: { organisationId: string; name?: string }[]; nextPageToken?: string }>(
        "hartslag.directory.v1.DirectoryService/ListOrganisations",
        { pageSize: 500, pageToken },
      );
      for (const o of page.organisations ?? []) names.set(o.organisationId, o.name || o.organisationId);
      pageToken = page.nextPageToken ?? "";
    } while (pageToken);
    return names;
  })().catch((error) => {
    organisations = null;
    throw error;
  });
  return organisations;
}

// A name where one is known, the id otherwise.
export function nameOf(names: Map<string, string>, id: string | undefined): string {
  return (id && names.get(id)) || id || "";
}

export function errorText(error: unknown, fallback = "Dit lukte niet."): string {
  return error instanceof ApiError ? error.message : fallback;
}
