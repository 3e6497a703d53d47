// "Casussen": the coordinator's cases, filtered by meeting, area, status,
// risk tier, overdue actions and due review, a page of 50 at a time. The
// service applies every filter and every need-to-know rule; the filters
// live in the address (#/casussen?overleg=...) so that they are still set
// when the coordinator comes back from a case.
import { call } from "../api";
import type { App, Screen } from "../app";
import { Field, MessageSlot, alertBox, button, errorText, heading, paragraph, select, statusBadge } from "../components";
import { h, replaceChildren, uniqueId } from "../dom";
import { caseKind, caseStatus, formatTime, riskTierShort } from "../labels";
import { Pager } from "../pager";
import { Purpose } from "../purposes";
import type { CaseListItem } from "./case_model";

const kListKey = "hartslag-casussen";

interface Area {
  areaId: string;
  name?: string;
  parentAreaId?: string;
}

// The filters as the address holds them: parameter name -> request field.
interface Filters {
  kind: string;
  areaId: string;
  status: string;
  riskTier: string;
  overdue: boolean;
  review: boolean;
}

function filtersFromHash(): Filters {
  const query = new URLSearchParams(location.hash.split("?")[1] ?? "");
  return {
    kind: query.get("overleg") ?? "",
    areaId: query.get("gebied") ?? "",
    status: query.get("status") ?? "",
    riskTier: query.get("risico") ?? "",
    overdue: query.get("overtijd") === "ja",
    review: query.get("herbeoordeling") === "ja",
  };
}

function hashOf(f: Filters): string {
  const query = new URLSearchParams();
  if (f.kind) query.set("overleg", f.kind);
  if (f.areaId) query.set("gebied", f.areaId);
  if (f.status) query.set("status", f.status);
  if (f.riskTier) query.set("risico", f.riskTier);
  if (f.overdue) query.set("overtijd", "ja");
  if (f.review) query.set("herbeoordeling", "ja");
  const text = query.toString();
  return text ? `#/casussen?${text}` : "#/casussen";
}

function requestOf(f: Filters): Record<string, unknown> {
  return {
    kind: f.kind || undefined,
    areaId: f.areaId || undefined,
    status: f.status || undefined,
    riskTier: f.riskTier || undefined,
    overdueActionsOnly: f.overdue || undefined,
    reviewDueOnly: f.review || undefined,
    pageSize: 50,
  };
}

function checkbox(label: string, checked: boolean): { element: HTMLDivElement; input: HTMLInputElement } {
  const input = h("input", { class: "utrecht-checkbox utrecht-checkbox--html-input", attrs: { type: "checkbox", id: uniqueId("filter"), checked } });
  const element = h(
    "div",
    { class: "utrecht-form-field utrecht-form-field--checkbox" },
    h("div", { class: "utrecht-form-field__input" }, input),
    h("div", { class: "utrecht-form-field__label" }, h("label", { class: "utrecht-form-label utrecht-form-label--checkbox", attrs: { for: input.id } }, label)),
  );
  return { element, input };
}

function caseItem(c: CaseListItem): HTMLLIElement {
  return h(
    "li",
    { class: "hartslag-card hartslag-case-row", attrs: { "data-case-id": c.caseId } },
    h("h3", { class: "utrecht-heading-3" }, h("a", { class: "utrecht-link", attrs: { href: `#/casus/${encodeURIComponent(c.caseId)}` } }, `${c.reference ?? ""} ${c.title ?? ""}`.trim())),
    h(
      "p",
      { class: "utrecht-paragraph hartslag-case-badges" },
      statusBadge(caseStatus[c.status ?? ""] ?? "", "neutral"),
      " ",
      c.hasOverdueActions ? statusBadge("Acties over tijd", "danger") : null,
      c.hasOverdueActions ? " " : null,
      // The service decides it, by its clock (a closed case is never due).
      c.reviewDue ? statusBadge("Herbeoordeling nodig", "warning") : null,
    ),
    h(
      "p",
      { class: "utrecht-paragraph utrecht-paragraph--small" },
      [caseKind[c.kind ?? ""], c.area?.name, c.riskTier ? `risico ${(riskTierShort[c.riskTier] ?? "").toLowerCase()}` : "geen risico bepaald", c.nextReviewAt ? `herbeoordeling ${formatTime(c.nextReviewAt)}` : ""]
        .filter(Boolean)
        .join(" · "),
    ),
  );
}

export async function casesScreen(app: App): Promise<Screen> {
  const filters = filtersFromHash();
  sessionStorage.setItem(kListKey, hashOf(filters));
  // The coordinator's areas with their wijken; the session's areas if the
  // tree cannot be read now.
  let areas: Area[] = [];
  try {
    areas = (await call<{ areas?: Area[] }>("hartslag.intake.v1.SignalService/ListAreas", {})).areas ?? [];
  } catch {
    areas = (app.session.areas ?? []).map((areaId) => ({ areaId, name: areaId }));
  }
  const names = new Map(areas.map((a) => [a.areaId, a.name ?? a.areaId]));
  const areaLabel = (a: Area) => (a.parentAreaId ? `${a.name ?? a.areaId} (${names.get(a.parentAreaId) ?? a.parentAreaId})` : a.name ?? a.areaId);

  const kind = new Field("Overleg", select([["", "Beide overleggen"], ...Object.entries(caseKind)], { name: "overleg" }));
  const area = new Field("Gebied", select([["", "Al mijn gebieden"], ...areas.map((a): [string, string] => [a.areaId, areaLabel(a)])], { name: "gebied" }));
  const status = new Field("Status", select([["", "Elke status"], ...Object.entries(caseStatus)], { name: "status" }));
  const risk = new Field("Risico", select([["", "Elk risico"], ...Object.entries(riskTierShort)], { name: "risico" }));
  kind.control.value = filters.kind;
  area.control.value = filters.areaId;
  status.control.value = filters.status;
  risk.control.value = filters.riskTier;
  const overdue = checkbox("Alleen met acties over tijd", filters.overdue);
  const review = checkbox("Alleen als herbeoordeling nodig is", filters.review);

  const list = h("ol", { class: "hartslag-cards hartslag-case-list", attrs: { "aria-labelledby": "casussen-resultaat" } });
  const message = new MessageSlot();
  const count = h("p", { class: "utrecht-paragraph", attrs: { "aria-live": "polite" } });
  let shown = 0;
  let current = filters;

  // A page of the filters in force; a new filter restarts the pager, and a
  // slow page of the old filter is then ignored.
  const pager = new Pager<CaseListItem>(
    "Meer casussen laden",
    async (pageToken) => {
      list.setAttribute("aria-busy", "true");
      try {
        const page = await call<{ cases?: CaseListItem[]; nextPageToken?: string }>(
          "hartslag.cases.v1.CaseService/ListCases",
          { ...requestOf(current), pageToken: pageToken || undefined },
          Purpose.caseManagement,
        );
        return { items: page.cases ?? [], nextPageToken: page.nextPageToken ?? "" };
      } finally {
        list.removeAttribute("aria-busy");
      }
    },
    (cases, first) => {
      if (first) {
        replaceChildren(list);
        shown = 0;
      }
      const items = cases.map(caseItem);
      list.append(...items);
      shown += items.length;
      count.textContent = shown === 0 ? "Geen casussen met deze filters." : `${shown} ${shown === 1 ? "casus" : "casussen"} getoond${pager.hasMore ? "; er zijn er meer" : ""}.`;
      message.clear();
      return items;
    },
    (error) => message.show("error", errorText(error, "Laden lukte niet.")),
  );

  const form = h(
    "form",
    {
      class: "hartslag-case-filters",
      attrs: { "aria-label": "Filters" },
      on: {
        submit: (event) => {
          event.preventDefault();
          current = {
            kind: kind.value,
            areaId: area.value,
            status: status.value,
            riskTier: risk.value,
            overdue: overdue.input.checked,
            review: review.input.checked,
          };
          // Without a hashchange: the address keeps the filters for "back"
          // from a case; the list is loaded here.
          history.replaceState(null, "", hashOf(current));
          sessionStorage.setItem(kListKey, hashOf(current));
          void pager.restart();
        },
      },
    },
    h("div", { class: "hartslag-case-filter-fields" }, kind.element, area.element, status.element, risk.element),
    h("div", { class: "hartslag-case-filter-checks" }, overdue.element, review.element),
    h("div", { class: "utrecht-button-group" }, button("Filteren", undefined, "primary", "submit")),
  );

  await pager.restart();
  const element = h(
    "div",
    {},
    heading(1, "Casussen"),
    paragraph("De casussen van uw gebieden die u mag zien, het laatst gewijzigd bovenaan."),
    form,
    h("h2", { class: "utrecht-heading-2", attrs: { id: "casussen-resultaat" } }, "Resultaat"),
    message.element,
    count,
    list,
    pager.more,
    areas.length ? null : alertBox("warning", "Uw gebieden konden niet worden gelezen; u ziet alle casussen die u mag zien."),
  );
  return { title: "Casussen", element, wide: true };
}

// Where "Terug naar de casussen" goes: the list with the filters last used.
export function casesListHash(): string {
  return sessionStorage.getItem(kListKey) ?? "#/casussen";
}
