// Checks in the browser, with no trust in hartslag-web or the audit
// service beyond the signed tree head, that one audit record is in the log:
// the Merkle tree of RFC 6962 section 2.1 as libs/audit_verify/merkle.h
// builds it,
//   leaf hash = SHA-256(0x00 || entry bytes)
//   node hash = SHA-256(0x01 || left || right)
// where the entry bytes are the record exactly as the log stored and hashed
// it (a serialized AuditEvent, InclusionProof.entry). The audit path is
// walked to the root as RFC 9162 section 2.1.3.2 describes; the record is
// in the log only if that root is the tree head's root for the same tree
// size.
//
// Nothing from the service is trusted before it is checked here: a tree
// head only once its Ed25519 signature verifies with the log's public key
// (which hartslag-web was configured with, not the audit service's word),
// a newer tree head only once a consistency proof (RFC 9162 section
// 2.1.4.2) shows the log it describes extends the one on screen, and an
// entry only once its decoded fields are those of the record shown.
//
// Pure functions (WebCrypto, no DOM), so that what decides "verified" can
// be read on its own.

export type Bytes = Uint8Array;

async function sha256(...parts: Bytes[]): Promise<Bytes> {
  const length = parts.reduce((n, p) => n + p.length, 0);
  const data = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    data.set(p, offset);
    offset += p.length;
  }
  return new Uint8Array(await crypto.subtle.digest("SHA-256", data));
}

export function leafHash(entry: Bytes): Promise<Bytes> {
  return sha256(Uint8Array.of(0x00), entry);
}

export function nodeHash(left: Bytes, right: Bytes): Promise<Bytes> {
  return sha256(Uint8Array.of(0x01), left, right);
}

// Proto3 JSON gives bytes as base64 (standard or URL-safe alphabet).
export function fromBase64(text: string): Bytes {
  const standard = text.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(standard + "=".repeat((4 - (standard.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

export function toHex(bytes: Bytes): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function equal(a: Bytes, b: Bytes): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

// The root that `path` leads to from leaf `index` (with hash `leaf`) in a
// tree of `treeSize` leaves; null when the path cannot belong to such a
// tree (too short, too long, index out of range).
export async function rootFromAuditPath(leaf: Bytes, index: bigint, treeSize: bigint, path: Bytes[]): Promise<Bytes | null> {
  if (index < 0n || index >= treeSize) return null;
  let fn = index;
  let sn = treeSize - 1n;
  let r = leaf;
  for (const p of path) {
    if (sn === 0n) return null;
    if ((fn & 1n) === 1n || fn === sn) {
      r = await nodeHash(p, r);
      // Skip the levels where this node is a right edge without a sibling.
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n ? r : null;
}

// A minimal reader of the protobuf wire format (varints and length-
// delimited fields; fixed-width ones are skipped), enough to read the few
// fields of an AuditEvent that the screen shows. null when the bytes are
// not well-formed.
type WireField = { number: number; varint?: bigint; bytes?: Bytes };

function readVarint(data: Bytes, at: number): [bigint, number] | null {
  let value = 0n;
  for (let shift = 0n, i = at; i < data.length && shift < 70n; i++, shift += 7n) {
    value |= BigInt(data[i] & 0x7f) << shift;
    if ((data[i] & 0x80) === 0) return [value, i + 1];
  }
  return null;
}

export function wireFields(data: Bytes): WireField[] | null {
  const fields: WireField[] = [];
  let at = 0;
  while (at < data.length) {
    const key = readVarint(data, at);
    if (!key) return null;
    at = key[1];
    const number = Number(key[0] >> 3n);
    const type = Number(key[0] & 7n);
    if (number === 0) return null;
    if (type === 0) {
      const v = readVarint(data, at);
      if (!v) return null;
      fields.push({ number, varint: v[0] });
      at = v[1];
    } else if (type === 2) {
      const length = readVarint(data, at);
      if (!length || length[1] + Number(length[0]) > data.length) return null;
      at = length[1] + Number(length[0]);
      fields.push({ number, bytes: data.subarray(length[1], at) });
    } else if (type === 1 || type === 5) {
      at += type === 1 ? 8 : 4;
      if (at > data.length) return null;
    } else {
      return null;
    }
  }
  return fields;
}

function text(bytes: Bytes | undefined): string | null {
  if (!bytes) return "";
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

// The hartslag.audit.v1.Action names by number, as proto3 JSON writes them.
const kActions = ["ACTION_UNSPECIFIED", "ACTION_READ", "ACTION_LIST", "ACTION_CREATE", "ACTION_UPDATE", "ACTION_EXPORT", "ACTION_LOGIN", "ACTION_DELETE", "ACTION_SET_ASIDE"];

// What the screen compares of an AuditEvent (hartslag.audit.v1.AuditEvent:
// event_id 1, action 4, object 7 {type 1, id 2}, purpose 11).
export interface EntryFields {
  eventId: string;
  action: string;
  objectType: string;
  objectId: string;
  purpose: string;
}

// The fields of a serialized AuditEvent; null when the bytes are not one.
// The last occurrence of a field wins, as a protobuf parser reads it.
export function decodeAuditEvent(entry: Bytes): EntryFields | null {
  const fields = wireFields(entry);
  if (!fields) return null;
  const out: EntryFields = { eventId: "", action: kActions[0], objectType: "", objectId: "", purpose: "" };
  for (const f of fields) {
    if (f.number === 1 && f.bytes) {
      const t = text(f.bytes);
      if (t === null) return null;
      out.eventId = t;
    } else if (f.number === 4 && f.varint !== undefined) {
      out.action = kActions[Number(f.varint)] ?? `${f.varint}`;
    } else if (f.number === 7 && f.bytes) {
      const object = wireFields(f.bytes);
      if (!object) return null;
      for (const o of object) {
        const t = text(o.bytes);
        if (t === null) return null;
        if (o.number === 1 && o.bytes) out.objectType = t;
        if (o.number === 2 && o.bytes) out.objectId = t;
      }
    } else if (f.number === 11 && f.bytes) {
      const t = text(f.bytes);
      if (t === null) return null;
      out.purpose = t;
    }
  }
  return out;
}

// The Dutch names of the fields, for a refusal.
const kFieldNames: Record<keyof EntryFields, string> = {
  eventId: "het recordnummer (event-id)",
  action: "de handeling",
  objectType: "het soort gegevens",
  objectId: "het object",
  purpose: "het doel",
};

// The fields in which the record shown differs from the entry; empty when
// they agree.
export function differences(entry: EntryFields, shown: Partial<EntryFields>): string[] {
  const out: string[] = [];
  for (const key of Object.keys(kFieldNames) as (keyof EntryFields)[]) {
    if (key in shown && (shown[key] ?? "") !== entry[key]) out.push(kFieldNames[key]);
  }
  return out;
}

// --- Signed tree heads (libs/audit_verify/tree_head.h) ---

export interface SignedHead {
  treeSize: bigint;
  rootHash: Bytes;
  // Unix milliseconds, as signed.
  timestampMs: bigint;
  signature: Bytes;
}

// The bytes the log signs: "hartslag-audit-tree-head-v1\n<size>\n<root
// hex>\n<Unix ms>", UTF-8, no trailing newline.
export function signedBytes(head: SignedHead): Bytes {
  return new TextEncoder().encode(`hartslag-audit-tree-head-v1\n${head.treeSize}\n${toHex(head.rootHash)}\n${head.timestampMs}`);
}

// Unix milliseconds of a proto3 JSON Timestamp ("2026-12-03T15:20:28.123Z");
// null when it is not one. Digits after the milliseconds are dropped, as
// the log rounds a head's time down to the millisecond before signing.
export function timestampMs(rfc3339: string | undefined): bigint | null {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?Z$/.exec(rfc3339 ?? "");
  if (!m) return null;
  const seconds = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return BigInt(seconds) + BigInt(((m[7] ?? "") + "000").slice(0, 3));
}

export type SignatureResult = "valid" | "invalid" | "unsupported" | "no-key";

// Whether `head` is signed by the key `spki` (DER SubjectPublicKeyInfo).
// "unsupported" when this browser's WebCrypto has no Ed25519 (then nothing
// may be called verified); "no-key" when none was configured.
export async function verifyTreeHeadSignature(head: SignedHead, spki: Bytes): Promise<SignatureResult> {
  if (spki.length === 0) return "no-key";
  let key: CryptoKey;
  try {
    key = await crypto.subtle.importKey("spki", new Uint8Array(spki), { name: "Ed25519" }, false, ["verify"]);
  } catch (error) {
    // A browser without Ed25519 says NotSupportedError; a key it cannot
    // read is a configuration fault, and no head verifies with it either.
    return error instanceof DOMException && error.name === "NotSupportedError" ? "unsupported" : "invalid";
  }
  if (head.signature.length !== 64 || head.rootHash.length !== 32) return "invalid";
  try {
    return (await crypto.subtle.verify({ name: "Ed25519" }, key, new Uint8Array(head.signature), new Uint8Array(signedBytes(head)))) ? "valid" : "invalid";
  } catch {
    return "invalid";
  }
}

// Whether the log of `newSize` entries with root `newRoot` extends the one
// of `oldSize` with `oldRoot` (RFC 9162 section 2.1.4.2, as
// libs/audit_verify/merkle.cc VerifyConsistency).
export async function verifyConsistency(oldSize: bigint, newSize: bigint, oldRoot: Bytes, newRoot: Bytes, proof: Bytes[]): Promise<boolean> {
  if (oldSize > newSize) return false;
  if (oldSize === newSize) return proof.length === 0 && equal(oldRoot, newRoot);
  if (oldSize === 0n) return proof.length === 0;
  if (proof.length === 0 || proof.some((p) => p.length !== 32)) return false;
  const path = (oldSize & (oldSize - 1n)) === 0n ? [oldRoot, ...proof] : proof;
  let fn = oldSize - 1n;
  let sn = newSize - 1n;
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return equal(fr, oldRoot) && equal(sr, newRoot) && sn === 0n;
}

export interface InclusionCheck {
  // The record's bytes as the log hashed them.
  entry: Bytes;
  // Its index in the log.
  index: bigint;
  // The tree size the audit path is for.
  proofTreeSize: bigint;
  // Sibling hashes from the leaf up.
  auditPath: Bytes[];
  // The signed tree head compared with.
  treeHeadSize: bigint;
  treeHeadRoot: Bytes;
  // The record on screen: its entry must be this event, with these fields.
  shown: Partial<EntryFields> & { eventId: string };
}

export type InclusionResult = { verified: true; rootHex: string } | { verified: false; reason: string };

// Whether the record is in the log whose tree head is given. Reasons are in
// Dutch, for the screen.
export async function verifyInclusion(check: InclusionCheck): Promise<InclusionResult> {
  if (check.proofTreeSize !== check.treeHeadSize) {
    return { verified: false, reason: `het bewijs is voor ${check.proofTreeSize} records, de ondertekende stand telt er ${check.treeHeadSize}.` };
  }
  if (check.treeHeadRoot.length !== 32 || check.auditPath.some((p) => p.length !== 32)) {
    return { verified: false, reason: "een hash in het bewijs of in de stand van de log is geen SHA-256-hash." };
  }
  const root = await rootFromAuditPath(await leafHash(check.entry), check.index, check.proofTreeSize, check.auditPath);
  if (root === null) {
    return { verified: false, reason: `het pad past niet bij record ${check.index} in een log van ${check.proofTreeSize} records.` };
  }
  if (!equal(root, check.treeHeadRoot)) {
    return { verified: false, reason: `de berekende root ${toHex(root)} wijkt af van de root ${toHex(check.treeHeadRoot)} van de ondertekende stand.` };
  }
  const entry = decodeAuditEvent(check.entry);
  if (!entry) return { verified: false, reason: "het bewezen record is geen leesbaar auditrecord." };
  if (entry.eventId !== check.shown.eventId) {
    return { verified: false, reason: "het bewezen record is niet het record dat hier getoond wordt." };
  }
  const differ = differences(entry, check.shown);
  if (differ.length > 0) {
    return { verified: false, reason: `het record in de log wijkt af van wat hier getoond wordt: ${differ.join(", ")}.` };
  }
  return { verified: true, rootHex: toHex(root) };
}
