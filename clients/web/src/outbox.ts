// Signals sent from a phone with a weak connection: each submission gets its
// request id when the form is sent and is kept on the device until the
// service has acknowledged it, then forgotten. A lost connection or a
// reloaded page retries it with the same id, and the service stores a
// request id once, so a signal is stored exactly once and never lost. One
// the service refuses for what it holds stays too, marked, until the user
// has corrected and sent it again, or discarded it.
//
// What waits here holds what the reporter typed (it may name persons); it
// stays in this browser's storage for this user only as long as it is not
// acknowledged or discarded.
import { ApiError, call } from "./api";

export interface Pending {
  requestId: string;
  request: Record<string, unknown>;
  savedAt: string;
  // Set when the service refused it: the Dutch sentence and one per field.
  refusal?: { message: string; fields: Record<string, string> };
}

export interface Acknowledged {
  pending: Pending;
  reference: string;
  replayed: boolean;
}

export interface Listener {
  acknowledged(done: Acknowledged): void;
  refused(pending: Pending): void;
  // How many wait to be sent, and why the last try failed (null: it did not).
  waiting(count: number, error: ApiError | null): void;
}

const kSubmit = "hartslag.intake.v1.SignalService/SubmitSignal";
const kRetrySeconds = [2, 5, 10, 30, 60];

export class Outbox {
  private readonly key: string;
  private sending = false;
  private again = false;
  private closed = false;
  private failures = 0;
  private timer: number | undefined;
  private readonly online = () => void this.flush();

  constructor(
    tenantId: string,
    userId: string,
    private readonly listener: Listener,
  ) {
    this.key = `hartslag.outbox.${tenantId}.${userId}`;
    window.addEventListener("online", this.online);
  }

  // After logout or the end of the session: this outbox sends nothing more
  // (what waits stays on the device for the same user's next login).
  close(): void {
    this.closed = true;
    window.clearTimeout(this.timer);
    window.removeEventListener("online", this.online);
  }

  pending(): Pending[] {
    try {
      return JSON.parse(localStorage.getItem(this.key) ?? "[]") as Pending[];
    } catch {
      return [];
    }
  }

  waiting(): Pending[] {
    return this.pending().filter((p) => !p.refusal);
  }

  refused(): Pending[] {
    return this.pending().filter((p) => p.refusal);
  }

  // Keeps the signal on the device first, then sends it. `replaces`: the
  // refused signal this one corrects, which goes at the same moment.
  async submit(requestId: string, request: Record<string, unknown>, replaces?: string): Promise<void> {
    await this.locked(async () => {
      const kept = this.pending().filter((p) => p.requestId !== replaces);
      this.save([...kept, { requestId, request: { ...request, requestId }, savedAt: new Date().toISOString() }]);
    });
    await this.flush();
  }

  async discard(requestId: string): Promise<void> {
    await this.locked(async () => this.save(this.pending().filter((p) => p.requestId !== requestId)));
  }

  // Sends whatever waits, oldest first, one at a time.
  async flush(): Promise<void> {
    if (this.closed) return;
    if (this.sending) {
      this.again = true;  // what was added meanwhile is sent right after
      return;
    }
    this.sending = true;
    window.clearTimeout(this.timer);
    let lastError: ApiError | null = null;
    try {
      // Another tab of the same user may flush too: one at a time.
      lastError = await this.locked(() => this.sendWaiting());
    } finally {
      this.sending = false;
    }
    if (this.again && !lastError && !this.closed) {
      this.again = false;
      return this.flush();
    }
    this.again = false;
    const left = this.waiting().length;
    this.listener.waiting(left, lastError);
    if (left > 0 && lastError && !lastError.unauthenticated && !this.closed) {
      const seconds = kRetrySeconds[Math.min(this.failures, kRetrySeconds.length - 1)];
      this.failures += 1;
      this.timer = window.setTimeout(() => void this.flush(), seconds * 1000);
    }
  }

  private async sendWaiting(): Promise<ApiError | null> {
    for (const pending of this.waiting()) {
      if (this.closed) return null;
      try {
        const answer = await call<{ signal: { reference: string }; replayed?: boolean }>(kSubmit, pending.request);
        this.save(this.pending().filter((p) => p.requestId !== pending.requestId));
        this.failures = 0;
        this.listener.acknowledged({ pending, reference: answer.signal.reference, replayed: Boolean(answer.replayed) });
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        // Order is kept: the rest waits its turn.
        if (error.retryable || error.unauthenticated) return error;
        // Refused for what it holds: kept, marked, for the user to correct.
        const refused = { ...pending, refusal: { message: error.message, fields: error.fields } };
        this.save(this.pending().map((p) => (p.requestId === pending.requestId ? refused : p)));
        this.listener.refused(refused);
      }
    }
    return null;
  }

  // Runs `work` while no other tab of this browser works on the same
  // outbox (Web Locks; without them, as it is).
  private async locked<T>(work: () => Promise<T>): Promise<T> {
    if (!("locks" in navigator)) return work();
    return navigator.locks.request(this.key, work) as Promise<T>;
  }

  private save(pending: Pending[]): void {
    if (pending.length === 0) localStorage.removeItem(this.key);
    else localStorage.setItem(this.key, JSON.stringify(pending));
  }
}
