// "Overzicht": the programme's figures without personal data, per ISO week,
// area, category, meeting and organisation, as SignalFiguresService
// (intake) and CaseFiguresService (cases) count them. Every cell shows what
// the service sent: a withheld count as "<5", a secondary suppression as
// "x". Nothing is added up or worked out here, so that no withheld count
// can be narrowed down by the page. For a coordinator its areas, for an
// administrator the whole municipality.
import { ApiError, call } from "../api";
import { type App, type Screen, hasRole } from "../app";
import { Field, MessageSlot, button, heading, paragraph, select, textbox } from "../components";
import { type Child, h, replaceChildren } from "../dom";
import { caseKind, formatDate, formatTime, source } from "../labels";
import { organisationNames } from "../directory";

// A count as the services publish it (common.v1.SuppressedCount).
interface Count {
  value?: string;
  suppressed?: boolean;
  secondary?: boolean;
}

interface AreaRef {
  areaId?: string;
  name?: string;
}

interface Period {
  startDate?: string;
  endDate?: string;
}

interface SignalRow {
  week?: string;
  area?: AreaRef;
  categoryId?: string;
  source?: string;
  received?: Count;
  handledInTime?: Count;
  handledOverdue?: Count;
  handledLate?: Count;
  waiting?: Count;
  waitingOverdue?: Count;
  waitingLate?: Count;
  accepted?: Count;
  referred?: Count;
  noAction?: Count;
}

interface CaseRow {
  week?: string;
  area?: AreaRef;
  kind?: string;
  opened?: Count;
  closed?: Count;
  leadTime?: { suppressed?: boolean; medianDays?: number; p90Days?: number };
}

interface ActionRow {
  week?: string;
  area?: AreaRef;
  organisationId?: string;
  created?: Count;
  completed?: Count;
  completedLate?: Count;
  open?: Count;
  overdue?: Count;
}

interface SignalFigures {
  period?: Period;
  timeZone?: string;
  asOf?: string;
  rows?: SignalRow[];
}

interface CaseFigures {
  period?: Period;
  timeZone?: string;
  asOf?: string;
  cases?: CaseRow[];
  actions?: ActionRow[];
}

const kSmallest = 5;
const kWeeksShown = 8;
const sourceLabel = Object.fromEntries(source);
const days = new Intl.NumberFormat("nl-NL", { minimumFractionDigits: 1, maximumFractionDigits: 1 });

// The cell's text, exactly as the service decided it.
export function countText(c: Count | undefined): string {
  if (c?.secondary) return "x";
  if (c?.suppressed) return `<${kSmallest}`;
  return c?.value ?? "0";
}

function shownValue(c: Count | undefined): number | null {
  return c && !c.suppressed && !c.secondary ? Number(c.value ?? 0) : null;
}

function leadDays(row: CaseRow, value: number | undefined): string {
  if (!row.leadTime) return "";
  if (row.leadTime.suppressed) return `<${kSmallest}`;
  return days.format(value ?? 0);
}

// ---- ISO weeks ("2026-W07"), counted on UTC dates of the calendar day.

function isoWeek(day: Date): string {
  const d = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate()));
  const weekday = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - weekday);  // the week's Thursday decides its year
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

// The Monday of "YYYY-Www", or null for anything else.
function mondayOf(week: string): Date | null {
  const match = /^(\d{4})-W(\d{2})$/.exec(week.trim());
  if (!match) return null;
  const [year, number] = [Number(match[1]), Number(match[2])];
  if (number < 1 || number > 53) return null;
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const monday = new Date(jan4);
  monday.setUTCDate(jan4.getUTCDate() - ((jan4.getUTCDay() || 7) - 1) + (number - 1) * 7);
  return isoWeek(monday) === `${year}-W${match[2]}` ? monday : null;
}

function addDays(day: Date, n: number): Date {
  const d = new Date(day);
  d.setUTCDate(d.getUTCDate() + n);
  return d;
}

function isoDate(day: Date): string {
  return day.toISOString().slice(0, 10);
}

// Today in the municipality's zone, as a UTC date.
function today(): Date {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Amsterdam", year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
  return new Date(`${parts}T00:00:00Z`);
}


// ---- Tables

interface Column<R> {
  header: string;
  cell: (row: R) => string;
  // A count column: right-aligned; with `bar`, a bar of its shown values.
  count?: (row: R) => Count | undefined;
  bar?: boolean;
}

// A table under its caption in a region that scrolls sideways on a narrow
// screen (reachable by keyboard); the first column heads each row.
function table<R>(name: string, caption: string, columns: Column<R>[], rows: R[]): HTMLElement {
  const captionId = `hartslag-overview-${name}-titel`;
  const maxima = columns.map((c) => (c.bar && c.count ? Math.max(0, ...rows.map((r) => shownValue(c.count!(r)) ?? 0)) : 0));
  const body = rows.map((row) =>
    h(
      "tr",
      { class: "utrecht-table__row" },
      columns.map((c, i): Child => {
        const text = c.cell(row);
        if (i === 0) return h("th", { class: "utrecht-table__header-cell", attrs: { scope: "row" } }, text);
        const cell = h("td", { class: c.count ? "utrecht-table__cell hartslag-overview-count" : "utrecht-table__cell" }, text);
        const value = c.count ? shownValue(c.count(row)) : null;
        if (c.bar && value !== null && maxima[i] > 0) {
          // The number is the cell's text; the bar only shows its size.
          const bar = h("span", { class: "hartslag-overview-bar", attrs: { "aria-hidden": "true" } });
          bar.style.width = `${Math.max(2, Math.round((value / maxima[i]) * 100))}%`;
          cell.append(bar);
        }
        return cell;
      }),
    ),
  );
  return h(
    "div",
    { class: "hartslag-overview-scroll", attrs: { role: "region", "aria-labelledby": captionId, tabindex: "0" } },
    h(
      "table",
      { class: "utrecht-table utrecht-table--html-table hartslag-overview-table", attrs: { "data-table": name } },
      h("caption", { class: "utrecht-table__caption", attrs: { id: captionId } }, caption),
      h("thead", { class: "utrecht-table__header" }, h("tr", { class: "utrecht-table__row" }, columns.map((c) => h("th", { class: "utrecht-table__header-cell", attrs: { scope: "col" } }, c.header)))),
      h("tbody", { class: "utrecht-table__body" }, body),
    ),
  );
}

function section(title: string, empty: string, content: HTMLElement | null): HTMLElement {
  return h("section", { class: "hartslag-overview-section" }, heading(2, title), content ?? paragraph(empty));
}

// ---- The screen

interface Names {
  categories: Map<string, string>;
  organisations: Map<string, string>;
}

function figuresView(signals: SignalFigures, cases: CaseFigures, names: Names): HTMLElement[] {
  const area = (a: AreaRef | undefined) => a?.name || a?.areaId || "";
  const signalColumns: Column<SignalRow>[] = [
    { header: "Week", cell: (r) => r.week ?? "" },
    { header: "Gebied", cell: (r) => area(r.area) },
    { header: "Categorie", cell: (r) => names.categories.get(r.categoryId ?? "") ?? r.categoryId ?? "" },
    { header: "Bron", cell: (r) => sourceLabel[r.source ?? ""] ?? r.source ?? "" },
    ...(
      [
        ["Binnen", (r) => r.received, true],
        ["Op tijd afgehandeld", (r) => r.handledInTime, false],
        ["Na de termijn", (r) => r.handledOverdue, false],
        ["Te laat", (r) => r.handledLate, false],
        ["Wachtend", (r) => r.waiting, false],
        ["Wachtend, over de termijn", (r) => r.waitingOverdue, false],
        ["Wachtend, te laat", (r) => r.waitingLate, false],
        ["Opgepakt", (r) => r.accepted, false],
        ["Doorverwezen", (r) => r.referred, false],
        ["Geen actie", (r) => r.noAction, false],
      ] as [string, (r: SignalRow) => Count | undefined, boolean][]
    ).map(([header, count, bar]): Column<SignalRow> => ({ header, cell: (r) => countText(count(r)), count, bar })),
  ];
  const caseColumns: Column<CaseRow>[] = [
    { header: "Week", cell: (r) => r.week ?? "" },
    { header: "Gebied", cell: (r) => area(r.area) },
    { header: "Overleg", cell: (r) => caseKind[r.kind ?? ""] ?? r.kind ?? "" },
    { header: "Geopend", cell: (r) => countText(r.opened), count: (r) => r.opened, bar: true },
    { header: "Gesloten", cell: (r) => countText(r.closed), count: (r) => r.closed },
    { header: "Doorlooptijd mediaan (dagen)", cell: (r) => leadDays(r, r.leadTime?.medianDays) },
    { header: "Doorlooptijd 90e percentiel (dagen)", cell: (r) => leadDays(r, r.leadTime?.p90Days) },
  ];
  const actionColumns: Column<ActionRow>[] = [
    { header: "Week", cell: (r) => r.week ?? "" },
    { header: "Gebied", cell: (r) => area(r.area) },
    { header: "Organisatie", cell: (r) => names.organisations.get(r.organisationId ?? "") ?? r.organisationId ?? "" },
    { header: "Gegeven", cell: (r) => countText(r.created), count: (r) => r.created },
    { header: "Afgerond", cell: (r) => countText(r.completed), count: (r) => r.completed },
    { header: "Afgerond na de datum", cell: (r) => countText(r.completedLate), count: (r) => r.completedLate },
    { header: "Open", cell: (r) => countText(r.open), count: (r) => r.open },
    { header: "Over de datum", cell: (r) => countText(r.overdue), count: (r) => r.overdue, bar: true },
  ];
  const period = signals.period ?? cases.period;
  const zone = signals.timeZone || cases.timeZone || "Europe/Amsterdam";
  const signalRows = signals.rows ?? [];
  const caseRows = cases.cases ?? [];
  const actionRows = cases.actions ?? [];
  return [
    paragraph(
      h("span", { attrs: { "data-testid": "geteld" } }, `Geteld in hele weken van maandag tot en met zondag (${zone}): van ${formatDate(period?.startDate)} tot ${formatDate(period?.endDate)}.`),
      ` Wachtend, open en over de datum: stand van ${formatTime(signals.asOf ?? cases.asOf)}.`,
    ),
    section("Meldingen", "Geen meldingen in deze periode.", signalRows.length ? table("meldingen", "Meldingen per week, gebied, categorie en bron, en hoe ze zijn afgehandeld", signalColumns, signalRows) : null),
    section("Casussen", "Geen casussen geopend of gesloten in deze periode.", caseRows.length ? table("casussen", "Casussen per week, gebied en overleg: geopend, gesloten en doorlooptijd", caseColumns, caseRows) : null),
    section("Acties", "Geen acties gegeven in deze periode.", actionRows.length ? table("acties", "Acties per week, gebied en organisatie: gegeven, afgerond, open en over de datum", actionColumns, actionRows) : null),
  ];
}

async function names(app: App): Promise<Names> {
  // Labels only; without them the ids are shown.
  const [categories, organisations] = await Promise.all([
    hasRole(app.session, "COORDINATOR")
      ? call<{ categories?: { categoryId: string; label: string }[] }>("hartslag.intake.v1.SignalService/ListCategories", {}).catch(() => ({ categories: [] }))
      : Promise.resolve({ categories: [] }),
    organisationNames(),
  ]);
  return {
    categories: new Map((categories.categories ?? []).map((c) => [c.categoryId, c.label])),
    organisations,
  };
}

// The areas to filter by: a coordinator's own (intake), an administrator's
// every area of the municipality (directory).
async function areaOptions(app: App): Promise<[string, string][]> {
  type Area = { areaId: string; name: string; parentAreaId?: string };
  let areas: Area[] = [];
  if (hasRole(app.session, "COORDINATOR")) {
    areas = (await call<{ areas?: Area[] }>("hartslag.intake.v1.SignalService/ListAreas", {})).areas ?? [];
  } else {
    areas = (await call<{ areas?: Area[] }>("hartslag.directory.v1.DirectoryService/ListAreas", { pageSize: 500 })).areas ?? [];
  }
  const name = new Map(areas.map((a) => [a.areaId, a.name]));
  return areas.map((a): [string, string] => [a.areaId, a.parentAreaId ? `${a.name} (${name.get(a.parentAreaId) ?? a.parentAreaId})` : a.name]);
}

export async function overviewScreen(app: App): Promise<Screen> {
  const [areas, labels] = await Promise.all([areaOptions(app), names(app)]);
  const thisWeek = isoWeek(today());
  const from = new Field("Van week", textbox({ type: "week", name: "van", value: isoWeek(addDays(today(), -7 * (kWeeksShown - 1))), required: true }), "Een ISO-week, bijvoorbeeld 2026-W05.");
  const to = new Field("Tot en met week", textbox({ type: "week", name: "tot", value: thisWeek, required: true }), "Een ISO-week, bijvoorbeeld 2026-W12.");
  const area = new Field("Gebied", select([["", "Alle gebieden"], ...areas], { name: "gebied" }));
  const message = new MessageSlot();
  const results = h("div", { class: "hartslag-overview-results", attrs: { "aria-busy": "false" } });

  const show = async () => {
    for (const f of [from, to, area]) f.showError(null);
    message.clear();
    const start = mondayOf(from.value);
    const last = mondayOf(to.value);
    if (!start) from.showError("Kies een week, bijvoorbeeld 2026-W05.");
    if (!last) to.showError("Kies een week, bijvoorbeeld 2026-W12.");
    if (!start || !last) {
      (start ? to : from).focus();
      return;
    }
    const request = { period: { startDate: isoDate(start), endDate: isoDate(addDays(last, 7)) }, areaId: area.value };
    results.setAttribute("aria-busy", "true");
    try {
      const [signals, cases] = await Promise.all([
        call<SignalFigures>("hartslag.intake.v1.SignalFiguresService/GetSignalFigures", request),
        call<CaseFigures>("hartslag.cases.v1.CaseFiguresService/GetCaseFigures", request),
      ]);
      replaceChildren(results, ...figuresView(signals, cases, labels));
      app.announce("De cijfers zijn bijgewerkt.");
    } catch (error) {
      replaceChildren(results);
      if (error instanceof ApiError) {
        const fields: [string[], Field][] = [[["period.start_date", "period.startDate", "period"], from], [["period.end_date", "period.endDate"], to], [["area_id", "areaId"], area]];
        let first: Field | null = null;
        for (const [keys, field] of fields) {
          const text = keys.map((k) => error.fields[k]).find(Boolean);
          if (text) {
            field.showError(text);
            first ??= field;
          }
        }
        message.show("error", error.message);
        first?.focus();
      } else {
        message.show("error", "De cijfers konden niet worden opgehaald.");
      }
    } finally {
      results.setAttribute("aria-busy", "false");
    }
  };

  const form = h(
    "form",
    {
      class: "hartslag-form hartslag-overview-filter",
      attrs: { novalidate: true, "aria-label": "Periode en gebied" },
      on: {
        submit: (event) => {
          event.preventDefault();
          void show();
        },
      },
    },
    h("div", { class: "hartslag-overview-fields" }, from.element, to.element, area.element),
    button("Toon cijfers", undefined, "primary", "submit"),
  );
  const element = h(
    "div",
    { class: "hartslag-overview" },
    heading(1, "Overzicht"),
    paragraph(
      hasRole(app.session, "COORDINATOR") ? "Cijfers van uw gebieden, " : "Cijfers van de hele gemeente, ",
      "zonder persoonsgegevens. Een aantal van 1 tot 4 staat er als <5; een x is weggelaten zodat een <5 niet is terug te rekenen.",
    ),
    form,
    message.element,
    results,
  );
  await show();
  return { title: "Overzicht", element, wide: true };
}
