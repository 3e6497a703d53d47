// "Werkvoorraad": the coordinator's weekly weighing of the signals of its
// areas, oldest first, a page at a time (TriageService.GetTriageQueue). Each
// signal shows in full with the week's cut-off, the Meldcode where its
// category falls under it, and what it may belong to (open cases at the
// address or about its household, other signals there, the meeting its
// category proposes); beside it the decision (TriageSignal) with the text
// its reporter will read, prefilled from the category and editable.
import { ApiError, call, newRequestId } from "../api";
import type { App, Screen } from "../app";
import { ChoiceGroup, Field, MessageSlot, alertBox, button, dataList, errorText, heading, paragraph, statusBadge, textarea, textbox } from "../components";
import { append, h } from "../dom";
import { kSignalService } from "../intake";
import { caseKind, caseStatus, formatAddress, formatTime, formatWeekdayDateTime, formatWeekdayTime, source, triageChoice, urgencyShort } from "../labels";
import { Pager } from "../pager";
import { answerList, attachmentList } from "./my_signals";
import { Purpose } from "../purposes";
import { nameOf, organisationNames } from "../directory";
import type { CaseListItem } from "./case_model";
import type { Signal } from "./signal_model";

const kTriage = "hartslag.cases.v1.TriageService";
const kPageSize = 10;
const kNewCase = "nieuw";

interface TriageItem {
  signal: Signal;
  beforeCutOff?: boolean;
  meldcode?: boolean;
  casesAtAddress?: CaseListItem[];
  signalsAtAddress?: string[];
  casesWithPersons?: CaseListItem[];
  proposedKind?: string;
}

interface TriageQueue {
  items?: TriageItem[];
  cutOff?: string;
  nextPageToken?: string;
}

interface TriageDecision {
  decisionId: string;
  choice?: string;
  caseId?: string;
  feedback?: string;
}

const choiceLabel = new Map(triageChoice);

// The reporter's status that follows from a choice; its standard text is
// the category's for that status.
const outcomeOf: Record<string, string> = {
  TRIAGE_CHOICE_HANDLE_DIRECTLY: "SIGNAL_STATUS_ACCEPTED",
  TRIAGE_CHOICE_LEEFBAARHEID: "SIGNAL_STATUS_ACCEPTED",
  TRIAGE_CHOICE_CASUISTIEK: "SIGNAL_STATUS_ACCEPTED",
  TRIAGE_CHOICE_REFER: "SIGNAL_STATUS_REFERRED",
  TRIAGE_CHOICE_NO_ACTION: "SIGNAL_STATUS_NO_ACTION",
};

// What the reporter reads unless the coordinator changes it: the category's
// standard text for the outcome, else the one the cases service would give.
function standardFeedback(signal: Signal, choice: string, referTo: string): string {
  const own = signal.standardFeedback?.find((f) => f.outcome === outcomeOf[choice] && f.text)?.text;
  if (own) return own;
  switch (choice) {
    case "TRIAGE_CHOICE_HANDLE_DIRECTLY": return "Uw signaal is opgepakt en wordt direct afgehandeld.";
    case "TRIAGE_CHOICE_LEEFBAARHEID": return "Uw signaal is opgepakt en wordt besproken in het Leefbaarheidsoverleg.";
    case "TRIAGE_CHOICE_CASUISTIEK": return "Uw signaal is opgepakt en wordt besproken in het Casuïstiekoverleg.";
    case "TRIAGE_CHOICE_REFER": return `Uw signaal is doorgezet naar ${referTo}.`;
    default: return "Uw signaal is gewogen; er volgt geen actie.";
  }
}

const meetingOfChoice: Record<string, string> = {
  TRIAGE_CHOICE_LEEFBAARHEID: "CASE_KIND_LEEFBAARHEID",
  TRIAGE_CHOICE_CASUISTIEK: "CASE_KIND_CASUISTIEK",
};

function caseText(c: CaseListItem): string {
  return [c.reference, c.title].filter(Boolean).join(" ");
}

function caseLine(c: CaseListItem): HTMLLIElement {
  return h(
    "li",
    { attrs: { "data-case-id": c.caseId } },
    h("a", { class: "utrecht-link", attrs: { href: `#/casus/${encodeURIComponent(c.caseId)}` } }, caseText(c)),
    ` · ${caseKind[c.kind ?? ""] ?? ""} · ${caseStatus[c.status ?? ""] ?? ""}`,
    c.area?.name ? ` · ${c.area.name}` : "",
  );
}

function meldcodeBox(): HTMLDivElement {
  return alertBox(
    "warning",
    h("p", { class: "utrecht-paragraph hartslag-triage-meldcode__title" }, h("strong", {}, "Meldcode huiselijk geweld en kindermishandeling: overweeg een melding bij Veilig Thuis")),
    h(
      "ol",
      { class: "utrecht-ordered-list hartslag-triage-meldcode__steps" },
      h("li", {}, "Breng de signalen in kaart."),
      h("li", {}, "Overleg met een collega en raadpleeg zo nodig Veilig Thuis (0800-2000)."),
      h("li", {}, "Ga in gesprek met de betrokkene(n)."),
      h("li", {}, "Weeg aan de hand van het afwegingskader het geweld of de kindermishandeling."),
      h("li", {}, "Beslis: is melden bij Veilig Thuis noodzakelijk, en is hulp verlenen of organiseren (ook) mogelijk?"),
    ),
    paragraph("Bij acute of structurele onveiligheid: altijd melden bij Veilig Thuis."),
  );
}

export async function triageScreen(app: App): Promise<Screen> {
  const [categories, organisations] = await Promise.all([
    call<{ categories?: { categoryId: string; label: string }[] }>(`${kSignalService}/ListCategories`, {}).catch(() => ({ categories: [] })),
    organisationNames(),
  ]);
  const categoryLabel = new Map((categories.categories ?? []).map((c) => [c.categoryId, c.label]));
  const sourceLabel = new Map(source);
  // The week's cut-off, as the first page says.
  let cutOffShort = "";
  const cutOffText = h("span", { attrs: { "data-testid": "afsluiting" } });
  // References of the signals on screen, to name the other signals at an
  // address by their reference where the queue holds them.
  const references = new Map<string, string>();

  const list = h("ol", { class: "hartslag-cards hartslag-triage-list", attrs: { "aria-labelledby": "werkvoorraad-titel" } });
  const empty = paragraph("Er wachten geen signalen op weging.");
  empty.classList.add("hartslag-empty");
  const message = new MessageSlot();
  const listHeading = heading(1, "Werkvoorraad", "werkvoorraad-titel");
  listHeading.tabIndex = -1;

  const card = (item: TriageItem): HTMLLIElement => {
    const s = item.signal;
    const category = categoryLabel.get(s.categoryId ?? "") ?? s.categoryId ?? "";
    const titleId = `signaal-${s.signalId}`;
    const title = h("h2", { class: "utrecht-heading-3", attrs: { id: titleId, tabindex: "-1" } }, `${s.reference ?? ""} · ${category}`);
    const address = formatAddress(s.location?.address);

    // What the signal is.
    const reporter = s.reporter ? `${s.reporter.userId ?? ""} (${nameOf(organisations, s.reporter.organisationId)})` : "";
    const deadline = h(
      "span",
      {},
      s.late ? statusBadge("Te laat", "danger") : s.overdue ? statusBadge("Over de termijn", "warning") : null,
      s.late || s.overdue ? " " : null,
      `wegen uiterlijk ${formatTime(s.dueAt)}`,
      s.lateAt ? `; te laat na ${formatTime(s.lateAt)}` : "",
    );
    const signalPart = h(
      "div",
      { class: "hartslag-triage-item__signal" },
      dataList([
        ["Ontvangen", formatTime(s.reportedAt)],
        ["Gezien", formatTime(s.observedAt)],
        ["Gebied", s.area?.name ?? s.area?.areaId ?? ""],
        ["Adres", address],
        ["Urgentie", urgencyShort[s.urgency ?? ""] ?? ""],
        ["Bron", sourceLabel.get(s.source ?? "") ?? ""],
        ["Gemeld door", reporter],
        ["Termijn", deadline],
      ]),
      s.description ? h("p", { class: "utrecht-paragraph hartslag-text" }, s.description) : null,
      s.persons?.length
        ? h(
            "div",
            {},
            h("h3", { class: "utrecht-heading-4" }, "Betrokken personen"),
            h("ul", { class: "utrecht-unordered-list" }, s.persons.map((p) => h("li", {}, `${p.name ?? ""}${p.birthYear ? ` (${p.birthYear})` : ""}${p.role ? `, ${p.role}` : ""}`))),
          )
        : null,
      s.answers?.length ? answerList(s.answers) : null,
      s.attachments?.length ? attachmentList(s.attachments, Purpose.triage) : null,
    );

    // What it may belong to.
    const others = (item.signalsAtAddress ?? []).map((id) => references.get(id) ?? "een eerder signaal");
    const proposals = h(
      "div",
      { class: "hartslag-triage-item__proposals" },
      h("h3", { class: "utrecht-heading-4" }, "Voorstellen"),
      item.proposedKind && caseKind[item.proposedKind]
        ? h("p", { class: "utrecht-paragraph", attrs: { "data-testid": "voorstel-overleg" } }, statusBadge("Voorstel", "active"), ` ${caseKind[item.proposedKind]} (volgens de categorie)`)
        : null,
      item.casesAtAddress?.length
        ? h("div", { attrs: { "data-testid": "casussen-op-adres" } }, h("p", { class: "utrecht-paragraph" }, "Open casussen op dit adres:"), h("ul", { class: "utrecht-unordered-list" }, item.casesAtAddress.map(caseLine)))
        : null,
      item.casesWithPersons?.length
        ? h("div", { attrs: { "data-testid": "casussen-huishouden" } }, h("p", { class: "utrecht-paragraph" }, "Open casussen over dezelfde personen (huishouden):"), h("ul", { class: "utrecht-unordered-list" }, item.casesWithPersons.map(caseLine)))
        : null,
      others.length ? paragraph(`Andere signalen op dit adres: ${others.join(", ")}.`) : null,
      !item.casesAtAddress?.length && !item.casesWithPersons?.length && !others.length ? paragraph("Geen open casussen of andere signalen op dit adres.") : null,
    );

    // The decision.
    const choice = new ChoiceGroup("Wat gebeurt er met dit signaal?", "radio", triageChoice, undefined, true);
    const proposed = new Map<string, CaseListItem>();
    for (const c of [...(item.casesAtAddress ?? []), ...(item.casesWithPersons ?? [])]) proposed.set(c.caseId, c);
    // The case choices of each meeting: its proposed cases, or a new one.
    const caseGroups = new Map<string, ChoiceGroup>();
    for (const [choiceValue, kind] of Object.entries(meetingOfChoice)) {
      const options: [string, string][] = [...proposed.values()].filter((c) => c.kind === kind).map((c) => [c.caseId, `Koppelen aan ${caseText(c)}`]);
      options.push([kNewCase, "Nieuwe casus openen"]);
      const group = new ChoiceGroup(`Casus voor het ${caseKind[kind]}`, "radio", options);
      if (options.length === 1) group.check([kNewCase]);
      group.element.hidden = true;
      caseGroups.set(choiceValue, group);
    }
    const newTitle = new Field("Titel van de nieuwe casus", textbox({ maxlength: "200", name: "titel" }));
    newTitle.control.value = `${category}: ${[s.location?.address?.street, `${s.location?.address?.houseNumber ?? ""}${s.location?.address?.houseNumberAddition ?? ""}`].filter(Boolean).join(" ")}`.slice(0, 200);
    const referTo = new Field("Doorverwijzen naar", textbox({ maxlength: "200", name: "doorverwijzen-naar" }), "Bijvoorbeeld Veilig Thuis.");
    if (item.meldcode) referTo.control.value = "Veilig Thuis";
    const reason = new Field("Reden", textarea({ rows: "3", maxlength: "500", name: "reden" }), "Verplicht bij doorverwijzen en bij geen actie. De melder ziet de reden niet.");
    const feedback = new Field(
      "Terugkoppeling aan de melder",
      textarea({ rows: "3", maxlength: "500", name: "terugkoppeling" }),
      "De melder leest deze tekst. Schrijf geen inhoud van een casus; één regel, hoogstens 500 tekens.",
    );
    // The prefilled text, so that a text the coordinator wrote stays when
    // the choice changes and a prefilled one follows it.
    let prefilled = "";
    const prefill = () => {
      const chosen = choice.checked[0];
      if (!chosen) return;
      if (feedback.control.value === prefilled || feedback.control.value.trim() === "") {
        prefilled = standardFeedback(s, chosen, referTo.value);
        feedback.control.value = prefilled;
      }
    };
    const showFields = () => {
      const chosen = choice.checked[0] ?? "";
      for (const [value, group] of caseGroups) group.element.hidden = value !== chosen;
      const group = caseGroups.get(chosen);
      newTitle.element.hidden = !group || group.checked[0] !== kNewCase;
      referTo.element.hidden = chosen !== "TRIAGE_CHOICE_REFER";
      reason.element.hidden = !chosen;
      feedback.element.hidden = !chosen;
    };
    choice.element.addEventListener("change", () => {
      prefill();
      showFields();
    });
    for (const group of caseGroups.values()) group.element.addEventListener("change", showFields);
    referTo.control.addEventListener("input", prefill);
    showFields();

    const formMessage = new MessageSlot();
    const save = button("Besluit opslaan", undefined, "primary", "submit");
    // One request id per decision the coordinator means to take: a second
    // click after a lost answer decides nothing twice; any change is a new
    // decision.
    let requestId = newRequestId();
    const fields = { choice, case_id: null as ChoiceGroup | null, new_case_title: newTitle, refer_to: referTo, reason, feedback };
    const li = h("li", { class: "hartslag-card hartslag-triage-item", attrs: { "data-signal-id": s.signalId, "data-reference": s.reference ?? "" } });
    const form = h(
      "form",
      {
        class: "hartslag-form hartslag-triage-item__decision",
        attrs: { novalidate: true, "aria-label": `Besluit over ${s.reference ?? "dit signaal"}` },
        on: {
          input: () => (requestId = newRequestId()),
          change: () => (requestId = newRequestId()),
          submit: async (event) => {
            event.preventDefault();
            for (const f of [choice, newTitle, referTo, reason, feedback, ...caseGroups.values()]) f.showError(null);
            formMessage.clear();
            const chosen = choice.checked[0];
            if (!chosen) {
              choice.showError("Kies wat er met het signaal gebeurt.");
              choice.focus();
              return;
            }
            const group = caseGroups.get(chosen);
            const linked = group?.checked[0];
            if (group && !linked) {
              group.showError("Kies een voorgestelde casus of open een nieuwe.");
              group.focus();
              return;
            }
            fields.case_id = group ?? null;
            const request: Record<string, unknown> = { requestId, signalId: s.signalId, choice: chosen, reason: reason.value, feedback: feedback.value };
            if (group && linked !== kNewCase) request.caseId = linked;
            if (group && linked === kNewCase) request.newCaseTitle = newTitle.value;
            if (chosen === "TRIAGE_CHOICE_REFER") request.referTo = referTo.value;
            save.disabled = true;
            try {
              const decision = await call<TriageDecision>(`${kTriage}/TriageSignal`, request);
              decided(li, s, decision);
            } catch (error) {
              const refusal = error instanceof ApiError ? error : null;
              let first: { focus(): void } | null = null;
              for (const [name, field] of Object.entries(fields)) {
                const text = refusal?.fields[name] ?? null;
                field?.showError(text);
                if (text && !first) first = field;
              }
              formMessage.show("error", refusal ? refusal.message : "Opslaan lukte niet.");
              first?.focus();
            } finally {
              save.disabled = false;
            }
          },
        },
      },
      h("h3", { class: "utrecht-heading-4" }, "Besluit"),
      formMessage.element,
      choice.element,
      [...caseGroups.values()].map((g) => g.element),
      newTitle.element,
      referTo.element,
      reason.element,
      feedback.element,
      h("div", { class: "utrecht-button-group" }, save),
    );

    const timing = item.beforeCutOff
      ? statusBadge(`Vóór de afsluiting van ${cutOffShort}`, "warning")
      : statusBadge(`Na de afsluiting van ${cutOffShort}`, "neutral");
    append(
      li,
      [
        title,
        h("p", { class: "utrecht-paragraph" }, timing, " ", item.beforeCutOff ? "Wegen vóór het overleg van deze week." : "Kan naar het overleg van volgende week."),
        item.meldcode ? meldcodeBox() : null,
        h("div", { class: "hartslag-triage-item__body" }, signalPart, h("div", { class: "hartslag-triage-item__side" }, proposals, form)),
      ],
    );
    return li;
  };

  // A decided signal leaves the list; the focus goes to the next one (or
  // the one before, or the list's heading when none is left).
  const decided = (li: HTMLLIElement, s: Signal, decision: TriageDecision) => {
    const next = (li.nextElementSibling ?? li.previousElementSibling) as HTMLElement | null;
    li.remove();
    const text = `Besluit over ${s.reference ?? "het signaal"} opgeslagen: ${choiceLabel.get(decision.choice ?? "") ?? ""}.`;
    message.show("ok", text);
    app.announce(text);
    empty.hidden = list.childElementCount > 0 || pager.hasMore;
    (next?.querySelector<HTMLElement>("h2") ?? listHeading).focus();
  };

  // Each further page of the queue below the last; a signal already on
  // screen (the queue moved while the coordinator weighed) is not shown
  // twice. The focus goes to the first new signal's heading.
  const moreMessage = new MessageSlot();
  const pager = new Pager<TriageItem>(
    "Meer signalen laden",
    async (pageToken) => {
      const page = await call<TriageQueue>(`${kTriage}/GetTriageQueue`, { pageSize: kPageSize, pageToken: pageToken || undefined }, Purpose.triage);
      if (!pageToken && page.cutOff) {
        cutOffShort = formatWeekdayTime(page.cutOff);
        cutOffText.textContent = `Afsluiting van deze week: ${formatWeekdayDateTime(page.cutOff)}. Signalen van vóór de afsluiting weegt u vóór het overleg van deze week.`;
      }
      return { items: page.items ?? [], nextPageToken: page.nextPageToken ?? "" };
    },
    (items) => {
      for (const item of items) {
        if (item.signal?.reference) references.set(item.signal.signalId, item.signal.reference);
      }
      const titles: HTMLElement[] = [];
      for (const item of items) {
        if (!item.signal || list.querySelector(`[data-signal-id="${CSS.escape(item.signal.signalId)}"]`)) continue;
        const li = card(item);
        list.append(li);
        titles.push(li.querySelector("h2") as HTMLElement);
      }
      moreMessage.clear();
      empty.hidden = list.childElementCount > 0 || pager.hasMore;
      return titles;
    },
    (error, first) => {
      moreMessage.show("error", errorText(error, "Laden lukte niet."));
      // Not read is not empty.
      if (first) empty.hidden = true;
    },
  );
  await pager.restart();

  const element = h(
    "section",
    { class: "hartslag-triage" },
    listHeading,
    paragraph("De signalen van uw gebieden die nog gewogen moeten worden, de oudste eerst. ", cutOffText),
    message.element,
    list,
    empty,
    moreMessage.element,
    pager.more,
  );
  return { title: "Werkvoorraad", element, wide: true };
}
