// "Kaart": the signals of one of the coordinator's areas that came with
// coordinates, on a map (Leaflet, on the tile server hartslag-web was
// given with --map-tiles), and the same signals as a list below it: the map
// is never the only way. Each marker is a button in the tab order, named by
// the signal's category and address; choosing it selects the signal in the
// list. On request, cases too: a case has no place of its own and stands at
// the place of one of its signals already on the map (ListCases names them);
// no case and no signal is read one by one for the map, for each such read
// would stand in the access overview of everyone in it. A case whose
// signals are not on the map is counted, not guessed.
import * as L from "leaflet";
import type { Session } from "../api";
import { call } from "../api";
import type { App, Screen } from "../app";
import { Field, MessageSlot, button, errorText, heading, paragraph, select } from "../components";
import { h, replaceChildren } from "../dom";
import { kSignalService } from "../intake";
import { caseKind, caseStatus, formatAddress, formatTime, signalStatus } from "../labels";
import { Pager } from "../pager";
import { Purpose } from "../purposes";
import type { CaseListItem } from "./case_model";
import type { Signal } from "./signal_model";

const kSignalsPerPage = 200;
const kCasesPerPage = 50;
// Heerlen, where a map with nothing on it opens.
const kHome: L.LatLngTuple = [50.9, 5.98];

// The tile URL template hartslag-web was given; empty: no map.
function mapTiles(session: Session): string {
  return session.mapTiles ?? "";
}

function pointOf(signal: Signal): L.LatLngTuple | null {
  const p = signal.location?.point;
  if (!p || typeof p.latitude !== "number" || typeof p.longitude !== "number") return null;
  if (p.latitude === 0 && p.longitude === 0) return null;
  return [p.latitude, p.longitude];
}

// A place on the map with its entry in the list.
interface Placed {
  id: string;
  name: string;
  at: L.LatLngTuple;
  marker: L.Marker;
  item: HTMLLIElement;
}

export async function mapScreen(app: App): Promise<Screen> {
  type Area = { areaId: string; name: string; parentAreaId?: string };
  const [areas, categories] = await Promise.all([
    call<{ areas?: Area[] }>(`${kSignalService}/ListAreas`, {}),
    call<{ categories?: { categoryId: string; label: string }[] }>(`${kSignalService}/ListCategories`, {}),
  ]);
  const areaList = areas.areas ?? [];
  const areaName = new Map(areaList.map((a) => [a.areaId, a.name]));
  const categoryName = new Map((categories.categories ?? []).map((c) => [c.categoryId, c.label]));
  const area = new Field(
    "Gebied",
    select(areaList.map((a): [string, string] => [a.areaId, a.parentAreaId ? `${a.name} (${areaName.get(a.parentAreaId) ?? a.parentAreaId})` : a.name]), { name: "gebied" }),
  );
  const withCases = h("input", { class: "utrecht-checkbox utrecht-checkbox--html-input", attrs: { type: "checkbox", id: "hartslag-map-casussen", name: "casussen" } });
  const message = new MessageSlot();
  const summary = h("p", { class: "utrecht-paragraph", attrs: { "data-testid": "kaart-samenvatting" } });
  const list = h("ol", { class: "hartslag-map-list hartslag-list", attrs: { "aria-labelledby": "hartslag-map-lijst" } });
  const more = h("div", { class: "hartslag-map-more" });  // the pagers' buttons
  const canvas = h("div", { class: "hartslag-map-canvas", attrs: { "aria-label": "Kaart met de meldingen; elke markering is een knop", role: "region" } });

  const tiles = mapTiles(app.session);
  const map = L.map(canvas, { zoomControl: false, attributionControl: false, keyboard: true }).setView(kHome, 13);
  L.control.zoom({ zoomInTitle: "Inzoomen", zoomOutTitle: "Uitzoomen", zoomInText: "+", zoomOutText: "−" }).addTo(map);
  L.control.attribution({ prefix: false }).addAttribution(`Achtergrondkaart: ${new URL(tiles.replace(/[{}]/g, "")).host}`).addTo(map);
  L.tileLayer(tiles, { maxZoom: 19, minZoom: 6, crossOrigin: false }).addTo(map);
  const markers = L.layerGroup().addTo(map);
  let placed: Placed[] = [];
  let fitted = false;

  const fit = () => {
    if (canvas.clientWidth === 0) return;
    map.invalidateSize();
    if (placed.length > 0) map.fitBounds(L.latLngBounds(placed.map((p) => p.at)), { padding: [30, 30], maxZoom: 17 });
    else map.setView(kHome, 13);
    fitted = true;
  };
  // Leaflet measures its container: only once the screen is on the page.
  const sized = new ResizeObserver(() => {
    map.invalidateSize();
    if (!fitted) fit();
  });
  sized.observe(canvas);

  // The chosen entry is the current one of the list (for screen readers
  // too), and has the focus.
  const select_ = (p: Placed) => {
    for (const other of placed) other.item.removeAttribute("aria-current");
    p.item.setAttribute("aria-current", "true");
    p.item.focus();
  };

  const place = (id: string, name: string, at: L.LatLngTuple, item: HTMLLIElement, kind: "signal" | "case") => {
    const icon = L.divIcon({ className: "", html: h("span", { class: `hartslag-map-marker${kind === "case" ? " hartslag-map-marker--case" : ""}` }), iconSize: [26, 26], iconAnchor: [13, 26] });
    const marker = L.marker(at, { icon, keyboard: true, title: name, riseOnHover: true }).addTo(markers);
    const element = marker.getElement();
    element?.setAttribute("aria-label", name);
    element?.setAttribute("data-id", id);
    element?.setAttribute("data-kind", kind);
    const p: Placed = { id, name, at, marker, item };
    marker.on("click", () => select_(p));
    element?.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        select_(p);
      }
    });
    item.append(
      " ",
      button("Toon op kaart", () => {
        map.setView(at, Math.max(map.getZoom(), 16));
        marker.getElement()?.focus();
      }, "subtle"),
    );
    placed.push(p);
  };

  // The signals with a place on the map by id: where a case may stand.
  let signalPlaces = new Map<string, L.LatLngTuple>();
  let unplacedSignals = 0;
  // Cases waiting for one of their signals to come on the map.
  let waiting: CaseListItem[] = [];
  // Whether cases are asked for (the box as it was at "Kaart bijwerken").
  let showCases = false;
  // Answers that arrive after the screen was left change nothing.
  let left = false;
  let casesPlaced = 0;

  const plural = (n: number, one: string, more: string) => `${n} ${n === 1 ? one : more}`;
  const describe = () => {
    const onMap = placed.length - casesPlaced;
    const parts = [`${plural(onMap, "melding", "meldingen")} op de kaart`];
    if (unplacedSignals) parts.push(`${plural(unplacedSignals, "melding zonder coördinaten staat", "meldingen zonder coördinaten staan")} niet op de kaart`);
    if (showCases) {
      parts.push(`${plural(casesPlaced, "casus", "casussen")} op de plek van een melding`);
      if (waiting.length) parts.push(`${plural(waiting.length, "casus staat", "casussen staan")} niet op de kaart: geen van de meldingen ervan staat op de kaart`);
    }
    summary.textContent = `${parts.join("; ")}.`;
  };

  const signalItem = (s: Signal): HTMLLIElement =>
    h(
      "li",
      { class: "hartslag-card", attrs: { tabindex: "-1", "data-id": s.signalId, "data-kind": "signal" } },
      h("strong", {}, `${categoryName.get(s.categoryId ?? "") ?? s.categoryId ?? ""}: ${formatAddress(s.location?.address)}`),
      h("br"),
      `${s.reference ?? ""} · ${s.area?.name ?? s.area?.areaId ?? ""} · ${signalStatus[s.status ?? ""] ?? s.status ?? ""} · ${formatTime(s.reportedAt)}`,
    );

  const caseItem = (c: CaseListItem, name: string): HTMLLIElement =>
    h(
      "li",
      { class: "hartslag-card", attrs: { tabindex: "-1", "data-id": c.caseId, "data-kind": "case" } },
      h("strong", {}, name),
      h("br"),
      caseStatus[c.status ?? ""] ?? c.status ?? "",
    );

  // Places the waiting cases that now have a signal on the map; returns
  // their rows.
  const placeCases = (): HTMLLIElement[] => {
    const rows: HTMLLIElement[] = [];
    waiting = waiting.filter((c) => {
      const at = (c.signalIds ?? []).map((id) => signalPlaces.get(id)).find((p) => p !== undefined);
      if (!at) return true;
      const name = `Casus ${c.reference ?? ""}, ${caseKind[c.kind ?? ""] ?? ""}: ${c.title ?? ""}`;
      const item = caseItem(c, name);
      list.append(item);
      place(c.caseId, name, at, item, "case");
      casesPlaced += 1;
      rows.push(item);
      return false;
    });
    return rows;
  };

  // After each page: the summary, the map's view, and the news for
  // screen-reader users.
  const shown = () => {
    describe();
    fitted = false;
    fit();
    app.announce(summary.textContent ?? "");
  };

  const failed = (error: unknown) => message.show("error", errorText(error, "De kaart kon niet worden geladen."));

  const signalPager = new Pager<Signal>(
    "Meer meldingen laden",
    async (pageToken) => {
      const page = await call<{ signals?: Signal[]; nextPageToken?: string }>(
        `${kSignalService}/ListSignals`,
        { areaId: area.value, pageSize: kSignalsPerPage, pageToken: pageToken || undefined },
        Purpose.triage,
      );
      return { items: page.signals ?? [], nextPageToken: page.nextPageToken ?? "" };
    },
    (page) => {
      const rows: HTMLLIElement[] = [];
      if (left) return rows;
      for (const s of page) {
        const at = pointOf(s);
        if (!at) {
          unplacedSignals += 1;
          continue;
        }
        const name = `${categoryName.get(s.categoryId ?? "") ?? s.categoryId ?? "Melding"}, ${formatAddress(s.location?.address)}`;
        const item = signalItem(s);
        list.append(item);
        place(s.signalId, name, at, item, "signal");
        signalPlaces.set(s.signalId, at);
        rows.push(item);
      }
      // A case may stand at a signal of this page.
      rows.push(...placeCases());
      shown();
      return rows;
    },
    failed,
  );

  const casePager = new Pager<CaseListItem>(
    "Meer casussen laden",
    async (pageToken) => {
      if (!showCases) return { items: [], nextPageToken: "" };
      const page = await call<{ cases?: CaseListItem[]; nextPageToken?: string }>(
        "hartslag.cases.v1.CaseService/ListCases",
        { areaId: area.value, pageSize: kCasesPerPage, pageToken: pageToken || undefined },
        Purpose.caseManagement,
      );
      return { items: page.cases ?? [], nextPageToken: page.nextPageToken ?? "" };
    },
    (page) => {
      if (left) return [];
      waiting.push(...page);
      const rows = placeCases();
      shown();
      return rows;
    },
    failed,
  );

  const reload = async () => {
    message.clear();
    markers.clearLayers();
    placed = [];
    signalPlaces = new Map();
    waiting = [];
    unplacedSignals = 0;
    casesPlaced = 0;
    showCases = withCases.checked;
    replaceChildren(list);
    summary.textContent = "Bezig met laden…";
    // Both at once: a case waits for its signal, from whichever page; the
    // pagers ignore the answers of an earlier "Kaart bijwerken".
    await Promise.all([signalPager.restart(), casePager.restart()]);
  };

  const form = h(
    "form",
    {
      class: "hartslag-form",
      attrs: { novalidate: true, "aria-label": "Wat de kaart toont" },
      on: {
        submit: (event) => {
          event.preventDefault();
          void reload();
        },
      },
    },
    h(
      "div",
      { class: "hartslag-map-fields" },
      area.element,
      h(
        "div",
        { class: "utrecht-form-field utrecht-form-field--checkbox" },
        h("div", { class: "utrecht-form-field__input" }, withCases),
        h(
          "div",
          { class: "utrecht-form-field__label utrecht-form-field__label--checkbox" },
          h("label", { class: "utrecht-form-label utrecht-form-label--checkbox", attrs: { for: "hartslag-map-casussen" } }, "Ook casussen tonen (op de plek van een melding)"),
        ),
      ),
    ),
    button("Kaart bijwerken", undefined, "primary", "submit"),
  );

  const element = h(
    "div",
    { class: "hartslag-map" },
    heading(1, "Kaart"),
    paragraph("Meldingen van uw gebied die met coördinaten zijn doorgegeven. Met Tab gaat u langs de markeringen; Enter toont de melding in de lijst onder de kaart."),
    form,
    message.element,
    summary,
    canvas,
    heading(2, "Op de kaart", "hartslag-map-lijst"),
    list,
    more,
  );
  more.append(signalPager.more, casePager.more);
  await reload();
  return {
    title: "Kaart",
    element,
    wide: true,
    leave: () => {
      left = true;
      sized.disconnect();
      map.remove();
    },
  };
}
