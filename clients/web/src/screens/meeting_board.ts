// The meeting board ("#/overleg/<id>"): the agenda with why each case is
// on it, steered by the chair (generate, add, remove, reorder by mouse or
// keyboard), each item discussed beside the case's summary, who attended,
// closing, corrections and approving the previous minutes; printable, and
// downloadable as the service's own document. Every edit answers the whole
// meeting and the board is drawn again from that answer.
//
// The partner view draws the board from GetMeeting as a partner of the
// chosen organisation would get it (the service decides; nothing is left
// out here), without the steering controls, for a board projected in a
// room of partners.
import { ApiError, call } from "../api";
import type { App, Screen } from "../app";
import { alertBox, button, confirmInPlace, dataList, errorText, Field, heading, MessageSlot, paragraph, select, statusBadge } from "../components";
import { h, replaceChildren } from "../dom";
import { agendaReason, caseStatus, formatDate, formatMeetingTime, formatTime, meetingStatus } from "../labels";
import { type AgendaItem, type Meeting, isClosed, meetingMethod, meetingName } from "./meeting_common";
import { discussionPanel } from "./meeting_decision";
import { type Edit, approvalSection, attendanceSection, closeSection, correctionForm, correctionItem } from "./meeting_minutes";
import { Purpose } from "../purposes";
import { nameOf, organisationNames } from "../directory";
import { Pager } from "../pager";

const kPrintBanner = "Vertrouwelijk: alleen voor de deelnemers";

// A button whose visible label is short and whose accessible name also
// names the case, for who hears it out of context.
function itemButton(label: string, item: AgendaItem, onClick: () => void, kind: "primary" | "secondary" | "subtle" = "subtle", control = ""): HTMLButtonElement {
  const b = button(label, onClick, kind);
  b.append(h("span", { class: "hartslag-visually-hidden" }, ` ${item.caseReference ?? ""}`));
  if (control) b.dataset.control = control;
  return b;
}

class Board {
  readonly element: HTMLElement;
  private readonly header = h("div", { class: "hartslag-meeting-header" });
  private readonly content = h("div", { class: "hartslag-meeting-content" });
  private readonly message = new MessageSlot();
  private readonly downloads = h("p", { class: "utrecht-paragraph hartslag-meeting-downloads" });
  private readonly urls: string[] = [];
  private viewAs = "";
  private openItem = "";
  private dragged = "";
  // Made once and moved into each new drawing: what they loaded, and what
  // the user typed in them, stays.
  private addForm: HTMLElement | null = null;
  private approval: HTMLElement | null = null;
  private panel: { itemId: string; element: HTMLElement } | null = null;

  constructor(
    private readonly app: App,
    private meeting: Meeting,
    private readonly names: Map<string, string>,
  ) {
    this.element = h(
      "div",
      { class: "hartslag-meeting-board" },
      h("div", { class: "hartslag-meeting-banner", attrs: { "aria-hidden": "true" } }, kPrintBanner),
      h("p", { class: "utrecht-paragraph hartslag-meeting-back" }, h("a", { class: "utrecht-link", attrs: { href: "#/overleggen" } }, "Terug naar de overleggen")),
      this.header,
      this.toolbar(),
      this.message.element,
      this.content,
    );
    this.draw();
  }

  leave(): void {
    for (const u of this.urls) URL.revokeObjectURL(u);
  }

  private get steering(): boolean {
    return !this.viewAs;
  }

  private toolbar(): HTMLElement {
    const participants = this.meeting.participatingOrganisations ?? [];
    const organisation = new Field("Organisatie voor de partnerweergave", select(participants.map((o): [string, string] => [o, nameOf(this.names, o)])));
    const toggle = h("input", { class: "utrecht-checkbox utrecht-checkbox--html-input", attrs: { type: "checkbox", id: "partnerweergave" } });
    const switchView = async () => {
      const viewAs = toggle.checked ? organisation.value : "";
      try {
        const m = await call<Meeting>(meetingMethod("GetMeeting"), { meetingId: this.meeting.meetingId, viewAsOrganisationId: viewAs }, Purpose.meeting);
        this.viewAs = viewAs;
        this.openItem = "";
        this.panel = null;
        this.meeting = m;
        this.message.clear();
        this.draw();
        this.app.announce(viewAs ? `Partnerweergave: het overleg zoals ${nameOf(this.names, viewAs)} het ziet.` : "Weer de weergave van de voorzitter.");
      } catch (error) {
        toggle.checked = Boolean(this.viewAs);
        this.message.show("error", errorText(error, "De partnerweergave laden lukte niet."));
      }
    };
    toggle.addEventListener("change", () => void switchView());
    organisation.control.addEventListener("change", () => toggle.checked && void switchView());
    return h(
      "div",
      { class: "hartslag-meeting-toolbar" },
      participants.length
        ? h(
            "div",
            { class: "hartslag-meeting-partner-toggle" },
            h(
              "div",
              { class: "utrecht-form-field utrecht-form-field--checkbox" },
              h("div", { class: "utrecht-form-field__input" }, toggle),
              h("div", { class: "utrecht-form-field__label" }, h("label", { class: "utrecht-form-label utrecht-form-label--checkbox", attrs: { for: "partnerweergave" } }, "Partnerweergave")),
            ),
            organisation.element,
          )
        : null,
      h(
        "div",
        { class: "utrecht-button-group" },
        button("Afdrukken", () => window.print(), "secondary"),
        button("Downloaden (Markdown)", () => void this.download("DOCUMENT_FORMAT_MARKDOWN"), "secondary"),
        button("Downloaden (HTML)", () => void this.download("DOCUMENT_FORMAT_HTML"), "secondary"),
      ),
      this.downloads,
    );
  }

  // The service's document as a file: a Blob URL behind an <a download>
  // (the page's CSP allows blob: and nothing from elsewhere).
  private async download(format: string): Promise<void> {
    try {
      const doc = await call<{ fileName?: string; content?: string }>(
        meetingMethod("ExportMeeting"),
        { meetingId: this.meeting.meetingId, format, viewAsOrganisationId: this.viewAs },
        Purpose.meeting,
      );
      const type = format === "DOCUMENT_FORMAT_HTML" ? "text/html;charset=utf-8" : "text/markdown;charset=utf-8";
      const href = URL.createObjectURL(new Blob([doc.content ?? ""], { type }));
      this.urls.push(href);
      const name = doc.fileName || (format === "DOCUMENT_FORMAT_HTML" ? "overleg.html" : "overleg.md");
      const link = h("a", { class: "utrecht-link", attrs: { href, download: name } }, `${name} opnieuw downloaden`);
      replaceChildren(this.downloads, link);
      link.click();
      this.app.announce(`${name} is gedownload.`);
    } catch (error) {
      this.message.show("error", errorText(error, "Downloaden lukte niet."));
    }
  }

  // Sends a steering call; the answer is the whole meeting.
  private readonly edit: Edit = async (method, request, done, focus, refused) => {
    try {
      this.meeting = await call<Meeting>(meetingMethod(method), request);
      this.draw();
      this.message.show("ok", done);
      if (focus) this.element.querySelector<HTMLElement>(focus)?.focus();
      return true;
    } catch (error) {
      this.message.show("error", errorText(error));
      if (error instanceof ApiError && refused) refused(error.fields);
      return false;
    }
  };

  private async move(item: AgendaItem, position: number, control: string): Promise<void> {
    const items = this.meeting.items ?? [];
    if (position < 0 || position >= items.length) return;
    const ok = await this.edit("EditAgenda", { meetingId: this.meeting.meetingId, edit: "EDIT_MOVE", itemId: item.itemId, position }, "");
    if (!ok) return;
    this.message.clear();
    const now = (this.meeting.items ?? []).findIndex((i) => i.itemId === item.itemId);
    const li = this.element.querySelector<HTMLElement>(`li[data-item-id="${item.itemId}"]`);
    // The same control while it still goes somewhere; at an end, the other.
    const same = li?.querySelector<HTMLButtonElement>(`button[data-control="${control}"]`);
    const target = same && !same.disabled ? same : li?.querySelector<HTMLButtonElement>("button[data-control='omhoog']:not([disabled]), button[data-control='omlaag']:not([disabled])");
    (target ?? li)?.focus();
    this.app.announce(`${item.caseReference ?? "Het punt"} staat nu op plaats ${now + 1} van ${(this.meeting.items ?? []).length}.`);
  }

  private itemElement(item: AgendaItem, index: number, count: number): HTMLLIElement {
    const m = this.meeting;
    const open = this.steering && !isClosed(m);
    const corrections = (m.corrections ?? []).filter((c) => c.itemId === item.itemId);
    let controls: HTMLElement | null = null;
    if (open) {
      const up = itemButton("Omhoog", item, () => void this.move(item, index - 1, "omhoog"), "subtle", "omhoog");
      const down = itemButton("Omlaag", item, () => void this.move(item, index + 1, "omlaag"), "subtle", "omlaag");
      up.disabled = index === 0;
      down.disabled = index === count - 1;
      const place = h("div", { attrs: { hidden: true } });
      const remove: HTMLButtonElement = itemButton("Verwijderen", item, () =>
        confirmInPlace(place, `${item.caseReference ?? ""} van de agenda halen?`, "Ja, van de agenda halen", remove, async () => {
          await this.edit("EditAgenda", { meetingId: m.meetingId, edit: "EDIT_REMOVE", itemId: item.itemId }, `${item.caseReference ?? ""} is van de agenda gehaald.`, "#agenda-titel");
        }), "subtle", "verwijderen");
      controls = h(
        "div",
        {},
        h(
          "div",
          { class: "utrecht-button-group hartslag-meeting-item__controls" },
          itemButton(item.decision ? "Besluit wijzigen" : "Bespreken", item, () => this.discuss(item), "secondary", "bespreken"),
          up,
          down,
          remove,
        ),
        place,
      );
    }
    const li = h(
      "li",
      { class: "hartslag-card hartslag-meeting-item", attrs: { "data-item-id": item.itemId, "data-case-id": item.caseId, tabindex: "-1", draggable: open ? "true" : undefined } },
      h(
        "h3",
        { class: "utrecht-heading-3 hartslag-meeting-item__title" },
        h("span", { class: "hartslag-meeting-item__number" }, `${index + 1}. `),
        `${item.caseReference ?? ""} ${item.caseTitle ?? ""}`.trim(),
      ),
      h(
        "p",
        { class: "utrecht-paragraph hartslag-meeting-reasons" },
        "Op de agenda: ",
        (item.reasons ?? []).map((r, i) => [i ? " " : "", statusBadge(agendaReason[r] ?? r, r === "AGENDA_REASON_OVERDUE_ACTIONS" ? "warning" : "neutral")]).flat(),
      ),
      item.decision
        ? dataList([
            ["Besluit", h("span", { class: "hartslag-text" }, item.decision)],
            ["Toelichting", item.rationale ? h("span", { class: "hartslag-text" }, item.rationale) : ""],
          ])
        : null,
      (item.actions ?? []).length
        ? h(
            "ul",
            { class: "utrecht-unordered-list hartslag-meeting-actions", attrs: { "aria-label": `Acties bij ${item.caseReference ?? ""}` } },
            (item.actions ?? []).map((a) => h("li", {}, `${a.description ?? ""} — ${(a.organisationIds ?? []).map((o) => nameOf(this.names, o)).join(", ")}, uiterlijk ${formatDate(a.dueDate)}`)),
          )
        : null,
      corrections.length ? h("ul", { class: "hartslag-meeting-corrections", attrs: { "aria-label": `Correcties bij ${item.caseReference ?? ""}` } }, corrections.map((c) => correctionItem(c, this.names))) : null,
      controls,
    );
    if (open) {
      li.addEventListener("dragstart", (e) => {
        this.dragged = item.itemId;
        e.dataTransfer?.setData("text/plain", item.itemId);
        if (e.dataTransfer) e.dataTransfer.effectAllowed = "move";
      });
      li.addEventListener("dragover", (e) => {
        if (!this.dragged) return;
        e.preventDefault();
        li.classList.add("hartslag-meeting-item--drop");
      });
      li.addEventListener("dragleave", () => li.classList.remove("hartslag-meeting-item--drop"));
      li.addEventListener("drop", (e) => {
        e.preventDefault();
        const moved = (this.meeting.items ?? []).find((i) => i.itemId === this.dragged);
        this.dragged = "";
        if (moved && moved.itemId !== item.itemId) void this.move(moved, index, "omhoog");
      });
      li.addEventListener("dragend", () => (this.dragged = ""));
    }
    return li;
  }

  private discuss(item: AgendaItem): void {
    this.openItem = item.itemId;
    this.draw();
    const title = this.element.querySelector<HTMLElement>("#bespreking-titel");
    title?.focus();
  }

  private draw(): void {
    const m = this.meeting;
    const items = m.items ?? [];
    const closed = isClosed(m);
    const steer = this.steering;
    const agendaControls: HTMLElement[] = [];
    if (steer && !closed) {
      agendaControls.push(
        h(
          "div",
          { class: "utrecht-button-group" },
          button("Agenda genereren", () => void this.edit("EditAgenda", { meetingId: m.meetingId, edit: "EDIT_GENERATE" }, "De agenda is aangevuld met de casussen die erop horen.", "#agenda-titel")),
        ),
        (this.addForm ??= this.addCaseForm()),
      );
    }
    const openItem = steer && !closed ? items.find((i) => i.itemId === this.openItem) : undefined;
    const whole = (m.corrections ?? []).filter((c) => !c.itemId);
    replaceChildren(
      this.header,
      this.viewAs
        ? h(
            "div",
            { class: "hartslag-meeting-partner-notice" },
            alertBox("warning", h("strong", {}, "Partnerweergave: "), `zo ziet ${nameOf(this.names, this.viewAs)} dit overleg. Alleen de punten die deze organisatie mag zien; de knoppen van de voorzitter zijn verborgen.`),
          )
        : null,
      heading(1, meetingName(m)),
      dataList([
        ["Datum", formatMeetingTime(m.startsAt)],
        ["Status", statusBadge(meetingStatus[m.status ?? ""] ?? "", closed ? "inactive" : "active")],
        ["Voorzitter", m.chair ?? ""],
        ["Organisaties", (m.participatingOrganisations ?? []).map((o) => nameOf(this.names, o)).join(", ")],
        ["Gesloten", formatTime(m.closedAt)],
        ["Notulen vastgesteld", formatTime(m.minutesApprovedAt)],
      ]),
    );
    replaceChildren(
      this.content,
      h(
        "section",
        { class: "hartslag-meeting-agenda", attrs: { "aria-labelledby": "agenda-titel" } },
        h("h2", { class: "utrecht-heading-2", attrs: { id: "agenda-titel", tabindex: "-1" } }, closed ? "Notulen" : "Agenda"),
        agendaControls,
        steer && !closed && items.length > 1 ? paragraph("Volgorde wijzigen: sleep een punt, of gebruik de knoppen Omhoog en Omlaag.") : null,
        items.length
          ? h("ol", { class: "hartslag-cards hartslag-meeting-items", attrs: { "aria-labelledby": "agenda-titel" } }, items.map((item, i) => this.itemElement(item, i, items.length)))
          : paragraph(this.viewAs ? "Op de agenda staat geen punt dat deze organisatie mag zien." : "Er staat nog niets op de agenda."),
      ),
      openItem ? this.panelFor(openItem) : null,
      attendanceSection(m, this.names, steer, this.edit),
      whole.length || closed
        ? h(
            "section",
            { class: "hartslag-meeting-whole-corrections", attrs: { "aria-labelledby": "correcties-titel" } },
            heading(2, "Correcties op de notulen", "correcties-titel"),
            whole.length ? h("ul", { class: "hartslag-meeting-corrections" }, whole.map((c) => correctionItem(c, this.names))) : paragraph("Geen correcties op de notulen als geheel."),
          )
        : null,
      steer && closed ? correctionForm(m, this.edit) : null,
      steer && !closed ? closeSection(m, this.edit) : null,
      steer ? (this.approval ??= approvalSection(m, this.app.announce)) : null,
    );
  }

  private panelFor(item: AgendaItem): HTMLElement {
    if (this.panel?.itemId === item.itemId) return this.panel.element;
    const done = () => {
      this.openItem = "";
      this.panel = null;
    };
    const element = discussionPanel(this.meeting, item, this.names, (answer) => {
      const ref = item.caseReference ?? "";
      this.meeting = answer;
      done();
      this.draw();
      this.message.show("ok", `Het besluit over ${ref} is vastgelegd.`);
      this.app.announce(`Het besluit over ${ref} is vastgelegd.`);
      this.element.querySelector<HTMLElement>(`li[data-item-id="${item.itemId}"]`)?.focus();
    }, () => {
      done();
      this.draw();
      this.element.querySelector<HTMLElement>(`li[data-item-id="${item.itemId}"] button[data-control='bespreken']`)?.focus();
    });
    element.querySelector("#bespreking-titel")?.setAttribute("tabindex", "-1");
    this.panel = { itemId: item.itemId, element };
    return element;
  }

  private addCaseForm(): HTMLElement {
    const m = this.meeting;
    const picker = new Field("Casus", select([["", "Kies een casus"]], { name: "casus" }));
    type Listed = { caseId: string; reference?: string; title?: string; status?: string };
    const pager = new Pager<Listed>(
      "Meer casussen",
      async (pageToken) => {
        const page = await call<{ cases?: Listed[]; nextPageToken?: string }>(
          "hartslag.cases.v1.CaseService/ListCases",
          { kind: m.kind, areaId: m.area?.areaId, pageSize: 50, pageToken },
          Purpose.meetingPreparation,
        );
        return { items: page.cases ?? [], nextPageToken: page.nextPageToken ?? "" };
      },
      (cases) => {
        picker.showError(null);
        picker.control.append(
          ...cases.map((c) => h("option", { attrs: { value: c.caseId } }, `${c.reference ?? ""} ${c.title ?? ""}`.trim() + (caseStatus[c.status ?? ""] ? ` (${caseStatus[c.status ?? ""]})` : ""))),
        );
        // After "Meer casussen" the focus goes to the picker, where the new cases are.
        return [picker.element];
      },
      (error) => picker.showError(errorText(error, "De casussen laden lukte niet.")),
    );
    void pager.restart();
    return h(
      "form",
      {
        class: "hartslag-form hartslag-meeting-add",
        attrs: { novalidate: true, "aria-label": "Casus op de agenda zetten" },
        on: {
          submit: (event) => {
            event.preventDefault();
            picker.showError(picker.value ? null : "Kies een casus.");
            if (!picker.value) return picker.focus();
            void this.edit("EditAgenda", { meetingId: m.meetingId, edit: "EDIT_ADD", caseId: picker.value }, "De casus staat op de agenda.", "#agenda-titel", (fields) => picker.showError(fields.case_id ?? null));
          },
        },
      },
      h("div", { class: "hartslag-row hartslag-meeting-add__row" }, picker.element, h("div", { class: "utrecht-button-group" }, button("Op de agenda zetten", undefined, "secondary", "submit"), pager.more)),
    );
  }
}

export async function meetingBoardScreen(app: App, meetingId: string): Promise<Screen> {
  const names = await organisationNames();
  let meeting: Meeting;
  try {
    meeting = await call<Meeting>(meetingMethod("GetMeeting"), { meetingId }, Purpose.meeting);
  } catch (error) {
    if (error instanceof ApiError && error.httpStatus === 404) {
      return { title: "Overleg", element: h("div", {}, heading(1, "Overleg niet gevonden"), paragraph("Dit overleg bestaat niet, of u mag het niet zien.")) };
    }
    throw error;
  }
  const board = new Board(app, meeting, names);
  // Wide: the case summary stands beside the decision form.
  return { title: `${meetingName(meeting)}, ${formatMeetingTime(meeting.startsAt)}`, element: board.element, leave: () => board.leave(), wide: true };
}
