// What the meeting screens share: the meeting as the services answer it
// (proto3 JSON), the names of the tenant's organisations, and the Dutch
// wording of a meeting's name.
import { caseKind } from "../labels";
import type { Action } from "./actions";

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


