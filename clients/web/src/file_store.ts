// The photos and documents that wait on the device with their signal:
// IndexedDB, which holds Blobs (localStorage holds only strings, and far
// too few of them for a photo). A file is keyed by its upload id and names
// the signal's request id; it stays until the service has stored it, or
// refused it and the refusal has been shown.
//
// Where IndexedDB is not there (some private windows), files wait in
// memory instead: a reload loses them, the signal itself is still kept.

export interface StoredFile {
  // The upload's UUID: the same in every chunk and on every retry.
  uploadId: string;
  // "<tenant>.<user>": only its owner's outbox sends it.
  owner: string;
  // The request id of the signal it goes with.
  requestId: string;
  fileName: string;
  size: number;
  // When it was chosen (ms), which orders the files.
  chosenAt: number;
  // The bytes; null once refused (the name and reason are kept to be shown).
  blob: Blob | null;
  // Set once the signal is stored: where the file goes.
  signalId?: string;
  reference?: string;
  // The bytes the service has received so far.
  offset?: number;
  // Why the service refused it, in Dutch.
  refusal?: string;
}

const kDatabase = "hartslag-outbox";
const kStore = "files";

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function open(): Promise<IDBDatabase | null> {
  if (!("indexedDB" in window)) return Promise.resolve(null);
  const opening = indexedDB.open(kDatabase, 1);
  opening.onupgradeneeded = () => opening.result.createObjectStore(kStore, { keyPath: "uploadId" }).createIndex("owner", "owner");
  return done(opening).catch(() => null);
}

export class FileStore {
  private readonly database = open();
  private readonly memory = new Map<string, StoredFile>();

  constructor(private readonly owner: string) {}

  // This owner's files, in the order they were chosen.
  async all(): Promise<StoredFile[]> {
    const db = await this.database;
    if (!db) return [...this.memory.values()];
    return done(db.transaction(kStore).objectStore(kStore).index("owner").getAll(this.owner) as IDBRequest<StoredFile[]>).then((files) =>
      files.sort((a, b) => a.chosenAt - b.chosenAt));
  }

  async put(file: Omit<StoredFile, "owner">): Promise<void> {
    const stored = { ...file, owner: this.owner };
    const db = await this.database;
    if (!db) this.memory.set(file.uploadId, stored);
    else await done(db.transaction(kStore, "readwrite").objectStore(kStore).put(stored));
  }

  async remove(uploadId: string): Promise<void> {
    const db = await this.database;
    if (!db) this.memory.delete(uploadId);
    else await done(db.transaction(kStore, "readwrite").objectStore(kStore).delete(uploadId));
  }
}
