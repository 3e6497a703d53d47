// "Overleggen": the coming Leefbaarheids- and Casuïstiekoverleggen of the
// coordinator's areas, a page at a time, each opening its board; and a
// small form to schedule one meeting or a weekly series.
import { ApiError, call, newRequestId } from "../api";
import type { App, Screen } from "../app";
import { button, ChoiceGroup, dataList, errorText, Field, heading, MessageSlot, paragraph, select, statusBadge, textbox } from "../components";
import { h, replaceChildren } from "../dom";
import { caseKind, formatMeetingTime, meetingStatus } from "../labels";
import { type Meeting, isClosed, meetingMethod, meetingName } from "./meeting_common";
import { nameOf, organisationNames } from "../directory";
import { Pager } from "../pager";

const kPageSize = 20;
// Meetings of today that already began are still worked on (closed,
// corrected), so the list starts at the beginning of the day.
function startOfToday(): string {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  return d.toISOString();
}

function meetingCard(m: Meeting, names: Map<string, string>): HTMLLIElement {
  return h(
    "li",
    { class: "hartslag-card hartslag-meeting-card", attrs: { "data-meeting-id": m.meetingId } },
    h("h2", { class: "utrecht-heading-3" }, h("a", { class: "utrecht-link", attrs: { href: `#/overleg/${m.meetingId}` } }, `${meetingName(m)}, ${formatMeetingTime(m.startsAt)}`)),
    dataList([
      ["Status", statusBadge(meetingStatus[m.status ?? ""] ?? "", isClosed(m) ? "inactive" : "active")],
      ["Organisaties", (m.participatingOrganisations ?? []).map((o) => nameOf(names, o)).join(", ")],
    ]),
  );
}

export async function meetingsScreen(app: App): Promise<Screen> {
  const names = await organisationNames();
  const list = h("ol", { class: "hartslag-cards", attrs: { "aria-labelledby": "overleggen-titel" } });
  const message = new MessageSlot();
  const from = startOfToday();
  // The furthest the service looks ahead at once: a year.
  const to = new Date(Date.parse(from) + 365 * 86_400_000).toISOString();
  const pager = new Pager<Meeting>(
    "Meer overleggen",
    async (pageToken) => {
      const page = await call<{ meetings?: Meeting[]; nextPageToken?: string }>(meetingMethod("ListMeetings"), { from, to, pageSize: kPageSize, pageToken });
      return { items: page.meetings ?? [], nextPageToken: page.nextPageToken ?? "" };
    },
    (meetings, first) => {
      message.clear();
      const cards = meetings.map((m) => meetingCard(m, names));
      if (first) replaceChildren(list, ...cards);
      else list.append(...cards);
      return cards;
    },
    (error) => message.show("error", errorText(error, "Laden lukte niet.")),
  );
  await pager.restart();

  // The list read anew, so that new meetings stand where their date puts
  // them; the focus goes to the first of them (paging on to it if needed).
  const showScheduled = async (meetings: Meeting[]) => {
    const first = [...meetings].sort((a, b) => Date.parse(a.startsAt ?? "") - Date.parse(b.startsAt ?? ""))[0];
    await pager.restart();
    if (!first) return;
    const card = () => list.querySelector<HTMLElement>(`[data-meeting-id="${first.meetingId}"]`);
    while (!card() && pager.hasMore) {
      const before = list.childElementCount;
      await pager.next();
      if (list.childElementCount === before) break; // the page failed; its message says so
    }
    card()?.querySelector<HTMLElement>("a")?.focus();
  };

  const element = h(
    "div",
    { class: "hartslag-meetings" },
    heading(1, "Overleggen", "overleggen-titel"),
    paragraph("De komende overleggen van uw gebieden. Open een overleg voor de agenda, de besluiten en de notulen."),
    message.element,
    list,
    h("p", { class: "utrecht-paragraph hartslag-empty" }, "Er zijn geen komende overleggen."),
    pager.more,
    scheduleForm(app, names, showScheduled),
  );
  return { title: "Overleggen", element };
}

function scheduleForm(app: App, names: Map<string, string>, scheduled: (meetings: Meeting[]) => Promise<void>): HTMLElement {
  const kind = new Field("Soort overleg", select(Object.entries(caseKind), { name: "soort" }));
  const area = new Field("Gebied", select((app.session.areas ?? []).map((a) => [a, a]), { name: "gebied" }));
  const day = new Field("Datum", textbox({ type: "date", name: "datum" }, "hartslag-width-10"));
  const time = new Field("Tijd", textbox({ type: "time", name: "tijd", value: "14:00" }, "hartslag-width-8"));
  const weeks = new Field("Aantal weken", textbox({ type: "number", name: "weken", min: "1", max: "52", value: "1", inputmode: "numeric" }, "hartslag-width-8"), "1 voor één overleg; meer voor een wekelijkse reeks.");
  const organisations = new ChoiceGroup("Deelnemende organisaties", "checkbox", [...names.entries()]);
  const message = new MessageSlot();
  const submit = button("Overleg plannen", undefined, "primary", "submit");
  let requestId = newRequestId();
  const form: HTMLFormElement = h(
    "form",
    {
      class: "hartslag-form",
      attrs: { novalidate: true, "aria-labelledby": "overleg-plannen" },
      on: {
        input: () => (requestId = newRequestId()),
        submit: async (event) => {
          event.preventDefault();
          day.showError(day.value ? null : "Kies de datum.");
          time.showError(time.value ? null : "Kies de tijd.");
          if (!day.value || !time.value) return (day.value ? time : day).focus();
          submit.disabled = true;
          try {
            const answer = await call<{ meetings?: Meeting[] }>(meetingMethod("ScheduleMeetings"), {
              requestId,
              kind: kind.value,
              areaId: area.value,
              startsAt: new Date(`${day.value}T${time.value}`).toISOString(),
              participatingOrganisations: organisations.checked,
              weeks: Number(weeks.value || "1"),
            });
            const meetings = answer.meetings ?? [];
            requestId = newRequestId();
            const text = meetings.length === 1 ? "Het overleg is gepland." : `${meetings.length} overleggen zijn gepland.`;
            message.show("ok", text);
            app.announce(text);
            await scheduled(meetings);
          } catch (error) {
            if (error instanceof ApiError) {
              area.showError(error.fields.area_id ?? null);
              day.showError(error.fields.starts_at ?? null);
              weeks.showError(error.fields.weeks ?? null);
              organisations.showError(error.fields.participating_organisations ?? null);
            }
            message.show("error", errorText(error, "Plannen lukte niet."));
          } finally {
            submit.disabled = false;
          }
        },
      },
    },
    h("h2", { class: "utrecht-heading-2", attrs: { id: "overleg-plannen" } }, "Overleg plannen"),
    message.element,
    kind.element,
    area.element,
    h("div", { class: "hartslag-row" }, day.element, time.element, weeks.element),
    organisations.element,
    h("div", { class: "utrecht-button-group" }, submit),
  );
  return h("section", { class: "hartslag-meeting-schedule" }, form);
}
