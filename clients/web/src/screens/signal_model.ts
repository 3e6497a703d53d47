// A signal as the screens read it (intake's SignalService JSON): the
// reporter's own list, the coordinator's work list and the map each use
// the fields they need.
import type { Answer, Attachment } from "../intake";
import type { Address } from "../labels";

export interface Signal {
  signalId: string;
  reference?: string;
  categoryId?: string;
  area?: { areaId?: string; name?: string };
  location?: { address?: Address; point?: { latitude?: number; longitude?: number } };
  description?: string;
  observedAt?: string;
  reportedAt?: string;
  reporter?: { userId?: string; organisationId?: string };
  source?: string;
  urgency?: string;
  persons?: { name?: string; birthYear?: number; role?: string }[];
  status?: string;
  feedback?: string;
  // The reporter sees only the status of a colleague's signal.
  statusOnly?: boolean;
  dueAt?: string;
  lateAt?: string;
  overdue?: boolean;
  late?: boolean;
  answers?: Answer[];
  attachments?: Attachment[];
  standardFeedback?: { outcome?: string; text?: string }[];
}
