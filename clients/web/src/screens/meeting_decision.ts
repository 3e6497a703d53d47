// One agenda item under discussion: the case as the meeting may see it
// (status, risk, next review, plan, open actions) beside the form for the
// meeting's decision with new actions for one or more organisations.
import { ApiError, call, newRequestId } from "../api";
import { button, ChoiceGroup, dataList, errorText, Field, heading, MessageSlot, paragraph, select, textarea, textbox } from "../components";
import { h, replaceChildren } from "../dom";
import { caseStatus, formatDate, formatDayOf, riskTier } from "../labels";
import type { Action } from "./actions";
import { type AgendaItem, type Meeting, meetingMethod } from "./meeting_common";
import { Purpose } from "../purposes";
import { nameOf } from "../directory";

interface CaseView {
  caseId: string;
  status?: string;
  riskTier?: string;
  riskReason?: string;
  nextReviewAt?: string;
  participatingOrganisations?: string[];
  plan?: { goal?: string; organisationIds?: string[] }[];
}

// The fields of one new action.
class NewAction {
  readonly description = new Field("Wat moet er gebeuren?", textarea({ rows: "2", maxlength: "2000" }));
  readonly organisations: ChoiceGroup;
  readonly due = new Field("Uiterlijk op", textbox({ type: "date" }, "hartslag-width-10"));
  readonly element: HTMLFieldSetElement;

  constructor(number: number, options: [string, string][], remove: (a: NewAction) => void) {
    this.organisations = new ChoiceGroup("Voor welke organisaties?", "checkbox", options);
    this.element = h(
      "fieldset",
      { class: "utrecht-form-fieldset hartslag-meeting-new-action" },
      h("legend", { class: "utrecht-form-fieldset__legend" }, `Nieuwe actie ${number}`),
      this.description.element,
      this.organisations.element,
      this.due.element,
      button(`Actie ${number} weghalen`, () => remove(this), "subtle"),
    );
  }

  request(): object {
    return { description: this.description.value, organisationIds: this.organisations.checked, dueDate: this.due.value };
  }

  showErrors(fields: Record<string, string>, index: number): void {
    this.description.showError(fields[`actions[${index}].description`] ?? null);
    this.organisations.showError(fields[`actions[${index}].organisation_ids`] ?? null);
    this.due.showError(fields[`actions[${index}].due_date`] ?? null);
  }
}

function caseSummary(c: CaseView, open: Action[], names: Map<string, string>): HTMLElement {
  return h(
    "div",
    {},
    dataList([
      ["Status", caseStatus[c.status ?? ""] ?? ""],
      ["Risico", c.riskTier && riskTier[c.riskTier] ? `${riskTier[c.riskTier]}${c.riskReason ? `: ${c.riskReason}` : ""}` : "Nog niet gewogen"],
      ["Volgende herbeoordeling", formatDayOf(c.nextReviewAt) || "Niet gepland"],
      ["Organisaties", (c.participatingOrganisations ?? []).map((o) => nameOf(names, o)).join(", ")],
    ]),
    h("h4", { class: "utrecht-heading-4" }, "Plan van aanpak"),
    (c.plan ?? []).length
      ? h("ul", { class: "utrecht-unordered-list" }, (c.plan ?? []).map((g) => h("li", {}, g.goal ?? "", (g.organisationIds ?? []).length ? ` (${(g.organisationIds ?? []).map((o) => nameOf(names, o)).join(", ")})` : "")))
      : paragraph("Geen plan van aanpak."),
    h("h4", { class: "utrecht-heading-4" }, "Open acties"),
    open.length
      ? h(
          "ul",
          { class: "utrecht-unordered-list" },
          open.map((a) => h("li", {}, `${a.description ?? ""} — ${(a.organisationIds ?? []).map((o) => nameOf(names, o)).join(", ")}, uiterlijk ${formatDate(a.dueDate)}`, a.overdue ? " (over tijd)" : "")),
        )
      : paragraph("Geen open acties."),
  );
}

// The panel for `item`; `decided` gets the meeting as DecideItem answers it.
export function discussionPanel(meeting: Meeting, item: AgendaItem, names: Map<string, string>, decided: (m: Meeting) => void, close: () => void): HTMLElement {
  const summary = h("section", { class: "hartslag-meeting-case", attrs: { "aria-labelledby": "bespreking-casus" } }, h("h3", { class: "utrecht-heading-3", attrs: { id: "bespreking-casus" } }, "De casus"), paragraph("De casus wordt geladen…"));
  const options = new Map<string, string>((meeting.participatingOrganisations ?? []).map((o) => [o, nameOf(names, o)]));
  const actionsBox = h("div", { class: "hartslag-meeting-new-actions" });
  const actions: NewAction[] = [];
  const renumber = () => {
    const kept = actions.map((a) => a.request());
    // Numbers in the legends follow the order; rebuilding keeps them right.
    actions.length = 0;
    replaceChildren(actionsBox);
    for (const values of kept) addAction(values as { description: string; organisationIds: string[]; dueDate: string });
  };
  const addAction = (values?: { description: string; organisationIds: string[]; dueDate: string }) => {
    const a = new NewAction(actions.length + 1, [...options.entries()], (gone) => {
      actions.splice(actions.indexOf(gone), 1);
      renumber();
      addButton.focus();
    });
    if (values) {
      a.description.control.value = values.description;
      a.organisations.check(values.organisationIds);
      a.due.control.value = values.dueDate;
    }
    actions.push(a);
    actionsBox.append(a.element);
    return a;
  };
  const addButton = button("Nieuwe actie toevoegen", () => addAction().description.focus(), "secondary");

  void (async () => {
    try {
      const [c, open, busy] = await Promise.all([
        call<{ case: CaseView }>("hartslag.cases.v1.CaseService/GetCase", { caseId: item.caseId }, Purpose.meeting),
        call<{ actions?: Action[] }>("hartslag.cases.v1.ActionService/ListActions", { caseId: item.caseId, status: "ACTION_STATUS_OPEN", pageSize: 100 }, Purpose.meeting),
        call<{ actions?: Action[] }>("hartslag.cases.v1.ActionService/ListActions", { caseId: item.caseId, status: "ACTION_STATUS_IN_PROGRESS", pageSize: 100 }, Purpose.meeting),
      ]);
      for (const o of c.case.participatingOrganisations ?? []) options.set(o, nameOf(names, o));
      replaceChildren(summary, summary.firstChild, caseSummary(c.case, [...(open.actions ?? []), ...(busy.actions ?? [])], names));
    } catch (error) {
      replaceChildren(summary, summary.firstChild, paragraph(errorText(error, "De casus laden lukte niet.")));
    }
  })();

  const decision = new Field("Besluit", textarea({ rows: "4", maxlength: "2000", required: true }));
  decision.control.value = item.decision ?? "";
  const rationale = new Field("Toelichting", textarea({ rows: "3", maxlength: "2000" }));
  rationale.control.value = item.rationale ?? "";
  const review = new Field("Volgende herbeoordeling", textbox({ type: "date" }, "hartslag-width-10"), "Leeg: volgens het risiconiveau.");
  const tier = new Field("Risiconiveau", select([["RISK_TIER_UNSPECIFIED", "Ongewijzigd"], ...Object.entries(riskTier)]));
  const tierReason = new Field("Reden voor het risiconiveau", textarea({ rows: "2", maxlength: "500" }), "Nodig als u het risiconiveau wijzigt.");
  const message = new MessageSlot();
  const save = button("Besluit vastleggen", undefined, "primary", "submit");
  // One request id per decision as the user means it: a retry of the same
  // content after a lost answer decides nothing twice.
  let requestId = newRequestId();
  const form = h(
    "form",
    {
      class: "hartslag-form hartslag-meeting-decision",
      attrs: { novalidate: true, "aria-labelledby": "besluit-titel" },
      on: {
        input: () => (requestId = newRequestId()),
        submit: async (event) => {
          event.preventDefault();
          decision.showError(decision.value ? null : "Schrijf het besluit op.");
          if (!decision.value) return decision.focus();
          save.disabled = true;
          try {
            const answer = await call<Meeting>(meetingMethod("DecideItem"), {
              requestId,
              meetingId: meeting.meetingId,
              itemId: item.itemId,
              decision: decision.value,
              rationale: rationale.value,
              nextReviewDate: review.value,
              riskTier: tier.value,
              riskReason: tierReason.value,
              actions: actions.map((a) => a.request()),
            });
            decided(answer);
          } catch (error) {
            const fields = error instanceof ApiError ? error.fields : {};
            decision.showError(fields.decision ?? null);
            rationale.showError(fields.rationale ?? null);
            review.showError(fields.next_review_date ?? null);
            tier.showError(fields.risk_tier ?? null);
            tierReason.showError(fields.risk_reason ?? null);
            actions.forEach((a, i) => a.showErrors(fields, i));
            message.show("error", errorText(error, "Vastleggen lukte niet."));
            form.querySelector<HTMLElement>("[aria-invalid='true']")?.focus();
          } finally {
            save.disabled = false;
          }
        },
      },
    },
    h("h3", { class: "utrecht-heading-3", attrs: { id: "besluit-titel" } }, "Besluit van het overleg"),
    message.element,
    decision.element,
    rationale.element,
    h("div", { class: "hartslag-row" }, review.element, tier.element),
    tierReason.element,
    actionsBox,
    h("div", { class: "utrecht-button-group" }, addButton),
    h("div", { class: "utrecht-button-group" }, save, button("Bespreking sluiten", close, "subtle")),
  );

  return h(
    "section",
    { class: "hartslag-meeting-discussion", attrs: { "aria-labelledby": "bespreking-titel", "data-item-id": item.itemId } },
    heading(2, `Bespreking: ${item.caseReference ?? ""} ${item.caseTitle ?? ""}`.trim(), "bespreking-titel"),
    h("div", { class: "hartslag-meeting-discussion__columns" }, summary, form),
  );
}
