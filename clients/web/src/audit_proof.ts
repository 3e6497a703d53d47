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
// Pure functions (WebCrypto's digest, no DOM), so that what decides
// "verified" can be read on its own.

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

// The event_id (field 1, a string) of a serialized AuditEvent, to tell
// that the proof's entry is the record on screen; null if the bytes do not
// start like an AuditEvent. Reads only the first field: the deterministic
// encoding writes fields in number order.
export function eventIdOf(entry: Bytes): string | null {
  if (entry.length < 2 || entry[0] !== 0x0a) return null;
  let length = 0;
  let shift = 0;
  let i = 1;
  for (; i < entry.length && i < 6; i++) {
    length |= (entry[i] & 0x7f) << shift;
    shift += 7;
    if ((entry[i] & 0x80) === 0) break;
  }
  i += 1;
  if (i + length > entry.length) return null;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(entry.subarray(i, i + length));
  } catch {
    return null;
  }
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
  // The record on screen: its entry must be this event.
  expectedEventId: string;
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
  const eventId = eventIdOf(check.entry);
  if (eventId !== check.expectedEventId) {
    return { verified: false, reason: "het bewezen record is niet het record dat hier getoond wordt." };
  }
  return { verified: true, rootHex: toHex(root) };
}
