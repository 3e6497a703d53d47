// "Auditlog": the latest signed tree head of the municipality's audit log
// (GetTreeHead), its recent records newest first (QueryEvents, a page at a
// time), and per record the check that it is in the log: the browser asks
// for the inclusion proof and verifies it itself (audit_proof.ts), so the
// privacy officer need not take the server's word for it.
import { call } from "../api";
import type { Screen } from "../app";
import { MessageSlot, alertBox, button, dataList, heading, paragraph } from "../components";
import { h, replaceChildren } from "../dom";
import { auditAction, auditOutcome, purpose as purposeLabel } from "../labels";
import { fromBase64, toHex, verifyInclusion } from "../audit_proof";
import { organisationLabel, refusal, when } from "./privacy_common";
import { organisationNames } from "../directory";

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

export async function auditLogScreen(): Promise<Screen> {
  const names = await organisationNames().catch(() => new Map<string, string>());
  const message = new MessageSlot();
  const headPanel = h("section", { class: "hartslag-card hartslag-privacy-tree-head", attrs: { "aria-labelledby": "log-stand" } });
  const list = h("ul", { class: "hartslag-privacy-list", attrs: { "aria-labelledby": "log-records" } });
  const more = button("Meer records tonen", () => void loadEvents(false), "secondary");
  let head: TreeHead | null = null;
  let pageToken = "";

  function showHead(shown: TreeHead, note = ""): void {
    head = shown;
    replaceChildren(
      headPanel,
      heading(2, "Laatste ondertekende stand van de log", "log-stand"),
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
      showHead(await call<TreeHead>("hartslag.audit.v1.AuditService/GetTreeHead", {}));
    } catch (error) {
      replaceChildren(headPanel, heading(2, "Laatste ondertekende stand van de log", "log-stand"), alertBox("error", refusal(error, "De stand van de log kon niet worden opgehaald.")));
    }
  }

  async function check(index: bigint, event: AuditEvent, result: MessageSlot): Promise<void> {
    result.show("info", "Bezig met controleren…");
    try {
      // Against the tree head on screen when it already holds the record;
      // otherwise the service signs a newer one with the proof, and that
      // one is shown and checked against.
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
        treeHead = proof.treeHead;
        showHead(treeHead, "Bijgewerkt: de vorige stand bevatte dit record nog niet.");
      }
      const outcome = await verifyInclusion({
        entry: fromBase64(proof.entry ?? ""),
        index: u64(proof.index),
        proofTreeSize: u64(proof.treeSize),
        auditPath: (proof.auditPath ?? []).map(fromBase64),
        treeHeadSize: u64(treeHead.treeSize),
        treeHeadRoot: fromBase64(treeHead.rootHash ?? ""),
        expectedEventId: event.eventId ?? "",
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
    }
  }

  function card(index: bigint, e: AuditEvent): HTMLLIElement {
    const result = new MessageSlot();
    const object = [e.object?.type, e.object?.id].filter(Boolean).join(" ");
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
      button("Controleer opname in de log", () => void check(index, e, result), "secondary"),
      result.element,
    );
  }

  async function loadEvents(first: boolean): Promise<void> {
    try {
      const page = await call<EventsPage>("hartslag.audit.v1.AuditService/QueryEvents", { pageSize: kPageSize, pageToken: first ? "" : pageToken });
      pageToken = page.nextPageToken ?? "";
      if (first) replaceChildren(list);
      for (const item of page.events ?? []) list.appendChild(card(u64(item.index), item.event ?? {}));
      more.hidden = !pageToken;
    } catch (error) {
      message.show("error", refusal(error, "De records konden niet worden opgehaald."));
    }
  }

  await Promise.all([loadHead(), loadEvents(true)]);
  return {
    title: "Auditlog",
    element: h(
      "div",
      { class: "hartslag-privacy" },
      heading(1, "Auditlog"),
      paragraph("De log legt vast wie wat met welke gegevens deed. Elke stand is ondertekend; per record kunt u in deze browser nagaan dat het in die stand zit (een Merkle-bewijs, RFC 6962)."),
      message.element,
      headPanel,
      h("section", { attrs: { "aria-labelledby": "log-records" } }, heading(2, "Recente records, nieuwste eerst", "log-records"), list, more),
    ),
  };
}
