// A case as its reader may see it: what the services return for the
// caller's need-to-know (nothing is filtered here). A partner sees the
// notes it may read, its actions, and adds a note with a visibility it may
// choose. A coordinator (purpose CASE_MANAGEMENT) also sees the timeline,
// who steers the case, risk, plan and escalation, and changes them
// (case_edit.ts); a case outside its need-to-know it may open by breaking
// the glass, with a reason the privacy officer reviews.
import { ApiError, call, newRequestId } from "../api";
import { type App, type Screen, hasRole } from "../app";
import { Field, MessageSlot, alertBox, button, dataList, errorText, heading, paragraph, select, statusBadge, textarea } from "../components";
import { h, replaceChildren } from "../dom";
import { caseKind, caseResult, caseStatus, confidentiality, escalation, formatAddress, formatTime, noteVisibility, ownNoteVisibility, riskTierShort } from "../labels";
import { type Action, ActionCard } from "./actions";
import { type Changed, escalationPanel, movePanel, newActionPanel, participantsPanel, planPanel, riskPanel } from "./case_edit";
import { type CaseSummary, type Note } from "./case_model";
import { caseTimeline } from "./case_timeline";
import { casesListHash } from "./cases";
import { Pager } from "../pager";
import { Purpose } from "../purposes";
import { nameOf, organisationNames } from "../directory";

// Who wrote it: the user (by id: no user names are read here) and the
// organisation by its name.
function noteItem(note: Note, names: Map<string, string>): HTMLLIElement {
  const author = note.author?.userId ?? "";
  const organisation = nameOf(names, note.author?.organisationId);
  return h(
    "li",
    { class: "hartslag-card", attrs: { "data-visibility": note.visibility ?? "" } },
    h("p", { class: "utrecht-paragraph utrecht-paragraph--small" }, statusBadge(noteVisibility[note.visibility ?? ""] ?? "", "neutral"), ` ${author}${organisation ? ` (${organisation})` : ""}, ${formatTime(note.writtenAt)}`),
    h("p", { class: "utrecht-paragraph hartslag-text" }, note.text ?? ""),
  );
}

// The notes the caller may read, page by page (the first came with the
// case), and a form to add one with one of `visibilities`.
function notesSection(app: App, caseId: string, summary: CaseSummary, purpose: string, visibilities: [string, string][], writable: boolean, names: Map<string, string>): HTMLElement[] {
  const notes = h("ol", { class: "hartslag-cards", attrs: { "aria-labelledby": "notities-titel" } });
  const none = alertBox("info", "Er zijn geen notities die u mag lezen.");
  const notesMessage = new MessageSlot();
  const pager = new Pager<Note>(
    "Oudere notities",
    async (pageToken) => {
      if (!pageToken) return { items: summary.notes ?? [], nextPageToken: summary.nextNotesPageToken ?? "" };
      const page = await call<{ notes?: Note[]; nextPageToken?: string }>("hartslag.cases.v1.CaseService/ListNotes", { caseId, pageToken }, purpose);
      return { items: page.notes ?? [], nextPageToken: page.nextPageToken ?? "" };
    },
    (page, first) => {
      if (first) replaceChildren(notes);
      const rows = page.map((n) => noteItem(n, names));
      notes.append(...rows);
      none.hidden = notes.childElementCount > 0;
      notesMessage.clear();
      return rows;
    },
    (error) => notesMessage.show("error", errorText(error, "Laden lukte niet.")),
  );
  void pager.restart();

  const text = new Field("Notitie", textarea({ rows: "4", maxlength: "5000", name: "notitie" }));
  const visibility = new Field("Wie mag de notitie lezen?", select(visibilities, { name: "zichtbaarheid" }));
  const message = new MessageSlot();
  const save = button("Notitie toevoegen", undefined, "primary", "submit");
  // One request id per note the user means to add: a second click after a
  // lost answer adds nothing twice.
  let requestId = newRequestId();
  const form = h(
    "form",
    {
      class: "hartslag-form",
      attrs: { novalidate: true, "aria-labelledby": "notitie-toevoegen" },
      on: {
        input: () => (requestId = newRequestId()),
        submit: async (event) => {
          event.preventDefault();
          text.showError(text.value ? null : "Schrijf eerst de notitie.");
          if (!text.value) return;
          save.disabled = true;
          try {
            const note = await call<Note>("hartslag.cases.v1.CaseService/AddNote", { requestId, caseId, text: text.value, visibility: visibility.value });
            notes.prepend(noteItem(note, names));
            none.hidden = true;
            form.reset();
            requestId = newRequestId();
            message.show("ok", "De notitie is toegevoegd.");
            app.announce("De notitie is toegevoegd.");
          } catch (error) {
            if (error instanceof ApiError) {
              text.showError(error.fields.text ?? null);
              visibility.showError(error.fields.visibility ?? null);
            }
            message.show("error", error instanceof ApiError ? error.message : "Opslaan lukte niet.");
          } finally {
            save.disabled = false;
          }
        },
      },
    },
    h("h2", { class: "utrecht-heading-2", attrs: { id: "notitie-toevoegen" } }, "Notitie toevoegen"),
    message.element,
    text.element,
    visibility.element,
    h("div", { class: "utrecht-button-group" }, save),
  );
  const parts: (HTMLElement | null)[] = [
    writable ? form : null,
    h("h2", { class: "utrecht-heading-2", attrs: { id: "notities-titel" } }, "Notities die u mag lezen"),
    none,
    notes,
    notesMessage.element,
    pager.more,
  ];
  return parts.filter((e): e is HTMLElement => e !== null);
}

async function partnerView(app: App, summary: CaseSummary): Promise<HTMLElement> {
  const c = summary.case;
  const caseId = c.caseId;
  const [names, actions] = await Promise.all([
    organisationNames(),
    call<{ actions?: Action[] }>("hartslag.cases.v1.ActionService/ListActions", { caseId, pageSize: 500 }, Purpose.actionExecution),
  ]);
  const visibilities: [string, string][] = [["NOTE_VISIBILITY_PARTICIPANTS", noteVisibility.NOTE_VISIBILITY_PARTICIPANTS]];
  const own = ownNoteVisibility[app.session.organisationKind ?? ""];
  if (own) visibilities.push([own, noteVisibility[own]]);
  const actionList = h("ol", { class: "hartslag-cards" });
  replaceChildren(actionList, (actions.actions ?? []).map((a) => new ActionCard(a, () => {}).element));
  return h(
    "div",
    {},
    h("p", { class: "utrecht-paragraph" }, h("a", { class: "utrecht-link", attrs: { href: "#/acties" } }, "Terug naar de acties")),
    heading(1, `${c.reference ?? ""} ${c.title ?? ""}`.trim()),
    dataList([
      ["Overleg", caseKind[c.kind ?? ""] ?? ""],
      ["Status", caseStatus[c.status ?? ""] ?? ""],
      ["Gebied", c.area?.name ?? ""],
      ["Adres", formatAddress(c.address)],
      ["Organisaties", (c.participatingOrganisations ?? []).map((id) => nameOf(names, id)).join(", ")],
      ["Geopend", formatTime(c.openedAt)],
    ]),
    h("h2", { class: "utrecht-heading-2" }, "Acties"),
    actionList.childElementCount ? actionList : paragraph("Geen acties die u mag zien."),
    ...notesSection(app, caseId, summary, Purpose.actionExecution, visibilities, true, names),
  );
}

const kAllVisibilities = Object.entries(noteVisibility);

// The coordinator's case: everything it may see, and every change it may
// make. After breaking the glass only the summary: the rest of the case
// still lies outside its need-to-know.
async function coordinatorView(app: App, summary: CaseSummary, brokeGlass: boolean, changed: Changed, message: MessageSlot): Promise<HTMLElement> {
  const c = summary.case;
  const caseId = c.caseId;
  const [names, actions] = await Promise.all([
    organisationNames(),
    brokeGlass ? Promise.resolve({ actions: [] as Action[] }) : call<{ actions?: Action[] }>("hartslag.cases.v1.ActionService/ListActions", { caseId, pageSize: 500 }, Purpose.caseManagement),
  ]);
  const organisations = (ids: string[] | undefined) => (ids ?? []).map((id) => nameOf(names, id)).join(", ");
  const closed = c.status === "CASE_STATUS_CLOSED";
  const actionList = h("ol", { class: "hartslag-cards", attrs: { "aria-labelledby": "acties-titel" } });
  replaceChildren(actionList, (actions.actions ?? []).map((a) => new ActionCard(a, () => changed("De actie is bijgewerkt.")).element));
  // The service decides it, by its clock (never for a closed case).
  const reviewDue = summary.reviewDue === true;
  return h(
    "div",
    { class: "hartslag-case", attrs: { "data-break-glass": brokeGlass ? "ja" : undefined } },
    h("p", { class: "utrecht-paragraph" }, h("a", { class: "utrecht-link", attrs: { href: casesListHash() } }, "Terug naar de casussen")),
    brokeGlass ? h("div", { class: "hartslag-case-break-glass" }, alertBox("error", h("strong", {}, "Spoedtoegang. "), "U heeft deze casus geopend met spoedtoegang; dit wordt gecontroleerd door de privacy officer.")) : null,
    heading(1, `${c.reference ?? ""} ${c.title ?? ""}`.trim()),
    message.element,
    h("p", { class: "utrecht-paragraph hartslag-case-badges" }, statusBadge(caseStatus[c.status ?? ""] ?? "", closed ? "inactive" : "active"), " ", reviewDue ? statusBadge("Herbeoordeling nodig", "warning") : null, " ", c.escalation && c.escalation !== "ESCALATION_UNSPECIFIED" ? statusBadge(`Opgeschaald: ${escalation[c.escalation]}`, "danger") : null),
    dataList([
      ["Overleg", caseKind[c.kind ?? ""] ?? ""],
      ["Status", caseStatus[c.status ?? ""] ?? ""],
      ["Resultaat", caseResult[c.result ?? ""] ?? ""],
      ["Gebied", c.area?.name ?? ""],
      ["Adres", formatAddress(c.address)],
      ["Huishouden", (c.persons ?? []).map((p) => [p.name, p.role, p.birthYear ? `geboren ${p.birthYear}` : ""].filter(Boolean).join(", ")).join("; ")],
      ["Vertrouwelijkheid", confidentiality[c.confidentiality ?? ""] ?? ""],
      ["Procesregisseur", c.processCoordinator ?? ""],
      ["Casusregisseur", c.caseManager || "Geen"],
      ["Deelnemers", organisations(c.participatingOrganisations)],
      ["Leden", (c.members ?? []).join(", ")],
      ["Risico", c.riskTier ? `${riskTierShort[c.riskTier] ?? c.riskTier}: ${c.riskReason ?? ""}` : "Nog niet bepaald"],
      ["Volgende herbeoordeling", formatTime(c.nextReviewAt)],
      ["Opschaling", c.escalation && c.escalation !== "ESCALATION_UNSPECIFIED" ? `${escalation[c.escalation]}: ${c.escalationReason ?? ""}` : "Niet opgeschaald"],
      ["Geopend", formatTime(c.openedAt)],
      ["Laatst gewijzigd", formatTime(c.updatedAt)],
    ]),
    h(
      "section",
      { class: "hartslag-case-section", attrs: { "aria-labelledby": "acties-titel" } },
      h("h2", { class: "utrecht-heading-2", attrs: { id: "acties-titel" } }, "Acties"),
      brokeGlass ? paragraph("Acties zijn met spoedtoegang niet te zien.") : actionList.childElementCount ? actionList : paragraph("Er zijn nog geen acties."),
    ),
    brokeGlass || closed ? null : newActionPanel(c, names, changed),
    caseTimeline(summary, names),
    brokeGlass ? null : movePanel(c, changed),
    brokeGlass || closed ? null : riskPanel(c, changed),
    brokeGlass || closed ? null : escalationPanel(c, changed),
    brokeGlass || closed ? null : participantsPanel(c, names, changed),
    brokeGlass ? null : closed ? planList(c, names) : planPanel(c, names, changed),
    ...notesSection(app, caseId, summary, Purpose.caseManagement, kAllVisibilities, !brokeGlass, names),
  );
}

function planList(summary: CaseSummary["case"], names: Map<string, string>): HTMLElement {
  return h(
    "section",
    { class: "hartslag-case-section" },
    h("h2", { class: "utrecht-heading-2" }, "Plan van aanpak"),
    h("ol", { class: "hartslag-case-plan" }, (summary.plan ?? []).map((g) => h("li", {}, `${g.goal ?? ""} (${(g.organisationIds ?? []).map((id) => nameOf(names, id)).join(", ")})`))),
  );
}

// Asks for the reason to break the glass (10 to 500 characters) and opens
// the case with it.
function breakGlassForm(caseId: string, opened: (summary: CaseSummary) => void): HTMLElement {
  const reason = new Field("Reden voor spoedtoegang", textarea({ rows: "4", maxlength: "500", name: "reden-spoed" }), "10 tot 500 tekens. De privacy officer controleert elke spoedtoegang.");
  const message = new MessageSlot();
  const submit = button("Toegang met spoed (break-the-glass)", undefined, "primary", "submit");
  return h(
    "div",
    {},
    heading(1, "Casus niet gevonden"),
    paragraph("Deze casus bestaat niet, of valt buiten wat u mag zien."),
    h(
      "form",
      {
        class: "hartslag-form",
        attrs: { novalidate: true, "aria-labelledby": "spoed-titel" },
        on: {
          submit: async (event) => {
            event.preventDefault();
            const length = [...reason.value].length;
            if (length < 10 || length > 500) {
              reason.showError("Geef een reden van 10 tot 500 tekens.");
              reason.focus();
              return;
            }
            reason.showError(null);
            submit.disabled = true;
            try {
              opened(await call<CaseSummary>("hartslag.cases.v1.CaseService/GetCase", { caseId, breakGlassReason: reason.value }, Purpose.caseManagement));
            } catch (error) {
              if (error instanceof ApiError) reason.showError(error.fields.break_glass_reason ?? null);
              message.show("error", error instanceof ApiError && error.httpStatus === 404 ? "Ook met spoedtoegang is deze casus niet te openen: hij bestaat niet of ligt buiten uw gebieden." : error instanceof ApiError ? error.message : "Openen lukte niet.");
            } finally {
              submit.disabled = false;
            }
          },
        },
      },
      h("h2", { class: "utrecht-heading-2", attrs: { id: "spoed-titel" } }, "Toegang met spoed"),
      paragraph("Alleen bij een dringende noodzaak. De toegang wordt vastgelegd en gecontroleerd."),
      message.element,
      reason.element,
      h("div", { class: "utrecht-button-group" }, submit),
    ),
  );
}

export async function caseScreen(app: App, caseId: string): Promise<Screen> {
  const coordinator = hasRole(app.session, "COORDINATOR");
  const purpose = coordinator ? Purpose.caseManagement : Purpose.actionExecution;
  const container = h("div", {});
  let brokeGlass = false;
  // What was just changed: one slot for the life of the screen, moved into
  // each new drawing of the case, so that the confirmation stands from the
  // moment the change is stored, however long the case takes to be read
  // again (and whether or not that succeeds).
  const message = new MessageSlot();
  message.element.tabIndex = -1;
  let drawing = 0;
  const draw = async (summary: CaseSummary) => {
    const mine = ++drawing;
    const view = await coordinatorView(app, summary, brokeGlass, changed, message);
    // A later change's drawing wins over a slower earlier one.
    if (mine === drawing) replaceChildren(container, view);
    return mine === drawing;
  };
  // After a stored change: say so at once, then draw the case anew and
  // take the focus to the confirmation (the control that had it is gone).
  const changed = (done: string) => {
    message.show("ok", done);
    app.announce(done);
    void (async () => {
      try {
        if (await draw(await call<CaseSummary>("hartslag.cases.v1.CaseService/GetCase", { caseId }, Purpose.caseManagement))) message.element.focus();
      } catch (error) {
        message.show("warning", `${done} De casus kon daarna niet opnieuw worden gelezen (${errorText(error, "geen verbinding")}); vernieuw de pagina.`);
        message.element.focus();
      }
    })();
  };
  let summary: CaseSummary;
  try {
    summary = await call<CaseSummary>("hartslag.cases.v1.CaseService/GetCase", { caseId }, purpose);
  } catch (error) {
    if (error instanceof ApiError && error.httpStatus === 404) {
      if (coordinator) {
        replaceChildren(container, breakGlassForm(caseId, (opened) => {
          brokeGlass = true;
          void draw(opened).then(() => {
            app.announce("De casus is geopend met spoedtoegang.");
            container.querySelector("h1")?.setAttribute("tabindex", "-1");
            container.querySelector("h1")?.focus();
          });
        }));
        return { title: "Casus niet gevonden", element: container, wide: true };
      }
      return { title: "Casus", element: h("div", {}, heading(1, "Casus niet gevonden"), paragraph("Deze casus bestaat niet, of uw organisatie mag haar niet zien.")) };
    }
    throw error;
  }
  if (!coordinator) return { title: `Casus ${summary.case.reference ?? ""}`, element: await partnerView(app, summary) };
  await draw(summary);
  return { title: `Casus ${summary.case.reference ?? ""}`, element: container, wide: true };
}
