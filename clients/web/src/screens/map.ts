// "Kaart": the signals of one of the coordinator's areas that came with
// coordinators, on a map (Leaflet, on the tile server hartslag-web was
// given with --map-tiles), and the same signals as a list below it: the map
// is never the only way. Each marker is a button in the tab order, named by
// the signal's category and address; choosing it selects the signal in the
// list. On request, cases too: a case has no place of its own and stands at
// the place of one of its signals the coordinator may see; the others are
// counted, not guessed.
import * as L from "leaflet";
import { ApiError, type Session, call } from "../api";
import type { App, Screen } from "../app";
import { Field, MessageSlot, button, heading, paragraph, select } from "../components";
import { h, replaceChildren } from "../dom";
import { kSignalService } from "../intake";
import { type Address, caseKind, caseStatus, formatAddress, formatTime, signalStatus } from "../labels";
import { Purpose } from "../purposes";

// Cases are read for managing them (x-hartslag-purpose).
const kSignalsPerPage = 200;
const kCasesPerPage = 50;
// Heerlen, where a map with nothing on it opens.
const kHome: L.LatLngTuple = [50.9, 5.98];

interface Point {
  latitude?: number;
  longitude?: number;
}

interface Signal {
  signalId: string;
  reference?: string;
  categoryId?: string;
  area?: { areaId?: string; name?: string };
  location?: { address?: Address; point?: Point };
  status?: string;
  reportedAt?: string;
}

interface CaseItem {
  caseId: string;
  reference?: string;
  kind?: string;
  status?: string;
  title?: string;
}

// The tile URL template hartslag-web was given; empty: no map.
export function mapTiles(session: Session): string {
  return (session as Session & { mapTiles?: string }).mapTiles ?? "";
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
  const more = h("div", { class: "hartslag-map-more" });
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

  const select_ = (p: Placed) => {
    for (const other of placed) other.item.removeAttribute("data-selected");
    p.item.setAttribute("data-selected", "");
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

  let signals: Signal[] = [];
  let unplacedSignals = 0;
  let cases: CaseItem[] = [];
  let unplacedCases = 0;
  let signalToken = "";
  let caseToken = "";
  let generation = 0;

  const describe = () => {
    const onMap = placed.filter((p) => p.item.dataset.kind === "signal").length;
    const parts = [`${onMap} ${onMap === 1 ? "melding" : "meldingen"} op de kaart`];
    if (unplacedSignals) parts.push(`${unplacedSignals} ${unplacedSignals === 1 ? "melding" : "meldingen"} zonder coördinaten niet`);
    if (withCases.checked) {
      const casesOnMap = placed.length - onMap;
      parts.push(`${casesOnMap} ${casesOnMap === 1 ? "casus" : "casussen"} op de plek van een melding`);
      if (unplacedCases) parts.push(`${unplacedCases} ${unplacedCases === 1 ? "casus kon" : "casussen konden"} niet op de kaart: geen van de meldingen ervan heeft een plek die u mag zien`);
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

  const addSignals = (page: Signal[]) => {
    signals = signals.concat(page);
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
    }
  };

  // A case stands at the first of its signals with a place that this
  // coordinator may read; the signals already on the map are asked for no
  // second time.
  const addCases = async (page: CaseItem[], mine: number) => {
    for (const c of page) {
      let at: L.LatLngTuple | null = null;
      try {
        const summary = await call<{ case?: { signalIds?: string[] } }>("hartslag.cases.v1.CaseService/GetCase", { caseId: c.caseId }, Purpose.caseManagement);
        for (const id of summary.case?.signalIds ?? []) {
          const known = signals.find((s) => s.signalId === id);
          const signal = known ?? (await call<Signal>(`${kSignalService}/GetSignal`, { signalId: id }).catch(() => null));
          at = signal ? pointOf(signal) : null;
          if (at) break;
        }
      } catch {
        at = null;  // a case this coordinator may not read stays off the map
      }
      if (mine !== generation) return;
      cases.push(c);
      if (!at) {
        unplacedCases += 1;
        continue;
      }
      const name = `Casus ${c.reference ?? ""}, ${caseKind[c.kind ?? ""] ?? ""}: ${c.title ?? ""}`;
      const item = h(
        "li",
        { class: "hartslag-card", attrs: { tabindex: "-1", "data-id": c.caseId, "data-kind": "case" } },
        h("strong", {}, name),
        h("br"),
        caseStatus[c.status ?? ""] ?? c.status ?? "",
      );
      list.append(item);
      place(c.caseId, name, at, item, "case");
    }
  };

  const renderMore = (mine: number) => {
    const buttons: HTMLButtonElement[] = [];
    if (signalToken) buttons.push(button("Meer meldingen laden", () => void load(mine, "signals")));
    if (withCases.checked && caseToken) buttons.push(button("Meer casussen laden", () => void load(mine, "cases"), "secondary"));
    replaceChildren(more, ...buttons);
  };

  // Loads the first pages (`what` empty) or the next page of one list.
  const load = async (mine: number, what: "" | "signals" | "cases") => {
    message.clear();
    try {
      if (what === "" || what === "signals") {
        const page = await call<{ signals?: Signal[]; nextPageToken?: string }>(`${kSignalService}/ListSignals`, { areaId: area.value, pageSize: kSignalsPerPage, pageToken: signalToken });
        if (mine !== generation) return;
        signalToken = page.nextPageToken ?? "";
        addSignals(page.signals ?? []);
      }
      if (withCases.checked && (what === "" || what === "cases")) {
        const page = await call<{ cases?: CaseItem[]; nextPageToken?: string }>("hartslag.cases.v1.CaseService/ListCases", { areaId: area.value, pageSize: kCasesPerPage, pageToken: caseToken }, Purpose.caseManagement);
        if (mine !== generation) return;
        caseToken = page.nextPageToken ?? "";
        await addCases(page.cases ?? [], mine);
        if (mine !== generation) return;
      }
      describe();
      renderMore(mine);
      fitted = false;
      fit();
      app.announce(summary.textContent ?? "");
    } catch (error) {
      if (mine !== generation) return;
      message.show("error", error instanceof ApiError ? error.message : "De kaart kon niet worden geladen.");
    }
  };

  const reload = async () => {
    const mine = ++generation;
    markers.clearLayers();
    placed = [];
    signals = [];
    cases = [];
    unplacedSignals = 0;
    unplacedCases = 0;
    signalToken = "";
    caseToken = "";
    replaceChildren(list);
    replaceChildren(more);
    summary.textContent = "Bezig met laden…";
    await load(mine, "");
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
    { class: "hartslag-page hartslag-map" },
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
  await reload();
  return {
    title: "Kaart",
    element,
    leave: () => {
      generation += 1;
      sized.disconnect();
      map.remove();
    },
  };
}
