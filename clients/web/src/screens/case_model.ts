// A case as the case screens read it (CaseService JSON), and the moves of
// its lifecycle as cases.proto's CaseStatus lists them: a screen offers
// exactly these, so an illegal move is never a button.
import type { Address } from "../labels";

export interface PlanGoal {
  goal?: string;
  organisationIds?: string[];
}

export interface Actor {
  userId?: string;
  organisationId?: string;
}

export interface StatusChange {
  from?: string;
  to?: string;
  actor?: Actor;
  at?: string;
  reason?: string;
}

export interface Case {
  caseId: string;
  reference?: string;
  kind?: string;
  status?: string;
  title?: string;
  area?: { areaId?: string; name?: string };
  address?: Address;
  persons?: { name?: string; birthYear?: number; role?: string }[];
  processCoordinator?: string;
  caseManager?: string;
  participatingOrganisations?: string[];
  members?: string[];
  confidentiality?: string;
  riskTier?: string;
  riskReason?: string;
  nextReviewAt?: string;
  plan?: PlanGoal[];
  escalation?: string;
  escalationReason?: string;
  result?: string;
  openedAt?: string;
  updatedAt?: string;
}

// A case in a list or a triage proposal (CaseListItem): no persons, no
// address. hasOverdueActions, reviewDue and signalIds come with ListCases
// only.
export interface CaseListItem {
  caseId: string;
  reference?: string;
  kind?: string;
  status?: string;
  title?: string;
  area?: { areaId?: string; name?: string };
  riskTier?: string;
  nextReviewAt?: string;
  updatedAt?: string;
  hasOverdueActions?: boolean;
  // Decided by the service, by its clock: open and due for review.
  reviewDue?: boolean;
  signalIds?: string[];
}

export interface Note {
  noteId: string;
  visibility?: string;
  text?: string;
  author?: Actor;
  writtenAt?: string;
}

export interface CaseSummary {
  case: Case;
  notes?: Note[];
  nextNotesPageToken?: string;
  history?: StatusChange[];
  earlierHistoryOmitted?: number;
  reviewDue?: boolean;
}

// TransitionCase's legal targets from each status; CLOSED moves only by
// ReopenCase (to REOPENED).
export const kLegalMoves: Record<string, string[]> = {
  CASE_STATUS_REGISTERED: ["CASE_STATUS_TRIAGE"],
  CASE_STATUS_TRIAGE: ["CASE_STATUS_SCHEDULED", "CASE_STATUS_CLOSED"],
  CASE_STATUS_SCHEDULED: ["CASE_STATUS_IN_PROGRESS", "CASE_STATUS_TRIAGE"],
  CASE_STATUS_IN_PROGRESS: ["CASE_STATUS_MONITORING", "CASE_STATUS_CLOSED"],
  CASE_STATUS_MONITORING: ["CASE_STATUS_IN_PROGRESS", "CASE_STATUS_CLOSED"],
  CASE_STATUS_CLOSED: ["CASE_STATUS_REOPENED"],
  CASE_STATUS_REOPENED: ["CASE_STATUS_TRIAGE"],
};

