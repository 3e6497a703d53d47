// A case as a partner may see it: what the services return for this
// partner's need-to-know (nothing is filtered here), the notes it may read,
// its actions, and a note added with a visibility the partner may choose.
import { ApiError, call, newRequestId } from "../api";
import { type App, type Screen, kActionPurpose } from "../app";
import { Field, MessageSlot, alertBox, button, dataList, heading, paragraph, select, statusBadge, textarea } from "../components";
import { h, replaceChildren } from "../dom";
import { type Address, caseKind, caseStatus, formatAddress, formatTime, noteVisibility, ownNoteVisibility } from "../labels";
import { type Action, ActionCard } from "./actions";

interface Note {
  noteId: string;
  visibility?: string;
  text?: string;
  author?: { userId?: string; organisationId?: string };
  writtenAt?: string;
}

interface CaseSummary {
  case: {
    caseId: string;
    reference?: string;
    kind?: string;
    status?: string;
    title?: string;
    area?: { name?: string };
    address?: Address;
    participatingOrganisations?: string[];
    openedAt?: string;
    updatedAt?: string;
  };
  notes?: Note[];
  nextNotesPageToken?: string;
}


function noteItem(note: Note): HTMLLIElement {
  return h(
    "li",
    { class: "hartslag-card", attrs: { "data-visibility": note.visibility ?? "" } },
    h("p", { class: "utrecht-paragraph utrecht-paragraph--small" }, statusBadge(noteVisibility[note.visibility ?? ""] ?? "", "neutral"), ` ${note.author?.userId ?? ""} (${note.author?.organisationId ?? ""}), ${formatTime(note.writtenAt)}`),
    h("p", { class: "utrecht-paragraph hartslag-text" }, note.text ?? ""),
  );
}

export async function caseScreen(app: App, caseId: string): Promise<Screen> {
  let summary: CaseSummary;
  try {
    summary = await call<CaseSummary>("hartslag.cases.v1.CaseService/GetCase", { caseId }, kActionPurpose);
  } catch (error) {
    if (error instanceof ApiError && error.httpStatus === 404) {
      return { title: "Casus", element: h("div", {}, heading(1, "Casus niet gevonden"), paragraph("Deze casus bestaat niet, of uw organisatie mag haar niet zien.")) };
    }
    throw error;
  }
  const c = summary.case;
  const actions = await call<{ actions?: Action[] }>("hartslag.cases.v1.ActionService/ListActions", { caseId, pageSize: 500 }, kActionPurpose);

  const notes = h("ol", { class: "hartslag-cards", attrs: { "aria-labelledby": "notities-titel" } }, (summary.notes ?? []).map(noteItem));
  let notesToken = summary.nextNotesPageToken ?? "";
  const notesMessage = new MessageSlot();
  const moreNotes = button("Oudere notities", async () => {
    try {
      const page = await call<{ notes?: Note[]; nextPageToken?: string }>("hartslag.cases.v1.CaseService/ListNotes", { caseId, pageToken: notesToken }, kActionPurpose);
      notes.append(...(page.notes ?? []).map(noteItem));
      notesToken = page.nextPageToken ?? "";
      moreNotes.hidden = !notesToken;
      notesMessage.clear();
    } catch (error) {
      notesMessage.show("error", error instanceof ApiError ? error.message : "Laden lukte niet.");
    }
  }, "secondary");
  moreNotes.hidden = !notesToken;

  const visibilities: [string, string][] = [["NOTE_VISIBILITY_PARTICIPANTS", noteVisibility.NOTE_VISIBILITY_PARTICIPANTS]];
  const own = ownNoteVisibility[app.session.organisationKind ?? ""];
  if (own) visibilities.push([own, noteVisibility[own]]);
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
            notes.prepend(noteItem(note));
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

  const actionList = h("ol", { class: "hartslag-cards" });
  replaceChildren(actionList, (actions.actions ?? []).map((a) => new ActionCard(a, () => {}).element));

  const element = h(
    "div",
    {},
    h("p", { class: "utrecht-paragraph" }, h("a", { class: "utrecht-link", attrs: { href: "#/acties" } }, "Terug naar de acties")),
    heading(1, `${c.reference ?? ""} ${c.title ?? ""}`.trim()),
    dataList([
      ["Overleg", caseKind[c.kind ?? ""] ?? ""],
      ["Status", caseStatus[c.status ?? ""] ?? ""],
      ["Gebied", c.area?.name ?? ""],
      ["Adres", formatAddress(c.address)],
      ["Organisaties", (c.participatingOrganisations ?? []).join(", ")],
      ["Geopend", formatTime(c.openedAt)],
    ]),
    h("h2", { class: "utrecht-heading-2" }, "Acties"),
    actionList.childElementCount ? actionList : paragraph("Geen acties die u mag zien."),
    form,
    h("h2", { class: "utrecht-heading-2", attrs: { id: "notities-titel" } }, "Notities die u mag lezen"),
    notes.childElementCount ? null : alertBox("info", "Er zijn geen notities die uw organisatie mag lezen."),
    notes,
    notesMessage.element,
    moreNotes,
  );
  return { title: `Casus ${c.reference ?? ""}`, element };
}
