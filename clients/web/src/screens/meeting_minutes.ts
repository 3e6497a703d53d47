// What makes the minutes: who attended, closing the meeting, corrections to
// closed minutes, and approving (vaststellen) the previous meeting's
// minutes in this one.
import { ApiError, call, newRequestId } from "../api";
import { button, confirmInPlace, errorText, Field, heading, MessageSlot, paragraph, select, textarea, textbox } from "../components";
import { h, replaceChildren } from "../dom";
import { formatMeetingTime, formatTime } from "../labels";
import { type Attendee, type Correction, type Meeting, isClosed, meetingMethod } from "./meeting_common";
import { nameOf } from "../directory";

// Sends a steering call whose answer is the whole meeting, and shows it;
// `focus` names what takes the focus afterwards; `refused` gets the
// service's Dutch sentence per bad field, to show beside the field.
export type Edit = (method: string, request: object, done: string, focus?: string, refused?: (fields: Record<string, string>) => void) => Promise<boolean>;

export function correctionItem(c: Correction, names: Map<string, string>): HTMLLIElement {
  return h(
    "li",
    { class: "hartslag-meeting-correction" },
    h("p", { class: "utrecht-paragraph hartslag-text" }, c.text ?? ""),
    h("p", { class: "utrecht-paragraph utrecht-paragraph--small" }, `Correctie van ${c.author?.userId ?? ""} (${nameOf(names, c.author?.organisationId)}), ${formatTime(c.at)}`),
  );
}

export function attendanceSection(meeting: Meeting, names: Map<string, string>, steering: boolean, edit: Edit): HTMLElement {
  const attendees = meeting.attendees ?? [];
  const canEdit = steering && !isClosed(meeting);
  const send = (list: Attendee[], done: string, refused?: (fields: Record<string, string>) => void) =>
    edit("SetAttendance", { meetingId: meeting.meetingId, attendees: list.map((a) => ({ name: a.name, organisationId: a.organisationId })) }, done, "#aanwezige-naam", refused);
  const list = h(
    "ul",
    { class: "utrecht-unordered-list hartslag-meeting-attendees" },
    attendees.map((a, i) =>
      h(
        "li",
        {},
        `${a.name ?? ""} (${a.organisationName || nameOf(names, a.organisationId)})`,
        canEdit ? button("Weghalen", () => void send(attendees.filter((_, j) => j !== i), `${a.name ?? ""} is van de lijst gehaald.`), "subtle") : null,
      ),
    ),
  );
  // The remove buttons need the name for who hears them out of context.
  list.querySelectorAll("button").forEach((b, i) => b.append(h("span", { class: "hartslag-visually-hidden" }, ` ${attendees[i]?.name ?? ""}`)));
  let form: HTMLElement | null = null;
  if (canEdit) {
    const name = new Field("Naam", textbox({ id: "aanwezige-naam", maxlength: "200", autocomplete: "off" }));
    const organisation = new Field("Organisatie", select([["", "Kies de organisatie"], ...[...names.entries()]]));
    form = h(
      "form",
      {
        class: "hartslag-form hartslag-meeting-attendance-form",
        attrs: { novalidate: true, "aria-label": "Aanwezige toevoegen" },
        on: {
          submit: async (event) => {
            event.preventDefault();
            name.showError(name.value ? null : "Vul de naam in.");
            organisation.showError(organisation.value ? null : "Kies de organisatie.");
            if (!name.value) return name.focus();
            if (!organisation.value) return organisation.focus();
            const last = `attendees[${attendees.length}]`;
            await send([...attendees, { name: name.value, organisationId: organisation.value }], `${name.value} staat op de presentielijst.`, (fields) => {
              name.showError(fields[`${last}.name`] ?? null);
              organisation.showError(fields[`${last}.organisation_id`] ?? null);
            });
          },
        },
      },
      h("div", { class: "hartslag-row" }, name.element, organisation.element),
      h("div", { class: "utrecht-button-group" }, button("Aanwezige toevoegen", undefined, "secondary", "submit")),
    );
  }
  return h(
    "section",
    { class: "hartslag-meeting-attendance", attrs: { "aria-labelledby": "aanwezig-titel" } },
    heading(2, "Aanwezig", "aanwezig-titel"),
    attendees.length ? list : paragraph("Nog niemand op de presentielijst."),
    form,
  );
}

// "Overleg sluiten", asked once more in the page: closing fixes the minutes.
export function closeSection(meeting: Meeting, edit: Edit): HTMLElement {
  const place = h("div", { attrs: { hidden: true } });
  const close: HTMLButtonElement = button("Overleg sluiten", () =>
    confirmInPlace(place, "Na het sluiten liggen de notulen vast; daarna zijn alleen correcties mogelijk. Overleg sluiten?", "Ja, overleg sluiten", close, async () => {
      await edit("CloseMeeting", { meetingId: meeting.meetingId }, "Het overleg is gesloten; de notulen liggen vast.", "#agenda-titel");
    }),
  "secondary");
  return h("div", { class: "hartslag-meeting-close" }, h("div", { class: "utrecht-button-group" }, close), place);
}

export function correctionForm(meeting: Meeting, edit: Edit): HTMLElement {
  const about = new Field("Correctie op", select([["", "De notulen als geheel"], ...(meeting.items ?? []).map((i): [string, string] => [i.itemId, `${i.caseReference ?? ""} ${i.caseTitle ?? ""}`.trim()])]));
  const text = new Field("Correctie", textarea({ rows: "3", maxlength: "2000" }));
  let requestId = newRequestId();
  const form = h(
    "form",
    {
      class: "hartslag-form hartslag-meeting-correction-form",
      attrs: { novalidate: true, "aria-labelledby": "correctie-titel" },
      on: {
        input: () => (requestId = newRequestId()),
        submit: async (event) => {
          event.preventDefault();
          text.showError(text.value ? null : "Schrijf de correctie.");
          if (!text.value) return text.focus();
          const ok = await edit("CorrectMinutes", { requestId, meetingId: meeting.meetingId, itemId: about.value, text: text.value }, "De correctie is toegevoegd.", "#correctie-titel", (fields) => {
            about.showError(fields.item_id ?? null);
            text.showError(fields.text ?? null);
          });
          if (ok) requestId = newRequestId();
        },
      },
    },
    h("h2", { class: "utrecht-heading-2", attrs: { id: "correctie-titel", tabindex: "-1" } }, "Correctie toevoegen"),
    about.element,
    text.element,
    h("div", { class: "utrecht-button-group" }, button("Correctie toevoegen", undefined, "primary", "submit")),
  );
  return form;
}

// The previous closed meeting of the same kind and area, found among the
// meetings of the year before this one, with its minutes to approve here.
export function approvalSection(meeting: Meeting, announce: (text: string) => void): HTMLElement {
  const section = h("section", { class: "hartslag-meeting-approval", attrs: { "aria-labelledby": "vaststellen-titel" } }, heading(2, "Notulen van het vorige overleg", "vaststellen-titel"));
  const body = h("div", {}, paragraph("Het vorige overleg wordt gezocht…"));
  const message = new MessageSlot();
  section.append(message.element, body);
  const show = (previous: Meeting | null) => {
    if (!previous) return replaceChildren(body, paragraph("Er is geen eerder gesloten overleg van deze soort en dit gebied."));
    const when = formatMeetingTime(previous.startsAt);
    if (previous.minutesApprovedAt) {
      return replaceChildren(body, paragraph(`De notulen van het overleg van ${when} zijn vastgesteld op ${formatTime(previous.minutesApprovedAt)}.`));
    }
    const approve = button("Notulen vaststellen", async () => {
      approve.disabled = true;
      try {
        const approved = await call<Meeting>(meetingMethod("ApproveMinutes"), { meetingId: previous.meetingId, approvedInMeetingId: meeting.meetingId });
        show(approved);
        message.show("ok", `De notulen van het overleg van ${when} zijn vastgesteld.`);
        announce(`De notulen van het overleg van ${when} zijn vastgesteld.`);
        section.querySelector<HTMLElement>("h2")?.focus();
      } catch (error) {
        approve.disabled = false;
        message.show("error", errorText(error, "Vaststellen lukte niet."));
      }
    });
    approve.append(h("span", { class: "hartslag-visually-hidden" }, ` van ${when}`));
    replaceChildren(body, paragraph(`De notulen van het overleg van ${when} zijn nog niet vastgesteld.`), h("div", { class: "utrecht-button-group" }, approve));
  };
  void (async () => {
    try {
      const to = meeting.startsAt ?? new Date().toISOString();
      const from = new Date(Date.parse(to) - 365 * 86_400_000).toISOString();
      let previous: Meeting | null = null;
      let pageToken = "";
      do {
        const page = await call<{ meetings?: Meeting[]; nextPageToken?: string }>(meetingMethod("ListMeetings"), { from, to, kind: meeting.kind, pageSize: 500, pageToken });
        for (const m of page.meetings ?? []) {
          if (m.meetingId !== meeting.meetingId && m.area?.areaId === meeting.area?.areaId && isClosed(m)) previous = m;
        }
        pageToken = page.nextPageToken ?? "";
      } while (pageToken);
      show(previous);
    } catch (error) {
      replaceChildren(body, paragraph(error instanceof ApiError ? error.message : "Het vorige overleg zoeken lukte niet."));
    }
  })();
  const title = section.querySelector("h2");
  title?.setAttribute("tabindex", "-1");
  return section;
}
