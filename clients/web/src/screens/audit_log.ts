// "Auditlog": the latest signed tree head of the municipality's audit log
// (GetTreeHead), its recent records newest first (QueryEvents, a page at a
// time), and per record the check that it is in the log: the browser
// checks the tree head's signature with the log's public key (handed over
// by hartslag-web's configuration, not by the audit service), asks for the
// inclusion proof and verifies it itself (audit_proof.ts), so the privacy
// officer need not take the server's word for it.
import { call } from "../api";
import type { App, Screen } from "../app";
import { MessageSlot, alertBox, button, dataList, heading, paragraph } from "../components";
import { h, replaceChildren } from "../dom";
import { auditAction, auditOutcome, purpose as purposeLabel } from "../labels";
import { type SignatureResult, fromBase64, timestampMs, toHex, verifyConsistency, verifyInclusion, verifyTreeHeadSignature } from "../audit_proof";
import { organisationLabel, refusal, when } from "./privacy_common";
import { organisationNames } from "../directory";
import { Pager } from "../pager";

interface TreeHead {
  treeSize?: string;
  rootHash?: string;
  timestamp?: string;
  keyId?: string;
  signature?: string;
}

interface AuditEvent {
  eventId?: string;
  occurredAt?: string;
  action?: string;
  outcome?: string;
  statusCode?: string;
  object?: { type?: string; id?: string };
  origin?: { rpc?: string };
  actor?: { userId?: string; organisationId?: string; roles?: string[] };
  purpose?: string;
  breakGlass?: boolean;
}

interface EventsPage {
  events?: { index?: string; event?: AuditEvent }[];
  nextPageToken?: string;
}

interface ConsistencyProof {
  proof?: string[];
}

interface InclusionProof {
  index?: string;
  treeSize?: string;
  entry?: string;
  auditPath?: string[];
  treeHead?: TreeHead;
}

const kPageSize = 20;

// proto3 JSON leaves a uint64 of 0 out and writes others as strings.
function u64(value: string | undefined): bigint {
  return BigInt(value ?? "0");
}

// Long hex in groups of 8, so that it wraps on a phone and reads aloud in
// pieces.
function hexBlock(base64: string | undefined): HTMLElement {
  const hex = base64 ? toHex(fromBase64(base64)) : "";
  return h("code", { class: "hartslag-privacy-hex" }, hex.replace(/(.{8})/g, "$1 ").trim());
}

// What a tree head's signature check means, for the screen.
const kSignatureText: Record<Exclude<SignatureResult, "valid">, string> = {
  invalid: "de handtekening van de stand klopt niet met de sleutel van de log; deze stand wordt niet vertrouwd.",
  unsupported: "deze browser kan Ed25519-handtekeningen niet controleren, dus de stand van de log is niet nagegaan. Gebruik een recente browser (bijvoorbeeld Chromium 137 of nieuwer).",
  "no-key": "hartslag-web heeft de openbare sleutel van de log niet gekregen, dus de handtekening van de stand kan niet worden nagegaan.",
};

// The log's public key (DER SubjectPublicKeyInfo) from the session.
function auditPublicKey(app: App): Uint8Array {
  const key = app.session.auditPublicKey;
  return key ? fromBase64(key) : new Uint8Array();
}

async function checkSignature(head: TreeHead, spki: Uint8Array): Promise<SignatureResult> {
  const ms = timestampMs(head.timestamp);
  if (ms === null) return "invalid";
  return verifyTreeHeadSignature(
    { treeSize: u64(head.treeSize), rootHash: fromBase64(head.rootHash ?? ""), timestampMs: ms, signature: fromBase64(head.signature ?? "") },
    spki,
  );
}

export async function auditLogScreen(app: App): Promise<Screen> {
  const names = await organisationNames().catch(() => new Map<string, string>());
  const spki = auditPublicKey(app);
  const message = new MessageSlot();
  const headPanel = h("section", { class: "hartslag-card hartslag-privacy-tree-head", attrs: { "aria-labelledby": "log-stand" } });
  const list = h("ul", { class: "hartslag-privacy-list", attrs: { "aria-labelledby": "log-records" } });
  // The tree head on screen, only once its signature verified.
  let head: TreeHead | null = null;

  function showHead(shown: TreeHead, signature: SignatureResult, note = ""): void {
    head = signature === "valid" ? shown : null;
    replaceChildren(
      headPanel,
      heading(2, "Laatste ondertekende stand van de log", "log-stand"),
      signature === "valid"
        ? alertBox("ok", "Handtekening nagegaan in deze browser met de openbare sleutel van de log.")
        : alertBox(signature === "invalid" ? "error" : "warning", `Niet vertrouwd: ${kSignatureText[signature]}`),
      note ? paragraph(note) : null,
      dataList([
        ["Aantal records", h("span", { attrs: { "data-testid": "boomgrootte" } }, u64(shown.treeSize).toString())],
        ["Root-hash", hexBlock(shown.rootHash)],
        ["Ondertekend op", when(shown.timestamp)],
        ["Sleutel", shown.keyId ?? ""],
        ["Handtekening (Ed25519)", hexBlock(shown.signature)],
      ]),
    );
  }

  async function loadHead(): Promise<void> {
    try {
      const shown = await call<TreeHead>("hartslag.audit.v1.AuditService/GetTreeHead", {});
      showHead(shown, await checkSignature(shown, spki));
    } catch (error) {
      replaceChildren(headPanel, heading(2, "Laatste ondertekende stand van de log", "log-stand"), alertBox("error", refusal(error, "De stand van de log kon niet worden opgehaald.")));
    }
  }

  // A newer tree head, trusted once its signature verifies and (when one is
  // on screen) the log it describes extends the one on screen; then shown.
  // Returns the reason it is not trusted, or "".
  async function adopt(newer: TreeHead): Promise<string> {
    const signature = await checkSignature(newer, spki);
    if (signature !== "valid") return kSignatureText[signature];
    const old = head;
    if (old && u64(old.treeSize) > 0n) {
      const consistency = await call<ConsistencyProof>("hartslag.audit.v1.AuditService/GetConsistencyProof", {
        oldSize: u64(old.treeSize).toString(),
        newSize: u64(newer.treeSize).toString(),
      });
      const consistent = await verifyConsistency(
        u64(old.treeSize),
        u64(newer.treeSize),
        fromBase64(old.rootHash ?? ""),
        fromBase64(newer.rootHash ?? ""),
        (consistency.proof ?? []).map(fromBase64),
      );
      if (!consistent) return "de nieuwere stand van de log bouwt niet voort op de stand hierboven (het consistentiebewijs klopt niet).";
    }
    showHead(newer, "valid", "Bijgewerkt: de vorige stand bevatte dit record nog niet; de nieuwe bouwt aantoonbaar op de vorige voort.");
    return "";
  }

  async function check(index: bigint, event: AuditEvent, result: MessageSlot, trigger: HTMLButtonElement): Promise<void> {
    trigger.disabled = true;
    result.show("info", "Bezig met controleren…");
    try {
      // Against the tree head on screen when it already holds the record;
      // otherwise the service signs a newer one with the proof, which is
      // checked before it replaces the one on screen.
      const against = head && index < u64(head.treeSize) ? head : null;
      const proof = await call<InclusionProof>("hartslag.audit.v1.AuditService/GetInclusionProof", {
        index: index.toString(),
        treeSize: against ? against.treeSize : "0",
      });
      let treeHead = against;
      if (!treeHead) {
        if (!proof.treeHead) {
          result.show("error", "Niet geverifieerd: de dienst gaf geen ondertekende stand bij het bewijs.");
          return;
        }
        const refused = await adopt(proof.treeHead);
        if (refused) {
          result.show("error", `Niet geverifieerd: ${refused}`);
          return;
        }
        treeHead = proof.treeHead;
      }
      const outcome = await verifyInclusion({
        entry: fromBase64(proof.entry ?? ""),
        index: u64(proof.index),
        proofTreeSize: u64(proof.treeSize),
        auditPath: (proof.auditPath ?? []).map(fromBase64),
        treeHeadSize: u64(treeHead.treeSize),
        treeHeadRoot: fromBase64(treeHead.rootHash ?? ""),
        shown: {
          eventId: event.eventId ?? "",
          action: event.action ?? "ACTION_UNSPECIFIED",
          objectType: event.object?.type ?? "",
          purpose: event.purpose ?? "",
        },
      });
      if (u64(proof.index) !== index) {
        result.show("error", "Niet geverifieerd: het bewijs is voor een ander record.");
      } else if (outcome.verified) {
        result.show("ok", `Geverifieerd: het record zit in de log met root ${outcome.rootHex}`);
      } else {
        result.show("error", `Niet geverifieerd: ${outcome.reason}`);
      }
    } catch (error) {
      result.show("error", `Niet geverifieerd: ${refusal(error, "het bewijs kon niet worden opgehaald.")}`);
    } finally {
      trigger.disabled = false;
    }
  }

  function card(index: bigint, e: AuditEvent): HTMLLIElement {
    const result = new MessageSlot();
    const object = [e.object?.type, e.object?.id].filter(Boolean).join(" ");
    const trigger = button("Controleer opname in de log", () => void check(index, e, result, trigger), "secondary");
    return h(
      "li",
      { class: "hartslag-card hartslag-privacy-record", attrs: { "data-index": index.toString(), "data-event-id": e.eventId ?? "" } },
      h("h3", { class: "utrecht-heading-3" }, `Record ${index}: ${auditAction[e.action ?? ""] ?? e.action ?? ""}, ${auditOutcome[e.outcome ?? ""] ?? e.outcome ?? ""}`),
      dataList([
        ["Wanneer", when(e.occurredAt)],
        ["Wie", `${e.actor?.userId ?? ""}, ${organisationLabel(names, e.actor?.organisationId)}`],
        ["Wat", object],
        ["Doel", e.purpose ? (purposeLabel[e.purpose] ?? e.purpose) : ""],
        ["Aanroep", e.origin?.rpc ?? ""],
        ["Spoedtoegang", e.breakGlass ? "Ja" : ""],
      ]),
      trigger,
      result.element,
    );
  }

  const pager = new Pager<{ index?: string; event?: AuditEvent }>(
    "Meer records tonen",
    async (pageToken) => {
      const page = await call<EventsPage>("hartslag.audit.v1.AuditService/QueryEvents", { pageSize: kPageSize, pageToken });
      return { items: page.events ?? [], nextPageToken: page.nextPageToken ?? "" };
    },
    (items, first) => {
      if (first) replaceChildren(list);
      const rows = items.map((item) => card(u64(item.index), item.event ?? {}));
      list.append(...rows);
      return rows;
    },
    (error) => message.show("error", refusal(error, "De records konden niet worden opgehaald.")),
  );

  await Promise.all([loadHead(), pager.restart()]);
  return {
    title: "Auditlog",
    element: h(
      "div",
      { class: "hartslag-privacy" },
      heading(1, "Auditlog"),
      paragraph("De log legt vast wie wat met welke gegevens deed. Elke stand is ondertekend; per record kunt u in deze browser nagaan dat het in die stand zit (een Merkle-bewijs, RFC 6962)."),
      message.element,
      headPanel,
      h("section", { attrs: { "aria-labelledby": "log-records" } }, heading(2, "Recente records, nieuwste eerst", "log-records"), list, pager.more),
    ),
  };
}
