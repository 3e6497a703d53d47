// Why a screen reads personal data (x-hartslag-purpose): each read states
// one, the services refuse case data without it, and the audit log keeps it
// (DOMAIN.md, purpose binding). Their Dutch names are labels.purpose.
export const Purpose = {
  triage: "TRIAGE",
  meetingPreparation: "MEETING_PREPARATION",
  meeting: "MEETING",
  actionExecution: "ACTION_EXECUTION",
  caseManagement: "CASE_MANAGEMENT",
  subjectAccessRequest: "SUBJECT_ACCESS_REQUEST",
} as const;
