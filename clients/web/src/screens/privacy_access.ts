// "Inzageoverzicht" (AVG art. 15): who looked at one person's or one
// address's data, as the audit service answers GetAccessOverview: when,
// which organisation, in which role, what, and why. The service leaves out
// employee names, accesses under an active restriction and the privacy
// officers' own work; this screen shows what it returns and adds nothing.
import { ApiError, call } from "../api";
import type { Screen } from "../app";
import { MessageSlot, button, heading, paragraph } from "../components";
import { h, replaceChildren } from "../dom";
import { auditAction, purpose as purposeLabel, role as roleLabel } from "../labels";
import { SubjectForm, organisationLabel, refusal, when } from "./privacy_common";
import { organisationNames } from "../directory";
import { Pager } from "../pager";

interface Access {
  occurredAt?: string;
  organisationId?: string;
  organisationKind?: string;
  roles?: string[];
  action?: string;
  objectType?: string;
  purpose?: string;
}

interface OverviewPage {
  accesses?: Access[];
  nextPageToken?: string;
}

const kPageSize = 50;

export const objectType: Record<string, string> = {
  signal: "Melding",
  case: "Casus",
  case_note: "Notitie bij casus",
  action: "Actie",
  meeting: "Overleg",
  triage_decision: "Wegingsbesluit",
  attachment: "Bijlage",
};

export async function privacyAccessScreen(): Promise<Screen> {
  const names = await organisationNames().catch(() => new Map<string, string>());
  const message = new MessageSlot();
  const subject = new SubjectForm();
  const results = h("section", { class: "hartslag-privacy-results", attrs: { "aria-labelledby": "inzage-resultaat" } });
  let asked: object | null = null;

  let body: HTMLTableSectionElement = h("tbody", {});

  // The column's name goes with each cell: a phone shows the cells as lines.
  const cell = (column: string, text: string) => h("td", { attrs: { "data-label": column } }, text);

  function row(a: Access): HTMLTableRowElement {
    return h(
      "tr",
      {
        class: "hartslag-privacy-access",
        attrs: { "data-occurred-at": a.occurredAt ?? "", "data-organisation-id": a.organisationId ?? "", "data-action": a.action ?? "", "data-purpose": a.purpose ?? "" },
      },
      cell("Wanneer", when(a.occurredAt)),
      cell("Organisatie", organisationLabel(names, a.organisationId, a.organisationKind)),
      cell("Rol", (a.roles ?? []).map((r) => roleLabel[r] ?? r).join(", ")),
      cell("Handeling", auditAction[a.action ?? ""] ?? a.action ?? ""),
      cell("Gegevens", objectType[a.objectType ?? ""] ?? a.objectType ?? ""),
      cell("Doel", a.purpose ? (purposeLabel[a.purpose] ?? a.purpose) : "Geen doel opgegeven"),
    );
  }

  function resultHeading(): HTMLHeadingElement {
    const title = heading(2, "Inzages", "inzage-resultaat");
    title.tabIndex = -1;
    return title;
  }

  // Each submit is a new question: the Pager drops a page of an earlier
  // subject that arrives late, so it never lands in this answer.
  const pager = new Pager<Access>(
    "Meer inzages tonen",
    async (pageToken) => {
      const page = await call<OverviewPage>("hartslag.audit.v1.AuditService/GetAccessOverview", { subject: asked, pageSize: kPageSize, pageToken });
      return { items: page.accesses ?? [], nextPageToken: page.nextPageToken ?? "" };
    },
    (accesses, first) => {
      if (first) {
        body = h("tbody", {});
        replaceChildren(
          results,
          resultHeading(),
          accesses.length === 0
            ? paragraph("Er zijn geen inzages gevonden voor dit adres of deze persoon (of ze vallen onder een actieve beperking).")
            : h(
                "div",
                { class: "hartslag-privacy-table-wrap", attrs: { role: "region", "aria-label": "Inzages, nieuwste eerst", tabindex: "0" } },
                h(
                  "table",
                  { class: "utrecht-table hartslag-privacy-table" },
                  h("caption", { class: "utrecht-table__caption" }, "Nieuwste eerst. Namen van medewerkers staan hier niet in."),
                  h("thead", { class: "utrecht-table__header" }, h("tr", {}, ["Wanneer", "Organisatie", "Rol", "Handeling", "Gegevens", "Doel"].map((c) => h("th", { attrs: { scope: "col" } }, c)))),
                  body,
                ),
              ),
          pager.more,
        );
      }
      const rows = accesses.map(row);
      body.append(...rows);
      if (first) (results.querySelector("h2") as HTMLElement | null)?.focus();
      return rows;
    },
    (error, first) => {
      if (first) replaceChildren(results);
      if (first && error instanceof ApiError && subject.showRefusal(error)) return;
      message.show("error", refusal(error, "Het inzageoverzicht kon niet worden opgehaald."));
    },
  );

  const submit = button("Inzages tonen", undefined, "primary", "submit");
  const form = h(
    "form",
    {
      class: "hartslag-form",
      attrs: { novalidate: true },
      on: {
        submit: (event) => {
          event.preventDefault();
          if (submit.disabled) return;
          message.clear();
          asked = subject.subject();
          if (!asked) return;
          submit.disabled = true;
          void pager.restart().finally(() => {
            submit.disabled = false;
          });
        },
      },
    },
    subject.element,
    h("div", { class: "utrecht-button-group" }, submit),
  );

  return {
    title: "Inzageoverzicht",
    element: h(
      "div",
      { class: "hartslag-privacy" },
      heading(1, "Inzageoverzicht"),
      paragraph("Wie heeft gegevens over een adres of een persoon ingezien of gewijzigd, wanneer en waarom. Voor een verzoek om inzage (AVG artikel 15)."),
      form,
      message.element,
      results,
    ),
  };
}
