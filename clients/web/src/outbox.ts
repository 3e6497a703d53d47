// Signals sent from a phone with a weak connection: each submission gets its
// request id when the form is sent and is kept on the device until the
// service has acknowledged it, then forgotten. A lost connection or a
// reloaded page retries it with the same id, and the service stores a
// request id once, so a signal is stored exactly once and never lost. One
// the service refuses for what it holds stays too, marked, until the user
// has corrected and sent it again, or discarded it.
//
// The photos and documents chosen with a signal wait with it (FileStore,
// by the signal's request id) and are uploaded once the signal is stored,
// a chunk at a time from the offset the service confirmed, so a lost
// connection resumes where it stopped. One the service refuses (its type,
// its size) does not hold up its signal: it is reported, and forgotten once
// shown.
//
// Sending goes a step at a time (one signal, or one chunk of a file),
// signals first, each step while no other tab of the same user takes one
// (Web Locks): a signal submitted while a photo uploads goes after the
// chunk under way, not after the whole photo.
//
// What waits here holds what the reporter typed and photographed (it may
// name or show persons); it stays in this browser's storage for this user
// only as long as it is not acknowledged or discarded.
import { ApiError, call } from "./api";
import { sendChunk } from "./attachment_upload";
import { type StoredFile, FileStore } from "./file_store";
import { type Attachment, kSignalService } from "./intake";
import { attachmentRefusal } from "./labels";

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
  // A file went with its signal (`attachment`), or was refused
  // (`file.refusal` says why; it stays until forgotten, see forget).
  fileDone(file: StoredFile, attachment: Attachment | null): void;
  // How many signals and files wait to be sent, and why the last try failed
  // (null: it did not).
  waiting(signals: number, files: number, error: ApiError | null): void;
}

// A file as the form hands it over.
export interface ChosenFile {
  name: string;
  blob: Blob;
}

const kSubmit = `${kSignalService}/SubmitSignal`;
const kRetrySeconds = [2, 5, 10, 30, 60];

export class Outbox {
  private readonly key: string;
  private readonly files: FileStore;
  private filesWaiting = 0;
  // The sending under way, and who waits for its signals to be sent.
  private draining: Promise<void> | null = null;
  private signalsSent: (() => void)[] = [];
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
    this.files = new FileStore(`${tenantId}.${userId}`);
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

  // How many files wait to be sent, as of the last look.
  waitingFiles(): number {
    return this.filesWaiting;
  }

  // The files that wait with a refused signal, for the form that corrects it.
  async filesOf(requestId: string): Promise<ChosenFile[]> {
    return (await this.files.all()).filter((f) => f.requestId === requestId && f.blob).map((f) => ({ name: f.fileName, blob: f.blob as Blob }));
  }

  // Files the service refused, not yet shown.
  async refusedFiles(): Promise<StoredFile[]> {
    return (await this.files.all()).filter((f) => f.refusal);
  }

  // A refused file, shown: gone from the device.
  async forget(file: StoredFile): Promise<void> {
    await this.files.remove(file.uploadId);
  }

  // Keeps the signal and its files on the device first, then sends them;
  // returns once the signal was sent (or could not be, for now). `replaces`:
  // the refused signal this one corrects, which goes (with its files) at
  // the same moment.
  async submit(requestId: string, request: Record<string, unknown>, files: ChosenFile[] = [], replaces?: string): Promise<void> {
    await this.locked(async () => {
      // The files before the signal: a signal on the device always has its
      // files there too (files without a signal are swept, see step).
      const chosenAt = Date.now();
      for (const [i, file] of files.entries()) {
        await this.files.put({ uploadId: crypto.randomUUID(), requestId, fileName: fileName(file.name), size: file.blob.size, blob: file.blob, chosenAt: chosenAt + i });
      }
      const kept = this.pending().filter((p) => p.requestId !== replaces);
      this.save([...kept, { requestId, request: { ...request, requestId }, savedAt: new Date().toISOString() }]);
      if (replaces) await this.dropFiles(replaces);
    });
    await this.flush();
  }

  async discard(requestId: string): Promise<void> {
    await this.locked(async () => {
      this.save(this.pending().filter((p) => p.requestId !== requestId));
      await this.dropFiles(requestId);
    });
  }

  // Sends whatever waits: signals oldest first, then the files of stored
  // signals in the order they were chosen. Returns once no signal waits
  // that can be sent now; the files follow.
  flush(): Promise<void> {
    if (this.closed) return Promise.resolve();
    const sent = new Promise<void>((resolve) => this.signalsSent.push(resolve));
    this.draining ??= this.drain().finally(() => (this.draining = null));
    return sent;
  }

  private async drain(): Promise<void> {
    window.clearTimeout(this.timer);
    let lastError: ApiError | null = null;
    try {
      for (let step: "signal" | "file" | null = "signal"; step && !this.closed; ) {
        // Another tab of the same user may send too: a step at a time.
        step = await this.locked(() => this.step());
        if (step !== "signal") this.tellSignalsSent();
      }
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      lastError = error;
    } finally {
      this.tellSignalsSent();
    }
    await this.countFiles();
    const left = this.waiting().length + this.filesWaiting;
    this.listener.waiting(this.waiting().length, this.filesWaiting, lastError);
    if (left > 0 && lastError && !lastError.unauthenticated && !this.closed) {
      const seconds = kRetrySeconds[Math.min(this.failures, kRetrySeconds.length - 1)];
      this.failures += 1;
      this.timer = window.setTimeout(() => void this.flush(), seconds * 1000);
    }
  }

  private tellSignalsSent(): void {
    const waiters = this.signalsSent;
    this.signalsSent = [];
    for (const resolve of waiters) resolve();
  }

  // Sends the oldest waiting signal, else one chunk of the first file that
  // waits for a stored signal; what it sent, or null when nothing waits.
  // Throws the ApiError that decided nothing (no connection, the session
  // ended): the same step is tried again later.
  private async step(): Promise<"signal" | "file" | null> {
    const [pending] = this.waiting();
    if (pending) {
      await this.sendSignal(pending);
      return "signal";
    }
    const requestIds = new Set(this.pending().map((p) => p.requestId));
    for (const file of await this.files.all()) {
      // A file whose signal is gone without being stored (the page closed
      // between keeping the files and the signal) will never be sent.
      if (!file.signalId && !requestIds.has(file.requestId)) await this.files.remove(file.uploadId);
      else if (file.signalId && file.blob && !file.refusal) {
        await this.sendFileChunk(file as StoredFile & { signalId: string; blob: Blob });
        return "file";
      }
    }
    return null;
  }

  private async sendSignal(pending: Pending): Promise<void> {
    try {
      const answer = await call<{ signal: { signalId: string; reference: string }; replayed?: boolean }>(kSubmit, pending.request);
      // Its files learn where they go before the signal is forgotten.
      for (const file of await this.files.all()) {
        if (file.requestId === pending.requestId) await this.files.put({ ...file, signalId: answer.signal.signalId, reference: answer.signal.reference });
      }
      this.save(this.pending().filter((p) => p.requestId !== pending.requestId));
      this.failures = 0;
      this.listener.acknowledged({ pending, reference: answer.signal.reference, replayed: Boolean(answer.replayed) });
    } catch (error) {
      // Order is kept: the rest waits its turn.
      if (!(error instanceof ApiError) || error.retryable || error.unauthenticated) throw error;
      // Refused for what it holds: kept, marked, for the user to correct.
      const refused = { ...pending, refusal: { message: error.message, fields: error.fields } };
      this.save(this.pending().map((p) => (p.requestId === pending.requestId ? refused : p)));
      this.listener.refused(refused);
    }
  }

  private async sendFileChunk(file: StoredFile & { signalId: string; blob: Blob }): Promise<void> {
    try {
      const sent = await sendChunk(file);
      this.failures = 0;
      if (!sent.attachment) {
        await this.files.put({ ...file, offset: sent.offset });
        return;
      }
      await this.files.remove(file.uploadId);
      this.listener.fileDone(file, sent.attachment);
    } catch (error) {
      if (!(error instanceof ApiError) || error.retryable || error.unauthenticated) throw error;
      // Refused (its type, its size, one too many): its signal stands.
      const refused = { ...file, blob: null, refusal: attachmentRefusal(error.detail, error.message) };
      await this.files.put(refused);
      this.listener.fileDone(refused, null);
    }
  }

  // Files of signals stored or waiting to be sent; not those of a refused
  // signal, which wait for the user.
  private async countFiles(): Promise<void> {
    const waiting = new Set(this.waiting().map((p) => p.requestId));
    this.filesWaiting = (await this.files.all()).filter((f) => f.blob && !f.refusal && (f.signalId || waiting.has(f.requestId))).length;
  }

  private async dropFiles(requestId: string): Promise<void> {
    for (const file of await this.files.all()) if (file.requestId === requestId) await this.files.remove(file.uploadId);
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

// The name the service takes: 1 to 200 characters.
function fileName(name: string): string {
  return [...name.trim()].slice(0, 200).join("") || "bestand";
}
