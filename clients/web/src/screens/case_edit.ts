// What a coordinator changes on a case: its status along the legal moves
// only, the risk tier, the escalation, the participants, the plan of
// approach (each an UpdateCase whose update_mask names only that), and new
// actions for partner organisations. Every form shows the service's
// refusal beside its field and as a message; after a change the caller
// redraws the case.
import { ApiError, call, newRequestId } from "../api";
import { ChoiceGroup, Field, MessageSlot, type Validated, button, clearErrors, select, showRefusal, textarea, textbox } from "../components";
import { h } from "../dom";
import { caseResult, caseStatus, caseTransition, escalation, riskTier, riskTierShort } from "../labels";
import { type Case, type PlanGoal, kLegalMoves } from "./case_model";
import { nameOf } from "../directory";

// Called after a change was stored, with what to tell the user.
export type Changed = (done: string) => void;

// The form's fields by the request's field path, for the refusals.
type Fields = Record<string, Validated>;


// A form in its own section, with a heading, a message slot and a submit
// button; `submit` sends it and returns what to tell the user.
function panel(id: string, title: string, submitLabel: string, children: (Node | null)[], fields: Fields, submit: () => Promise<string | null>, changed: Changed): HTMLElement {
  const message = new MessageSlot();
  const save = button(submitLabel, undefined, "primary", "submit");
  const form = h(
    "form",
    {
      class: "hartslag-form hartslag-case-form",
      attrs: { novalidate: true, "aria-labelledby": id },
      on: {
        submit: async (event) => {
          event.preventDefault();
          clearErrors(fields);
          save.disabled = true;
          try {
            const done = await submit();
            if (done) changed(done);
          } catch (error) {
            showRefusal(error, message, fields, "Opslaan lukte niet.");
          } finally {
            save.disabled = false;
          }
        },
      },
    },
    message.element,
    ...children,
    h("div", { class: "utrecht-button-group" }, save),
  );
  return h("section", { class: "hartslag-case-section", attrs: { "aria-labelledby": id } }, h("h2", { class: "utrecht-heading-2", attrs: { id } }, title), form);
}

function required(field: Field, label: string, min = 1, max = 500): boolean {
  const length = [...field.value].length;
  if (length < min || length > max) {
    field.showError(min > 1 ? `${label}: ${min} tot ${max} tekens.` : `${label}: verplicht, hoogstens ${max} tekens.`);
    field.focus();
    return false;
  }
  return true;
}

async function update(c: Case, mask: string[], fields: Record<string, unknown>): Promise<Case> {
  return call<Case>("hartslag.cases.v1.CaseService/UpdateCase", { caseId: c.caseId, updateMask: mask.join(","), ...fields });
}

// The moves the lifecycle allows from the case's status; nothing else.
export function movePanel(c: Case, changed: Changed): HTMLElement {
  const moves = kLegalMoves[c.status ?? ""] ?? [];
  const label = (to: string) => {
    if (c.status === "CASE_STATUS_SCHEDULED" && to === "CASE_STATUS_TRIAGE") return "Van de agenda halen (terug naar weging)";
    if (c.status === "CASE_STATUS_MONITORING" && to === "CASE_STATUS_IN_PROGRESS") return "Terugval: weer in behandeling";
    return `${caseTransition[to] ?? to} (${caseStatus[to] ?? to})`;
  };
  const target = new ChoiceGroup("Nieuwe status", "radio", moves.map((to): [string, string] => [to, label(to)]), `Nu: ${caseStatus[c.status ?? ""] ?? ""}. Alleen de stappen die vanaf hier mogen, staan hier.`, true);
  const reason = new Field("Reden", textarea({ rows: "3", maxlength: "500", name: "reden-status" }), "Komt in de tijdlijn. Hoogstens 500 tekens.");
  const result = new Field("Resultaat", select([["", "Kies het resultaat"], ...Object.entries(caseResult)], { name: "resultaat" }), "Nodig bij afsluiten.");
  result.element.hidden = true;
  target.element.addEventListener("change", () => (result.element.hidden = !target.checked.includes("CASE_STATUS_CLOSED")));
  const fields: Fields = { to: target, reason, result };
  return panel("status-wijzigen", "Status wijzigen", "Status wijzigen", [target.element, reason.element, result.element], fields, async () => {
    const to = target.checked[0];
    if (!to) {
      target.showError("Kies de nieuwe status.");
      target.focus();
      return null;
    }
    if (!required(reason, "Reden")) return null;
    if (to === "CASE_STATUS_REOPENED") {
      await call<Case>("hartslag.cases.v1.CaseService/ReopenCase", { caseId: c.caseId, reason: reason.value });
      return "De casus is heropend.";
    }
    if (to === "CASE_STATUS_CLOSED" && !result.value) {
      result.showError("Kies het resultaat.");
      result.focus();
      return null;
    }
    await call<Case>("hartslag.cases.v1.CaseService/TransitionCase", { caseId: c.caseId, to, reason: reason.value, result: to === "CASE_STATUS_CLOSED" ? result.value : undefined });
    return `De status is nu ${caseStatus[to] ?? to}.`;
  }, changed);
}

export function riskPanel(c: Case, changed: Changed): HTMLElement {
  const tier = new Field("Risico", select([["", "Kies het risico"], ...Object.entries(riskTier)], { name: "risico" }), "Bepaalt wanneer de casus opnieuw wordt beoordeeld.");
  tier.control.value = c.riskTier ?? "";
  const reason = new Field("Reden voor dit risico", textarea({ rows: "3", maxlength: "500", name: "reden-risico" }), "Hoogstens 500 tekens.");
  reason.control.value = c.riskReason ?? "";
  return panel("risico-wijzigen", "Risico en herbeoordeling", "Risico opslaan", [tier.element, reason.element], { risk_tier: tier, risk_reason: reason }, async () => {
    if (!tier.value) {
      tier.showError("Kies het risico.");
      tier.focus();
      return null;
    }
    if (!required(reason, "Reden")) return null;
    await update(c, ["risk_tier"], { riskTier: tier.value, riskReason: reason.value });
    return `Het risico is nu ${(riskTierShort[tier.value] ?? "").toLowerCase()}.`;
  }, changed);
}

export function escalationPanel(c: Case, changed: Changed): HTMLElement {
  const to = new Field("Opschalen naar", select(Object.entries(escalation), { name: "opschaling" }));
  to.control.value = c.escalation ?? "ESCALATION_UNSPECIFIED";
  const reason = new Field("Reden voor opschaling", textarea({ rows: "3", maxlength: "500", name: "reden-opschaling" }), "Nodig bij opschalen; hoogstens 500 tekens.");
  reason.control.value = c.escalationReason ?? "";
  return panel("opschaling-wijzigen", "Opschaling", "Opschaling opslaan", [to.element, reason.element], { escalation: to, escalation_reason: reason }, async () => {
    const withdraw = to.value === "ESCALATION_UNSPECIFIED";
    if (!withdraw && !required(reason, "Reden")) return null;
    await update(c, ["escalation"], { escalation: to.value, escalationReason: withdraw ? undefined : reason.value });
    return withdraw ? "De opschaling is ingetrokken." : `De casus is opgeschaald: ${escalation[to.value]}.`;
  }, changed);
}

export function participantsPanel(c: Case, names: Map<string, string>, changed: Changed): HTMLElement {
  const ids = [...new Set([...names.keys(), ...(c.participatingOrganisations ?? [])])];
  const orgs = new ChoiceGroup("Deelnemende organisaties", "checkbox", ids.map((id): [string, string] => [id, nameOf(names, id)]), "Hun partners zien de casus (onder Geheim).");
  orgs.check(c.participatingOrganisations ?? []);
  return panel("deelnemers-wijzigen", "Deelnemers", "Deelnemers opslaan", [orgs.element], { participating_organisations: orgs }, async () => {
    await update(c, ["participating_organisations"], { participatingOrganisations: { organisationIds: orgs.checked } });
    return "De deelnemers zijn opgeslagen.";
  }, changed);
}

// The plan of approach: its goals with the organisations committed to
// them; a goal is added or removed, and the whole plan is sent.
export function planPanel(c: Case, names: Map<string, string>, changed: Changed): HTMLElement {
  const plan: PlanGoal[] = c.plan ?? [];
  const message = new MessageSlot();
  const send = async (goals: PlanGoal[], done: string) => {
    try {
      await update(c, ["plan"], { plan: { goals } });
      changed(done);
    } catch (error) {
      message.show("error", error instanceof ApiError ? error.message : "Opslaan lukte niet.");
    }
  };
  const goals = h(
    "ol",
    { class: "hartslag-case-plan" },
    plan.map((g, i) =>
      h(
        "li",
        {},
        h("p", { class: "utrecht-paragraph hartslag-text" }, g.goal ?? ""),
        h("p", { class: "utrecht-paragraph utrecht-paragraph--small" }, (g.organisationIds ?? []).length ? `Organisaties: ${(g.organisationIds ?? []).map((id) => nameOf(names, id)).join(", ")}` : "Nog geen organisatie"),
        button(`Doel ${i + 1} verwijderen`, () => void send(plan.filter((_, j) => j !== i), "Het doel is verwijderd."), "secondary"),
      ),
    ),
  );
  const goal = new Field("Nieuw doel", textarea({ rows: "2", maxlength: "500", name: "doel" }), "Wat moet er bereikt worden? Hoogstens 500 tekens.");
  const orgs = new ChoiceGroup("Organisaties bij dit doel", "checkbox", [...names.keys()].map((id): [string, string] => [id, nameOf(names, id)]));
  const section = panel("plan-wijzigen", "Plan van aanpak", "Doel toevoegen", [plan.length ? goals : h("p", { class: "utrecht-paragraph" }, "Er is nog geen plan van aanpak."), message.element, goal.element, orgs.element], { [`plan.goals[${plan.length}].goal`]: goal }, async () => {
    if (!required(goal, "Doel")) return null;
    await update(c, ["plan"], { plan: { goals: [...plan, { goal: goal.value, organisationIds: orgs.checked }] } });
    return "Het doel is toegevoegd.";
  }, changed);
  return section;
}

// A new action for one or more organisations, with a due date.
export function newActionPanel(c: Case, names: Map<string, string>, changed: Changed): HTMLElement {
  const description = new Field("Wat moet er gebeuren?", textarea({ rows: "3", maxlength: "2000", name: "actie" }));
  const orgs = new ChoiceGroup("Voor welke organisaties?", "checkbox", [...names.keys()].map((id): [string, string] => [id, nameOf(names, id)]));
  const due = new Field("Uiterlijk op", textbox({ type: "date", name: "uiterlijk" }, "hartslag-width-10"));
  // One request id per action the coordinator means to give: a second
  // click after a lost answer gives nothing twice.
  let requestId = newRequestId();
  const fields: Fields = { description, organisation_ids: orgs, due_date: due };
  const section = panel("actie-geven", "Nieuwe actie", "Actie geven", [description.element, orgs.element, due.element], fields, async () => {
    if (!required(description, "Beschrijving", 1, 2000)) return null;
    if (!orgs.checked.length) {
      orgs.showError("Kies minstens één organisatie.");
      orgs.focus();
      return null;
    }
    if (!due.value) {
      due.showError("Kies de datum waarop het klaar moet zijn.");
      due.focus();
      return null;
    }
    await call("hartslag.cases.v1.ActionService/CreateAction", { requestId, caseId: c.caseId, description: description.value, organisationIds: orgs.checked, dueDate: due.value });
    requestId = newRequestId();
    return `De actie is gegeven aan ${orgs.checked.map((id) => nameOf(names, id)).join(", ")}.`;
  }, changed);
  section.addEventListener("input", () => (requestId = newRequestId()));
  return section;
}
