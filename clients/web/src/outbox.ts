// Signals sent from a phone with a weak connection: each submission gets its
// request id when the form is sent and is kept on the device until the
// service has acknowledged it, then forgotten. A lost connection or a
// reloaded page retries it with the same id, and the service stores a
// request id once, so a signal is stored exactly once and never lost.
//
// What waits here holds what the reporter typed (it may name persons); it
// stays in this browser's storage for this user only as long as it is not
// acknowledged.
import { ApiError, call } from "./api";

export interface Pending {
  requestId: string;
  request: Record<string, unknown>;
  savedAt: string;
}

export interface Acknowledged {
  pending: Pending;
  reference: string;
  replayed: boolean;
}

export interface Listener {
  acknowledged(done: Acknowledged): void;
  refused(pending: Pending, error: ApiError): void;
  waiting(count: number, error: ApiError | null): void;
}

const kSubmit = "hartslag.intake.v1.SignalService/SubmitSignal";
const kRetrySeconds = [2, 5, 10, 30, 60];

export class Outbox {
  private readonly key: string;
  private sending = false;
  private again = false;
  private failures = 0;
  private timer: number | undefined;

  constructor(
    tenantId: string,
    userId: string,
    private readonly listener: Listener,
  ) {
    this.key = `hartslag.outbox.${tenantId}.${userId}`;
    window.addEventListener("online", () => void this.flush());
  }

  pending(): Pending[] {
    try {
      return JSON.parse(localStorage.getItem(this.key) ?? "[]") as Pending[];
    } catch {
      return [];
    }
  }

  // Keeps the signal on the device first, then sends it.
  async submit(requestId: string, request: Record<string, unknown>): Promise<void> {
    this.save([...this.pending(), { requestId, request: { ...request, requestId }, savedAt: new Date().toISOString() }]);
    await this.flush();
  }

  // Sends whatever waits, oldest first, one at a time.
  async flush(): Promise<void> {
    if (this.sending) {
      this.again = true;  // what was added meanwhile is sent right after
      return;
    }
    this.sending = true;
    window.clearTimeout(this.timer);
    let lastError: ApiError | null = null;
    try {
      for (const pending of this.pending()) {
        try {
          const answer = await call<{ signal: { reference: string }; replayed?: boolean }>(kSubmit, pending.request);
          this.forget(pending.requestId);
          this.failures = 0;
          this.listener.acknowledged({ pending, reference: answer.signal.reference, replayed: Boolean(answer.replayed) });
        } catch (error) {
          if (!(error instanceof ApiError)) throw error;
          if (error.retryable || error.unauthenticated) {
            lastError = error;
            break;  // the rest waits its turn: order is kept
          }
          // Refused for what it holds: it will never be taken as it is.
          this.forget(pending.requestId);
          this.listener.refused(pending, error);
        }
      }
    } finally {
      this.sending = false;
    }
    if (this.again && !lastError) {
      this.again = false;
      return this.flush();
    }
    this.again = false;
    const left = this.pending().length;
    this.listener.waiting(left, lastError);
    if (left > 0 && lastError && !lastError.unauthenticated) {
      const seconds = kRetrySeconds[Math.min(this.failures, kRetrySeconds.length - 1)];
      this.failures += 1;
      this.timer = window.setTimeout(() => void this.flush(), seconds * 1000);
    }
  }

  private forget(requestId: string): void {
    this.save(this.pending().filter((p) => p.requestId !== requestId));
  }

  private save(pending: Pending[]): void {
    if (pending.length === 0) localStorage.removeItem(this.key);
    else localStorage.setItem(this.key, JSON.stringify(pending));
  }
}
